"""The session's live objects (ibwire._session_live), on an in-memory gateway and a fake clock."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from ibwire._session import Session
from ibwire.errors import (
    ApiError,
    ForeignOrderError,
    PortfolioUnavailableError,
    UnsupportedByServerError,
)
from ibwire.events import MalformedMessage
from ibwire.live import OrderBook, Ticker, Trade
from ibwire.messages import (
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctValue,
    BarData,
    CancelHistoricalData,
    CancelMktData,
    CancelMktDepth,
    CancelOrder,
    CancelPositions,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    Execution,
    ExecutionData,
    ExecutionDataEnd,
    HistoricalData,
    HistoricalDataEnd,
    MarketDataType,
    MarketDepth,
    Message,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderState,
    PlaceOrder,
    PortfolioValue,
    PositionEnd,
    ReqAccountUpdatesMulti,
    ReqAcctData,
    ReqExecutions,
    ReqHistoricalData,
    ReqMktData,
    ReqMktDepth,
    ReqOpenOrders,
    ReqPnl,
    ReqPositions,
    TickGeneric,
    TickPrice,
    TickSize,
    TickString,
)
from ibwire.orders import LimitOrder, StopOrder, bracket
from ibwire.pacing import Pacer

from .session_rig import (
    AAPL,
    AAPL_REPORTED,
    MSFT,
    POLICY,
    HoldingPacer,
    Rig,
    Sink,
    fill,
    reconnect,
)

BAR = BarData(date="1710168000", open=1.0, high=2.0, low=0.5, close=1.5, volume=Decimal(10))


def test_identical_history_requests_in_flight_are_sent_once(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 min", duration_str="1 D", what_to_show="TRADES"
    )
    first = rig.session.historical_bars(request, rig.now, 5.0)
    second = rig.session.historical_bars(request, rig.now, 5.0)
    other = rig.session.historical_bars(
        ReqHistoricalData(
            req_id=0, contract=MSFT, bar_size_setting="1 min", duration_str="1 D",
            what_to_show="TRADES",
        ),
        rig.now,
        5.0,
    )
    rig.flush()
    sent = [m for m in rig.take() if isinstance(m, ReqHistoricalData)]
    assert [m.contract.symbol for m in sent] == ["AAPL", "MSFT"]
    req_id = sent[0].req_id
    rig.deliver(HistoricalData(req_id=req_id, bars=(BAR,)), HistoricalDataEnd(req_id=req_id))
    assert first.result() == second.result() == [BAR]
    assert not other.done
    # Once answered, the same request is a new one (held by the pacer's
    # identical-request rule, not joined to the answered one).
    third = rig.session.historical_bars(request, rig.now, 5.0)
    assert third.key != first.key and not third.done


def test_a_joined_history_request_times_out_on_its_own(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 day", duration_str="1 Y", what_to_show="TRADES"
    )
    rig.session.historical_bars(request, rig.now, None)
    joined = rig.session.historical_bars(request, rig.now, 2.0)
    rig.advance(2.5)
    assert joined.done and joined.error is not None


def _history(rig: Rig) -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 hour", duration_str="86400 S",
        what_to_show="TRADES", end_date_time="20240311-00:00:00",
    )


@pytest.mark.parametrize("leaves", ["abandoned", "timed out"])
def test_a_history_request_goes_on_while_a_joined_caller_waits(
    server_version: int, leaves: str
) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.take()
    leader = rig.session.historical_bars(_history(rig), rig.now, 5.0)
    joined = rig.session.historical_bars(_history(rig), rig.now, 120.0)
    rig.flush()
    (sent,) = [m for m in rig.take() if isinstance(m, ReqHistoricalData)]
    if leaves == "abandoned":
        rig.session.abandon(leader, rig.now)
    rig.advance(6.0)
    assert leader.done and leader.error is not None
    assert rig.take() == []  # not cancelled at TWS
    # A third identical caller still joins the request in flight.
    third = rig.session.historical_bars(_history(rig), rig.now, 120.0)
    rig.flush()
    assert rig.take() == []
    rig.deliver(HistoricalData(req_id=sent.req_id, bars=(BAR,)), HistoricalDataEnd(req_id=sent.req_id))
    assert joined.result() == third.result() == [BAR]


def test_the_last_joined_caller_to_give_up_cancels_the_request(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.take()
    leader = rig.session.historical_bars(_history(rig), rig.now, 5.0)
    joined = rig.session.historical_bars(_history(rig), rig.now, 10.0)
    rig.flush()
    (sent,) = [m for m in rig.take() if isinstance(m, ReqHistoricalData)]
    rig.advance(6.0)
    assert leader.done and not joined.done and rig.take() == []
    rig.advance(5.0)
    assert joined.done and joined.error is not None
    assert [m.req_id for m in rig.take() if isinstance(m, CancelHistoricalData)] == [sent.req_id]


def test_a_queued_history_request_stays_queued_for_a_joined_caller(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, pacing=pacer)
    rig.ready()
    rig.take()
    pacer.hold = True
    leader = rig.session.historical_bars(_history(rig), rig.now, 30.0)
    joined = rig.session.historical_bars(_history(rig), rig.now, 30.0)
    rig.session.abandon(leader, rig.now)
    pacer.hold = False
    rig.advance(0.1)
    (sent,) = [m for m in rig.take() if isinstance(m, ReqHistoricalData)]
    rig.deliver(HistoricalData(req_id=sent.req_id, bars=(BAR,)), HistoricalDataEnd(req_id=sent.req_id))
    assert joined.result() == [BAR]


def test_ticker_messages_go_to_the_ticker_batched_per_read(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    aapl = rig.session.ticker(AAPL, rig.now)
    msft = rig.session.ticker(MSFT, rig.now)
    assert rig.session.ticker(AAPL, rig.now) is aapl
    rig.flush()
    ids = [m.req_id for m in rig.take() if isinstance(m, ReqMktData)]
    assert len(ids) == 2
    rig.collect()
    rig.dispatched.clear()
    rig.deliver(
        TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(100)),
        TickSize(req_id=ids[1], tick_type=8, size=Decimal(5)),
    )
    assert aapl.bid == 10.0 and aapl.time == rig.now and msft.volume == Decimal(5)
    assert rig.session.take_updated_tickers() == {aapl, msft}
    assert rig.session.take_updated_tickers() == set()
    assert not [e for e in rig.dispatched if isinstance(e, (TickPrice, TickSize))]
    assert rig.session.cancel_ticker(AAPL, rig.now) is True
    assert rig.session.tickers_live() == [msft]


def test_the_account_is_followed_from_connect_for_several_accounts(server_version: int) -> None:
    rig = Rig(version=server_version, account_updates=True)
    rig.ready(accounts="DU111,DU222")
    sent = rig.take()
    assert sum(isinstance(m, ReqPositions) for m in sent) == 1
    assert sorted(m.account for m in sent if isinstance(m, ReqPnl)) == ["DU111", "DU222"]
    multi = {m.account: m.req_id for m in sent if isinstance(m, ReqAccountUpdatesMulti)}
    assert sorted(multi) == ["DU111", "DU222"]
    assert not any(isinstance(m, ReqAcctData) for m in sent)
    assert not rig.session.is_synced
    rig.deliver(PositionEnd())
    # Synced once every account's first update has ended, not on the positions alone.
    assert not rig.session.is_synced
    rig.deliver(
        AccountUpdateMulti(req_id=multi["DU111"], account="DU111", key="NetLiquidation",
                           value="1000", currency="USD"),
        AccountUpdateMultiEnd(req_id=multi["DU111"]),
    )
    assert not rig.session.is_synced
    rig.deliver(AccountUpdateMultiEnd(req_id=multi["DU222"]))
    assert rig.session.is_synced
    assert not rig.events(AccountUpdateMultiEnd)  # the session's own requests
    # No account's portfolio items are followed: reading them says so.
    for account in (None, "DU111"):
        with pytest.raises(PortfolioUnavailableError, match="account="):
            rig.session.portfolio_items(account)


def test_the_account_option_follows_one_portfolio_among_several(server_version: int) -> None:
    rig = Rig(version=server_version, account_updates=True, account="DU222")
    rig.ready(accounts="DU111,DU222")
    sent = rig.take()
    assert [m.acct_code for m in sent if isinstance(m, ReqAcctData) and m.subscribe] == ["DU222"]
    multi = {m.account: m.req_id for m in sent if isinstance(m, ReqAccountUpdatesMulti)}
    assert list(multi) == ["DU111"]
    item = PortfolioValue(
        contract=AAPL, position=Decimal(20), market_price=180.0, market_value=3600.0,
        average_cost=170.0, unrealized_pnl=200.0, realized_pnl=0.0, account_name="DU222",
    )
    rig.deliver(PositionEnd(), item, AccountUpdateMultiEnd(req_id=multi["DU111"]))
    assert not rig.session.is_synced
    rig.deliver(AcctDownloadEnd(account_name="DU222"))
    assert rig.session.is_synced
    assert [i.position for i in rig.session.portfolio_items()] == [Decimal(20)]
    assert rig.session.portfolio_items("DU222") == rig.session.portfolio_items()
    with pytest.raises(PortfolioUnavailableError, match="only the portfolio of DU222"):
        rig.session.portfolio_items("DU111")


def test_a_single_account_is_followed_whatever_the_account_option(server_version: int) -> None:
    rig = Rig(version=server_version, account_updates=True, account="DU999")
    rig.ready(accounts="DU111")
    sent = rig.take()
    assert [m.acct_code for m in sent if isinstance(m, ReqAcctData)] == ["DU111"]
    assert not any(isinstance(m, ReqAccountUpdatesMulti) for m in sent)
    assert rig.session.portfolio_items("DU111") == []


@pytest.mark.parametrize("version", [103, 126])
def test_a_server_without_reqpnl_follows_the_account_without_it(version: int) -> None:
    rig = Rig(version=version, account_updates=True)
    rig.ready(accounts="DU111,DU222")
    sent = rig.take()
    assert not any(isinstance(m, ReqPnl) for m in sent)
    assert sum(isinstance(m, ReqPositions) for m in sent) == 1
    assert sorted(m.account for m in sent if isinstance(m, ReqAccountUpdatesMulti)) == [
        "DU111", "DU222",
    ]
    assert not rig.events(MalformedMessage)


@pytest.mark.parametrize("version", [100, 102])
@pytest.mark.parametrize("account", ["", "DU111"])
def test_a_server_without_account_updates_multi_follows_only_the_followed_account(
    version: int, account: str
) -> None:
    rig = Rig(version=version, account_updates=True, account=account)
    rig.ready(accounts="DU111,DU222")
    sent = rig.take()
    assert not any(isinstance(m, (ReqAccountUpdatesMulti, ReqPnl)) for m in sent)
    assert sum(isinstance(m, ReqPositions) for m in sent) == 1
    assert [m.acct_code for m in sent if isinstance(m, ReqAcctData)] == (
        [account] if account else []
    )
    assert not rig.events(MalformedMessage)
    # Synced on what was asked for: the positions, the followed account's values.
    rig.deliver(PositionEnd())
    if account:
        assert not rig.session.is_synced
        rig.deliver(AcctDownloadEnd(account_name=account))
    assert rig.session.is_synced


def test_nothing_is_asked_at_connect_by_default(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    assert rig.take() == []


def test_cancel_orders_right_after_connect_waits_for_the_open_orders(server_version: int) -> None:
    rig = Rig(version=server_version, follow_orders=True)
    rig.ready()
    assert [type(m) for m in rig.take()] == [ReqOpenOrders]
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == []
    order = Order(order_id=5, client_id=7, perm_id=55, action="BUY", total_quantity=Decimal(1),
                  order_type="LMT", lmt_price=1.0)
    theirs = Order(order_id=6, client_id=8, perm_id=66, action="BUY", total_quantity=Decimal(1),
                   order_type="LMT", lmt_price=1.0)
    rig.deliver(
        OpenOrder(order_id=5, contract=AAPL, order=order, order_state=OrderState(status="Submitted")),
        OpenOrder(order_id=6, contract=AAPL, order=theirs, order_state=OrderState(status="Submitted")),
        OpenOrderEnd(),
    )
    assert [m.order_id for m in rig.take() if isinstance(m, CancelOrder)] == [5]
    with pytest.raises(ValueError, match="client id 0"):
        rig.session.cancel_orders(rig.now, symbol="AAPL", scope="all")


def test_every_ticker_change_counts_even_before_the_updates_are_taken(server_version: int) -> None:
    """Waiters on a ticker's state (not on ``updated_tickers``) must wake on each read."""
    rig = Rig(version=server_version)
    rig.ready()
    rig.session.ticker(AAPL, rig.now)
    rig.flush()
    (req_id,) = [m.req_id for m in rig.take() if isinstance(m, ReqMktData)]
    counts = []
    for price in (10.0, 10.5):
        rig.deliver(TickPrice(req_id=req_id, tick_type=1, price=price, size=Decimal(100)))
        counts.append(rig.session.live_changes)
    assert counts[1] > counts[0]


