"""The session's helpers: answers, errors, timeouts from the call, own exceptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from ibwire._session import (
    Pending,
    ReconnectPolicy,
)
from ibwire.errors import (
    AmbiguousContractError,
    ApiError,
    ConnectionClosedError,
    ContractNotFoundError,
    MarketDataLinesExceededError,
    RequestTimeoutError,
    UnsupportedByServerError,
)
from ibwire.messages import (
    BarData,
    CancelCalcImpliedVolat,
    CancelCalcOptionPrice,
    CancelContractData,
    CancelHeadTimestamp,
    CancelHistogramData,
    CancelHistoricalData,
    CancelHistoricalTicks,
    CancelMktData,
    CancelScannerSubscription,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ContractData,
    ContractDataEnd,
    ContractDetails,
    CurrentTime,
    DepthMktDataDescription,
    ErrMsg,
    FamilyCode,
    FamilyCodes,
    HistogramData,
    HistogramEntry,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalNews,
    HistoricalNewsEnd,
    HistoricalTick,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksLast,
    Message,
    MktDepthExchanges,
    NewsArticle,
    NewsProvider,
    NewsProviders,
    OpenOrder,
    Order,
    OrderState,
    PlaceOrder,
    ReqCalcImpliedVolat,
    ReqCalcOptionPrice,
    ReqCompletedOrders,
    ReqContractData,
    ReqFamilyCodes,
    ReqHeadTimestamp,
    ReqHistogramData,
    ReqHistoricalData,
    ReqHistoricalNews,
    ReqHistoricalTicks,
    ReqMktData,
    ReqMktDepthExchanges,
    ReqNewsArticle,
    ReqNewsProviders,
    ReqScannerParameters,
    ReqScannerSubscription,
    ScannerData,
    ScannerDataElement,
    ScannerParameters,
    ScannerSubscription,
    SmartComponent,
    SmartComponents,
    SoftDollarTier,
    SoftDollarTiers,
    TickOptionComputation,
    TickPrice,
    TickSnapshotEnd,
    TickType,
    UserInfo,
)
from ibwire.pacing import PacingConfig, RequestWithdrawn

from .session_rig import AAPL, AAPL_REPORTED, MSFT, POLICY, HoldingPacer, Rig, reconnect

TICKS = ReqHistoricalTicks(
    req_id=0,
    contract=AAPL,
    end_date_time="20240311-15:00:00",
    number_of_ticks=3,
    what_to_show="TRADES",
)
GAINERS = ScannerSubscription(instrument="STK", location_code="STK.US", scan_code="TOP_PERC_GAIN")


def test_error_ends_its_helper_with_api_error(server_version: int) -> None:
    """Pain points 2 and 13: an error for a request id ends that request."""
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(
        ErrMsg(req_id=request.req_id + 1, error_code=200, error_string="not mine"),
        ErrMsg(req_id=request.req_id, error_code=200, error_string="No security definition"),
    )
    with pytest.raises(ApiError) as info:
        pending.result()
    assert info.value.code == 200 and info.value.req_id == request.req_id
    # The error still reaches the wrapper.
    assert [e.error_code for e in rig.events(ErrMsg)] == [200, 200]  # type: ignore[attr-defined]


def test_helper_collects_until_end(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    details = ContractDetails(contract=AAPL_REPORTED, market_name="NMS")
    rig.deliver(ContractData(req_id=request.req_id, contract_details=details))
    assert not pending.done
    rig.deliver(ContractDataEnd(req_id=request.req_id))
    assert pending.result() == [details]


def test_helper_timeout_cancels_at_tws(server_version: int) -> None:
    """Pain point 2: a helper times out and its request is cancelled cleanly."""
    rig = Rig(version=server_version)
    rig.ready()
    request = ReqHistoricalData(
        req_id=0,
        contract=AAPL,
        bar_size_setting="1 hour",
        duration_str="1 D",
        what_to_show="TRADES",
    )
    pending = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError, match="5s"):
        pending.result()
    assert rig.take() == [CancelHistoricalData(req_id=sent.req_id)]  # type: ignore[attr-defined]


def _paced_second_request(
    rig: Rig, *, from_release: bool = False
) -> tuple[ReqHistoricalData, object]:
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 min", duration_str="1 D", what_to_show="TRADES"
    )
    first = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    rig.deliver(HistoricalData(req_id=req_id), HistoricalDataEnd(req_id=req_id))
    assert first.result() == []
    # An identical request within 60 s waits in the pacer.
    second = rig.session.historical_bars(request, rig.now, 5.0, from_release=from_release)
    rig.flush()
    assert rig.take() == []
    return request, second


def test_helper_timeout_counts_the_wait_in_the_pacer(server_version: int) -> None:
    """A helper gives up ``timeout`` after its call; its request, still held, is never sent."""
    rig = Rig(version=server_version, pacing=PacingConfig(historical_identical_interval=60.0))
    rig.ready()
    _, second = _paced_second_request(rig)
    assert isinstance(second, Pending)
    assert rig.session.next_deadline() == rig.now + 5.0
    rig.advance(4.5)
    assert not second.done
    rig.advance(1.0)
    with pytest.raises(RequestTimeoutError, match="5s .*still held by the pacer, and is withdrawn"):
        second.result()
    rig.advance(120.0)
    assert rig.take() == []
    assert rig.session.pacer.queued == 0


def test_a_helper_from_release_times_out_from_the_release(server_version: int) -> None:
    """The chunks of ``history``: the pacer's spacing does not count against their timeout."""
    rig = Rig(version=server_version, pacing=PacingConfig(historical_identical_interval=60.0))
    rig.ready()
    _, second = _paced_second_request(rig, from_release=True)
    assert isinstance(second, Pending)
    # Held by the pacer far longer than its 5 s timeout: still waiting.
    rig.advance(30.0)
    assert not second.done
    while not rig.received:
        rig.advance(1.0)
    (sent,) = rig.take()
    assert isinstance(sent, ReqHistoricalData)
    # The 5 s run from the release.
    rig.advance(4.5)
    assert not second.done
    rig.advance(1.0)
    with pytest.raises(RequestTimeoutError, match="5s"):
        second.result()
    assert rig.take() == [CancelHistoricalData(req_id=sent.req_id)]


