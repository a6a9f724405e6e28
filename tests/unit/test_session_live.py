"""The session's live objects (ibwire._session_live), on an in-memory gateway and a fake clock."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from ibwire._session import Session
from ibwire.errors import ForeignOrderError
from ibwire.live import Ticker, Trade
from ibwire.messages import (
    BarData,
    CancelOrder,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    ExecutionDataEnd,
    HistoricalData,
    HistoricalDataEnd,
    MarketDataType,
    Message,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderState,
    PlaceOrder,
    PositionEnd,
    ReqAccountUpdatesMulti,
    ReqExecutions,
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
from ibwire.orders import LimitOrder, StopOrder, bracket
from ibwire.pacing import Pacer

from .session_rig import AAPL, AAPL_REPORTED, MSFT, POLICY, Rig, fill, reconnect

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
    multi = sorted(m.account for m in sent if isinstance(m, ReqAccountUpdatesMulti))
    assert multi == ["DU111", "DU222"]
    assert not rig.session.is_synced
    rig.deliver(PositionEnd())
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
