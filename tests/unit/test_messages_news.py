"""Tests of ibwire.messages.news: byte-exact vectors per version band, gates, real traffic."""

from __future__ import annotations

import pytest

from ibwire.codec import Codec
from ibwire.errors import UnsupportedByServerError
from ibwire.messages import (
    CancelNewsBulletins,
    CancelWshEventData,
    CancelWshMetaData,
    HistoricalNews,
    HistoricalNewsEnd,
    NewsArticle,
    NewsBulletins,
    NewsProvider,
    NewsProviders,
    ReqHistoricalNews,
    ReqNewsArticle,
    ReqNewsBulletins,
    ReqNewsProviders,
    ReqWshEventData,
    ReqWshMetaData,
    TickNews,
    WshEventData,
    WshEventDataParams,
    WshMetaData,
)
from tests.vectors import check_incoming, check_outgoing, real_records

# ------------------------------------------------------------------ incoming


class TestNewsBulletins:
    def test_vector(self) -> None:
        # official layout (EWrapper.updateNewsBulletin via interpretWithSignature):
        # version 1, msgId, msgType, newsMessage, originExch
        msg = NewsBulletins(
            msg_id=12, msg_type=2, news_message="Exchange closed", origin_exch="ISE"
        )
        check_incoming(msg, ["14", "1", "12", "2", "Exchange closed", "ISE"], 176)

    def test_unescaped_from_153(self) -> None:
        # official behaviour (interpretWithSignature): text unicode-unescaped from 153
        msg = NewsBulletins(msg_id=1, msg_type=1, news_message="Zürich", origin_exch="")
        check_incoming(msg, ["14", "1", "1", "1", "Z\\u00fcrich", ""], 153)
        check_incoming(msg, ["14", "1", "1", "1", "Zürich", ""], 152)


def test_news_article() -> None:
    # official layout (decoder.py processNewsArticle)
    msg = NewsArticle(request_id=4, article_type=0, article_text="<p>Headline</p>")
    check_incoming(msg, ["83", "4", "0", "<p>Headline</p>"], 176)


def test_tick_news() -> None:
    # official layout (decoder.py processTickNews): timeStamp in epoch milliseconds
    msg = TickNews(
        ticker_id=1001,
        time_stamp=1700069390123,
        provider_code="BZ",
        article_id="BZ$12345",
        headline="Stocks rise",
        extra_data="A:800015:L:en:K:n/a:C:0.83",
    )
    fields = ["84", "1001", "1700069390123", "BZ", "BZ$12345", "Stocks rise"]
    check_incoming(msg, [*fields, "A:800015:L:en:K:n/a:C:0.83"], 176)


def test_news_providers() -> None:
    # official layout (decoder.py processNewsProviders): count, {code, name}
    msg = NewsProviders(
        news_providers=(
            NewsProvider(code="BZ", name="Benzinga Pro"),
            NewsProvider(code="FLY", name="Fly on the Wall"),
        )
    )
    check_incoming(msg, ["85", "2", "BZ", "Benzinga Pro", "FLY", "Fly on the Wall"], 176)
    check_incoming(NewsProviders(), ["85", "0"], 176)


def test_historical_news() -> None:
    # official layout (decoder.py processHistoricalNews)
    msg = HistoricalNews(
        request_id=5,
        time="2024-03-01 13:30:00.0",
        provider_code="BZ",
        article_id="BZ$1",
        headline="Earnings beat",
    )
    check_incoming(msg, ["86", "5", "2024-03-01 13:30:00.0", "BZ", "BZ$1", "Earnings beat"], 176)


def test_historical_news_end() -> None:
    # official layout (decoder.py processHistoricalNewsEnd)
    check_incoming(HistoricalNewsEnd(request_id=5, has_more=True), ["87", "5", "1"], 176)
    check_incoming(HistoricalNewsEnd(request_id=5, has_more=False), ["87", "5", "0"], 176)


def test_wsh_meta_data() -> None:
    # official layout (decoder.py processWshMetaDataMsg)
    check_incoming(WshMetaData(req_id=1, data_json='{"a":1}'), ["104", "1", '{"a":1}'], 176)


def test_wsh_event_data() -> None:
    # official layout (decoder.py processWshEventDataMsg)
    check_incoming(WshEventData(req_id=2, data_json="[]"), ["105", "2", "[]"], 176)


# ------------------------------------------------------------------ outgoing


def test_req_news_bulletins() -> None:
    # official layout (client.py reqNewsBulletins): version 1, allMsgs
    check_outgoing(ReqNewsBulletins(all_msgs=True), ["12", "1", "1"], 176)
    check_outgoing(ReqNewsBulletins(), ["12", "1", "0"], 100)


def test_cancel_news_bulletins() -> None:
    # official layout (client.py cancelNewsBulletins): version 1
    check_outgoing(CancelNewsBulletins(), ["13", "1"], 176)


class TestReqNewsArticle:
    REQ = ReqNewsArticle(req_id=4, provider_code="BZ", article_id="BZ$1")

    def test_from_128_options(self) -> None:
        # official layout (client.py reqNewsArticle): newsArticleOptions from 128
        check_outgoing(self.REQ, ["84", "4", "BZ", "BZ$1", ""], 128)

    def test_116_to_127(self) -> None:
        # official layout (client.py reqNewsArticle), server < 128
        check_outgoing(self.REQ, ["84", "4", "BZ", "BZ$1"], 127)
        with pytest.raises(UnsupportedByServerError):
            Codec(127).encode(
                ReqNewsArticle(
                    req_id=4, provider_code="BZ", article_id="x", news_article_options="a=b;"
                )
            )

    def test_needs_116(self) -> None:
        with pytest.raises(UnsupportedByServerError):
            Codec(115).encode(self.REQ)


