from __future__ import annotations

import ast
import sys
import threading
from dataclasses import FrozenInstanceError, fields
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ibwire.live
import ibwire.live.ticker as ticker_module
from ibwire.live import Greeks, Ticker, TickerSnapshot
from ibwire.live.ticker import FIELDS
from ibwire.messages import (
    Contract,
    MarketDataType,
    TickAttribLast,
    TickByTick,
    TickEfp,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickString,
)

AAPL = Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def price(tick_type: int, value: float, size: int | None = None) -> TickPrice:
    return TickPrice(
        req_id=1, tick_type=tick_type, price=value, size=None if size is None else Decimal(size)
    )


def size(tick_type: int, value: int | None) -> TickSize:
    return TickSize(req_id=1, tick_type=tick_type, size=None if value is None else Decimal(value))


def test_starts_empty() -> None:
    ticker = Ticker(AAPL)
    assert ticker.contract is AAPL
    assert all(getattr(ticker, name) is None for name in FIELDS if name != "contract")
    assert ticker.midpoint() is None
    assert ticker.market_price() is None


def test_bid_ask_last_with_sizes() -> None:
    ticker = Ticker(AAPL)
    assert ticker.apply(price(1, 99.5, 300), 10.0)
    assert ticker.apply(price(2, 100.5, 200), 11.0)
    assert ticker.apply(price(4, 100.0, 5), 12.0)
    assert (ticker.bid, ticker.bid_size) == (99.5, Decimal(300))
    assert (ticker.ask, ticker.ask_size) == (100.5, Decimal(200))
    assert (ticker.last, ticker.last_size) == (100.0, Decimal(5))
    assert ticker.time == 12.0
    assert ticker.midpoint() == 100.0


@pytest.mark.parametrize(
    ("real", "delayed", "field"),
    [(1, 66, "bid"), (2, 67, "ask"), (4, 68, "last"), (6, 72, "high"), (7, 73, "low"),
     (9, 75, "close"), (14, 76, "open")],
)
def test_delayed_prices_fold_into_the_same_field(real: int, delayed: int, field: str) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(real, 10.0, 1), 1.0)
    assert getattr(ticker, field) == 10.0
    ticker.apply(price(delayed, 11.0, 1), 2.0)
    assert getattr(ticker, field) == 11.0


@pytest.mark.parametrize(
    ("real", "delayed", "field"),
    [(0, 69, "bid_size"), (3, 70, "ask_size"), (5, 71, "last_size"), (8, 74, "volume")],
)
def test_delayed_sizes_fold_into_the_same_field(real: int, delayed: int, field: str) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(size(real, 100), 1.0)
    assert getattr(ticker, field) == Decimal(100)
    ticker.apply(size(delayed, 200), 2.0)
    assert getattr(ticker, field) == Decimal(200)


@pytest.mark.parametrize("tick_type", [1, 2, 66, 67])
def test_no_quote_clears_the_side(tick_type: int) -> None:
    side = "bid" if tick_type in (1, 66) else "ask"
    ticker = Ticker(AAPL)
    ticker.apply(price(tick_type, 10.0, 100), 1.0)
    ticker.apply(price(tick_type, -1.0, 100), 2.0)
    assert getattr(ticker, side) is None
    assert getattr(ticker, f"{side}_size") is None
    ticker.apply(price(tick_type, 10.0, 100), 3.0)
    ticker.apply(price(tick_type, 10.0, 0), 4.0)
    assert getattr(ticker, side) is None


@pytest.mark.parametrize(("tick_type", "side"), [(0, "bid"), (3, "ask"), (69, "bid"), (70, "ask")])
def test_zero_quote_size_clears_the_side(tick_type: int, side: str) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(1 if side == "bid" else 2, 10.0, 100), 1.0)
    ticker.apply(size(tick_type, 300), 2.0)
    assert getattr(ticker, f"{side}_size") == Decimal(300)
    assert getattr(ticker, side) == 10.0
    ticker.apply(size(tick_type, 0), 3.0)
    assert getattr(ticker, side) is None
    assert getattr(ticker, f"{side}_size") is None


