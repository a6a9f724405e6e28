"""Tests of ibwire.messages.historical: byte-exact vectors per version band, gates, real traffic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ibwire.codec import Codec
from ibwire.errors import LocalProtocolError, UnsupportedByServerError
from ibwire.messages import (
    BarData,
    CancelHeadTimestamp,
    CancelHistogramData,
    CancelHistoricalData,
    ComboLeg,
    Contract,
    HeadTimestamp,
    HistogramData,
    HistogramEntry,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    HistoricalSchedule,
    HistoricalSession,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    ReqHeadTimestamp,
    ReqHistogramData,
    ReqHistoricalData,
    ReqHistoricalTicks,
    TickAttribBidAsk,
    TickAttribLast,
)
from tests.vectors import check_incoming, check_outgoing, real_records

# The contract of the requests below and its C12 text fields.
ES = Contract(
    con_id=495512552,
    symbol="ES",
    sec_type="FUT",
    last_trade_date_or_contract_month="202406",
    multiplier="50",
    exchange="CME",
    currency="USD",
    local_symbol="ESM4",
    trading_class="ES",
)
ES_C12 = ["495512552", "ES", "FUT", "202406", "", "", "50", "CME", "", "USD", "ESM4", "ES"]

BAR_1 = BarData(
    date="20240318",
    open=16.01,
    high=16.3,
    low=15.95,
    close=16.16,
    volume=Decimal("568"),
    wap=Decimal("16.103"),
    bar_count=405,
)
BAR_1_FIELDS = ["20240318", "16.01", "16.3", "15.95", "16.16", "568", "16.103", "405"]
BAR_2 = BarData(
    date="1711637220",
    open=0.6532,
    high=0.6534,
    low=0.6531,
    close=0.6531,
    volume=Decimal("-1"),
    wap=Decimal("-1"),
    bar_count=-1,
)
BAR_2_FIELDS = ["1711637220", "0.6532", "0.6534", "0.6531", "0.6531", "-1", "-1", "-1"]


# ------------------------------------------------------------------ incoming


class TestHistoricalData:
    def test_from_196_no_dates(self) -> None:
        # official layout (decoder.py processHistoricalDataMsg), server >= 196
        fields = ["17", "7", "2", *BAR_1_FIELDS, *BAR_2_FIELDS]
        check_incoming(HistoricalData(req_id=7, bars=(BAR_1, BAR_2)), fields, 200)
        check_incoming(HistoricalData(req_id=7, bars=(BAR_1, BAR_2)), fields, 196)

    def test_124_to_195_carries_dates(self) -> None:
        # official layout (decoder.py processHistoricalDataMsg), 124 <= server < 196
        fields = ["17", "-11", "20240317-16:30:00", "20240322-16:30:00", "1", *BAR_1_FIELDS]
        msg = HistoricalData(
            req_id=-11,
            start_date_str="20240317-16:30:00",
            end_date_str="20240322-16:30:00",
            bars=(BAR_1,),
        )
        check_incoming(msg, fields, 176)
        check_incoming(msg, fields, 195)
        check_incoming(msg, fields, 124)

    def test_below_124_version_and_has_gaps(self) -> None:
        # official layout (decoder.py processHistoricalDataMsg), server < 124: a
        # version field after the id and a hasGaps text before each bar's count
        fields = ["17", "3", "5", "s", "e", "2"]
        fields += [*BAR_1_FIELDS[:7], "false", "405", *BAR_2_FIELDS[:7], "false", "-1"]
        msg = HistoricalData(req_id=5, start_date_str="s", end_date_str="e", bars=(BAR_1, BAR_2))
        check_incoming(msg, fields, 123)

    def test_has_gaps_value_is_ignored(self) -> None:
        # official layout: the decoder reads and drops hasGaps, whatever it says
        fields = ["17", "3", "5", "s", "e", "1", *BAR_1_FIELDS[:7], "true", "405"]
        decoded = Codec(100).decode(fields)
        assert decoded == HistoricalData(
            req_id=5, start_date_str="s", end_date_str="e", bars=(BAR_1,)
        )

    def test_dates_refused_from_196(self) -> None:
        msg = HistoricalData(req_id=1, start_date_str="x")
        with pytest.raises(LocalProtocolError, match="start_date_str"):
            Codec(196, server=True).encode(msg)

    def test_empty(self) -> None:
        # official layout, no bars
        check_incoming(HistoricalData(req_id=3), ["17", "3", "0"], 200)


def test_historical_data_end() -> None:
    # official layout (decoder.py processHistoricalDataEndMsg), server >= 196
    msg = HistoricalDataEnd(
        req_id=7, start_date_str="20240317-16:30:00", end_date_str="20240322-16:30:00"
    )
    check_incoming(msg, ["108", "7", "20240317-16:30:00", "20240322-16:30:00"], 200)


def test_historical_data_update_field_order() -> None:
    # official layout (decoder.py processHistoricalDataUpdateMsg): barCount, date,
    # open, close, high, low, wap, volume
    fields = [
        "90",
        "-10",
        "-1",
        "1711637280",
        "0.6531",
        "0.6532",
        "0.6533",
        "0.653",
        "0.65315",
        "12",
    ]
    bar = BarData(
        date="1711637280",
        open=0.6531,
        close=0.6532,
        high=0.6533,
        low=0.653,
        wap=Decimal("0.65315"),
        volume=Decimal("12"),
        bar_count=-1,
    )
    check_incoming(HistoricalDataUpdate(req_id=-10, bar=bar), fields, 176)


def test_head_timestamp() -> None:
    # official layout (decoder.py processHeadTimestamp)
    check_incoming(
        HeadTimestamp(req_id=0, head_timestamp="20220329-08:00:00"),
        ["88", "0", "20220329-08:00:00"],
        176,
    )


def test_histogram_data() -> None:
    # official layout (decoder.py processHistogramData): count, {price, size}
    msg = HistogramData(
        req_id=4,
        items=(
            HistogramEntry(price=100.25, size=Decimal("1500")),
            HistogramEntry(price=100.5, size=Decimal("0.5")),
        ),
    )
    check_incoming(msg, ["89", "4", "2", "100.25", "1500", "100.5", "0.5"], 176)


def test_historical_ticks_midpoint() -> None:
    # official layout (decoder.py processHistoricalTicks): time, unused, price, size
    msg = HistoricalTicks(
        req_id=2,
        ticks=(
            HistoricalTick(time=1700069390, price=2727.5, size=Decimal("0")),
            HistoricalTick(time=1700069391, price=2728.0, size=Decimal("0")),
        ),
        done=True,
    )
    fields = [
        "96",
        "2",
        "2",
        "1700069390",
        "0",
        "2727.5",
        "0",
        "1700069391",
        "0",
        "2728.0",
        "0",
        "1",
    ]
    check_incoming(msg, fields, 176)


class TestHistoricalTicksBidAsk:
    def test_vector(self) -> None:
        # official layout (decoder.py processHistoricalTicksBidAsk)
        msg = HistoricalTicksBidAsk(
            req_id=0,
            ticks=(
                HistoricalTickBidAsk(
                    time=1700069390,
                    price_bid=2720.0,
                    price_ask=2735.0,
                    size_bid=Decimal("1"),
                    size_ask=Decimal("2"),
                ),
            ),
            done=False,
        )
        fields = ["97", "0", "1", "1700069390", "0", "2720.0", "2735.0", "1", "2", "0"]
        check_incoming(msg, fields, 176)

    @pytest.mark.parametrize(
        ("mask", "attrib"),
        [
            # bit 0 is askPastHigh, bit 1 bidPastLow (the reverse of tick-by-tick)
            ("1", TickAttribBidAsk(ask_past_high=True)),
            ("2", TickAttribBidAsk(bid_past_low=True)),
            ("3", TickAttribBidAsk(ask_past_high=True, bid_past_low=True)),
        ],
    )
    def test_mask_bits(self, mask: str, attrib: TickAttribBidAsk) -> None:
        # official layout (decoder.py processHistoricalTicksBidAsk: mask & 1 askPastHigh)
        fields = ["97", "1", "1", "5", mask, "1.0", "2.0", "3", "4", "1"]
        tick = HistoricalTickBidAsk(
            time=5,
            tick_attrib_bid_ask=attrib,
            price_bid=1.0,
            price_ask=2.0,
            size_bid=Decimal("3"),
            size_ask=Decimal("4"),
        )
        check_incoming(HistoricalTicksBidAsk(req_id=1, ticks=(tick,), done=True), fields, 176)


class TestHistoricalTicksLast:
    def test_vector(self) -> None:
        # official layout (decoder.py processHistoricalTicksLast)
        msg = HistoricalTicksLast(
            req_id=0,
            ticks=(
                HistoricalTickLast(
                    time=1700069395,
                    price=2539.0,
                    size=Decimal("1"),
                    exchange="IFEU",
                    special_conditions="",
                ),
                HistoricalTickLast(
                    time=1700069396,
                    price=2541.0,
                    size=Decimal("3"),
                    exchange="IFEU",
                    special_conditions="T",
                ),
            ),
            done=True,
        )
        fields = ["98", "0", "2"]
        fields += ["1700069395", "0", "2539.0", "1", "IFEU", ""]
        fields += ["1700069396", "0", "2541.0", "3", "IFEU", "T", "1"]
        check_incoming(msg, fields, 176)

    @pytest.mark.parametrize(
        ("mask", "attrib"),
        [
            ("1", TickAttribLast(past_limit=True)),
            ("2", TickAttribLast(unreported=True)),
            ("3", TickAttribLast(past_limit=True, unreported=True)),
        ],
    )
    def test_mask_bits(self, mask: str, attrib: TickAttribLast) -> None:
        # official layout (decoder.py processHistoricalTicksLast: mask & 1 pastLimit)
        fields = ["98", "1", "1", "5", mask, "1.5", "2", "NYSE", "I", "0"]
        tick = HistoricalTickLast(
            time=5,
            tick_attrib_last=attrib,
            price=1.5,
            size=Decimal("2"),
            exchange="NYSE",
            special_conditions="I",
        )
        check_incoming(HistoricalTicksLast(req_id=1, ticks=(tick,)), fields, 176)


def test_historical_schedule() -> None:
    # official layout (decoder.py processHistoricalSchedule)
    msg = HistoricalSchedule(
        req_id=9,
        start_date_time="20240101-00:00:00",
        end_date_time="20240103-00:00:00",
        time_zone="US/Central",
        sessions=(
            HistoricalSession(
                start_date_time="20240101-17:00:00",
                end_date_time="20240102-16:00:00",
                ref_date="20240102",
            ),
            HistoricalSession(
                start_date_time="20240102-17:00:00",
                end_date_time="20240103-16:00:00",
                ref_date="20240103",
            ),
        ),
    )
    fields = ["106", "9", "20240101-00:00:00", "20240103-00:00:00", "US/Central", "2"]
    fields += ["20240101-17:00:00", "20240102-16:00:00", "20240102"]
    fields += ["20240102-17:00:00", "20240103-16:00:00", "20240103"]
    check_incoming(msg, fields, 176)


# ------------------------------------------------------------------ outgoing


class TestReqHistoricalData:
    REQ = ReqHistoricalData(
        req_id=-10,
        contract=ES,
        end_date_time="20240322-16:30:00",
        bar_size_setting="1 day",
        duration_str="5 D",
        use_rth=True,
        what_to_show="TRADES",
        format_date=2,
        keep_up_to_date=False,
    )
    TAIL = ["0", "20240322-16:30:00", "1 day", "5 D", "1", "TRADES", "2"]

    def test_from_124_no_version(self) -> None:
        # official layout (client.py reqHistoricalData), server >= 124
        check_outgoing(self.REQ, ["20", "-10", *ES_C12, *self.TAIL, "0", ""], 176)

    def test_below_124_version_6_and_no_keep_up_to_date(self) -> None:
        # official layout (client.py reqHistoricalData), server < 124
        check_outgoing(self.REQ, ["20", "6", "-10", *ES_C12, *self.TAIL, ""], 123)

    def test_keep_up_to_date_needs_124(self) -> None:
        req = ReqHistoricalData(
            req_id=1,
            contract=ES,
            bar_size_setting="1 min",
            duration_str="60 S",
            what_to_show="BID",
            keep_up_to_date=True,
        )
        with pytest.raises(UnsupportedByServerError):
            Codec(123).encode(req)
        assert Codec(124).encode(req)[-2:] == ["1", ""]

    def test_bag_sends_combo_legs(self) -> None:
        # official layout (client.py reqHistoricalData): for BAG, count then
        # {conId, ratio, action, exchange} after formatDate
        bag = Contract(
            symbol="ES",
            sec_type="BAG",
            exchange="CME",
            currency="USD",
            include_expired=True,
            combo_legs=(
                ComboLeg(con_id=1, ratio=1, action="BUY", exchange="CME"),
                ComboLeg(con_id=2, ratio=2, action="SELL", exchange="CME"),
            ),
        )
        req = ReqHistoricalData(
            req_id=3,
            contract=bag,
            bar_size_setting="1 hour",
            duration_str="1 W",
            what_to_show="MIDPOINT",
            chart_options="XYZ=1;",
        )
        fields = ["20", "3", "0", "ES", "BAG", "", "", "", "", "CME", "", "USD", "", ""]
        fields += ["1", "", "1 hour", "1 W", "0", "MIDPOINT", "1"]
        fields += ["2", "1", "1", "BUY", "CME", "2", "2", "SELL", "CME", "0", "XYZ=1;"]
        check_outgoing(req, fields, 176)

    def test_legs_of_a_non_bag_are_not_sent(self) -> None:
        contract = Contract(symbol="X", sec_type="STK", combo_legs=(ComboLeg(con_id=1),))
        req = ReqHistoricalData(
            req_id=1,
            contract=contract,
            bar_size_setting="1 day",
            duration_str="1 D",
            what_to_show="TRADES",
        )
        assert len(Codec(176).encode(req)) == 23


def test_cancel_historical_data() -> None:
    # official layout (client.py cancelHistoricalData): version 1
    check_outgoing(CancelHistoricalData(req_id=-10), ["25", "1", "-10"], 176)


class TestReqHeadTimestamp:
    def test_vector(self) -> None:
        # official layout (client.py reqHeadTimeStamp): C12, includeExpired,
        # useRTH, whatToShow, formatDate
        req = ReqHeadTimestamp(
            req_id=0, contract=ES, use_rth=True, what_to_show="BID", format_date=1
        )
        check_outgoing(req, ["87", "0", *ES_C12, "0", "1", "BID", "1"], 176)
        check_outgoing(req, ["87", "0", *ES_C12, "0", "1", "BID", "1"], 118)

    def test_needs_118(self) -> None:
        req = ReqHeadTimestamp(req_id=0, contract=ES, what_to_show="BID")
        with pytest.raises(UnsupportedByServerError):
            Codec(117).encode(req)


def test_cancel_head_timestamp() -> None:
    # official layout (client.py cancelHeadTimeStamp)
    check_outgoing(CancelHeadTimestamp(req_id=5), ["90", "5"], 123)
    with pytest.raises(UnsupportedByServerError):
        Codec(122).encode(CancelHeadTimestamp(req_id=5))


def test_req_histogram_data() -> None:
    # official layout (client.py reqHistogramData): C12, includeExpired, useRTH, timePeriod
    req = ReqHistogramData(ticker_id=8, contract=ES, use_rth=False, time_period="3 days")
    check_outgoing(req, ["88", "8", *ES_C12, "0", "0", "3 days"], 119)
    with pytest.raises(UnsupportedByServerError):
        Codec(118).encode(req)


def test_cancel_histogram_data() -> None:
    # official layout (client.py cancelHistogramData)
    check_outgoing(CancelHistogramData(ticker_id=8), ["89", "8"], 176)
    with pytest.raises(UnsupportedByServerError):
        Codec(118).encode(CancelHistogramData(ticker_id=8))


def test_req_historical_ticks() -> None:
    # official layout (client.py reqHistoricalTicks)
    req = ReqHistoricalTicks(
        req_id=0,
        contract=ES,
        end_date_time="20231115 21:22:38 UTC",
        number_of_ticks=2,
        what_to_show="BID_ASK",
        use_rth=True,
        ignore_size=True,
    )
    fields = ["96", "0", *ES_C12, "0", "", "20231115 21:22:38 UTC", "2", "BID_ASK", "1", "1", ""]
    check_outgoing(req, fields, 130)
    with pytest.raises(UnsupportedByServerError):
        Codec(129).encode(req)


# ------------------------------------------------------------------ real traffic

IN_IDS = {"17", "88", "89", "90", "96", "97", "98", "106", "108"}
OUT_IDS = {"20", "25", "87", "88", "89", "90", "96"}


def test_real_incoming_decode() -> None:
    records = [
        r for r in real_records() if r.direction == "in" and r.fields and r.fields[0] in IN_IDS
    ]
    assert records, "the captures hold historical data messages"
    seen = set()
    for record in records:
        codec = Codec(record.server_version or 176)
        msg = codec.decode(list(record.fields))
        assert type(msg).MSG_ID == int(record.fields[0]), record.source
        seen.add(record.fields[0])
    # ids 17, 88, 90, 97 and 98 are in pyfutures-v176.jsonl
    assert {"17", "88", "90", "97", "98"} <= seen


def test_real_historical_data_bars() -> None:
    # every bar of every real HISTORICAL_DATA message decodes, with the bar count announced
    for record in real_records():
        if record.direction == "in" and record.fields[:1] == ("17",):
            msg = Codec(record.server_version or 176).decode(list(record.fields))
            assert isinstance(msg, HistoricalData)
            assert len(msg.bars) == int(record.fields[4]), record.source


def test_real_outgoing_reencode() -> None:
    records = [
        r for r in real_records() if r.direction == "out" and r.fields and r.fields[0] in OUT_IDS
    ]
    assert records, "the captures hold historical requests"
    for record in records:
        version = record.server_version or 176
        fields = list(record.fields)
        assert Codec(version).encode(Codec(version, server=True).decode(fields)) == fields, (
            record.source
        )