def test_abandoning_a_helper_withdraws_a_request_still_paced(server_version: int) -> None:
    rig = Rig(version=server_version, pacing=PacingConfig(historical_identical_interval=60.0))
    rig.ready()
    _, second = _paced_second_request(rig)
    assert isinstance(second, Pending)
    rig.session.abandon(second, rig.now)
    with pytest.raises(ConnectionClosedError, match="abandoned"):
        second.result()
    # Withdrawn, not sent late, and no cancel for a request TWS never saw.
    rig.advance(120.0)
    assert rig.take() == []


@pytest.mark.parametrize("version", [176, 200])
def test_historical_bars_end_by_version(version: int) -> None:
    rig = Rig(version=version)
    rig.ready()
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 day", duration_str="2 D", what_to_show="TRADES"
    )
    pending = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    bars = (BarData(date="20240102", close=1.0), BarData(date="20240103", close=2.0))
    rig.deliver(HistoricalData(req_id=req_id, bars=bars))
    if version >= 196:
        assert not pending.done
        rig.deliver(HistoricalDataEnd(req_id=req_id))
    assert pending.result() == list(bars)


def test_current_time_helper(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.current_time(rig.now, 5.0)
    rig.flush()
    rig.deliver(CurrentTime(time=1_700_000_000))
    assert pending.result() == 1_700_000_000


def test_a_helper_held_at_a_drop_raises_not_sent(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, pacing=pacer)
    rig.ready()
    pacer.hold = True
    pending = rig.session.contract_details(AAPL, rig.now, 5.0)
    rig.drop()
    with pytest.raises(ConnectionClosedError, match="not sent"):
        pending.result()


def test_each_waiting_helper_raises_its_own_exception(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    first = rig.session.current_time(rig.now, 5.0)
    second = rig.session.contract_details(AAPL, rig.now, 5.0)
    rig.flush()
    rig.drop()
    assert isinstance(first.error, ConnectionClosedError)
    assert isinstance(second.error, ConnectionClosedError)
    assert first.error is not second.error
    assert first.error.__cause__ is second.error.__cause__ is not None


def test_the_next_deadline_is_the_earliest_helper_still_waiting(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    start = rig.now
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 hour", duration_str="1 D", what_to_show="TRADES"
    )
    late = rig.session.historical_bars(request, rig.now, 5.0)
    soon = rig.session.current_time(rig.now, 2.0)
    rig.flush()
    assert rig.session.next_deadline() == start + 2.0
    rig.deliver(CurrentTime(time=1_700_000_000))
    assert soon.result() == 1_700_000_000
    # The answered call no longer counts; the other one's deadline is next.
    assert rig.session.next_deadline() == start + 5.0
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError):
        late.result()
    assert rig.session.next_deadline() is None


def test_many_waiting_helpers_time_out_in_deadline_order(server_version: int) -> None:
    rig = Rig(version=server_version, pacing=PacingConfig(max_messages_per_second=None))
    rig.ready()
    start = rig.now
    timeouts = [float(1 + (i * 7) % 50) for i in range(200)]
    pendings = [rig.session.contract_details(AAPL, rig.now, timeout) for timeout in timeouts]
    rig.flush()
    for second in range(1, 51):
        rig.advance(start + second - rig.now)
        assert rig.session.next_deadline() in (None, *[start + t for t in timeouts if t > second])
        assert [p.done for p in pendings] == [t <= second for t in timeouts]


# ---------------------------------------------------------------------- more helpers

Start = Callable[[Any, float], Pending[Any]]

#: Each helper started on a session, and the lowest server version that has its request.
STARTS = [
    pytest.param(lambda session, now: session.historical_ticks(TICKS, now, 5.0), 130, id="ticks"),
    pytest.param(lambda session, now: session.completed_orders(False, now, 5.0), 150, id="completed"),
    pytest.param(
        lambda session, now: session.scanner_data(GAINERS, "priceAbove=5;", "", now, 5.0),
        143,
        id="scanner filters",
    ),
    pytest.param(lambda session, now: session.news_providers(now, 5.0), 115, id="news providers"),
    pytest.param(
        lambda session, now: session.news_article("BRFG", "BRFG$1", now, 5.0), 116, id="article"
    ),
    pytest.param(
        lambda session, now: session.historical_news(1, "BRFG", "", "", 5, now, 5.0),
        117,
        id="historical news",
    ),
    pytest.param(
        lambda session, now: session.histogram_data(AAPL, True, "1 week", now, 5.0),
        119,
        id="histogram",
    ),
    pytest.param(lambda session, now: session.family_codes(now, 5.0), 107, id="family codes"),
    pytest.param(
        lambda session, now: session.smart_components("9c0001", now, 5.0), 114, id="smart"
    ),
    pytest.param(lambda session, now: session.market_depth_exchanges(now, 5.0), 112, id="depth"),
    pytest.param(lambda session, now: session.soft_dollar_tiers(now, 5.0), 106, id="soft dollar"),
    pytest.param(lambda session, now: session.user_info(now, 5.0), 167, id="user info"),
]


@pytest.mark.parametrize(("start", "version"), STARTS)
def test_a_helper_needing_a_newer_server_raises_before_sending(start: Start, version: int) -> None:
    rig = Rig(version=version - 1)
    rig.ready()
    with pytest.raises(UnsupportedByServerError):
        start(rig.session, rig.now)
    rig.flush()
    assert rig.take() == []
    assert rig.session.next_deadline() is None
    # At the version that has it, it goes.
    rig = Rig(version=version)
    rig.ready()
    start(rig.session, rig.now)
    rig.flush()
    assert len(rig.take()) == 1


def test_historical_ticks_end_with_the_message_marked_done(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.historical_ticks(TICKS, rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, ReqHistoricalTicks) and sent.req_id != 0
    first = HistoricalTickLast(time=1, price=1.0, size=Decimal(1))
    second = HistoricalTickLast(time=2, price=2.0, size=Decimal(2))
    rig.deliver(
        # Another request's ticks, and this one's first part.
        HistoricalTicks(req_id=sent.req_id + 1, ticks=(HistoricalTick(time=9),), done=True),
        HistoricalTicksLast(req_id=sent.req_id, ticks=(first,), done=False),
    )
    assert not pending.done
    rig.deliver(HistoricalTicksLast(req_id=sent.req_id, ticks=(second,), done=True))
    assert pending.result() == [first, second]


@pytest.mark.parametrize(("version", "cancelled"), [(200, False), (226, True)])
def test_contract_details_abandoned_is_cancelled_where_the_server_can(
    version: int, cancelled: bool
) -> None:
    """cancelContractData exists from server 215: before, nothing is sent."""
    rig = Rig(version=version)
    rig.ready()
    timed_out = rig.session.contract_details(AAPL, rig.now, 5.0)
    abandoned = rig.session.contract_details(AAPL, rig.now, 5.0)
    rig.flush()
    first, second = rig.take()
    rig.session.abandon(abandoned, rig.now)
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError):
        timed_out.result()
    assert isinstance(first, ReqContractData) and isinstance(second, ReqContractData)
    stops = [CancelContractData(req_id=second.req_id), CancelContractData(req_id=first.req_id)]
    assert rig.take() == (stops if cancelled else [])


def _ask_ticks(rig: Rig) -> Pending[Any]:
    return rig.session.historical_ticks(TICKS, rig.now, 5.0)


def _ask_head_timestamp(rig: Rig) -> Pending[Any]:
    return rig.session.head_timestamp(AAPL, "TRADES", True, 1, rig.now, 5.0)


@pytest.mark.parametrize(
    ("ask", "request_cls", "cancel_cls", "version", "cancelled"),
    [
        # cancelHistoricalTicks exists from server 215, cancelHeadTimestamp from
        # 123: before, the timeout only fails the helper.
        (_ask_ticks, ReqHistoricalTicks, CancelHistoricalTicks, 200, False),
        (_ask_ticks, ReqHistoricalTicks, CancelHistoricalTicks, 226, True),
        (_ask_head_timestamp, ReqHeadTimestamp, CancelHeadTimestamp, 120, False),
        (_ask_head_timestamp, ReqHeadTimestamp, CancelHeadTimestamp, 123, True),
    ],
)
def test_a_timeout_cancels_where_the_server_can(
    ask: Callable[[Rig], Pending[Any]],
    request_cls: type[Message],
    cancel_cls: type[Message],
    version: int,
    cancelled: bool,
) -> None:
    rig = Rig(version=version)
    rig.ready()
    pending = ask(rig)
    rig.flush()
    (sent,) = rig.take()
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError):
        pending.result()
    assert isinstance(sent, request_cls)
    assert rig.take() == ([cancel_cls(req_id=sent.req_id)] if cancelled else [])  # type: ignore[call-arg]


