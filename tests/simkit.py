"""Shared pieces of the simulator tests: a core on an in-memory gateway at a fixed time."""

from __future__ import annotations

from decimal import Decimal

from ibwire.messages import Contract, ErrMsg, Message, Order, ReqHistoricalData
from ibwire.testing import SimulatorCore
from ibwire.testing._server import timeout_scale
from ibwire.testing.memory import InMemoryClient, InMemoryGateway

TIMEOUT = 5.0 * timeout_scale()
T0 = 1_710_168_000.0  # Monday 11 March 2024, 14:40 UTC: every venue trades
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
EURUSD = Contract(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD")
ES = Contract(symbol="ES", sec_type="FUT", exchange="CME", currency="USD", last_trade_date_or_contract_month="202403")


def sim(**options: object) -> InMemoryGateway:
    return InMemoryGateway(SimulatorCore(seed=7, **options), now=T0)  # type: ignore[arg-type]


def ready(gateway: InMemoryGateway, client_id: int = 1, **options: object) -> InMemoryClient:
    client = gateway.connect(client_id, **options)  # type: ignore[arg-type]
    client.take()
    gateway.advance(1.5)  # past startApi's second: the rate window starts empty
    return client


def errors(events: list[object], code: int | None = None) -> list[ErrMsg]:
    return [e for e in events if isinstance(e, ErrMsg) and (code is None or e.error_code == code)]


def of(events: list[object], kind: type[Message]) -> list[Message]:
    return [e for e in events if isinstance(e, kind)]


def history(req_id: int, contract: Contract = AAPL, *, bar: str = "1 hour", duration: str = "1 D",
            what: str = "TRADES", end: str = "", keep: bool = False, fmt: int = 1) -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=req_id, contract=contract, end_date_time=end, bar_size_setting=bar, duration_str=duration,
        use_rth=False, what_to_show=what, format_date=fmt, keep_up_to_date=keep, chart_options="",
    )


def order(action: str, qty: int, kind: str, **fields: object) -> Order:
    return Order(action=action, total_quantity=Decimal(qty), order_type=kind, **fields)  # type: ignore[arg-type]
