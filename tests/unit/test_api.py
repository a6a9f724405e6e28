"""The helpers of both clients: ``history``'s chunk loop around the shared planner,
and the requests other helpers build from their arguments.

The session is replaced by a script of answers per request: no socket, no clock.
"""

from __future__ import annotations

import asyncio
import calendar
import time
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from ibwire.asyncio import Client as AsyncClient
from ibwire.errors import ApiError
from ibwire.messages import (
    BarData,
    Contract,
    Message,
    Order,
    ReqHistoricalData,
    ReqHistoricalTicks,
    ScannerSubscription,
)
from ibwire.sync import Client

from ..typecheck import mypy_errors

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
START = 1710237600  # 2024-03-12 10:00 UTC
PACING = "Historical Market Data Service error message:Historical data request pacing violation"
NO_DATA = "Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART"
REFUSED = "Historical Market Data Service error message:No market data permissions for NYSE STK"


def minute_bars(request: ReqHistoricalData) -> list[BarData]:
    seconds = int(request.duration_str.split()[0])
    end = calendar.timegm(time.strptime(request.end_date_time, "%Y%m%d-%H:%M:%S"))
    return [
        BarData(date=str(t), open=1.0, high=1.0, low=1.0, close=1.0, volume=Decimal(1))
        for t in range(end - seconds, end, 60)
    ]


class Script:
    """Answers each request with its bars, after the errors listed for its index."""

    def __init__(self, errors: dict[int, list[ApiError]]) -> None:
        self.errors = errors
        self.sent: list[ReqHistoricalData] = []
        self.index: dict[str, int] = {}

    def answer(self, request: ReqHistoricalData) -> list[BarData]:
        self.sent.append(request)
        index = self.index.setdefault(request.end_date_time, len(self.index))
        pending = self.errors.get(index)
        if pending:
            raise pending.pop(0)
        return minute_bars(request)


def run_history(kind: str, script: Script) -> list[BarData]:
    if kind == "sync":
        client: Any = Client()
        client._call = script.answer
    else:
        client = AsyncClient()

        async def call(request: ReqHistoricalData) -> list[BarData]:
            return script.answer(request)

        client._call = call

    def bars_of(request: ReqHistoricalData, limit: float | None) -> ReqHistoricalData:
        return request

    client._bars_of = bars_of
    result = client.history(AAPL, START, START + 3 * 86400, bar_size="1 min")
    if kind == "async":
        result = asyncio.run(result)
    return list(result)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_history_sends_a_chunk_refused_for_pacing_again(kind: str) -> None:
    script = Script({1: [ApiError(162, PACING, 7), ApiError(162, PACING, 8)]})
    bars = run_history(kind, script)
    assert len(script.sent) == 5
    assert script.sent[1] == script.sent[2] == script.sent[3]
    assert [int(bar.date) for bar in bars] == list(range(START, START + 3 * 86400, 60))


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_history_gives_up_after_three_retries(kind: str) -> None:
    script = Script({0: [ApiError(162, PACING, 7) for _ in range(4)]})
    with pytest.raises(ApiError, match="pacing violation"):
        run_history(kind, script)
    assert len(script.sent) == 4


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_history_raises_a_refusal_and_counts_no_data_as_empty(kind: str) -> None:
    script = Script({0: [ApiError(162, NO_DATA, 7)]})
    bars = run_history(kind, script)
    assert [int(bar.date) for bar in bars] == list(range(START + 86400, START + 3 * 86400, 60))
    script = Script({1: [ApiError(162, REFUSED, 7)]})
    with pytest.raises(ApiError, match="permissions"):
        run_history(kind, script)


class Recorder:
    """A session whose helpers return the request they would send."""

    def __getattr__(self, name: str) -> Any:
        def start(request: Message, *args: object) -> Message:
            return request

        return start


def built_request(
    kind: str, call: str, *args: Any, session: object | None = None, **kwargs: Any
) -> Any:
    """The request the helper ``call`` builds (what its session call receives first)."""
    client: Any = Client() if kind == "sync" else AsyncClient()
    client._session = Recorder() if session is None else session
    if kind == "sync":
        client._call = lambda start: start(0.0)
        return getattr(client, call)(*args, **kwargs)

    async def call_async(start: Any) -> Any:
        return start(0.0)

    client._call = call_async
    return asyncio.run(getattr(client, call)(*args, **kwargs))


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_historical_ticks_send_one_bound_as_ib_text(kind: str) -> None:
    moment = datetime(2024, 3, 11, 13, 30)  # naive: UTC
    request = built_request(kind, "historical_ticks", AAPL, start=moment, number_of_ticks=10)
    assert isinstance(request, ReqHistoricalTicks)
    assert (request.start_date_time, request.end_date_time) == ("20240311-13:30:00", "")
    assert (request.what_to_show, request.use_rth, request.number_of_ticks) == ("TRADES", True, 10)
    request = built_request(kind, "historical_ticks", AAPL, end=START, what_to_show="BID_ASK")
    assert (request.start_date_time, request.end_date_time) == ("", "20240312-10:00:00")
    text = "20240311 09:30:00 US/Eastern"
    assert built_request(kind, "historical_ticks", AAPL, text).start_date_time == text
    # Neither: up to now.
    before = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(time.time()))
    request = built_request(kind, "historical_ticks", AAPL)
    assert request.start_date_time == "" and request.end_date_time >= before


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_historical_ticks_refuse_both_bounds(kind: str) -> None:
    with pytest.raises(ValueError, match="not both"):
        built_request(kind, "historical_ticks", AAPL, START, START + 60)