def test_completed_orders_collect_until_their_end(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.completed_orders(True, rig.now, 5.0)
    rig.flush()
    assert rig.take() == [ReqCompletedOrders(api_only=True)]
    filled = CompletedOrder(
        contract=AAPL_REPORTED, order=Order(perm_id=5), order_state=OrderState(status="Filled")
    )
    rig.deliver(filled)
    assert not pending.done
    rig.deliver(CompletedOrdersEnd())
    (done,) = pending.result()
    assert (done.order.perm_id, done.order_state.status) == (5, "Filled")


def test_scanner_data_takes_the_first_results_and_cancels(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.scanner_data(GAINERS, "priceAbove=5;", "", rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, ReqScannerSubscription)
    assert (sent.subscription, sent.scanner_subscription_filter_options) == (GAINERS, "priceAbove=5;")
    first = (ScannerDataElement(rank=0), ScannerDataElement(rank=1))
    rig.deliver(ScannerData(req_id=sent.req_id, elements=first))
    assert [e.rank for e in pending.result()] == [0, 1]
    assert rig.take() == [CancelScannerSubscription(req_id=sent.req_id)]
    # The next results go to the wrapper only.
    rig.deliver(ScannerData(req_id=sent.req_id, elements=first[:1]))
    assert len(rig.events(ScannerData)) == 2


def test_scanner_data_cancels_on_timeout(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.scanner_data(GAINERS, "", "", rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError):
        pending.result()
    assert rig.take() == [CancelScannerSubscription(req_id=sent.req_id)]  # type: ignore[attr-defined]


def test_scanner_parameters_are_the_xml(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.scanner_parameters(rig.now, 5.0)
    rig.flush()
    assert rig.take() == [ReqScannerParameters()]
    rig.deliver(ScannerParameters(xml="<ScanParameterResponse/>"))
    assert pending.result() == "<ScanParameterResponse/>"


@pytest.mark.parametrize(
    ("start", "request_class", "cancel_class"),
    [
        pytest.param(
            lambda session, now: session.implied_volatility(AAPL, 2.0, 180.0, now, 5.0),
            ReqCalcImpliedVolat,
            CancelCalcImpliedVolat,
            id="implied volatility",
        ),
        pytest.param(
            lambda session, now: session.option_price(AAPL, 0.3, 180.0, now, 5.0),
            ReqCalcOptionPrice,
            CancelCalcOptionPrice,
            id="option price",
        ),
    ],
)
def test_an_option_calculation_is_cancelled_once_answered(
    start: Start, request_class: type, cancel_class: type, server_version: int
) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = start(rig.session, rig.now)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, request_class)
    req_id = sent.req_id  # type: ignore[attr-defined]
    computed = TickOptionComputation(
        req_id=req_id, tick_type=53, implied_vol=0.3, opt_price=2.0, und_price=180.0  # type: ignore[arg-type]
    )
    rig.deliver(TickPrice(req_id=req_id, tick_type=1, price=1.0), computed)  # type: ignore[arg-type]
    assert pending.result().implied_vol == 0.3
    assert rig.take() == [cancel_class(req_id=req_id)]


def test_news_answers_are_routed_by_their_request_id(server_version: int) -> None:
    """The news answers carry ``request_id``: routed, and failed by an error, as ``req_id``."""
    rig = Rig(version=server_version)
    rig.ready()
    article = rig.session.news_article("BRFG", "BRFG$1", rig.now, 5.0)
    missing = rig.session.news_article("BRFG", "BRFG$2", rig.now, 5.0)
    headlines = rig.session.historical_news(1, "BRFG+DJNL", "", "", 2, rig.now, 5.0)
    rig.flush()
    first, second, history = rig.take()
    assert isinstance(first, ReqNewsArticle) and isinstance(second, ReqNewsArticle)
    assert isinstance(history, ReqHistoricalNews) and history.provider_codes == "BRFG+DJNL"
    text = NewsArticle(request_id=first.req_id, article_type=0, article_text="text")
    newest = HistoricalNews(
        request_id=history.req_id,
        time="2024-03-11 12:00:00.0",
        provider_code="BRFG",
        article_id="BRFG$1",
        headline="one",
    )
    rig.deliver(
        text,
        ErrMsg(req_id=second.req_id, error_code=321, error_string="Invalid article id"),
        newest,
    )
    assert article.result() == text
    with pytest.raises(ApiError):
        missing.result()
    assert not headlines.done
    rig.deliver(HistoricalNewsEnd(request_id=history.req_id, has_more=True))
    assert headlines.result() == [newest]


def test_news_providers_are_the_list(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.news_providers(rig.now, 5.0)
    rig.flush()
    assert rig.take() == [ReqNewsProviders()]
    providers = (NewsProvider(code="BRFG", name="Briefing.com"),)
    rig.deliver(NewsProviders(news_providers=providers))
    assert pending.result() == list(providers)


ENTRY = HistogramEntry(price=1.5, size=Decimal(300))
COMPONENT = SmartComponent(bit_number=1, exchange="ARCA", exchange_letter="P")
TIER = SoftDollarTier(name="tier", value="1", display_name="Tier")
FAMILY = FamilyCode(account_id="DU111", family_code_str="F1")
DEPTH = DepthMktDataDescription(exchange="NASDAQ", sec_type="STK")

#: A helper answered by one message: its start, and its answer built from the
#: request (``None`` for an answer without a request id), with what it yields.
ONE_ANSWER = [
    pytest.param(
        lambda session, now: session.histogram_data(AAPL, True, "1 week", now, 5.0),
        lambda req_id: HistogramData(req_id=req_id, items=(ENTRY,)),
        [ENTRY],
        id="histogram",
    ),
    pytest.param(
        lambda session, now: session.smart_components("9c0001", now, 5.0),
        lambda req_id: SmartComponents(req_id=req_id, smart_component_map=(COMPONENT,)),
        [COMPONENT],
        id="smart components",
    ),
    pytest.param(
        lambda session, now: session.soft_dollar_tiers(now, 5.0),
        lambda req_id: SoftDollarTiers(req_id=req_id, tiers=(TIER,)),
        [TIER],
        id="soft dollar tiers",
    ),
    pytest.param(
        lambda session, now: session.user_info(now, 5.0),
        lambda req_id: UserInfo(req_id=req_id, white_branding_id="brand"),
        "brand",
        id="user info",
    ),
    pytest.param(
        lambda session, now: session.family_codes(now, 5.0),
        lambda req_id: FamilyCodes(family_codes=(FAMILY,)),
        [FAMILY],
        id="family codes",
    ),
    pytest.param(
        lambda session, now: session.market_depth_exchanges(now, 5.0),
        lambda req_id: MktDepthExchanges(depth_mkt_data_descriptions=(DEPTH,)),
        [DEPTH],
        id="depth exchanges",
    ),
]


@pytest.mark.parametrize(("start", "answer", "expected"), ONE_ANSWER)
def test_a_helper_takes_its_one_answer(
    start: Start, answer: Callable[[int], Message], expected: object, server_version: int
) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = start(rig.session, rig.now)
    rig.flush()
    (sent,) = rig.take()
    req_id = getattr(sent, "req_id", getattr(sent, "ticker_id", None))
    if req_id is not None:
        # Another request's answer is not this one's.
        rig.deliver(answer(req_id + 1))
        assert not pending.done
    rig.deliver(answer(req_id if req_id is not None else 0))
    assert pending.result() == expected


def test_histogram_data_cancels_on_timeout(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.histogram_data(AAPL, False, "3 days", rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, ReqHistogramData) and sent.time_period == "3 days"
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError):
        pending.result()
    assert rig.take() == [CancelHistogramData(ticker_id=sent.ticker_id)]


def test_family_codes_and_depth_exchanges_are_asked_without_ids(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.session.family_codes(rig.now, 5.0)
    rig.session.market_depth_exchanges(rig.now, 5.0)
    rig.flush()
    assert rig.take() == [ReqFamilyCodes(), ReqMktDepthExchanges()]


# ---------------------------------------------------------------------- snapshots


def _snapshot_requests(rig: Rig) -> list[ReqMktData]:
    sent = rig.take()
    assert all(isinstance(m, ReqMktData) and m.snapshot for m in sent)
    return sent  # type: ignore[return-value]


def test_snapshots_gather_each_answer_in_a_ticker_of_its_own(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], False, rig.now, 15.0)
    rig.flush()
    aapl, msft = _snapshot_requests(rig)
    rig.deliver(
        TickPrice(req_id=msft.req_id, tick_type=TickType.BID, price=410.0, size=Decimal(1)),
        TickPrice(req_id=aapl.req_id, tick_type=TickType.BID, price=190.0, size=Decimal(2)),
        TickPrice(req_id=aapl.req_id, tick_type=TickType.ASK, price=190.5, size=Decimal(3)),
        TickSnapshotEnd(req_id=aapl.req_id),
    )
    assert not pending.done
    rig.deliver(TickSnapshotEnd(req_id=msft.req_id))
    first, second = pending.result()
    assert (first.contract, first.bid, first.ask, first.bid_size) == (AAPL, 190.0, 190.5, Decimal(2))
    assert (second.contract, second.bid, second.ask) == (MSFT, 410.0, None)
    # The ticks went to the snapshots, not to the wrapper nor the live tickers.
    assert rig.events(TickPrice) == []
    assert rig.session.take_updated_tickers() == set()
    assert rig.session.tickers_live() == []
    # Later ticks of those ids are no snapshot's.
    rig.deliver(TickPrice(req_id=aapl.req_id, tick_type=TickType.BID, price=1.0, size=Decimal(1)))
    assert len(rig.events(TickPrice)) == 1 and first.bid == 190.0


def test_snapshots_fail_with_the_first_refusal(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], False, rig.now, 15.0)
    rig.flush()
    aapl, msft = _snapshot_requests(rig)
    rig.deliver(ErrMsg(req_id=msft.req_id, error_code=354, error_string="Not subscribed"))
    with pytest.raises(ApiError) as info:
        pending.result()
    assert (info.value.code, info.value.req_id) == (354, msft.req_id)
    # The request id is the session's own: the error names the contract, TWS's text unchanged.
    assert info.value.message == "Not subscribed"
    assert str(info.value).endswith("Not subscribed (snapshot of MSFT STK SMART USD)")
    # The other one runs to its end at TWS, and is then forgotten.
    rig.deliver(TickSnapshotEnd(req_id=aapl.req_id))
    rig.deliver(TickPrice(req_id=aapl.req_id, tick_type=TickType.BID, price=1.0, size=Decimal(1)))
    assert len(rig.events(TickPrice)) == 1
    assert rig.session.next_deadline() is None


def test_a_snapshot_that_does_not_end_in_time_is_cancelled(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], False, rig.now, 15.0)
    rig.flush()
    aapl, msft = _snapshot_requests(rig)
    rig.deliver(TickSnapshotEnd(req_id=aapl.req_id))
    rig.advance(15.0)
    with pytest.raises(RequestTimeoutError, match="snapshot of"):
        pending.result()
    assert rig.take() == [CancelMktData(req_id=msft.req_id)]


def test_abandoning_snapshots_cancels_each_one_still_running(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], True, rig.now, 15.0)
    rig.flush()
    (aapl,) = _snapshot_requests(rig)  # the second regulatory snapshot waits its second
    assert aapl.regulatory_snapshot
    rig.session.abandon(pending, rig.now)
    with pytest.raises(ConnectionClosedError, match="abandoned"):
        pending.result()
    rig.advance(2.0)
    # The first is cancelled at TWS; the second, still held, is withdrawn.
    assert rig.take() == [CancelMktData(req_id=aapl.req_id)]
    assert rig.session.next_deadline() is None


def test_each_regulatory_snapshot_times_out_from_its_release(server_version: int) -> None:
    """Paced one a second, each has its timeout once sent; the whole has the last deadline."""
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], True, rig.now, 5.0)
    rig.flush()
    (aapl,) = _snapshot_requests(rig)
    first = rig.now
    assert pending.deadline is None  # the second is still held
    while not rig.received:
        rig.advance(0.25)
    (msft,) = _snapshot_requests(rig)
    assert pending.deadline == rig.now + 5.0
    rig.deliver(TickSnapshotEnd(req_id=aapl.req_id))
    rig.advance(first + 5.0 - rig.now)
    assert not pending.done  # the second has had less than its 5 s since it went out
    rig.deliver(TickSnapshotEnd(req_id=msft.req_id))
    assert [snapshot.contract for snapshot in pending.result()] == [AAPL, MSFT]