def test_unset_size_does_not_clear() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(1, 10.0, None), 1.0)
    assert ticker.bid == 10.0
    assert ticker.bid_size is None


def test_last_of_minus_one_cleared_only_with_a_close() -> None:
    # TICK-NYSE style instruments trade at -1 and have no close.
    index = Ticker(AAPL)
    index.apply(price(4, -1.0, 0), 1.0)
    assert index.last == -1.0
    stock = Ticker(AAPL)
    stock.apply(price(9, 100.0), 1.0)
    stock.apply(price(4, -1.0, 0), 2.0)
    assert stock.last is None


def test_plain_price_fields() -> None:
    ticker = Ticker(AAPL)
    for tick_type, value in ((19, 1.0), (20, 2.0), (37, 3.0), (35, 4.0), (50, 5.0), (103, 6.0)):
        assert ticker.apply(price(tick_type, value), 1.0)
    assert (ticker.low_52_week, ticker.high_52_week, ticker.mark_price) == (1.0, 2.0, 3.0)
    assert (ticker.auction_price, ticker.bid_yield) == (4.0, 6.0)


def test_unknown_tick_types_are_ignored() -> None:
    ticker = Ticker(AAPL)
    assert not ticker.apply(price(31, 1.0), 1.0)  # a generic tick type sent as a price
    assert not ticker.apply(size(1, 5), 1.0)
    assert not ticker.apply(TickGeneric(req_id=1, tick_type=1, value=1.0), 1.0)
    assert not ticker.apply(TickString(req_id=1, tick_type=1, value="x"), 1.0)
    assert not ticker.apply(TickOptionComputation(req_id=1, tick_type=1), 1.0)
    assert ticker.time is None


def test_other_messages_ignored() -> None:
    ticker = Ticker(AAPL)
    efp = TickEfp(req_id=1, tick_type=38, basis_points=0.0, formatted_basis_points="",
                  total_dividends=0.0, hold_days=0, future_last_trade_date="",
                  dividend_impact=0.0, dividends_to_last_trade_date=0.0)
    assert not ticker.apply(efp, 1.0)
    assert not ticker.apply("not a message", 1.0)


def test_generic_ticks() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(TickGeneric(req_id=1, tick_type=49, value=1.0), 1.0)
    assert ticker.halted == 1
    assert isinstance(ticker.halted, int)
    ticker.apply(TickGeneric(req_id=1, tick_type=90, value=0.0), 2.0)
    assert ticker.halted == 0
    ticker.apply(TickGeneric(req_id=1, tick_type=46, value=3.0), 3.0)
    assert ticker.shortable == 3.0
    ticker.apply(TickGeneric(req_id=1, tick_type=24, value=0.25), 4.0)
    assert ticker.implied_volatility == 0.25


def test_string_ticks() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(TickString(req_id=1, tick_type=32, value="QZ"), 1.0)
    ticker.apply(TickString(req_id=1, tick_type=84, value="Q"), 1.0)
    ticker.apply(TickString(req_id=1, tick_type=45, value="1700000000"), 1.0)
    assert (ticker.bid_exchange, ticker.last_exchange) == ("QZ", "Q")
    assert ticker.last_timestamp == 1_700_000_000
    ticker.apply(TickString(req_id=1, tick_type=88, value="1700000005"), 1.0)
    assert ticker.last_timestamp == 1_700_000_005
    assert not ticker.apply(TickString(req_id=1, tick_type=45, value="soon"), 2.0)
    assert ticker.last_timestamp == 1_700_000_005


@pytest.mark.parametrize("tick_type", [45, 88])
def test_a_last_timestamp_of_zero_is_no_time(tick_type: int) -> None:
    # TWS sends "0" when it has no time for the last trade: not 1970.
    ticker = Ticker(AAPL)
    assert not ticker.apply(TickString(req_id=1, tick_type=tick_type, value="0"), 1.0)
    assert ticker.last_timestamp is None and ticker.time is None
    ticker.apply(TickString(req_id=1, tick_type=tick_type, value="1700000000"), 2.0)
    assert not ticker.apply(TickString(req_id=1, tick_type=tick_type, value="0"), 3.0)
    assert (ticker.last_timestamp, ticker.time) == (1_700_000_000, 2.0)


