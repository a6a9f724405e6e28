"""ibwire.pacing: cancels, with the real message classes of every cancel pair.

A cancel of a request that never left the queue withdraws the request and is not
sent itself: TWS would answer it with an error (300 "Can't find EId" and the like),
once per cancelled request.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

import ibwire.messages as messages
from ibwire.ids import OutgoingId
from ibwire.messages import Contract, Message, Order, ReqCurrentTime, ScannerSubscription
from ibwire.pacing import Pacer, PacingConfig, RequestWithdrawn
from ibwire.pacing._tables import CANCEL_TARGET

ONE = PacingConfig(max_messages_per_second=1, rate_safety_margin=0, arrival_jitter=0.0)
IDENT = 7
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
# Values for the required fields of the requests, by field name.
VALUES: dict[str, Any] = {
    "contract": AAPL,
    "order": Order(action="BUY", total_quantity=Decimal(1), order_type="MKT"),
    "num_rows": 5,
    "subscription": ScannerSubscription(),
    "bar_size_setting": "1 min",
    "duration_str": "1 D",
    "what_to_show": "TRADES",
    "report_type": "ReportSnapshot",
    "option_price": 1.5,
    "under_price": 100.0,
    "volatility": 0.2,
    "tags": "NetLiquidation",
    "time_period": "3 days",
    "account": "DU1",
    "con_id": 265598,
    "tick_type": "Last",
    "number_of_ticks": 10,
}
ID_FIELDS = ("req_id", "order_id", "ticker_id")


def classes_with_id(msg_id: int) -> list[type[Message]]:
    cls = messages.OUTGOING.get(msg_id)
    return [] if cls is None else [cls]


def build(cls: type[Message]) -> Message:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in ID_FIELDS:
            kwargs[f.name] = IDENT
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs[f.name] = VALUES[f.name]
    return cls(**kwargs)


def pairs() -> list[tuple[Message, Message]]:
    found = []
    for cancel_id, target_id in sorted(CANCEL_TARGET.items()):
        cancels = classes_with_id(cancel_id)
        requests = classes_with_id(target_id)
        if not cancels:
            continue
        assert len(cancels) == 1 and len(requests) == 1, (cancel_id, cancels, requests)
        found.append((build(requests[0]), build(cancels[0])))
    return found


PAIRS = pairs()


def test_every_cancel_with_a_message_class_is_covered() -> None:
    with_class = {c for c in CANCEL_TARGET if classes_with_id(c)}
    assert {cancel.MSG_ID for _, cancel in PAIRS} == with_class
    # Every CANCEL_* id is in the pacer's table and has a message class, the
    # protobuf-only cancels of newer servers (contract data, historical ticks) too.
    cancel_ids = {int(i) for i in OutgoingId if i.name.startswith("CANCEL_")}
    assert cancel_ids == set(CANCEL_TARGET)
    assert cancel_ids == with_class


def ids(pair: tuple[Message, Message]) -> str:
    return type(pair[1]).__name__


def busy_pacer() -> Pacer[Message]:
    """A pacer whose one message per second is spent: what comes next waits."""
    pacer: Pacer[Message] = Pacer(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    assert pacer.poll(0.0) == [ReqCurrentTime()]
    return pacer


def drain(pacer: Pacer[Message], until: float = 100.0) -> list[Message]:
    sent: list[Message] = []
    while (wake := pacer.next_deadline()) is not None and wake <= until:
        sent.extend(pacer.poll(wake))
    return sent


@pytest.mark.parametrize("pair", PAIRS, ids=ids)
def test_cancel_of_a_queued_request_sends_nothing(pair: tuple[Message, Message]) -> None:
    request, cancel = pair
    pacer = busy_pacer()
    request_ticket = pacer.submit(request, 0.1)
    cancel_ticket = pacer.submit(cancel, 0.2)
    assert drain(pacer) == []
    assert pacer.queued == 0
    assert pacer.events()[-2:] == [
        RequestWithdrawn(request_ticket, request.MSG_ID, None, cancel.MSG_ID)
        if request.MSG_ID in (OutgoingId.REQ_NEWS_BULLETINS, OutgoingId.REQ_POSITIONS)
        else RequestWithdrawn(request_ticket, request.MSG_ID, IDENT, cancel.MSG_ID),
        RequestWithdrawn(
            cancel_ticket,
            cancel.MSG_ID,
            None
            if request.MSG_ID in (OutgoingId.REQ_NEWS_BULLETINS, OutgoingId.REQ_POSITIONS)
            else IDENT,
            cancel.MSG_ID,
        ),
    ]
    stats = pacer.stats
    assert (stats.withdrawn, stats.cancels_absorbed) == (1, 1)
    assert stats.market_data_lines_in_use == stats.market_depth_in_use == 0
    assert stats.tick_by_tick_in_use == 0


@pytest.mark.parametrize("pair", PAIRS, ids=ids)
def test_cancel_of_a_sent_request_is_sent(pair: tuple[Message, Message]) -> None:
    request, cancel = pair
    pacer: Pacer[Message] = Pacer(ONE)
    pacer.submit(request, 0.0)
    assert pacer.poll(0.0) == [request]
    pacer.submit(cancel, 0.5)
    assert drain(pacer) == [cancel]
    assert pacer.stats.cancels_absorbed == 0


@pytest.mark.parametrize("pair", PAIRS, ids=ids)
def test_cancel_names_only_its_own_request(pair: tuple[Message, Message]) -> None:
    request, cancel = pair
    if request.MSG_ID in (OutgoingId.REQ_NEWS_BULLETINS, OutgoingId.REQ_POSITIONS):
        pytest.skip("a subscription without an id: one per connection")
    other = dataclasses.replace(
        request, **{name: IDENT + 1 for name in ID_FIELDS if hasattr(request, name)}
    )
    pacer = busy_pacer()
    pacer.submit(other, 0.1)
    pacer.submit(request, 0.1)
    pacer.submit(cancel, 0.2)
    assert drain(pacer) == [other]


def test_global_cancel_withdraws_queued_orders_and_is_still_sent() -> None:
    place = build(classes_with_id(OutgoingId.PLACE_ORDER)[0])
    (global_cancel_cls,) = classes_with_id(OutgoingId.REQ_GLOBAL_CANCEL)
    pacer = busy_pacer()
    pacer.submit(place, 0.1)
    pacer.submit(global_cancel_cls(), 0.2)
    # Orders placed earlier may be live at TWS: the global cancel goes.
    assert drain(pacer) == [global_cancel_cls()]


# An order lives at TWS across connections, and may have been placed by another
# connection or in TWS: the cancel of a change still queued must go.

PLACE = messages.PlaceOrder(order_id=IDENT, contract=AAPL, order=VALUES["order"])
CHANGE = messages.PlaceOrder(
    order_id=IDENT, contract=AAPL, order=dataclasses.replace(VALUES["order"], lmt_price=1.0)
)
CANCEL = messages.CancelOrder(order_id=IDENT)


def test_the_cancel_of_an_order_placed_before_a_reconnect_is_sent() -> None:
    pacer: Pacer[Message] = Pacer(ONE)
    pacer.submit(PLACE, 0.0)
    assert pacer.poll(0.0) == [PLACE]
    assert pacer.on_disconnect() == []
    # Reconnected: the change waits for the rate, then the user cancels.
    pacer.submit(ReqCurrentTime(), 0.5)
    pacer.submit(CHANGE, 0.5)
    pacer.submit(CANCEL, 0.6)
    # Cancels go first; the change is withdrawn.
    assert drain(pacer) == [CANCEL, ReqCurrentTime()]
    assert pacer.stats.cancels_absorbed == 0


@pytest.mark.parametrize(
    "known",
    [
        messages.OpenOrder(order_id=IDENT, contract=AAPL, order=VALUES["order"]),
        messages.OrderStatus(
            order_id=IDENT, status="Submitted", filled=Decimal(0), remaining=Decimal(1)
        ),
    ],
    ids=["open order", "order status"],
)
def test_the_cancel_of_an_order_tws_spoke_of_is_sent(known: Message) -> None:
    # An order found at connect (placed by an earlier connection): only TWS
    # has spoken of it.
    pacer = busy_pacer()
    assert pacer.watches(type(known))
    pacer.on_incoming(known, 0.1)
    pacer.submit(CHANGE, 0.2)
    pacer.submit(CANCEL, 0.3)
    assert drain(pacer) == [CANCEL]
    assert pacer.stats.cancels_absorbed == 0


def test_the_cancel_of_an_order_never_sent_is_still_absorbed() -> None:
    pacer = busy_pacer()
    pacer.submit(PLACE, 0.1)
    pacer.submit(CHANGE, 0.2)
    pacer.submit(CANCEL, 0.3)
    assert drain(pacer) == []
    assert pacer.stats.cancels_absorbed == 1