def _lose_market_data(rig: Rig, how: str) -> None:
    """TWS drops the market data: a 1101, or a drop and a reconnect 1 s later."""
    if how == "1101":
        rig.deliver(ErrMsg(req_id=-1, error_code=1101, error_string="restored- data lost."))
    else:
        rig.drop()
        reconnect(rig)


@pytest.mark.parametrize("how", ["1101", "reconnect"])
def test_snapshots_in_flight_are_sent_again_when_tws_drops_the_market_data(
    server_version: int, how: str
) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], False, rig.now, 15.0)
    rig.flush()
    aapl, msft = _snapshot_requests(rig)
    rig.deliver(
        TickSnapshotEnd(req_id=aapl.req_id),
        TickPrice(req_id=msft.req_id, tick_type=TickType.BID, price=1.0, size=Decimal(1)),
        TickPrice(req_id=msft.req_id, tick_type=TickType.ASK, price=2.0, size=Decimal(1)),
    )
    _lose_market_data(rig, how)
    resent = [m for m in rig.take() if isinstance(m, (ReqMktData, CancelMktData))]
    # The one still running goes again (a 1101 cancels it first); the one done does not.
    if how == "1101":
        assert resent == [CancelMktData(req_id=msft.req_id), msft]
    else:
        assert resent == [msft]
    assert not pending.done
    rig.deliver(
        TickPrice(req_id=msft.req_id, tick_type=TickType.BID, price=410.0, size=Decimal(1)),
        TickSnapshotEnd(req_id=msft.req_id),
    )
    first, second = pending.result()
    assert first.contract == AAPL
    # A fresh ticker: nothing of the first answer (the ask) is mixed in.
    assert (second.contract, second.bid, second.ask) == (MSFT, 410.0, None)