def test_rt_volume() -> None:
    ticker = Ticker(AAPL)
    value = "701.28;1;1348075471534;67854;701.46918464;true"
    assert ticker.apply(TickString(req_id=1, tick_type=48, value=value), 5.0)
    assert (ticker.last, ticker.last_size) == (701.28, Decimal(1))
    assert ticker.rt_time == 1348075471534
    assert ticker.rt_volume == Decimal(67854)
    assert ticker.vwap == 701.46918464
    assert ticker.volume is None  # VOLUME may count in lots; RT_VOLUME in shares


def test_rt_volume_without_a_trade() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(4, 10.0, 1), 1.0)
    ticker.apply(TickString(req_id=1, tick_type=48, value=";;1348075471534;70000;701.5;false"), 2.0)
    assert ticker.last == 10.0
    assert ticker.rt_volume == Decimal(70000)


def test_rt_trd_volume_is_a_series_of_its_own() -> None:
    ticker = Ticker(AAPL)
    seq = [
        (48, "701.28;100;1348075471534;67854;701.46918464;true"),
        (77, "701.30;5;1348075471540;67000;701.40;true"),
        (48, ";;1348075471600;67954;701.46;false"),
        (77, ";;1348075471600;67050;701.41;false"),
    ]
    for tick_type, value in seq:
        assert ticker.apply(TickString(req_id=1, tick_type=tick_type, value=value), 1.0)
    assert (ticker.rt_volume, ticker.vwap, ticker.rt_time) == (
        Decimal(67954), 701.46, 1348075471600,
    )
    assert (ticker.rt_trade_volume, ticker.rt_trade_vwap, ticker.rt_trade_time) == (
        Decimal(67050), 701.41, 1348075471600,
    )
    assert (ticker.last, ticker.last_size) == (701.28, Decimal(100))


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), -float("inf"), 1.7976931348623157e308])
@pytest.mark.parametrize("tick_type", [49, 90])
def test_halted_not_available_or_not_a_code_is_none(tick_type: int, value: float) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(TickGeneric(req_id=1, tick_type=tick_type, value=1.0), 1.0)
    assert ticker.halted == 1
    assert ticker.apply(TickGeneric(req_id=1, tick_type=tick_type, value=value), 2.0)
    assert ticker.halted is None
    assert ticker._seq % 2 == 0
    ticker.apply(TickGeneric(req_id=1, tick_type=tick_type, value=0.0), 3.0)
    assert ticker.halted == 0


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        (price(78, 10.5), "creditman_mark_price", 10.5),
        (price(79, 10.4), "creditman_slow_mark_price", 10.4),
        (price(92, 1.0), "etf_nav_close", 1.0),
        (price(93, 2.0), "etf_nav_prior_close", 2.0),
        (price(94, 3.0), "etf_nav_bid", 3.0),
        (price(95, 4.0), "etf_nav_ask", 4.0),
        (price(96, 5.0), "etf_nav_last", 5.0),
        (price(97, 6.0), "etf_frozen_nav_last", 6.0),
        (price(98, 7.0), "etf_nav_high", 7.0),
        (price(99, 8.0), "etf_nav_low", 8.0),
        (price(101, 9.0), "estimated_ipo_midpoint", 9.0),
        (price(102, 9.5), "final_ipo_last", 9.5),
        (price(105, 10.1), "odd_lot_bid", 10.1),
        (price(106, 10.2), "odd_lot_ask", 10.2),
        (size(63, 1200), "short_term_volume_3_min", Decimal(1200)),
        (size(64, 3400), "short_term_volume_5_min", Decimal(3400)),
        (size(65, 5600), "short_term_volume_10_min", Decimal(5600)),
        (size(107, 12), "odd_lot_bid_size", Decimal(12)),
        (size(108, 13), "odd_lot_ask_size", Decimal(13)),
        (TickGeneric(req_id=1, tick_type=60, value=0.75), "bond_factor_multiplier", 0.75),
        (TickString(req_id=1, tick_type=25, value="CBOE"), "option_bid_exchange", "CBOE"),
        (TickString(req_id=1, tick_type=26, value="ISE"), "option_ask_exchange", "ISE"),
        (TickString(req_id=1, tick_type=85, value="1718035200"), "last_reg_time", "1718035200"),
        (TickString(req_id=1, tick_type=109, value="P"), "odd_lot_bid_exchange", "P"),
        (TickString(req_id=1, tick_type=110, value="Q"), "odd_lot_ask_exchange", "Q"),
    ],
)
def test_more_tick_types_have_fields(message: object, field: str, value: object) -> None:
    ticker = Ticker(AAPL)
    assert ticker.apply(message, 1.0)
    assert getattr(ticker, field) == value
    assert getattr(ticker.snapshot(), field) == value