def test_req_news_providers() -> None:
    # official layout (client.py reqNewsProviders): the id only
    check_outgoing(ReqNewsProviders(), ["85"], 115)
    with pytest.raises(UnsupportedByServerError):
        Codec(114).encode(ReqNewsProviders())


class TestReqHistoricalNews:
    REQ = ReqHistoricalNews(
        req_id=6,
        con_id=8314,
        provider_codes="BZ+FLY",
        start_date_time="2024-01-01 00:00:00.0",
        end_date_time="2024-02-01 00:00:00.0",
        total_results=10,
    )
    FIELDS = ["86", "6", "8314", "BZ+FLY", "2024-01-01 00:00:00.0", "2024-02-01 00:00:00.0", "10"]

    def test_from_128(self) -> None:
        # official layout (client.py reqHistoricalNews): historicalNewsOptions from 128
        check_outgoing(self.REQ, [*self.FIELDS, ""], 176)

    def test_117_to_127(self) -> None:
        # official layout (client.py reqHistoricalNews), server < 128
        check_outgoing(self.REQ, self.FIELDS, 117)
        with pytest.raises(UnsupportedByServerError):
            Codec(116).encode(self.REQ)


def test_req_wsh_meta_data() -> None:
    # official layout (client.py reqWshMetaData)
    check_outgoing(ReqWshMetaData(req_id=1), ["100", "1"], 161)
    with pytest.raises(UnsupportedByServerError):
        Codec(160).encode(ReqWshMetaData(req_id=1))


def test_cancel_wsh_meta_data() -> None:
    # official layout (client.py cancelWshMetaData)
    check_outgoing(CancelWshMetaData(req_id=1), ["101", "1"], 161)
    with pytest.raises(UnsupportedByServerError):
        Codec(160).encode(CancelWshMetaData(req_id=1))


class TestReqWshEventData:
    def test_161_con_id_only(self) -> None:
        # official layout (client.py reqWshEventData), 161 <= server < 171
        check_outgoing(
            ReqWshEventData(req_id=2, wsh_event_data=WshEventDataParams(con_id=8314)),
            ["102", "2", "8314"],
            161,
        )

    def test_171_filters(self) -> None:
        # official layout (client.py reqWshEventData), 171 <= server < 173; an
        # unset conId is sent as the literal UNSET_INTEGER
        params = WshEventDataParams(filter='{"watchlist":["8314"]}', fill_watchlist=True)
        fields = ["102", "2", "2147483647", '{"watchlist":["8314"]}', "1", "0", "0"]
        check_outgoing(ReqWshEventData(req_id=2, wsh_event_data=params), fields, 171)

    def test_173_dates(self) -> None:
        # official layout (client.py reqWshEventData), server >= 173; an unset
        # totalLimit is sent as the literal UNSET_INTEGER
        params = WshEventDataParams(
            con_id=8314,
            fill_portfolio=True,
            fill_competitors=True,
            start_date="20240101",
            end_date="20240301",
        )
        fields = ["102", "2", "8314", "", "0", "1", "1", "20240101", "20240301", "2147483647"]
        check_outgoing(ReqWshEventData(req_id=2, wsh_event_data=params), fields, 173)
        limited = WshEventDataParams(con_id=8314, total_limit=50)
        fields = ["102", "3", "8314", "", "0", "0", "0", "", "", "50"]
        check_outgoing(ReqWshEventData(req_id=3, wsh_event_data=limited), fields, 200)

    @pytest.mark.parametrize(
        ("params", "version"),
        [
            (WshEventDataParams(filter="{}"), 170),
            (WshEventDataParams(fill_watchlist=True), 170),
            (WshEventDataParams(fill_portfolio=True), 170),
            (WshEventDataParams(fill_competitors=True), 170),
            (WshEventDataParams(start_date="20240101"), 172),
            (WshEventDataParams(end_date="20240101"), 172),
            (WshEventDataParams(total_limit=10), 172),
        ],
    )
    def test_filters_need_newer_servers(self, params: WshEventDataParams, version: int) -> None:
        # official behaviour (client.py reqWshEventData refuses these below 171 / 173)
        with pytest.raises(UnsupportedByServerError):
            Codec(version).encode(ReqWshEventData(req_id=1, wsh_event_data=params))

    def test_needs_161(self) -> None:
        with pytest.raises(UnsupportedByServerError):
            Codec(160).encode(ReqWshEventData(req_id=1))


def test_cancel_wsh_event_data() -> None:
    # official layout (client.py cancelWshEventData)
    check_outgoing(CancelWshEventData(req_id=2), ["103", "2"], 161)
    with pytest.raises(UnsupportedByServerError):
        Codec(160).encode(CancelWshEventData(req_id=2))


# ------------------------------------------------------------------ real traffic

IN_IDS = {"14", "83", "84", "85", "86", "87", "104", "105"}
OUT_IDS = {"12", "13", "84", "85", "86", "100", "101", "102", "103"}


def test_real_traffic() -> None:
    # pyfutures-v176.jsonl holds none of these ids; any later capture that does is
    # decoded, and its requests must re-encode to the same fields
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