@pytest.mark.parametrize("how", ["1101", "reconnect"])
def test_a_snapshot_sent_again_keeps_the_timeout_of_its_call(server_version: int, how: str) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready()
    pending = rig.session.snapshots([AAPL], False, rig.now, 15.0)
    rig.flush()
    (aapl,) = _snapshot_requests(rig)
    rig.advance(10.0)
    _lose_market_data(rig, how)
    assert aapl in rig.take()
    # The deadline is still the one of the first sending, 15 s after the call.
    assert pending.deadline == 1015.0
    rig.advance(1014.5 - rig.now)
    assert not pending.done
    rig.advance(0.5)
    with pytest.raises(RequestTimeoutError, match="snapshot of"):
        pending.result()
    assert rig.take() == [CancelMktData(req_id=aapl.req_id)]


@pytest.mark.parametrize("how", ["1101", "reconnect"])
def test_a_snapshot_still_held_by_the_pacer_is_sent_once(server_version: int, how: str) -> None:
    """Regulatory snapshots go one a second: the second is still queued when the data drops."""
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready()
    pending = rig.session.snapshots([AAPL, MSFT], True, rig.now, 15.0)
    rig.flush()
    (aapl,) = _snapshot_requests(rig)
    _lose_market_data(rig, how)
    for _ in range(12):
        rig.advance(0.25)
    sent = [m for m in rig.take() if isinstance(m, ReqMktData)]
    assert sorted(m.req_id for m in sent) == [aapl.req_id, aapl.req_id + 1]
    # The queued one was left where it was, not withdrawn and queued again.
    assert rig.events(RequestWithdrawn) == []
    for request in sent:
        rig.deliver(TickSnapshotEnd(req_id=request.req_id))
    assert [snapshot.contract for snapshot in pending.result()] == [AAPL, MSFT]