def test_a_last_of_minus_one_is_cleared_whichever_comes_first_it_or_the_close() -> None:
    last_first = Ticker(AAPL)
    for message in (price(4, -1.0, 0), price(9, 25.4, 0)):
        last_first.apply(message, 1.0)
    close_first = Ticker(AAPL)
    for message in (price(9, 25.4, 0), price(4, -1.0, 0)):
        close_first.apply(message, 1.0)
    for ticker in (last_first, close_first):
        assert (ticker.last, ticker.last_size, ticker.close) == (None, None, 25.4)
        assert ticker.market_price() is None
    # With no close (TICK-NYSE), -1 is a value.
    index = Ticker(AAPL)
    index.apply(price(4, -1.0, 0), 1.0)
    index.apply(price(9, 0.0, 0), 1.0)
    assert index.last == -1.0


def test_a_combo_quote_of_minus_one_with_a_size_is_a_quote() -> None:
    combo = Ticker(Contract(symbol="SPX", sec_type="BAG", exchange="SMART", currency="USD"))
    combo.apply(price(1, -1.05, 10), 1.0)
    combo.apply(price(2, -0.95, 10), 1.0)
    combo.apply(price(1, -1.0, 25), 2.0)
    assert (combo.bid, combo.bid_size) == (-1.0, Decimal(25))
    assert combo.midpoint() == -0.975
    combo.apply(price(1, -1.0, 0), 3.0)
    assert combo.bid is None and combo.bid_size is None
    combo.apply(price(2, -1.0), 3.0)
    assert combo.ask is None
    stock = Ticker(AAPL)
    stock.apply(price(1, -1.0, 25), 1.0)
    assert stock.bid is None


@pytest.mark.parametrize("value", ["garbage", "1;2;3", "x;1;2;3;4;true", "1;y;2;3;4;true"])
def test_malformed_rt_volume_changes_nothing(value: str) -> None:
    ticker = Ticker(AAPL)
    assert not ticker.apply(TickString(req_id=1, tick_type=48, value=value), 1.0)
    assert ticker.snapshot() == Ticker(AAPL).snapshot()
    assert ticker._seq % 2 == 0


@pytest.mark.parametrize(
    ("tick_type", "field"),
    [(10, "bid_greeks"), (11, "ask_greeks"), (12, "last_greeks"), (13, "model_greeks"),
     (80, "bid_greeks"), (81, "ask_greeks"), (82, "last_greeks"), (83, "model_greeks")],
)
def test_greeks(tick_type: int, field: str) -> None:
    ticker = Ticker(AAPL)
    computation = TickOptionComputation(
        req_id=1, tick_type=tick_type, tick_attrib=1, implied_vol=0.2, delta=0.5,
        opt_price=3.0, pv_dividend=0.1, gamma=0.02, vega=0.3, theta=-0.04, und_price=100.0,
    )
    assert ticker.apply(computation, 1.0)
    assert getattr(ticker, field) == Greeks(
        implied_vol=0.2, delta=0.5, opt_price=3.0, pv_dividend=0.1, gamma=0.02, vega=0.3,
        theta=-0.04, und_price=100.0, tick_attrib=1,
    )


