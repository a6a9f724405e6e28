"""Tests of ibwire.messages.scanner: byte-exact vectors per version band, gates, real traffic."""

from __future__ import annotations

import pytest

from ibwire.codec import Codec
from ibwire.errors import MalformedMessageError, UnsupportedByServerError
from ibwire.messages import (
    CancelScannerSubscription,
    Contract,
    ContractDetails,
    ReqScannerParameters,
    ReqScannerSubscription,
    ScannerData,
    ScannerDataElement,
    ScannerParameters,
    ScannerSubscription,
)
from tests.vectors import check_incoming, check_outgoing, real_records

# ------------------------------------------------------------------ incoming


def test_scanner_parameters() -> None:
    # official layout (EWrapper.scannerParameters via interpretWithSignature):
    # version 1, xml (unicode-unescaped from 153)
    check_incoming(
        ScannerParameters(xml="<ScanParameterResponse/>"),
        ["19", "1", "<ScanParameterResponse/>"],
        176,
    )
    check_incoming(ScannerParameters(xml="<a>é</a>"), ["19", "1", "<a>\\u00e9</a>"], 153)


class TestScannerData:
    AAPL = ScannerDataElement(
        rank=0,
        contract_details=ContractDetails(
            contract=Contract(
                con_id=265598,
                symbol="AAPL",
                sec_type="STK",
                strike=0.0,
                exchange="SMART",
                currency="USD",
                local_symbol="AAPL",
                trading_class="NMS",
            ),
            market_name="NMS",
        ),
    )
    OPT = ScannerDataElement(
        rank=1,
        contract_details=ContractDetails(
            contract=Contract(
                con_id=7,
                symbol="SPY",
                sec_type="OPT",
                last_trade_date_or_contract_month="20240621",
                strike=500.0,
                right="C",
                exchange="SMART",
                currency="USD",
                local_symbol="SPY   240621C00500000",
                trading_class="SPY",
            ),
            market_name="SPY",
        ),
        distance="1.5",
        benchmark="b",
        projection="p",
        legs_str="",
    )
    AAPL_FIELDS = [
        "0",
        "265598",
        "AAPL",
        "STK",
        "",
        "0.0",
        "",
        "SMART",
        "USD",
        "AAPL",
        "NMS",
        "NMS",
    ]
    AAPL_FIELDS += ["", "", "", ""]
    OPT_FIELDS = ["1", "7", "SPY", "OPT", "20240621", "500.0", "C", "SMART", "USD"]
    OPT_FIELDS += ["SPY   240621C00500000", "SPY", "SPY", "1.5", "b", "p", ""]

    def test_vector(self) -> None:
        # official layout (decoder.py processScannerDataMsg): version, reqId, count,
        # {rank, conId, symbol, secType, lastTradeDate, strike, right, exchange,
        # currency, localSymbol, marketName, tradingClass, distance, benchmark,
        # projection, legsStr}
        msg = ScannerData(req_id=9, elements=(self.AAPL, self.OPT))
        check_incoming(msg, ["20", "3", "9", "2", *self.AAPL_FIELDS, *self.OPT_FIELDS], 176)

    def test_empty(self) -> None:
        # official layout: no element, then scannerDataEnd
        check_incoming(ScannerData(req_id=9), ["20", "3", "9", "0"], 176)

    def test_truncated(self) -> None:
        with pytest.raises(MalformedMessageError, match="elements"):
            Codec(176).decode(["20", "3", "9", "2", *self.AAPL_FIELDS, *self.OPT_FIELDS[:-1]])


# ------------------------------------------------------------------ outgoing


def test_req_scanner_parameters() -> None:
    # official layout (client.py reqScannerParameters): version 1
    check_outgoing(ReqScannerParameters(), ["24", "1"], 176)


class TestReqScannerSubscription:
    SUB = ScannerSubscription(
        number_of_rows=10,
        instrument="STK",
        location_code="STK.US.MAJOR",
        scan_code="TOP_PERC_GAIN",
        above_price=5.0,
        above_volume=100000,
        exclude_convertible=True,
        stock_type_filter="ALL",
    )
    BODY = ["10", "STK", "STK.US.MAJOR", "TOP_PERC_GAIN", "5.0", "", "100000", "", ""]
    BODY += ["", "", "", "", "", "", "", "", "1", "", "", "ALL"]

    def test_from_143_no_version(self) -> None:
        # official layout (client.py reqScannerSubscription), server >= 143: no
        # version field; filter options, then subscription options
        req = ReqScannerSubscription(
            req_id=5, subscription=self.SUB, scanner_subscription_filter_options="priceAbove=10;"
        )
        check_outgoing(req, ["22", "5", *self.BODY, "priceAbove=10;", ""], 176)

    def test_below_143_version_4(self) -> None:
        # official layout (client.py reqScannerSubscription), server < 143
        req = ReqScannerSubscription(req_id=5, subscription=self.SUB)
        check_outgoing(req, ["22", "4", "5", *self.BODY, ""], 142)

    def test_filter_options_need_143(self) -> None:
        req = ReqScannerSubscription(
            req_id=5, subscription=self.SUB, scanner_subscription_filter_options="a=b;"
        )
        with pytest.raises(UnsupportedByServerError):
            Codec(142).encode(req)

    def test_defaults(self) -> None:
        # official layout: numberOfRows -1 by default, unset numbers empty
        # (make_field_handle_empty)
        req = ReqScannerSubscription(req_id=1, subscription=ScannerSubscription())
        body = [
            "-1",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "0",
            "",
            "",
            "",
        ]
        check_outgoing(req, ["22", "1", *body, "", ""], 200)


def test_cancel_scanner_subscription() -> None:
    # official layout (client.py cancelScannerSubscription): version 1
    check_outgoing(CancelScannerSubscription(req_id=5), ["23", "1", "5"], 176)


# ------------------------------------------------------------------ real traffic

IN_IDS = {"19", "20"}
OUT_IDS = {"22", "23", "24"}


def test_real_traffic() -> None:
    # pyfutures-v176.jsonl holds none of these ids (its out-record 20 is
    # REQ_HISTORICAL_DATA); any later capture that does is checked here
    records = [r for r in real_records() if r.fields and not r.is_hello]
    assert records
    for record in records:
        version = record.server_version or 176
        fields = list(record.fields)
        if record.direction == "in" and fields[0] in IN_IDS:
            msg = Codec(version).decode(fields)
            assert type(msg).MSG_ID == int(fields[0]), record.source
        elif record.direction == "out" and fields[0] in OUT_IDS:
            assert Codec(version).encode(Codec(version, server=True).decode(fields)) == fields