def test_a_snapshot_is_not_sent_again_after_1102(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready()
    pending = rig.session.snapshots([AAPL], False, rig.now, 15.0)
    rig.flush()
    (aapl,) = _snapshot_requests(rig)
    rig.deliver(TickPrice(req_id=aapl.req_id, tick_type=TickType.BID, price=1.0, size=Decimal(1)))
    rig.deliver(ErrMsg(req_id=-1, error_code=1102, error_string="restored- data maintained."))
    assert rig.take() == []
    rig.deliver(TickSnapshotEnd(req_id=aapl.req_id))
    assert pending.result()[0].bid == 1.0


def test_a_snapshot_fails_with_the_connection_when_no_reconnect_follows(
    server_version: int,
) -> None:
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(max_attempts=0))
    rig.ready()
    pending = rig.session.snapshots([AAPL], False, rig.now, 15.0)
    rig.flush()
    rig.drop()
    rig.advance(1.0)
    with pytest.raises(ConnectionClosedError):
        pending.result()
    assert rig.session.next_deadline() is None


def test_snapshots_beyond_the_free_lines_are_refused_and_given_up(server_version: int) -> None:
    rig = Rig(version=server_version, pacing=PacingConfig(market_data_lines=1))
    rig.ready()
    with pytest.raises(MarketDataLinesExceededError):
        rig.session.snapshots([AAPL, MSFT], False, rig.now, 15.0)
    rig.flush()
    sent = rig.take()
    assert len(sent) == 2 and sent[1] == CancelMktData(req_id=sent[0].req_id)  # type: ignore[attr-defined]
    assert rig.session.next_deadline() is None


