"""The session's live objects (ibwire._session_live), on an in-memory gateway and a fake clock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ibwire.errors import PortfolioUnavailableError
from ibwire.live import Ticker
from ibwire.messages import (
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    BarData,
    CancelHistoricalData,
    CancelOrder,
    CancelPositions,
    HistoricalData,
    HistoricalDataEnd,
    MarketDataType,
    Message,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderState,
    PortfolioValue,
    PositionEnd,
    ReqAccountUpdatesMulti,
    ReqAcctData,
    ReqHistoricalData,
    ReqMktData,
    ReqOpenOrders,
    ReqPnl,
    ReqPositions,
    TickGeneric,
    TickPrice,
    TickSize,
    TickString,
)
from ibwire.pacing import Pacer

from .session_rig import AAPL, MSFT, HoldingPacer, Rig, Sink

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


def test_ticks_of_no_ticker_are_delivered_and_ignored_tick_types_are_not() -> None:
    rig = Rig()
    aapl, _, ids = _two_tickers(rig)
    stranger = TickPrice(req_id=999, tick_type=1, price=1.0, size=Decimal(1))
    ignored = TickPrice(req_id=ids[0], tick_type=31, price=1.0)  # no field for it
    rig.deliver(stranger, ignored)
    assert rig.events(TickPrice) == [stranger]
    assert rig.session.take_updated_tickers() == set()
    assert aapl.time is None


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