def _two_tickers(rig: Rig) -> tuple[Ticker, Ticker, list[int]]:
    rig.ready()
    aapl = rig.session.ticker(AAPL, rig.now)
    msft = rig.session.ticker(MSFT, rig.now)
    rig.flush()
    ids = [m.req_id for m in rig.take() if isinstance(m, ReqMktData)]
    rig.dispatched.clear()
    return aapl, msft, ids


@pytest.mark.parametrize("version", [176, 200, 213])
def test_ticks_reach_their_ticker_in_either_wire_form(version: int) -> None:
    """Text (up to 200) or protobuf (201 on), the same classes take the same path."""
    rig = Rig(version=version, max_version=version)
    aapl, msft, ids = _two_tickers(rig)
    rig.deliver(
        TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(100)),
        TickSize(req_id=ids[1], tick_type=8, size=Decimal(5)),
        TickString(req_id=ids[0], tick_type=45, value="1700000000"),
        TickGeneric(req_id=ids[1], tick_type=49, value=1.0),
        MarketDataType(req_id=ids[0], market_data_type=3),
    )
    assert (aapl.bid, aapl.bid_size, aapl.last_timestamp, aapl.market_data_type) == (
        10.0, Decimal(100), 1700000000, 3,
    )
    assert (msft.volume, msft.halted) == (Decimal(5), 1)
    assert rig.session.take_updated_tickers() == {aapl, msft}
    assert not rig.events(Message)