# ---------------------------------------------------------------------- qualify

SPY = Contract(symbol="SPY", sec_type="STK", exchange="SMART", currency="USD")


def _details(rig: Rig, request: Message, *contracts: Contract) -> None:
    req_id: int = request.req_id  # type: ignore[attr-defined]
    rig.deliver(
        *(ContractData(req_id=req_id, contract_details=ContractDetails(contract=c)) for c in contracts),
        ContractDataEnd(req_id=req_id),
    )


@pytest.mark.parametrize(("version", "cancelled"), [(200, False), (226, True)])
def test_qualify_times_out_once_from_the_call_and_gives_up_every_request(
    version: int, cancelled: bool
) -> None:
    rig = Rig(version=version)
    rig.ready()
    pending = rig.session.qualify([AAPL, MSFT, SPY], rig.now, 5.0)
    rig.flush()
    aapl, msft, spy = rig.take()
    _details(rig, aapl, AAPL_REPORTED)
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError, match="5s"):
        pending.result()
    stops = [CancelContractData(req_id=m.req_id) for m in (msft, spy)]  # type: ignore[attr-defined]
    assert sorted(rig.take(), key=repr) == (stops if cancelled else [])
    assert rig.session._pendings == {} and rig.session.next_deadline() is None


@pytest.mark.parametrize(("version", "cancelled"), [(200, False), (226, True)])
def test_qualify_failing_gives_up_the_sent_requests_and_withdraws_the_held_ones(
    version: int, cancelled: bool
) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=version, pacing=pacer)
    rig.ready()
    pending = rig.session.qualify([AAPL, MSFT], rig.now, 5.0)
    rig.flush()
    aapl, msft = rig.take()
    pacer.hold = True
    vague = Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD")
    held = rig.session.qualify([SPY, vague, AAPL], rig.now, 5.0)
    rig.flush()
    assert rig.take() == []
    rig.deliver(ErrMsg(req_id=msft.req_id, error_code=200, error_string="No security definition"))  # type: ignore[attr-defined]
    with pytest.raises(ContractNotFoundError) as info:
        pending.result()
    assert info.value.contract == MSFT
    pacer.hold = False
    rig.advance(0.1)
    # AAPL's request was sent: cancelled where TWS can; the later call's go out.
    sent = rig.take()
    assert sent[: int(cancelled)] == [CancelContractData(req_id=aapl.req_id)][: int(cancelled)]  # type: ignore[attr-defined]
    spy, opt, again = sent[int(cancelled):]
    # An ambiguous answer fails the call with the candidates; the third request is cancelled.
    calls = [replace(vague, con_id=n, strike=float(n)) for n in (1, 2)]
    _details(rig, opt, *calls)
    with pytest.raises(AmbiguousContractError) as ambiguous:
        held.result()
    assert [d.contract for d in ambiguous.value.candidates] == calls
    stops = [CancelContractData(req_id=m.req_id) for m in (spy, again)]  # type: ignore[attr-defined]
    assert sorted(rig.take(), key=repr) == (stops if cancelled else [])
    assert rig.session._pendings == {} and rig.session.next_deadline() is None