def test_market_data_type_and_req_params() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(MarketDataType(req_id=1, market_data_type=3), 1.0)
    ticker.apply(TickReqParams(req_id=1, min_tick=0.01, bbo_exchange="9c0001",
                               snapshot_permissions=3), 1.0)
    assert ticker.market_data_type == 3
    assert (ticker.min_tick, ticker.bbo_exchange, ticker.snapshot_permissions) == (0.01, "9c0001", 3)
    # TWS sends both before any quote: time stays the time of the last tick.
    assert ticker.time is None
    assert ticker.snapshot().time is None
    ticker.apply(TickPrice(req_id=1, tick_type=1, price=9.9, size=Decimal(1)), 2.0)
    ticker.apply(MarketDataType(req_id=1, market_data_type=1), 3.0)
    assert ticker.time == 2.0



def test_tick_by_tick() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(TickByTick(req_id=1, tick_type=2, time=1700000000, price=10.0,
                            size=Decimal(3), exchange="ARCA"), 1.0)
    assert (ticker.last, ticker.last_size, ticker.last_exchange) == (10.0, Decimal(3), "ARCA")
    assert ticker.last_timestamp == 1700000000
    ticker.apply(TickByTick(req_id=1, tick_type=3, time=1700000001, bid_price=9.9,
                            ask_price=10.1, bid_size=Decimal(1), ask_size=Decimal(2)), 2.0)
    assert (ticker.bid, ticker.ask, ticker.bid_size, ticker.ask_size) == (
        9.9, 10.1, Decimal(1), Decimal(2),
    )
    assert not ticker.apply(TickByTick(req_id=1, tick_type=4, time=1, mid_point=10.0), 3.0)


@pytest.mark.parametrize("tick_type", [1, 2])
def test_the_tick_by_tick_halt_marker_is_not_a_trade(tick_type: int) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(TickByTick(req_id=1, tick_type=tick_type, time=1718035200, price=187.5,
                            size=Decimal(100), exchange="NASDAQ"), 1.0)
    halt = TickByTick(req_id=1, tick_type=tick_type, time=1718035260, price=0.0, size=Decimal(0),
                      tick_attrib_last=TickAttribLast(past_limit=True))
    assert not ticker.apply(halt, 2.0)
    assert (ticker.last, ticker.last_size, ticker.last_timestamp) == (187.5, Decimal(100), 1718035200)
    assert ticker.market_price() == 187.5


@pytest.mark.parametrize(
    ("bid", "ask", "last", "expected"),
    [(99.0, 101.0, 100.5, 100.5), (99.0, 101.0, 102.0, 100.0), (99.0, 101.0, None, 100.0),
     (None, 101.0, 100.5, 100.5), (None, None, None, None), (99.0, 101.0, 99.0, 99.0)],
)
def test_market_price(bid: float | None, ask: float | None, last: float | None,
                      expected: float | None) -> None:
    ticker = Ticker(AAPL)
    if bid is not None:
        ticker.apply(price(1, bid, 1), 1.0)
    if ask is not None:
        ticker.apply(price(2, ask, 1), 1.0)
    if last is not None:
        ticker.apply(price(4, last, 1), 1.0)
    assert ticker.market_price() == expected
    assert ticker.snapshot().market_price() == expected


def test_snapshot_is_an_immutable_copy() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(1, 10.0, 1), 1.0)
    shot = ticker.snapshot()
    ticker.apply(price(1, 11.0, 1), 2.0)
    assert (shot.bid, shot.time) == (10.0, 1.0)
    assert shot.midpoint() is None
    with pytest.raises(FrozenInstanceError):
        shot.bid = 12.0  # type: ignore[misc]


def test_snapshot_has_every_field() -> None:
    assert tuple(f.name for f in fields(TickerSnapshot)) == FIELDS
    declared = [name for name in Ticker.__annotations__ if not name.startswith("_")]
    assert declared == list(FIELDS)


