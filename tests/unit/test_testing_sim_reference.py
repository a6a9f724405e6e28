"""The simulator's reference requests (``ibwire.testing._sim_reference``) and completed orders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ibwire.messages import (
    CancelFundamentalData,
    CancelOrder,
    CancelScannerSubscription,
    CancelWshEventData,
    CancelWshMetaData,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    FamilyCodes,
    HistogramData,
    HistoricalNews,
    HistoricalNewsEnd,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    MktDepthExchanges,
    NewsArticle,
    Order,
    PlaceOrder,
    ReceiveFa,
    ReplaceFa,
    ReplaceFaEnd,
    ReqCompletedOrders,
    ReqFa,
    ReqFamilyCodes,
    ReqFundamentalData,
    ReqHistogramData,
    ReqHistoricalNews,
    ReqHistoricalTicks,
    ReqMatchingSymbols,
    ReqMktDepthExchanges,
    ReqNewsArticle,
    ReqScannerParameters,
    ReqScannerSubscription,
    ReqSmartComponents,
    ReqWshEventData,
    ReqWshMetaData,
    ScannerData,
    ScannerParameters,
    ScannerSubscription,
    SmartComponents,
    SymbolSamples,
    WshEventDataParams,
)
from ibwire.testing import SimulatorCore
from ibwire.testing._sim_reference import SCAN_CODES
from ibwire.testing.memory import InMemoryClient, InMemoryGateway

T0 = 1_710_168_000.0  # Monday 11 March 2024, 14:40 UTC
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def connect(server_version: int) -> tuple[InMemoryGateway, SimulatorCore, InMemoryClient]:
    core = SimulatorCore(server_version=server_version, seed=6)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    return gateway, core, client


def test_completed_orders_list_filled_and_cancelled_orders(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY", total_quantity=Decimal(10), order_type="MKT")),
                PlaceOrder(order_id=2, contract=AAPL, order=Order(action="BUY", total_quantity=Decimal(10), order_type="LMT", lmt_price=1.0)))
    gateway.advance(5.0)
    client.send(ReqCompletedOrders(api_only=False))
    events = client.take()
    completed = [e for e in events if isinstance(e, CompletedOrder)]
    filled = core.broker.find(1, 1)
    assert filled is not None
    # The wire's completed order has no order id: TWS identifies it by its perm id.
    assert [(c.order.perm_id, c.order_state.status) for c in completed] == [(filled.perm_id, "Filled")]
    assert completed[0].order_state.completed_time.startswith("20240311 14:40")
    assert events[-1] == CompletedOrdersEnd()
    client.send(CancelOrder(order_id=2), ReqCompletedOrders(api_only=True))
    statuses = [c.order_state.status for c in client.take() if isinstance(c, CompletedOrder)]
    assert statuses == ["Filled", "Cancelled"]


@pytest.mark.parametrize(("what", "kind"), [("TRADES", HistoricalTicksLast), ("BID_ASK", HistoricalTicksBidAsk),
                                            ("MIDPOINT", HistoricalTicks)])
def test_historical_ticks_are_stable_and_in_trading_hours(server_version: int, what: str, kind: type) -> None:
    gateway, core, client = connect(server_version)
    request = ReqHistoricalTicks(req_id=3, contract=AAPL, start_date_time="", end_date_time="20240311 14:00:00",
                                 number_of_ticks=100, what_to_show=what, use_rth=True, ignore_size=False)
    client.send(request)
    (first,) = [e for e in client.take() if isinstance(e, kind)]
    assert first.done and len(first.ticks) == 100
    times = [t.time for t in first.ticks]
    assert times == sorted(times) and times[-1] < 1_710_165_600
    assert all(t >= 1_710_163_800 for t in times)  # 09:30 New York that morning: RTH only
    client.send(request)
    (second,) = [e for e in client.take() if isinstance(e, kind)]
    assert second == first
    client.send(ReqHistoricalTicks(req_id=4, contract=AAPL, start_date_time="20240311 14:00:00", end_date_time="20240311 15:00:00",
                                   number_of_ticks=10, what_to_show=what, use_rth=True, ignore_size=False))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]


def test_histogram(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(ReqHistogramData(ticker_id=5, contract=AAPL, use_rth=True, time_period="3 days"))
    (data,) = [e for e in client.take() if isinstance(e, HistogramData)]
    assert len(data.items) > 3 and all(item.size and item.size > 0 for item in data.items)
    prices = [item.price for item in data.items]
    assert prices == sorted(prices)


def test_scanner_subscription_codes_updates_and_cancel(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(ReqScannerParameters())
    (params,) = [e for e in client.take() if isinstance(e, ScannerParameters)]
    assert all(f"<scanCode>{code}</scanCode>" in params.xml for code in SCAN_CODES)
    client.send(ReqScannerSubscription(req_id=8, subscription=ScannerSubscription(
        number_of_rows=2, instrument="STK", location_code="STK.US.MAJOR", scan_code="TOP_PERC_GAIN")))
    (data,) = [e for e in client.take() if isinstance(e, ScannerData)]
    assert [e.rank for e in data.elements] == [0, 1]
    assert {e.contract_details.contract.sec_type for e in data.elements} == {"STK"}
    gateway.advance(31.0)
    assert [e for e in client.take() if isinstance(e, ScannerData)]
    client.send(CancelScannerSubscription(req_id=8))
    gateway.advance(61.0)
    assert not [e for e in client.take() if isinstance(e, ScannerData)]
    client.send(ReqScannerSubscription(req_id=9, subscription=ScannerSubscription(scan_code="NOT_A_SCAN")))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]


def test_historical_news_and_articles(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(ReqHistoricalNews(req_id=10, con_id=265598, provider_codes="BRFG+DJNL", start_date_time="",
                                  end_date_time="", total_results=5))
    events = client.take()
    news = [e for e in events if isinstance(e, HistoricalNews)]
    assert len(news) == 5 and {n.provider_code for n in news} == {"BRFG", "DJNL"}
    assert [n.time for n in news] == sorted((n.time for n in news), reverse=True)
    assert HistoricalNewsEnd(request_id=10, has_more=True) in events
    client.send(ReqNewsArticle(req_id=11, provider_code=news[0].provider_code, article_id=news[0].article_id))
    (article,) = [e for e in client.take() if isinstance(e, NewsArticle)]
    assert article.article_type == 0 and article.article_text.startswith(news[0].headline)
    client.send(ReqHistoricalNews(req_id=13, con_id=265598, provider_codes="BRFUPDN",
                                  start_date_time="2024-03-01 00:00:00.0", end_date_time="2024-03-05 00:00:00.0",
                                  total_results=100))
    window = [e for e in client.take() if isinstance(e, HistoricalNews)]
    assert len(window) == 4 and all("2024-03-01" <= n.time < "2024-03-05" for n in window)
    assert {n.provider_code for n in window} == {"BRFUPDN"}
    client.send(ReqNewsArticle(req_id=12, provider_code="BRFG", article_id="nonsense"))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]


def test_small_reference_requests_and_single_account_fa(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(ReqSmartComponents(req_id=1, bbo_exchange="9c0001"), ReqMktDepthExchanges(),
                ReqMatchingSymbols(req_id=2, pattern="AA"), ReqFamilyCodes(), ReqFa(fa_data=3),
                ReplaceFa(req_id=3, fa_data=1, cxml="<ListOfGroups/>"))
    events = client.take()
    (smart,) = [e for e in events if isinstance(e, SmartComponents)]
    assert ("ARCA", "P") in {(c.exchange, c.exchange_letter) for c in smart.smart_component_map}
    assert [e for e in events if isinstance(e, MktDepthExchanges)][0].depth_mkt_data_descriptions
    (samples,) = [e for e in events if isinstance(e, SymbolSamples)]
    assert [d.contract.symbol for d in samples.contract_descriptions] == ["AAPL"]
    assert [e for e in events if isinstance(e, FamilyCodes)][0].family_codes[0].account_id == "DU0000001"
    (fa,) = [e for e in events if isinstance(e, ReceiveFa)]
    assert "<account>DU0000001</account>" in fa.cxml
    assert ReplaceFaEnd(req_id=3, text="") in events
    assert core.unhandled == [] and core.send_failures == []


def test_fundamental_data_is_not_allowed(server_version: int) -> None:
    # A paper account without IB's fundamentals entitlement: error 10358 on the request's id.
    gateway, core, client = connect(server_version)
    client.send(ReqFundamentalData(req_id=7, contract=AAPL, report_type="ReportsFinSummary"))
    assert [(e.req_id, e.error_code, e.error_string) for e in client.take()] == [
        (7, 10358, "Fundamentals data is not allowed.")
    ]
    client.send(CancelFundamentalData(req_id=7))
    assert client.take() == []
    assert core.unhandled == [] and core.send_failures == []


def test_wall_street_horizon_is_not_allowed(server_version: int) -> None:
    # Without the WSH research subscription both requests get 10276 on their own ids.
    gateway, core, client = connect(server_version)
    client.send(ReqWshMetaData(req_id=3), ReqWshEventData(req_id=4, wsh_event_data=WshEventDataParams(con_id=265598)))
    assert [(e.req_id, e.error_code, e.error_string) for e in client.take()] == [
        (3, 10276, "News feed is not allowed."),
        (4, 10276, "News feed is not allowed."),
    ]
    client.send(CancelWshMetaData(req_id=3), CancelWshEventData(req_id=4))
    assert client.take() == []
    assert core.unhandled == [] and core.send_failures == []