@pytest.mark.parametrize("pacing", [None, "watching"])
def test_ticks_of_no_ticker_and_tick_types_a_ticker_keeps_nothing_of_are_delivered(
    pacing: str | None,
) -> None:
    # With a pacer watching TickPrice the ticks take the handler's path, else the fast path.
    rig = Rig() if pacing is None else Rig(pacing=_WatchingTicks())
    aapl, _, ids = _two_tickers(rig)
    stranger = TickPrice(req_id=999, tick_type=1, price=1.0, size=Decimal(1))
    unkept = TickPrice(req_id=ids[0], tick_type=31, price=1.0)  # no field for it
    malformed = TickString(req_id=ids[0], tick_type=48, value="garbage")
    rig.deliver(stranger, unkept, malformed)
    assert rig.events(TickPrice) == [stranger, unkept]
    assert rig.events(TickString) == [malformed]
    assert rig.session.take_updated_tickers() == set()
    assert aapl.time is None


def test_a_tick_a_ticker_cannot_take_is_delivered_and_reported_and_the_read_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rig = Rig(version=176)
    aapl, msft, ids = _two_tickers(rig)

    def broken(self: Ticker, message: TickSize, now: float) -> bool:
        raise ValueError("cannot take it")

    feeds = rig.session._ticker_feeds
    monkeypatch.setitem(feeds, TickSize, broken)
    bad = TickSize(req_id=ids[0], tick_type=8, size=Decimal(5))
    rig.deliver(
        TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(100)),
        bad,
        TickPrice(req_id=ids[1], tick_type=2, price=20.0, size=Decimal(100)),
    )
    assert aapl.bid == 10.0 and msft.ask == 20.0
    assert rig.session.is_ready
    assert rig.events(TickSize) == [bad]
    (report,) = rig.events(MalformedMessage)
    assert isinstance(report, MalformedMessage)
    assert report.msg_id == bad.MSG_ID and "TickSize" in str(report.error)
    assert isinstance(report.error.__cause__, ValueError)
    assert rig.dispatched.index(bad) < rig.dispatched.index(report)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", "1.7976931348623157E308"])
def test_a_halted_tick_that_is_no_code_leaves_the_connection_up(value: str) -> None:
    rig = Rig(version=176)
    aapl, msft, ids = _two_tickers(rig)
    rig.deliver_raw(b"45\x006\x00%d\x0049\x00%s\x00" % (ids[0], value.encode()))
    rig.deliver(TickPrice(req_id=ids[0], tick_type=2, price=100.5, size=Decimal(5)))
    assert rig.session.is_ready
    assert aapl.halted is None and aapl.ask == 100.5
    assert not rig.events(MalformedMessage)


def test_a_read_counts_one_live_change_however_many_ticks_it_holds() -> None:
    rig = Rig()
    aapl, msft, ids = _two_tickers(rig)
    before = rig.session.live_changes
    rig.deliver(
        TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(100)),
        TickPrice(req_id=ids[0], tick_type=2, price=10.5, size=Decimal(100)),
        TickSize(req_id=ids[1], tick_type=8, size=Decimal(5)),
    )
    assert rig.session.live_changes == before + 1
    # A read whose ticks change nothing wakes no one.
    rig.deliver(TickPrice(req_id=ids[0], tick_type=31, price=1.0))
    assert rig.session.live_changes == before + 1
    assert rig.session.take_updated_tickers() == {aapl, msft}