def test_repr_shows_set_fields() -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(1, 10.0, 1), 1.0)
    assert "bid=10.0" in repr(ticker)
    assert "ask=" not in repr(ticker)


def test_snapshot_copies_again_when_a_write_happened_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticker = Ticker(AAPL)
    ticker.apply(price(1, 10.0, 1), 1.0)
    real_copy = ticker_module._COPY
    calls: list[int] = []

    def copy_during_a_write(target: Ticker) -> tuple[object, ...]:
        calls.append(1)
        values = real_copy(target)
        if len(calls) == 1:
            # A message is applied by the writer while the copy is taken.
            target.apply(price(1, 11.0, 2), 2.0)
        return values

    monkeypatch.setattr(ticker_module, "_COPY", copy_during_a_write)
    shot = ticker.snapshot()
    assert len(calls) == 2
    assert (shot.bid, shot.bid_size, shot.time) == (11.0, Decimal(2), 2.0)


def test_snapshot_consistent_while_another_thread_writes() -> None:
    # Each message sets bid and bid_size together (bid_size == bid), so a
    # snapshot must never show a bid with the size of another message.  A tiny
    # switch interval makes the threads interleave inside apply().
    ticker = Ticker(AAPL)
    messages = [price(1, float(i), i) for i in range(1, 20_001)]
    stop = threading.Event()
    bad: list[TickerSnapshot] = []

    def read() -> None:
        while not stop.is_set():
            shot = ticker.snapshot()
            if shot.bid is not None and Decimal(int(shot.bid)) != shot.bid_size:
                bad.append(shot)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n, message in enumerate(messages):
            ticker.apply(message, float(n))
    finally:
        stop.set()
        reader.join()
        sys.setswitchinterval(interval)
    assert not bad
    assert ticker.bid == 20_000.0


def test_live_package_is_sans_io() -> None:
    banned = {"socket", "threading", "asyncio", "selectors", "time", "ssl", "select"}
    folder = Path(ibwire.live.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & banned, path.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in banned, path.name


# ------------------------------------------------------------------ ib_async as an oracle

_quote_ticks = st.one_of(
    st.builds(
        lambda t, p, s: price(t, p, s),
        st.sampled_from((1, 2, 4, 9, 66, 67, 68)),
        st.sampled_from((-1.0, 99.0, 99.5, 100.0, 100.5, 101.0)),
        st.integers(0, 3),
    ),
    st.builds(
        lambda t, s: size(t, s),
        st.sampled_from((0, 3, 8, 69, 70, 74)),
        st.integers(0, 3),
    ),
)


def _plain(value: object) -> object:
    """ib_async's 'nothing' (nan, -1 price, 0 size) as None; numbers as float."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number or number == -1.0 else number


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(_quote_ticks, min_size=1, max_size=40))
def test_quotes_agree_with_ib_async(messages: list[TickPrice | TickSize]) -> None:
    ib_async = pytest.importorskip("ib_async")
    wrapper = ib_async.IB().wrapper
    theirs = wrapper.startTicker(1, ib_async.Contract(conId=1, symbol="X"), "mktData")
    ours = Ticker(AAPL)
    for message in messages:
        ours.apply(message, 1.0)
        if isinstance(message, TickPrice):
            wrapper.priceSizeTick(1, message.tick_type, message.price, float(message.size or 0))
        else:
            wrapper.tickSize(1, message.tick_type, float(message.size or 0))
        for side in ("bid", "ask"):
            their_price = getattr(theirs, side)
            their_size = getattr(theirs, f"{side}Size")
            quoted = their_price != -1 and their_price == their_price and their_size > 0
            assert _plain(getattr(ours, side)) == (their_price if quoted else None), side
            if quoted:  # a size without a price is kept by one side, dropped by the other
                assert _plain(getattr(ours, f"{side}_size")) == their_size
        assert _plain(ours.last) == _plain(theirs.last)
        assert _plain(ours.close) == _plain(theirs.close)
        assert _plain(ours.volume) == _plain(theirs.volume)
        assert _plain(ours.market_price()) == _plain(theirs.marketPrice())
