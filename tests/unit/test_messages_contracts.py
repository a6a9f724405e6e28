"""Tests of ibwire.messages.contracts: byte-exact vectors per version band, gates, real traffic."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ibwire.codec import Codec
from ibwire.errors import LocalProtocolError, MalformedMessageError, UnsupportedByServerError
from ibwire.messages import (
    BondContractData,
    CancelFundamentalData,
    Contract,
    ContractData,
    ContractDataEnd,
    ContractDescription,
    ContractDetails,
    FundamentalData,
    IneligibilityReason,
    MarketRule,
    PriceIncrement,
    ReqContractData,
    ReqFundamentalData,
    ReqMarketRule,
    ReqMatchingSymbols,
    ReqSecDefOptParams,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    SymbolSamples,
    TagValue,
)
from tests.vectors import check_incoming, check_outgoing, real_records

# ------------------------------------------------------------------ CONTRACT_DATA

DA = ContractDetails(
    contract=Contract(
        con_id=553495230,
        symbol="DA",
        sec_type="FUT",
        last_trade_date_or_contract_month="20240402-17:10:00",
        strike=0.0,
        multiplier="2000",
        exchange="CME",
        currency="USD",
        local_symbol="DCH4",
        trading_class="DC",
    ),
    market_name="DC",
    min_tick=0.01,
    order_types="LMT,MKT",
    valid_exchanges="CME",
    price_magnifier=1,
    under_con_id=36555530,
    long_name="MILK CLASS III INDEX",
    contract_month="202403",
    time_zone_id="US/Central",
    trading_hours="20240325:1700-20240326:1600;20240329:CLOSED",
    liquid_hours="20240326:0830-20240326:1600;20240329:CLOSED",
    ev_multiplier=0,
    sec_id_list=(TagValue(tag="ISIN", value="XX0000000001"),),
    agg_group=2147483647,
    under_symbol="DA",
    under_sec_type="IND",
    market_rule_ids="32",
    real_expiration_date="20240403",
    min_size=Decimal("1"),
    size_increment=Decimal("1"),
    suggested_size_increment=Decimal("1"),
)

# Fields of DA in layout order, cut where the gated fields go.
DA_HEAD = ["DA", "FUT", "20240402-17:10:00"]
DA_STRIKE_TO_TICK = ["0.0", "", "CME", "USD", "DCH4", "DC", "DC", "553495230", "0.01"]
DA_MULT_TO_MAGNIFIER = ["2000", "LMT,MKT", "CME", "1"]
DA_V4_TO_V7 = [
    "36555530",
    "MILK CLASS III INDEX",
    "",
    "202403",
    "",
    "",
    "",
    "US/Central",
    "20240325:1700-20240326:1600;20240329:CLOSED",
    "20240326:0830-20240326:1600;20240329:CLOSED",
    "",
    "0",
    "1",
    "ISIN",
    "XX0000000001",
]
DA_121_TO_152 = ["2147483647", "DA", "IND", "32", "20240403", ""]
DA_SIZES = ["1", "1", "1"]


class TestContractData:
    def test_176(self) -> None:
        # official layout (decoder.py processContractDataMsg), 164 <= server < 182:
        # no version field, no lastTradeDate, sizes at the end
        fields = ["10", "-10", *DA_HEAD, *DA_STRIKE_TO_TICK, *DA_MULT_TO_MAGNIFIER]
        fields += [*DA_V4_TO_V7, *DA_121_TO_152, *DA_SIZES]
        check_incoming(ContractData(req_id=-10, contract_details=DA), fields, 176)
        check_incoming(ContractData(req_id=-10, contract_details=DA), fields, 164)

    def test_186_last_trade_date_and_ineligibility(self) -> None:
        # official layout (decoder.py processContractDataMsg), server >= 186:
        # lastTradeDate after the expiry text (>= 182), ineligibility reasons (>= 186)
        details = replace(
            DA,
            contract=replace(DA.contract, last_trade_date="20240402"),
            ineligibility_reasons=(
                IneligibilityReason(id="1", description="No trading permission"),
                IneligibilityReason(id="2", description="Closed"),
            ),
        )
        fields = ["10", "7", *DA_HEAD, "20240402", *DA_STRIKE_TO_TICK, *DA_MULT_TO_MAGNIFIER]
        fields += [*DA_V4_TO_V7, *DA_121_TO_152, *DA_SIZES]
        fields += ["2", "1", "No trading permission", "2", "Closed"]
        check_incoming(ContractData(req_id=7, contract_details=details), fields, 186)
        check_incoming(ContractData(req_id=7, contract_details=details), fields, 200)

    def test_182_last_trade_date_no_ineligibility(self) -> None:
        # official layout, 182 <= server < 186
        details = replace(DA, contract=replace(DA.contract, last_trade_date="20240402"))
        fields = ["10", "7", *DA_HEAD, "20240402", *DA_STRIKE_TO_TICK, *DA_MULT_TO_MAGNIFIER]
        fields += [*DA_V4_TO_V7, *DA_121_TO_152, *DA_SIZES]
        check_incoming(ContractData(req_id=7, contract_details=details), fields, 182)
        with pytest.raises(LocalProtocolError):
            Codec(181, server=True).encode(ContractData(req_id=7, contract_details=details))

    def test_fund_block(self) -> None:
        # official layout (decoder.py processContractDataMsg): 17 fund fields for
        # secType FUND from server 179, before the ineligibility reasons
        fund = ContractDetails(
            contract=Contract(
                con_id=1, symbol="VFIAX", sec_type="FUND", strike=0.0, currency="USD"
            ),
            fund_name="Vanguard 500",
            fund_family="Vanguard",
            fund_type="Open",
            fund_front_load="0",
            fund_back_load="0",
            fund_back_load_time_interval="",
            fund_management_fee="0.04",
            fund_closed=False,
            fund_closed_for_new_investors=True,
            fund_closed_for_new_money=False,
            fund_notify_amount="100",
            fund_minimum_initial_purchase="3000",
            fund_subsequent_minimum_purchase="1",
            fund_blue_sky_states="ALL",
            fund_blue_sky_territories="GU",
            fund_distribution_policy_indicator="N",
            fund_asset_type="004",
        )
        fund_fields = ["Vanguard 500", "Vanguard", "Open", "0", "0", "", "0.04", "0", "1", "0"]
        fund_fields += ["100", "3000", "1", "ALL", "GU", "N", "004"]
        common = ["VFIAX", "FUND", "", "0.0", "", "", "USD", "", "", "", "1", "0.0"]
        common += ["", "", "", "0", "0", "", "", "", "", "", "", "", "", "", "", "0", "0"]
        common += ["0", "", "", "", "", "", "", "", ""]
        check_incoming(
            ContractData(req_id=1, contract_details=fund),
            ["10", "1", *common, *fund_fields],
            179,
        )
        # below 179 the block is absent even for funds
        check_incoming(
            ContractData(
                req_id=1, contract_details=replace(ContractDetails(), contract=fund.contract)
            ),
            ["10", "1", *common],
            178,
        )

    def test_163_version_field_and_dropped_fields(self) -> None:
        # official layout (decoder.py processContractDataMsg), server 163: version
        # field, mdSizeMultiplier after minTick (110..163), sizeMinTick (163 only)
        details = replace(DA, min_size=None, size_increment=None, suggested_size_increment=None)
        fields = ["10", "8", "-10", *DA_HEAD, *DA_STRIKE_TO_TICK, "1", *DA_MULT_TO_MAGNIFIER]
        fields += [*DA_V4_TO_V7, *DA_121_TO_152, ""]
        check_incoming(ContractData(req_id=-10, contract_details=details), fields, 163)

    def test_150_no_stock_type(self) -> None:
        # official layout, 134 <= server < 152: version field, mdSizeMultiplier
        details = replace(DA, min_size=None, size_increment=None, suggested_size_increment=None)
        fields = ["10", "8", "-10", *DA_HEAD, *DA_STRIKE_TO_TICK, "100", *DA_MULT_TO_MAGNIFIER]
        fields += [*DA_V4_TO_V7, *DA_121_TO_152[:-1]]
        assert Codec(150).decode(fields) == ContractData(req_id=-10, contract_details=details)

    def test_old_message_versions(self) -> None:
        # official layout (decoder.py processContractDataMsg): fields gated on the
        # message version: reqId >= 3, underConId >= 4, longName >= 5, hours >= 6,
        # secIdList >= 7, evRule >= 8
        v5 = ["10", "5", "-10", *DA_HEAD, *DA_STRIKE_TO_TICK, "100", *DA_MULT_TO_MAGNIFIER]
        v5 += ["36555530", "MILK CLASS III INDEX", ""]
        v5 += ["2147483647", "DA", "IND", "32", "20240403"]
        decoded = Codec(150).decode(v5)
        assert isinstance(decoded, ContractData)
        assert decoded.req_id == -10
        assert decoded.contract_details.long_name == "MILK CLASS III INDEX"
        assert decoded.contract_details.time_zone_id == ""
        assert decoded.contract_details.sec_id_list == ()
        assert decoded.contract_details.market_rule_ids == "32"

        v7 = ["10", "7", "-10", *DA_HEAD, *DA_STRIKE_TO_TICK, "100", *DA_MULT_TO_MAGNIFIER]
        v7 += [*DA_V4_TO_V7[:10], "2", "A", "a", "B", "b", *DA_121_TO_152[:-1]]
        decoded = Codec(150).decode(v7)
        assert isinstance(decoded, ContractData)
        assert decoded.contract_details.sec_id_list == (
            TagValue(tag="A", value="a"),
            TagValue(tag="B", value="b"),
        )
        assert decoded.contract_details.agg_group == 2147483647

        v2 = ["10", "2", *DA_HEAD, *DA_STRIKE_TO_TICK, "100", *DA_MULT_TO_MAGNIFIER]
        v2 += ["2147483647", "DA", "IND", "32", "20240403"]
        decoded = Codec(150).decode(v2)
        assert isinstance(decoded, ContractData)
        assert decoded.req_id == -1
        assert decoded.contract_details.under_con_id == 0

    def test_long_name_escaped_from_153(self) -> None:
        # official behaviour (decoder.py processContractDataMsg): longName is
        # unicode-escaped by the server from 153 (ENCODE_MSG_ASCII7)
        details = replace(DA, long_name="Société Générale")
        msg = ContractData(req_id=-10, contract_details=details)
        fields = Codec(176, server=True).encode(msg)
        assert fields[19] == "Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale"
        assert Codec(176).decode(fields) == msg

    def test_several_sec_ids_after_a_condition(self) -> None:
        # official layout: a list after version-gated fields and one after the
        # fund block decode at their true positions
        details = replace(
            DA,
            sec_id_list=(TagValue(tag="ISIN", value="X1"), TagValue(tag="FIGI", value="X2")),
            ineligibility_reasons=(IneligibilityReason(id="9", description="x"),),
        )
        for version in (150, 176, 186, 200):
            msg = ContractData(
                req_id=2,
                contract_details=details
                if version >= 186
                else replace(details, ineligibility_reasons=()),
            )
            if version < 164:
                msg = replace(
                    msg,
                    contract_details=replace(
                        msg.contract_details,
                        min_size=None,
                        size_increment=None,
                        suggested_size_increment=None,
                    ),
                )
            fields = Codec(version, server=True).encode(msg)
            assert Codec(version).decode(fields) == msg

    @pytest.mark.parametrize(
        ("text", "time", "date"),
        [
            ("20240402-17:10:00", "17:10:00", "20240402"),
            ("20240402 17:10 US/Central", "17:10", "20240402"),
            ("20240402", "", "20240402"),
            ("202404", "", "202404"),
            ("", "", ""),
        ],
    )
    def test_last_trade_time(self, text: str, time: str, date: str) -> None:
        # official behaviour (decoder_utils.setLastTradeDate): split on "-" when
        # present, else on spaces; [1] is lastTradeTime
        details = ContractDetails(contract=Contract(last_trade_date_or_contract_month=text))
        assert details.last_trade_time == time
        assert details.maturity == date


# ------------------------------------------------------------------ BOND_CONTRACT_DATA

BOND = ContractDetails(
    contract=Contract(
        con_id=12345,
        symbol="IBM",
        sec_type="BOND",
        last_trade_date_or_contract_month="20300201 16:00 US/Eastern",
        exchange="SMART",
        currency="USD",
        trading_class="IBM",
    ),
    cusip="459200HU8",
    coupon=3.45,
    issue_date="20200201",
    ratings="A",
    bond_type="FIXED",
    coupon_type="FIXED",
    convertible=False,
    callable=True,
    putable=False,
    desc_append="IBM 3.45 02/01/30",
    market_name="IBM",
    min_tick=0.001,
    order_types="LMT",
    valid_exchanges="SMART",
    next_option_partial=False,
    notes="n",
    long_name="IBM CORP",
    ev_multiplier=0,
    sec_id_list=(TagValue(tag="CUSIP", value="459200HU8"),),
    agg_group=2147483647,
    market_rule_ids="26",
    min_size=Decimal("1"),
    size_increment=Decimal("1"),
    suggested_size_increment=Decimal("1"),
)
BOND_HEAD = ["IBM", "BOND", "459200HU8", "3.45", "20300201 16:00 US/Eastern", "20200201", "A"]
BOND_HEAD += ["FIXED", "FIXED", "0", "1", "0", "IBM 3.45 02/01/30", "SMART", "USD", "IBM", "IBM"]
BOND_HEAD += ["12345", "0.001"]
BOND_MID = ["LMT", "SMART", "", "", "0", "n", "IBM CORP"]
BOND_TAIL = ["", "0", "1", "CUSIP", "459200HU8", "2147483647", "26"]


class TestBondContractData:
    def test_176(self) -> None:
        # official layout (decoder.py processBondContractDataMsg), 164 <= server < 188
        fields = ["18", "4", *BOND_HEAD, *BOND_MID, *BOND_TAIL, "1", "1", "1"]
        check_incoming(BondContractData(req_id=4, contract_details=BOND), fields, 176)

    def test_188_trading_hours(self) -> None:
        # official layout: timeZoneId, tradingHours, liquidHours after longName from 188
        details = replace(
            BOND,
            time_zone_id="US/Eastern",
            trading_hours="20240102:0930-20240102:1600",
            liquid_hours="",
        )
        hours = ["US/Eastern", "20240102:0930-20240102:1600", ""]
        fields = ["18", "4", *BOND_HEAD, *BOND_MID, *hours, *BOND_TAIL, "1", "1", "1"]
        check_incoming(BondContractData(req_id=4, contract_details=details), fields, 188)

    def test_below_164_version_and_md_size_multiplier(self) -> None:
        # official layout: version field below 164, mdSizeMultiplier after minTick (110..163)
        details = replace(BOND, min_size=None, size_increment=None, suggested_size_increment=None)
        fields = ["18", "6", "4", *BOND_HEAD, "1", *BOND_MID, *BOND_TAIL]
        check_incoming(BondContractData(req_id=4, contract_details=details), fields, 163)

    def test_maturity_and_time(self) -> None:
        # official behaviour (setLastTradeDate with isBond): maturity, lastTradeTime, zone
        assert BOND.maturity == "20300201"
        assert BOND.last_trade_time == "16:00"


def test_contract_data_end() -> None:
    # official layout (EWrapper.contractDetailsEnd via interpretWithSignature): version 1
    check_incoming(ContractDataEnd(req_id=-10), ["52", "1", "-10"], 176)


def test_security_definition_option_parameter() -> None:
    # official layout (decoder.py processSecurityDefinitionOptionParameterMsg):
    # two counted lists in a row
    msg = SecurityDefinitionOptionParameter(
        req_id=1,
        exchange="SMART",
        underlying_con_id=265598,
        trading_class="AAPL",
        multiplier="100",
        expirations=("20240621", "20240719"),
        strikes=(150.0, 155.0, 157.5),
    )
    fields = ["75", "1", "SMART", "265598", "AAPL", "100", "2", "20240621", "20240719"]
    fields += ["3", "150.0", "155.0", "157.5"]
    check_incoming(msg, fields, 176)
    check_incoming(
        SecurityDefinitionOptionParameter(req_id=2, strikes=(1.0,)),
        ["75", "2", "", "0", "", "", "0", "1", "1.0"],
        176,
    )


def test_security_definition_option_parameter_end() -> None:
    # official layout (decoder.py processSecurityDefinitionOptionParameterEndMsg)
    check_incoming(SecurityDefinitionOptionParameterEnd(req_id=1), ["76", "1"], 176)


class TestSymbolSamples:
    AAPL = Contract(
        con_id=265598, symbol="AAPL", sec_type="STK", primary_exchange="NASDAQ.NMS", currency="USD"
    )
    BOND = Contract(con_id=1, symbol="IBM", sec_type="BOND", currency="USD")

    def test_176_description_and_issuer(self) -> None:
        # official layout (decoder.py processSymbolSamplesMsg), server >= 176:
        # description and issuerId after each item's derivative types
        msg = SymbolSamples(
            req_id=3,
            contract_descriptions=(
                ContractDescription(contract=self.AAPL, derivative_sec_types=("CFD", "OPT")),
                ContractDescription(
                    contract=replace(self.BOND, description="IBM CORP", issuer_id="e123"),
                ),
            ),
        )
        fields = ["79", "3", "2", "265598", "AAPL", "STK", "NASDAQ.NMS", "USD", "2", "CFD", "OPT"]
        fields += ["", "", "1", "IBM", "BOND", "", "USD", "0", "IBM CORP", "e123"]
        check_incoming(msg, fields, 176)

    def test_175(self) -> None:
        # official layout (decoder.py processSymbolSamplesMsg), server < 176
        msg = SymbolSamples(
            req_id=3,
            contract_descriptions=(
                ContractDescription(contract=self.AAPL, derivative_sec_types=("OPT",)),
            ),
        )
        fields = ["79", "3", "1", "265598", "AAPL", "STK", "NASDAQ.NMS", "USD", "1", "OPT"]
        check_incoming(msg, fields, 175)
        with pytest.raises(LocalProtocolError):
            Codec(175, server=True).encode(
                SymbolSamples(
                    req_id=1,
                    contract_descriptions=(ContractDescription(contract=Contract(issuer_id="e1")),),
                )
            )

    def test_truncated(self) -> None:
        with pytest.raises(MalformedMessageError, match="contract_descriptions"):
            Codec(176).decode(["79", "3", "1", "265598", "AAPL", "STK", "X", "USD", "2", "OPT"])


def test_market_rule() -> None:
    # official layout (decoder.py processMarketRuleMsg)
    msg = MarketRule(
        market_rule_id=26,
        price_increments=(
            PriceIncrement(low_edge=0.0, increment=0.01),
            PriceIncrement(low_edge=1.0, increment=0.05),
        ),
    )
    check_incoming(msg, ["93", "26", "2", "0.0", "0.01", "1.0", "0.05"], 176)


def test_fundamental_data() -> None:
    # official layout (EWrapper.fundamentalData via interpretWithSignature):
    # version 1, reqId, data (unicode-unescaped from 153)
    check_incoming(
        FundamentalData(req_id=5, data="<x>é</x>"), ["51", "1", "5", "<x>\\u00e9</x>"], 176
    )
    check_incoming(FundamentalData(req_id=5, data="<x>é</x>"), ["51", "1", "5", "<x>é</x>"], 152)


# ------------------------------------------------------------------ outgoing


class TestReqContractData:
    CONTRACT = Contract(symbol="DA", sec_type="FUT", exchange="CME", trading_class="DC")

    def test_176_issuer_id(self) -> None:
        # official layout (client.py reqContractDetails): version 8, C12,
        # includeExpired, secIdType, secId, issuerId (>= 176)
        req = ReqContractData(req_id=-10, contract=replace(self.CONTRACT, issuer_id="e1"))
        fields = ["9", "8", "-10", "0", "DA", "FUT", "", "", "", "", "CME", "", "", "", "DC"]
        check_outgoing(req, [*fields, "0", "", "", "e1"], 176)

    def test_175(self) -> None:
        # official layout (client.py reqContractDetails), server < 176
        req = ReqContractData(
            req_id=1,
            contract=replace(self.CONTRACT, include_expired=True, sec_id_type="ISIN", sec_id="X"),
        )
        fields = ["9", "8", "1", "0", "DA", "FUT", "", "", "", "", "CME", "", "", "", "DC"]
        check_outgoing(req, [*fields, "1", "ISIN", "X"], 175)

    def test_issuer_id_needs_176(self) -> None:
        req = ReqContractData(req_id=1, contract=replace(self.CONTRACT, issuer_id="e1"))
        with pytest.raises(UnsupportedByServerError):
            Codec(175).encode(req)


def test_req_sec_def_opt_params() -> None:
    # official layout (client.py reqSecDefOptParams)
    req = ReqSecDefOptParams(
        req_id=1, underlying_symbol="AAPL", underlying_sec_type="STK", underlying_con_id=265598
    )
    check_outgoing(req, ["78", "1", "AAPL", "", "STK", "265598"], 104)
    with pytest.raises(UnsupportedByServerError):
        Codec(103).encode(req)


def test_req_matching_symbols() -> None:
    # official layout (client.py reqMatchingSymbols)
    check_outgoing(ReqMatchingSymbols(req_id=2, pattern="IBM"), ["81", "2", "IBM"], 108)
    with pytest.raises(UnsupportedByServerError):
        Codec(107).encode(ReqMatchingSymbols(req_id=2, pattern="IBM"))


def test_req_market_rule() -> None:
    # official layout (client.py reqMarketRule)
    check_outgoing(ReqMarketRule(market_rule_id=26), ["91", "26"], 126)
    with pytest.raises(UnsupportedByServerError):
        Codec(125).encode(ReqMarketRule(market_rule_id=26))


class TestReqFundamentalData:
    IBM = Contract(con_id=8314, symbol="IBM", sec_type="STK", exchange="SMART", currency="USD")
    HEAD = ["52", "2", "3", "8314", "IBM", "STK", "SMART", "", "USD", "", "ReportsFinSummary"]

    def test_vector(self) -> None:
        # official layout (client.py reqFundamentalData): version 2, 7 contract
        # fields, reportType, then (>= 70) the options count and text
        req = ReqFundamentalData(req_id=3, contract=self.IBM, report_type="ReportsFinSummary")
        check_outgoing(req, [*self.HEAD, "0", ""], 176)

    def test_options_count(self) -> None:
        # official layout: the count is the number of TagValue pairs
        req = ReqFundamentalData(
            req_id=3,
            contract=self.IBM,
            report_type="ReportsFinSummary",
            fundamental_data_options="a=1;b=2;",
        )
        check_outgoing(req, [*self.HEAD, "2", "a=1;b=2;"], 176)

    def test_min_version(self) -> None:
        req = ReqFundamentalData(req_id=3, contract=self.IBM, report_type="RESC")
        with pytest.raises(UnsupportedByServerError):
            Codec(67).encode(req)


def test_cancel_fundamental_data() -> None:
    # official layout (client.py cancelFundamentalData): version 1
    check_outgoing(CancelFundamentalData(req_id=3), ["53", "1", "3"], 176)


# ------------------------------------------------------------------ real traffic

IN_IDS = {"10", "18", "51", "52", "75", "76", "79", "93"}
OUT_IDS = {"9", "52", "53", "78", "81", "91"}


def test_real_contract_data_decodes() -> None:
    records = [r for r in real_records() if r.direction == "in" and r.fields[:1] == ("10",)]
    # pyfutures-v176.jsonl holds 61 CONTRACT_DATA messages at server version 176
    assert len(records) >= 61
    for record in records:
        msg = Codec(record.server_version or 176).decode(list(record.fields))
        assert isinstance(msg, ContractData), record.source
        details = msg.contract_details
        # the last fields are the three sizes (SIZE_RULES, 164+), read as numbers
        assert details.min_size is not None, record.source
        assert details.contract.con_id > 0, record.source
        assert details.contract.last_trade_date_or_contract_month == record.fields[4]
        assert details.last_trade_time, record.source


def test_real_incoming_decode() -> None:
    records = [
        r for r in real_records() if r.direction == "in" and r.fields[:1] and r.fields[0] in IN_IDS
    ]
    assert {r.fields[0] for r in records} >= {"10", "52"}
    for record in records:
        msg = Codec(record.server_version or 176).decode(list(record.fields))
        assert type(msg).MSG_ID == int(record.fields[0]), record.source


def test_real_outgoing_reencode() -> None:
    records = [
        r
        for r in real_records()
        if r.direction == "out" and r.fields[:1] and r.fields[0] in OUT_IDS
    ]
    assert records, "the captures hold REQ_CONTRACT_DATA requests"
    for record in records:
        version = record.server_version or 176
        fields = list(record.fields)
        assert Codec(version).encode(Codec(version, server=True).decode(fields)) == fields, (
            record.source
        )