class _WatchingTicks(Pacer[Message]):
    """A pacer that also watches TickPrice (no built-in rule does)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[object] = []

    def watches(self, cls: type) -> bool:  # type: ignore[override]
        return cls is TickPrice or super().watches(cls)

    def on_incoming(self, message: Any, now: float) -> None:
        if type(message) is TickPrice:
            self.seen.append(message)
        super().on_incoming(message, now)


def test_a_tick_class_the_pacer_watches_still_reaches_the_pacer_and_the_ticker() -> None:
    pacer = _WatchingTicks()
    rig = Rig(pacing=pacer)
    aapl, msft, ids = _two_tickers(rig)
    tick = TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(100))
    rig.deliver(tick, TickSize(req_id=ids[1], tick_type=8, size=Decimal(5)))
    assert pacer.seen == [tick]
    assert aapl.bid == 10.0 and msft.volume == Decimal(5)
    assert rig.session.take_updated_tickers() == {aapl, msft}
    assert not rig.events(Message)


def _book(rig: Rig) -> tuple[OrderBook, int]:
    book = rig.session.order_book(AAPL, rig.now, rows=5)
    rig.flush()
    (request,) = [m for m in rig.take() if isinstance(m, ReqMktDepth)]
    return book, request.req_id


def _level(req_id: int, position: int, side: int, price: float) -> MarketDepth:
    return MarketDepth(
        req_id=req_id, position=position, operation=0, side=side, price=price, size=Decimal(1)
    )


def _rows(book: OrderBook) -> tuple[list[float], list[float]]:
    return [level.price for level in book.bids], [level.price for level in book.asks]


def test_a_depth_reset_empties_the_book_before_tws_sends_it_again() -> None:
    rig = Rig(version=176)
    rig.ready()
    book, req_id = _book(rig)
    rig.deliver(_level(req_id, 0, 1, 100.0), _level(req_id, 1, 1, 99.9), _level(req_id, 0, 0, 100.2))
    reset = ErrMsg(req_id=req_id, error_code=317, error_string="Market depth data has been reset.")
    rig.deliver(reset, _level(req_id, 0, 1, 100.1), _level(req_id, 1, 1, 100.0))
    assert _rows(book) == ([100.1, 100.0], [])
    assert reset in rig.events(ErrMsg)
    assert rig.session.live_subscriptions and not rig.take()


def test_a_depth_halt_empties_the_book_and_asks_for_it_again() -> None:
    rig = Rig(version=176)
    rig.ready()
    book, req_id = _book(rig)
    rig.deliver(_level(req_id, 0, 1, 100.0), _level(req_id, 0, 0, 100.2))
    rig.deliver(ErrMsg(req_id=req_id, error_code=316, error_string="Market depth data has been HALTED."))
    assert _rows(book) == ([], [])
    sent = rig.take()
    assert [type(m) for m in sent] == [CancelMktDepth, ReqMktDepth]
    assert sent[1].req_id == req_id  # type: ignore[attr-defined]
    rig.deliver(_level(req_id, 0, 1, 99.0))
    assert _rows(book) == ([99.0], [])


def test_a_book_halted_again_before_any_row_ends_instead_of_asking_for_ever() -> None:
    rig = Rig(version=176)
    rig.ready()
    book, req_id = _book(rig)
    halted = ErrMsg(req_id=req_id, error_code=316, error_string="Market depth data has been HALTED.")
    rig.deliver(_level(req_id, 0, 1, 100.0), halted)
    assert [type(m) for m in rig.take()] == [CancelMktDepth, ReqMktDepth]
    # A row after the re-request: the next halt asks once more.
    rig.deliver(_level(req_id, 0, 1, 99.0), halted)
    assert [type(m) for m in rig.take()] == [CancelMktDepth, ReqMktDepth]
    # Halted again with no row in between: the book ends, nothing more is asked.
    rig.deliver(halted)
    assert [type(m) for m in rig.take()] == [CancelMktDepth]
    error = rig.session.order_book_error(book)
    assert isinstance(error, ApiError) and error.code == 316
    rig.deliver(halted)
    assert rig.take() == []
    assert rig.session.cancel_order_book(book, rig.now) is False


def test_a_halted_book_ended_by_an_error_is_not_remembered_as_halted() -> None:
    rig = Rig(version=176)
    rig.ready()
    book, req_id = _book(rig)
    rig.deliver(ErrMsg(req_id=req_id, error_code=316, error_string="Market depth data has been HALTED."))
    rig.deliver(ErrMsg(req_id=req_id, error_code=10092, error_string="Deep market data not supported."))
    assert isinstance(rig.session.order_book_error(book), ApiError)
    assert not rig.session._halted_books
    # Nor one the user cancels.
    rig.take()
    book, req_id = _book(rig)
    rig.deliver(ErrMsg(req_id=req_id, error_code=316, error_string="Market depth data has been HALTED."))
    assert rig.session._halted_books
    rig.session.cancel_order_book(book, rig.now)
    assert not rig.session._halted_books


@pytest.mark.parametrize("how", ["reconnect", "1101"])
def test_a_book_asked_for_again_starts_empty(how: str) -> None:
    rig = Rig(version=176, reconnect=POLICY)
    rig.ready()
    book, req_id = _book(rig)
    rig.deliver(
        _level(req_id, 0, 1, 100.0), _level(req_id, 1, 1, 99.9),
        _level(req_id, 0, 0, 100.2), _level(req_id, 1, 0, 100.3),
    )
    if how == "reconnect":
        rig.drop()
        reconnect(rig)
    else:
        rig.deliver(ErrMsg(req_id=-1, error_code=1101, error_string="restored- data lost."))
    assert [m for m in rig.take() if isinstance(m, ReqMktDepth)]
    assert _rows(book) == ([], [])
    rig.deliver(_level(req_id, 0, 1, 99.5), _level(req_id, 0, 0, 99.6))
    assert _rows(book) == ([99.5], [99.6])


@pytest.mark.parametrize("version", [100, 146, 148])
def test_a_book_of_a_qualified_contract_leaves_out_its_primary_exchange_before_149(
    version: int,
) -> None:
    rig = Rig(version=version)
    rig.ready()
    qualified = replace(AAPL_REPORTED, con_id=265598, primary_exchange="NASDAQ")
    book = rig.session.order_book(qualified, rig.now, rows=5)
    rig.flush()
    (request,) = [m for m in rig.take() if isinstance(m, ReqMktDepth)]
    assert request.contract == replace(qualified, primary_exchange="")
    assert book.contract == qualified


def test_a_book_of_a_qualified_contract_keeps_its_primary_exchange_from_149() -> None:
    rig = Rig(version=149)
    rig.ready()
    qualified = replace(AAPL_REPORTED, con_id=265598, primary_exchange="NASDAQ")
    rig.session.order_book(qualified, rig.now, rows=5)
    rig.flush()
    (request,) = [m for m in rig.take() if isinstance(m, ReqMktDepth)]
    assert request.contract.primary_exchange == "NASDAQ"


def test_a_smart_book_before_146_raises_before_anything_is_sent() -> None:
    rig = Rig(version=145)
    rig.ready()
    rig.take()
    with pytest.raises(UnsupportedByServerError):
        rig.session.order_book(AAPL, rig.now, rows=5, smart=True)
    rig.flush()
    assert not rig.take()
    assert not rig.session.live_subscriptions


def test_the_error_that_ended_a_book_is_kept() -> None:
    rig = Rig(version=176)
    rig.ready()
    book, req_id = _book(rig)
    assert rig.session.order_book_error(book) is None
    rig.deliver(ErrMsg(req_id=req_id, error_code=309, error_string="Max number (3) of market depth requests"))
    error = rig.session.order_book_error(book)
    assert isinstance(error, ApiError) and error.code == 309
    assert rig.session.cancel_order_book(book, rig.now) is False
    assert rig.session.order_book_error(book) is None
    live, _ = _book(rig)
    assert rig.session.cancel_order_book(live, rig.now) is True


@pytest.mark.parametrize("code", [354, 10168, 200])
def test_a_ticker_whose_request_failed_is_asked_for_again(code: int) -> None:
    rig = Rig(version=176)
    rig.ready()
    first = rig.session.ticker(AAPL, rig.now)
    rig.flush()
    (request,) = [m for m in rig.take() if isinstance(m, ReqMktData)]
    rig.deliver(ErrMsg(req_id=request.req_id, error_code=code, error_string="not subscribed"))
    error = rig.session.ticker_error(first)
    assert isinstance(error, ApiError) and error.code == code
    assert rig.session.ticker_error(AAPL) is error
    again = rig.session.ticker(AAPL, rig.now)
    rig.flush()
    (resent,) = [m for m in rig.take() if isinstance(m, ReqMktData)]
    assert again is first and resent.req_id != request.req_id
    assert rig.session.ticker_error(first) is None
    rig.deliver(TickPrice(req_id=resent.req_id, tick_type=1, price=10.0, size=Decimal(1)))
    assert first.bid == 10.0
    # Live again: nothing more is sent.
    assert rig.session.ticker(AAPL, rig.now) is first
    rig.flush()
    assert not rig.take()


def test_tickers_are_known_by_id_security_type_and_exchange() -> None:
    rig = Rig(version=176)
    rig.ready()
    smart = Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
    island = replace(smart, exchange="ISLAND")
    front = Contract(con_id=495512563, symbol="ES", sec_type="FUT", exchange="CME", currency="USD")
    continuous = replace(front, sec_type="CONTFUT")
    tickers = [rig.session.ticker(c, rig.now) for c in (smart, island, front, continuous)]
    assert len({id(t) for t in tickers}) == 4
    assert [t.contract.exchange for t in tickers[:2]] == ["SMART", "ISLAND"]
    assert rig.session.ticker(replace(smart, primary_exchange="NASDAQ"), rig.now) is tickers[0]
    rig.flush()
    sent = [(m.contract.sec_type, m.contract.exchange) for m in rig.take() if isinstance(m, ReqMktData)]
    assert sent == [("STK", "SMART"), ("STK", "ISLAND"), ("FUT", "CME"), ("CONTFUT", "CME")]
    assert rig.session.cancel_ticker(island, rig.now)
    assert rig.session.tickers_live() == [tickers[0], tickers[2], tickers[3]]


def test_more_generic_ticks_ask_for_the_ticker_again_with_both_lists() -> None:
    rig = Rig(version=176)
    rig.ready()
    option = Contract(con_id=123, symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD")
    first = rig.session.ticker(option, rig.now, generic_tick_list="100,101")
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqMktData) and request.generic_tick_list == "100,101"
    assert rig.session.ticker(option, rig.now, generic_tick_list="101, 100") is first
    assert rig.session.ticker(option, rig.now) is first
    rig.flush()
    assert not rig.take()
    assert rig.session.ticker(option, rig.now, generic_tick_list="101,106") is first
    rig.flush()
    cancel, again = rig.take()
    assert isinstance(cancel, CancelMktData) and cancel.req_id == request.req_id
    assert isinstance(again, ReqMktData) and again.generic_tick_list == "100,101,106"
    rig.deliver(TickPrice(req_id=again.req_id, tick_type=1, price=3.0, size=Decimal(1)))
    assert first.bid == 3.0


def test_live_objects_are_stamped_with_now_plus_the_clock_offset() -> None:
    rig = Rig(version=176)
    aapl, msft, ids = _two_tickers(rig)
    book, book_id = _book(rig)
    rig.session.clock_offset = 1_700_000_000.0
    rig.deliver(TickPrice(req_id=ids[0], tick_type=1, price=10.0, size=Decimal(1)))
    rig.deliver(_level(book_id, 0, 1, 100.0))
    assert aapl.time == rig.now + 1_700_000_000.0
    assert book.time == rig.now + 1_700_000_000.0
    rig.session.clock_offset = 0.0
    rig.deliver(TickSize(req_id=ids[1], tick_type=8, size=Decimal(5)))
    assert msft.time == rig.now


def test_trades_are_stamped_with_now_plus_the_clock_offset() -> None:
    rig = Rig(version=176)
    rig.ready(next_valid_id=1)
    rig.session.clock_offset = 1_700_000_000.0
    trade = rig.session.place(AAPL, LimitOrder("BUY", 100, 10.0), rig.now)
    rig.flush()
    rig.deliver(fill("0001.01", order_id=trade.order_id))
    rig.session.cancel_trade(trade, rig.now)
    stamped = [entry.time for entry in trade.log] + [f.time for f in trade.fills]
    assert len(stamped) >= 3 and set(stamped) == {rig.now + 1_700_000_000.0}


# ---------------------------------------------------------------------- trades


def _order(client_id: int, order_id: int, perm_id: int) -> Order:
    return Order(
        order_id=order_id,
        client_id=client_id,
        perm_id=perm_id,
        action="BUY",
        total_quantity=Decimal(1),
        order_type="LMT",
        lmt_price=1.0,
    )


def _open(order: Order, contract: Contract = AAPL) -> OpenOrder:
    return OpenOrder(
        order_id=order.order_id,
        contract=contract,
        order=order,
        order_state=OrderState(status="Submitted"),
    )


def _client_zero(server_version: int) -> Rig:
    rig = Rig(version=server_version, follow_orders=True)
    rig.session = Session(0, heartbeat_interval=None, follow_orders=True)
    rig.ready(next_valid_id=1)
    rig.take()
    return rig


def test_scope_all_refuses_other_clients_orders_and_sends_nothing(server_version: int) -> None:
    rig = _client_zero(server_version)
    tws = _order(0, 0, 77)
    rig.deliver(
        _open(_order(0, 4, 44), MSFT),
        _open(tws, MSFT),
        _open(_order(5, 3, 88), MSFT),
        OpenOrderEnd(),
    )
    rig.take()
    with pytest.raises(ForeignOrderError, match="perm id 77") as raised:
        rig.session.cancel_orders(rig.now, symbol="MSFT", scope="all")
    assert (raised.value.client_id, raised.value.order_id, raised.value.perm_id) == (0, 0, 77)
    rig.flush()
    assert rig.take() == []
    assert all(t.status == "Submitted" for t in rig.session.blotter.trades())
    # Only this client's orders match: cancelled by their ids.
    rig.deliver(_open(_order(0, 5, 55)))
    assert rig.session.cancel_orders(rig.now, symbol="AAPL", scope="all") == [5]
    rig.flush()
    assert rig.take() == [CancelOrder(order_id=5)]


def test_scope_all_reports_other_clients_orders_listed_after_connect(server_version: int) -> None:
    rig = _client_zero(server_version)
    assert rig.session.cancel_orders(rig.now, symbol="MSFT", scope="all") == []
    rig.deliver(_open(_order(0, 0, 77), MSFT), _open(_order(0, 4, 44), MSFT), OpenOrderEnd())
    rig.flush()
    assert rig.take() == [CancelOrder(order_id=4)]
    (refused,) = [e for e in rig.events(ErrMsg) if isinstance(e, ErrMsg) and e.req_id == -1]
    assert "perm id 77" in refused.error_string and "global_cancel" in refused.error_string


def _foreign_trades(server_version: int) -> tuple[Rig, Trade, Trade, Trade]:
    rig = Rig(version=server_version, follow_orders=True)
    rig.ready(next_valid_id=6)
    rig.take()
    ours = rig.session.place(MSFT, LimitOrder("BUY", 1, 1.0), rig.now)
    rig.flush()
    rig.deliver(
        _open(replace(ours.order, perm_id=60), MSFT),
        _open(_order(8, 6, 66)),
        _open(_order(0, 0, 77)),
        OpenOrderEnd(),
    )
    rig.take()
    theirs = rig.session.blotter.trade(6, client_id=8)
    tws = rig.session.blotter.trade_by_perm_id(77)
    assert theirs is not None and tws is not None
    return rig, ours, theirs, tws


def test_a_trade_of_another_client_cannot_be_modified_or_cancelled(server_version: int) -> None:
    rig, ours, theirs, tws = _foreign_trades(server_version)
    for trade in (theirs, tws):
        with pytest.raises(ForeignOrderError, match="this client is 7"):
            rig.session.modify(trade, {"lmt_price": 1.5}, rig.now)
        with pytest.raises(ForeignOrderError):
            rig.session.cancel_trade(trade, rig.now)
    rig.flush()
    assert rig.take() == []
    assert [t.status for t in (ours, theirs, tws)] == ["Submitted"] * 3
    assert theirs.order.lmt_price == 1.0
    assert len(rig.session.blotter.trades()) == 3
    rig.session.cancel_trade(ours, rig.now)
    rig.flush()
    assert rig.take() == [CancelOrder(order_id=6)]


def test_modify_checks_its_changes_as_the_builders_do(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    trade = rig.session.place(AAPL, LimitOrder("BUY", "0.1", 10.0), rig.now)
    rig.flush()
    rig.take()
    with pytest.raises(TypeError, match="float"):
        rig.session.modify(trade, {"total_quantity": 0.3}, rig.now)
    with pytest.raises(ValueError, match=">= 0"):
        rig.session.modify(trade, {"total_quantity": -5}, rig.now)
    with pytest.raises(ValueError, match="finite"):
        rig.session.modify(trade, {"lmt_price": float("nan")}, rig.now)
    with pytest.raises(TypeError, match="names the order"):
        rig.session.modify(trade, {"order_id": 9}, rig.now)
    rig.flush()
    assert rig.take() == []
    rig.session.modify(trade, {"total_quantity": "0.3", "lmt_price": 11}, rig.now)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, PlaceOrder)
    assert sent.order.total_quantity == Decimal("0.3") and sent.order.lmt_price == 11.0


def test_a_deferred_cancel_spares_orders_placed_after_the_call(server_version: int) -> None:
    rig = Rig(version=server_version, follow_orders=True)
    rig.ready(next_valid_id=10)
    rig.take()
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == []
    fresh = rig.session.place(AAPL, LimitOrder("BUY", 1, 2.0), rig.now)
    rig.flush()
    rig.take()
    rig.deliver(_open(_order(7, 5, 55)), OpenOrderEnd())
    rig.flush()
    assert [m.order_id for m in rig.take() if isinstance(m, CancelOrder)] == [5]
    assert fresh.status == "PendingSubmit"


def test_a_bracket_is_numbered_and_sent_in_one_step(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=20)
    made = rig.session.bracket_order("BUY", 10, 100.0, 110.0, 90.0)
    other = rig.session.place(AAPL, LimitOrder("BUY", 1, 50.0), rig.now)
    trades = rig.session.place_bracket(AAPL, made, rig.now)
    rig.flush()
    sent = [m for m in rig.take() if isinstance(m, PlaceOrder)]
    assert [m.order_id for m in sent] == [20, 21, 22, 23]
    assert other.order_id == 20
    assert [(m.order.parent_id, m.order.transmit) for m in sent[1:]] == [
        (0, False),
        (21, False),
        (21, True),
    ]
    assert [t.order_id for t in trades] == [21, 22, 23]
    assert rig.session.blotter.trades() == [other, *trades]
    assert all(t.client_id == 7 and t.status == "PendingSubmit" for t in trades)


def test_place_refuses_an_order_of_a_bracket(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    for order in (
        *bracket("BUY", 100, 100.0, 110.0, 90.0, parent_order_id=3),
        StopOrder("SELL", 1, 90.0, parent_id=3),
    ):
        with pytest.raises(ValueError, match="place_bracket"):
            rig.session.place(AAPL, order, rig.now)
    rig.flush()
    assert rig.take() == []
    assert rig.session.blotter.trades() == []


def test_place_names_the_setting_that_makes_an_order_part_of_a_bracket() -> None:
    rig = Rig()
    rig.ready(next_valid_id=1)
    with pytest.raises(ValueError) as child:
        rig.session.place(AAPL, StopOrder("SELL", 1, 90.0, parent_id=3), rig.now)
    assert "an order with parent_id=3 is part of a bracket" in str(child.value)
    with pytest.raises(ValueError) as staged:
        rig.session.place(AAPL, LimitOrder("BUY", 1, 100.0, transmit=False), rig.now)
    assert "an order with transmit=False is part of a bracket" in str(staged.value)


def test_a_what_if_order_is_refused_as_a_trade(server_version: int) -> None:
    # TWS answers a what-if order with an open order that previews it and no
    # status: a trade of it would stay PendingSubmit, open, for ever.
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    with pytest.raises(ValueError, match=r"what_if\(\)"):
        rig.session.place(AAPL, LimitOrder("BUY", 1, 10.0, what_if=True), rig.now)
    made = rig.session.bracket_order("BUY", 10, 100.0, 110.0, 90.0, what_if=True)
    with pytest.raises(ValueError, match=r"what_if\(\)"):
        rig.session.place_bracket(AAPL, made, rig.now)
    trade = rig.session.place(AAPL, LimitOrder("BUY", 1, 10.0), rig.now)
    rig.flush()
    rig.take()
    with pytest.raises(ValueError, match=r"what_if\(\)"):
        rig.session.modify(trade, {"what_if": True}, rig.now)
    rig.flush()
    assert rig.take() == []
    assert rig.session.blotter.trades() == [trade]
    assert not trade.order.what_if


def test_orders_done_while_away_end_their_trades_after_the_reconnect(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    trades = [rig.session.place(AAPL, LimitOrder("BUY", 100, 10.0), rig.now) for _ in range(3)]
    rig.flush()
    for trade, perm_id in zip(trades, (111, 222, 333), strict=True):
        rig.deliver(_open(replace(trade.order, perm_id=perm_id), AAPL_REPORTED))
    rig.drop()
    reconnect(rig)
    (resync,) = [m for m in rig.take() if isinstance(m, ReqExecutions)]
    changes = rig.session.live_changes
    rig.deliver(OpenOrderEnd())
    rig.deliver(
        CompletedOrder(
            contract=AAPL_REPORTED,
            order=replace(trades[0].order, perm_id=111),
            order_state=OrderState(status="Cancelled"),
        ),
        CompletedOrder(
            contract=AAPL_REPORTED,
            order=replace(trades[1].order, perm_id=222),
            order_state=OrderState(status="Filled"),
        ),
        CompletedOrdersEnd(),
    )
    # The third filled too, but is not among the completed orders: its executions tell.
    rig.deliver(
        fill("e2", trades[1].order_id, resync.req_id),
        fill("e3", trades[2].order_id, resync.req_id),
        ExecutionDataEnd(req_id=resync.req_id),
    )
    assert [t.status for t in trades] == ["Cancelled", "Filled", "Filled"]
    assert [(t.filled, t.remaining) for t in trades[1:]] == [(Decimal(100), Decimal(0))] * 2
    assert rig.session.blotter.open_trades() == []
    assert rig.session.live_changes > changes


def test_an_order_never_acknowledged_that_ended_while_away_ends_its_trade(
    server_version: int,
) -> None:
    # Written just before the drop, TWS took it, filled 30 of 100 and cancelled
    # the rest: the trade never got its perm id, which only the re-read
    # executions give, after the completed order that names it by perm id.
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    trade = rig.session.place(AAPL, LimitOrder("BUY", 100, 10.0), rig.now)
    rig.flush()
    rig.drop()
    reconnect(rig)
    (resync,) = [m for m in rig.take() if isinstance(m, ReqExecutions)]
    rig.deliver(OpenOrderEnd())
    rig.deliver(
        CompletedOrder(
            contract=AAPL_REPORTED,
            order=replace(trade.order, perm_id=555, filled_quantity=Decimal(30)),
            order_state=OrderState(status="Cancelled"),
        ),
        CompletedOrdersEnd(),
    )
    executed = Execution(
        exec_id="e1", order_id=trade.order_id, perm_id=555, client_id=7, shares=Decimal(30),
        price=10.0,
    )
    rig.deliver(
        ExecutionData(req_id=resync.req_id, contract=AAPL_REPORTED, execution=executed),
        ExecutionDataEnd(req_id=resync.req_id),
    )
    assert (trade.status, trade.filled, trade.remaining) == ("Cancelled", 30, 70)
    assert trade.perm_id == 555 and trade.is_done() and len(trade.fills) == 1
    assert rig.session.blotter.open_trades() == []
    assert rig.session.blotter.trade_by_perm_id(555) is trade


def test_request_positions_leaves_the_sessions_positions_stream_running(
    server_version: int,
) -> None:
    rig = Rig(version=server_version, account_updates=True)
    rig.ready(accounts="DU111")
    rig.take()
    rig.deliver(PositionEnd())
    asked = rig.session.positions(rig.now, 5.0)
    rig.flush()
    assert [type(m) for m in rig.take()] == [ReqPositions]
    rig.deliver(PositionEnd())
    rig.flush()
    assert asked.result() == []
    assert not any(isinstance(m, CancelPositions) for m in rig.take())


def test_request_positions_stops_its_stream_when_the_session_has_none(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(accounts="DU111")
    asked = rig.session.positions(rig.now, 5.0)
    rig.flush()
    rig.take()
    rig.deliver(PositionEnd())
    rig.flush()
    assert asked.result() == []
    assert [type(m) for m in rig.take()] == [CancelPositions]


def test_closing_a_users_account_streams_keeps_the_sessions(server_version: int) -> None:
    rig = Rig(version=server_version, account_updates=True)
    rig.ready(accounts="DU111")
    rig.take()
    for request in (ReqAcctData(subscribe=True, acct_code="DU111"),
                    ReqAcctData(subscribe=True, acct_code=""), ReqPositions()):
        key = rig.session.subscribe(request, Sink(), rig.now)
        rig.session.unsubscribe(key, rig.now)
    rig.flush()
    assert [type(m) for m in rig.take()] == [ReqAcctData, ReqAcctData, ReqPositions]


def test_closing_a_users_stream_of_another_account_takes_the_sessions_back(
    server_version: int,
) -> None:
    rig = Rig(version=server_version, account_updates=True, account="DU222")
    rig.ready(accounts="DU111,DU222")
    rig.take()
    key = rig.session.subscribe(ReqAcctData(subscribe=True, acct_code="DU111"), Sink(), rig.now)
    rig.session.unsubscribe(key, rig.now)
    rig.flush()
    assert rig.take() == [
        ReqAcctData(subscribe=True, acct_code="DU111"),
        ReqAcctData(subscribe=False, acct_code="DU111"),
        ReqAcctData(subscribe=True, acct_code="DU222"),
    ]


def _item(account: str, position: int, contract: Contract = AAPL) -> PortfolioValue:
    return PortfolioValue(
        contract=contract, position=Decimal(position), market_price=180.0,
        market_value=180.0 * position, average_cost=170.0, unrealized_pnl=0.0,
        realized_pnl=0.0, account_name=account,
    )


@pytest.mark.parametrize("followed", ["DU222", ""])
def test_a_users_stream_of_another_account_stays_out_of_the_portfolio(
    server_version: int, followed: str
) -> None:
    """Only the followed account's stream keeps its items current: another's would linger."""
    rig = Rig(version=server_version, account_updates=True, account=followed)
    rig.ready(accounts="DU111,DU222")
    rig.take()
    rig.deliver(_item("DU222", 5, MSFT), AcctDownloadEnd(account_name="DU222"))
    key = rig.session.subscribe(ReqAcctData(subscribe=True, acct_code="DU111"), Sink(), rig.now)
    user = [
        AcctValue(key="AccountCode", val="DU111", currency="", account_name="DU111"),
        _item("DU111", 10),
        AcctDownloadEnd(account_name="DU111"),
    ]
    rig.collect()
    rig.dispatched.clear()
    rig.deliver(*user)
    # The user's stream still gets all of it.
    assert [type(m) for m in rig.events(Message)] == [type(m) for m in user]
    rig.session.unsubscribe(key, rig.now)
    portfolio = rig.session.portfolio
    assert portfolio.portfolio("DU111") == []
    assert not portfolio.is_downloaded("DU111")
    assert portfolio.account_values("DU111") == []
    if followed:
        assert [(i.account, i.position) for i in rig.session.portfolio_items()] == [
            ("DU222", Decimal(5))
        ]


def test_a_users_stream_of_another_account_unsyncs_the_followed_one_at_once(
    server_version: int,
) -> None:
    """TWS serves one reqAccountUpdates at a time, and need not say so (2100) to the same client."""
    rig = Rig(version=server_version, account_updates=True, account="DU222")
    rig.ready(accounts="DU111,DU222")
    multi = {m.account: m.req_id for m in rig.take() if isinstance(m, ReqAccountUpdatesMulti)}
    rig.deliver(
        PositionEnd(), AccountUpdateMultiEnd(req_id=multi["DU111"]),
        AcctDownloadEnd(account_name="DU222"),
    )
    same = rig.session.subscribe(ReqAcctData(subscribe=True, acct_code="DU222"), Sink(), rig.now)
    assert rig.session.is_synced  # the session's own stream, shared
    rig.session.unsubscribe(same, rig.now)
    changes = rig.session.live_changes
    key = rig.session.subscribe(ReqAcctData(subscribe=True, acct_code="DU111"), Sink(), rig.now)
    assert not rig.session.is_synced
    assert rig.session.live_changes > changes  # waiters look again
    rig.session.unsubscribe(key, rig.now)
    rig.deliver(AcctDownloadEnd(account_name="DU222"))
    assert rig.session.is_synced


def test_account_updates_stopped_by_tws_are_no_longer_synced(server_version: int) -> None:
    """2100: another reqAccountUpdates took the stream; the state says so until it comes back."""
    rig = Rig(version=server_version, account_updates=True, account="DU222")
    rig.ready(accounts="DU111,DU222")
    multi = {m.account: m.req_id for m in rig.take() if isinstance(m, ReqAccountUpdatesMulti)}
    rig.deliver(
        PositionEnd(), AccountUpdateMultiEnd(req_id=multi["DU111"]),
        AcctDownloadEnd(account_name="DU222"),
    )
    assert rig.session.is_synced
    key = rig.session.subscribe(ReqAcctData(subscribe=True, acct_code="DU111"), Sink(), rig.now)
    rig.deliver(ErrMsg(req_id=-1, error_code=2100, error_string="unsubscribed from account data"))
    assert not rig.session.is_synced
    assert rig.take() == [ReqAcctData(subscribe=True, acct_code="DU111")]  # not taken back
    rig.session.unsubscribe(key, rig.now)
    rig.flush()
    assert rig.take()[-1] == ReqAcctData(subscribe=True, acct_code="DU222")
    rig.deliver(AcctDownloadEnd(account_name="DU222"))
    assert rig.session.is_synced


@pytest.mark.parametrize("acknowledged", [False, True], ids=["before-ack", "after-ack"])
def test_a_modification_is_confirmed_by_the_open_order_carrying_it(
    server_version: int, acknowledged: bool
) -> None:
    """Whether TWS had acknowledged the order or not when the change was sent."""
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    trade = rig.session.place(AAPL, LimitOrder("BUY", 1, 10.0), rig.now)
    rig.flush()
    (placed,) = rig.take()
    assert isinstance(placed, PlaceOrder)
    # TWS's copy of the order as placed, and of the order as changed.
    before = replace(placed.order, order_id=placed.order_id, client_id=7, perm_id=50)
    after = replace(before, lmt_price=11.0)
    if acknowledged:
        rig.deliver(_open(before))
    rig.session.modify(trade, {"lmt_price": 11.0}, rig.now)
    rig.flush()
    (changed,) = rig.take()
    assert isinstance(changed, PlaceOrder) and changed.order.lmt_price == 11.0
    # An open order with the old price (the answer to the placement, or TWS's
    # copy sent again) does not confirm the change.
    rig.deliver(_open(before))
    assert trade.log[-1].message != "Modified"
    rig.deliver(_open(after))
    rig.deliver(_open(after))
    assert [(e.status, e.message) for e in trade.log] == [
        ("PendingSubmit", ""),
        *([("Submitted", "")] if acknowledged else []),
        ("PendingSubmit" if not acknowledged else "Submitted", "Modify"),
        *([] if acknowledged else [("Submitted", "")]),
        ("Submitted", "Modified"),
    ]
    assert trade.order.lmt_price == 11.0