class ScannerRecorder:
    """A session whose scanner helper returns its filter and option text."""

    def scanner_data(self, scan: ScannerSubscription, filters: str, options: str, *args: Any) -> Any:
        return filters, options


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_scanner_data_sends_filters_as_tag_value_text(kind: str) -> None:
    scan = ScannerSubscription(scan_code="TOP_PERC_GAIN")
    filters = {"priceAbove": 5, "marketCapAbove1e6": "100"}
    sent = built_request(kind, "scanner_data", scan, filters=filters, session=ScannerRecorder())
    assert sent == ("priceAbove=5;marketCapAbove1e6=100;", "")
    text = "priceBelow=50;"
    sent = built_request(kind, "scanner_data", scan, options=text, session=ScannerRecorder())
    assert sent == ("", text)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_snapshots_of_no_contract_ask_nothing(kind: str) -> None:
    assert built_request(kind, "snapshots", session=object()) == []


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("data_type", [0, 5])
def test_set_market_data_type_refuses_unknown_kinds(kind: str, data_type: int) -> None:
    client: Any = Client() if kind == "sync" else AsyncClient()
    sent: list[int] = []
    client.req_market_data_type = sent.append
    with pytest.raises(ValueError, match="delayed-frozen"):
        client.set_market_data_type(data_type)
    client.set_market_data_type(3)
    assert sent == [3]


def test_moments_are_datetimes_dates_or_epoch_seconds() -> None:
    from datetime import date, datetime, timezone
    from fractions import Fraction

    from ibwire._api import _epoch

    midnight = 1704067200  # 2024-01-01 00:00:00 UTC
    assert _epoch(date(2024, 1, 1)) == midnight
    assert _epoch(datetime(2024, 1, 1)) == midnight  # naive means UTC
    assert _epoch(datetime(2024, 1, 1, 1, tzinfo=timezone.utc)) == midnight + 3600
    assert _epoch(midnight + 0.5) == midnight
    assert _epoch(Fraction(midnight)) == midnight
    with pytest.raises(TypeError, match="a datetime, a date or epoch seconds, not str"):
        _epoch("2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not bool"):
        _epoch(True)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_history_keeps_the_bar_that_begins_within_the_last_second_before_end(kind: str) -> None:
    # An end half a second after a bar begins: that bar begins before the end.
    end = datetime.fromtimestamp(START + 3600 + 0.5, tz=timezone.utc)
    sent: list[ReqHistoricalData] = []

    def answer(request: ReqHistoricalData) -> list[BarData]:
        sent.append(request)
        seconds = int(request.duration_str.split()[0])
        last = calendar.timegm(time.strptime(request.end_date_time, "%Y%m%d-%H:%M:%S"))
        first = last - seconds
        return [
            BarData(date=str(t), open=1.0, high=1.0, low=1.0, close=1.0, volume=Decimal(1))
            for t in range(first - first % 60, last, 60)
        ]

    if kind == "sync":
        client: Any = Client()
        client._call = answer
    else:
        client = AsyncClient()

        async def call(request: ReqHistoricalData) -> list[BarData]:
            return answer(request)

        client._call = call
    client._bars_of = lambda request, limit: request
    result = client.history(AAPL, START, end, bar_size="1 min")
    if kind == "async":
        result = asyncio.run(result)
    assert [int(bar.date) for bar in result] == list(range(START, START + 3601, 60))
    assert [request.end_date_time for request in sent] == ["20240312-11:00:01"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_history_progress_once_per_chunk_and_its_exception_ends_the_call(kind: str) -> None:
    script = Script({1: [ApiError(162, PACING, 7)]})
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 2:
            raise KeyError("stop")

    if kind == "sync":
        client: Any = Client()
        client._call = script.answer
    else:
        client = AsyncClient()

        async def call(request: ReqHistoricalData) -> list[BarData]:
            return script.answer(request)

        client._call = call
    client._bars_of = lambda request, limit: request
    with pytest.raises(KeyError, match="stop"):
        result = client.history(AAPL, START, START + 3 * 86400, bar_size="1 min", progress=progress)
        if kind == "async":
            asyncio.run(result)
    assert calls == [(1, 3), (2, 3)]  # the retried chunk counts once
    assert len(script.sent) == 3  # nothing sent after the exception


def test_a_users_program_type_checks_with_precise_types() -> None:
    """``tests/typecheck/client_api.py`` asserts the types a user's checker sees."""
    assert mypy_errors("client_api.py") == ""


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_clients_time_zone_is_the_one_the_handshake_named(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoneinfo import ZoneInfo

    client: Any = Client() if kind == "sync" else AsyncClient()
    assert client.time_zone is None  # not connected
    tokyo = ZoneInfo("Asia/Tokyo")
    monkeypatch.setattr(type(client._session), "time_zone", property(lambda self: tokyo))
    assert client.time_zone is tokyo


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("given", [None, 2.5])
def test_what_if_waits_the_clients_default_timeout_unless_given_one(
    kind: str, given: float | None
) -> None:
    """As every request/answer helper: ``timeout=None`` is the client's default, not no limit."""
    client: Any = Client(timeout=12.0) if kind == "sync" else AsyncClient(timeout=12.0)
    limits: list[float | None] = []

    def what_if(contract: Contract, order: Order, now: float, limit: float | None) -> None:
        limits.append(limit)

    client._session.what_if = what_if
    if kind == "sync":
        client._call = lambda start: start(0.0)
        client.what_if(AAPL, Order(action="BUY", total_quantity=Decimal(1)), timeout=given)
    else:

        async def call(start: Any) -> Any:
            return start(0.0)

        client._call = call
        asyncio.run(client.what_if(AAPL, Order(action="BUY", total_quantity=Decimal(1)), timeout=given))
    assert limits == [12.0 if given is None else given]