def test_qualify_resolves_in_order_and_asks_once_for_a_repeated_contract(
    server_version: int,
) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.qualify([MSFT, AAPL, MSFT], rig.now, 5.0)
    rig.flush()
    msft, aapl = rig.take()
    found_msft = replace(MSFT, con_id=2, strike=0.0)
    _details(rig, aapl, AAPL_REPORTED)
    assert not pending.done
    _details(rig, msft, found_msft)
    assert pending.result() == [found_msft, AAPL_REPORTED, found_msft]
    assert rig.session.qualify([], rig.now, 5.0).result() == []


def _what_if(rig: Rig) -> tuple[Pending[OrderState], PlaceOrder]:
    pending = rig.session.what_if(AAPL, Order(action="BUY", total_quantity=Decimal(1)), rig.now, 5)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, PlaceOrder) and sent.order.what_if
    return pending, sent


def test_what_if_waits_for_the_answer_with_the_margin_figures(server_version: int) -> None:
    """TWS may first answer a what-if order without its margins (a warning, say)."""
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=20)
    pending, sent = _what_if(rig)
    early = OrderState(status="PreSubmitted", warning_text="Order size exceeds 5% of volume")
    rig.deliver(OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=early))
    assert not pending.done
    full = OrderState(
        status="PreSubmitted", init_margin_before=0.0, init_margin_change=55.5,
        init_margin_after=55.5,
    )  # fmt: skip
    rig.deliver(OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=full))
    state = pending.result()
    assert state.init_margin_change == 55.5 and state.init_margin_after == 55.5


def test_what_if_without_its_margin_figures_times_out(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=20)
    pending, sent = _what_if(rig)
    early = OrderState(status="PreSubmitted")
    rig.deliver(OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=early))
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError, match="what-if order 20"):
        pending.result()


@pytest.mark.parametrize("end", ["error", "drop", "drop, then reconnect"])
def test_what_if_ends_with_an_error_when_tws_refuses_it_or_the_connection_drops(
    server_version: int, end: str
) -> None:
    rig = Rig(version=server_version, reconnect=POLICY if "reconnect" in end else None)
    rig.ready(next_valid_id=20)
    pending, sent = _what_if(rig)
    if end == "error":
        rig.deliver(ErrMsg(req_id=sent.order_id, error_code=201, error_string="Order rejected"))
        with pytest.raises(ApiError) as refused:
            pending.result()
        assert (refused.value.code, refused.value.req_id) == (201, 20)
        return
    rig.drop()
    with pytest.raises(ConnectionClosedError):
        pending.result()
    if "reconnect" in end:
        # A preview is not sent again on the new connection.
        reconnect(rig)
        assert not [m for m in rig.take() if isinstance(m, PlaceOrder)]


@pytest.mark.parametrize("version", [100, 141])
def test_what_if_below_server_142_ends_on_the_margins_after(version: int) -> None:
    """Below server 142 the what-if answer carries only the margins after the order."""
    rig = Rig(version=version)
    rig.ready(next_valid_id=20)
    pending, sent = _what_if(rig)
    full = OrderState(
        status="PreSubmitted", init_margin_after=55.5, maint_margin_after=50.0,
        equity_with_loan_after=1000.0,
    )  # fmt: skip
    rig.deliver(OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=full))
    assert pending.result().init_margin_after == 55.5
