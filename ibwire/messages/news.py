"""News: bulletins, providers, articles, headlines, and Wall Street Horizon events.

The ``TagValueList`` options of the news requests travel as one ``"tag=value;"``
text field; they are plain ``str`` fields here, as in the other request modules.
"""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar

from ..fields import BOOL, ESC_STR, INT, LONG, OPT_INT_MAX, STR
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import F, Message, Node, Repeat, Struct, Ver, dataclass, message

__all__ = [
    "CancelNewsBulletins",
    "CancelWshEventData",
    "CancelWshMetaData",
    "HistoricalNews",
    "HistoricalNewsEnd",
    "NewsArticle",
    "NewsBulletins",
    "NewsProvider",
    "NewsProviders",
    "ReqHistoricalNews",
    "ReqNewsArticle",
    "ReqNewsBulletins",
    "ReqNewsProviders",
    "ReqWshEventData",
    "ReqWshMetaData",
    "TickNews",
    "WshEventData",
    "WshEventDataParams",
    "WshMetaData",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class NewsProvider:
    """A news provider (the official ``NewsProvider``).

    Attributes:
        code: the provider code, e.g. ``BZ``, ``FLY``.
        name: the provider's name.
    """

    code: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WshEventDataParams:
    """What a Wall Street Horizon event request asks for (the official ``WshEventData``).

    The official class shares its name with the ``WSH_EVENT_DATA`` message
    (:class:`WshEventData` here), hence this name.

    Attributes:
        con_id: the contract id of the company; ``None`` (sent as
            ``2147483647``) when a filter selects the events.
        filter: a JSON filter (server 171+).
        fill_watchlist: add the events of the watchlist's contracts (server 171+).
        fill_portfolio: add the events of the portfolio's contracts (server 171+).
        fill_competitors: add the events of competitors (server 171+).
        start_date: the first date, ``yyyymmdd`` (server 173+).
        end_date: the last date, ``yyyymmdd`` (server 173+).
        total_limit: the maximum number of events; ``None`` (sent as
            ``2147483647``) for no limit (server 173+).
    """

    con_id: int | None = None
    filter: str = ""
    fill_watchlist: bool = False
    fill_portfolio: bool = False
    fill_competitors: bool = False
    start_date: str = ""
    end_date: str = ""
    total_limit: int | None = None


# ------------------------------------------------------------------ incoming


@message(IncomingId.NEWS_BULLETINS)
@dataclass(frozen=True, slots=True, kw_only=True)
class NewsBulletins(Message):
    """``NEWS_BULLETINS`` (14), EWrapper ``updateNewsBulletin``.

    Attributes:
        msg_id: the bulletin's id.
        msg_type: 1 regular bulletin, 2 exchange no longer available for trading,
            3 exchange available for trading again.
        news_message: the bulletin's text (unescaped: the official client
            unicode-unescapes this message's text from server 153).
        origin_exch: the exchange the bulletin is about.
    """

    msg_id: int
    msg_type: int
    news_message: str
    origin_exch: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("msg_id", INT),
        F("msg_type", INT),
        F("news_message", ESC_STR),
        F("origin_exch", ESC_STR),
    )


@message(IncomingId.NEWS_ARTICLE)
@dataclass(frozen=True, slots=True, kw_only=True)
class NewsArticle(Message):
    """``NEWS_ARTICLE`` (83), EWrapper ``newsArticle``.

    Attributes:
        request_id: the news article request id.
        article_type: 0 plain text or HTML, 1 binary data encoded in Base64 (e.g. PDF).
        article_text: the article.
    """

    request_id: int
    article_type: int
    article_text: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("request_id", INT),
        F("article_type", INT),
        F("article_text", STR),
    )


@message(IncomingId.TICK_NEWS)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickNews(Message):
    """``TICK_NEWS`` (84), EWrapper ``tickNews``: a headline on a market data line.

    Attributes:
        ticker_id: the market data request id.
        time_stamp: the headline's time, epoch milliseconds.
        provider_code: the provider's code.
        article_id: the article id, for ``ReqNewsArticle``.
        headline: the headline.
        extra_data: extra data (e.g. ``A:800015:L:en:K:n/a:C:0.83``).
    """

    ticker_id: int
    time_stamp: int
    provider_code: str
    article_id: str
    headline: str
    extra_data: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("ticker_id", INT),
        F("time_stamp", LONG),
        F("provider_code", STR),
        F("article_id", STR),
        F("headline", STR),
        F("extra_data", STR),
    )


@message(IncomingId.NEWS_PROVIDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class NewsProviders(Message):
    """``NEWS_PROVIDERS`` (85), EWrapper ``newsProviders``.

    Attributes:
        news_providers: the providers this account subscribes to.
    """

    news_providers: tuple[NewsProvider, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        Repeat("news_providers", Struct(None, NewsProvider, (F("code", STR), F("name", STR)))),
    )


@message(IncomingId.HISTORICAL_NEWS)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalNews(Message):
    """``HISTORICAL_NEWS`` (86), EWrapper ``historicalNews``: one past headline.

    Attributes:
        request_id: the historical news request id.
        time: the headline's time, ``yyyy-mm-dd hh:mm:ss.0``.
        provider_code: the provider's code.
        article_id: the article id, for ``ReqNewsArticle``.
        headline: the headline.
    """

    request_id: int
    time: str
    provider_code: str
    article_id: str
    headline: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("request_id", INT),
        F("time", STR),
        F("provider_code", STR),
        F("article_id", STR),
        F("headline", STR),
    )


@message(IncomingId.HISTORICAL_NEWS_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalNewsEnd(Message):
    """``HISTORICAL_NEWS_END`` (87), EWrapper ``historicalNewsEnd``.

    Attributes:
        request_id: the historical news request that is complete.
        has_more: more headlines exist than were sent.
    """

    request_id: int
    has_more: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (F("request_id", INT), F("has_more", BOOL))


@message(IncomingId.WSH_META_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class WshMetaData(Message):
    """``WSH_META_DATA`` (104), EWrapper ``wshMetaData`` (server 161+).

    Attributes:
        req_id: the WSH meta data request id.
        data_json: the meta data, JSON.
    """

    req_id: int
    data_json: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("data_json", STR))


@message(IncomingId.WSH_EVENT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class WshEventData(Message):
    """``WSH_EVENT_DATA`` (105), EWrapper ``wshEventData`` (server 161+).

    Attributes:
        req_id: the WSH event data request id.
        data_json: the events, JSON.
    """

    req_id: int
    data_json: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("data_json", STR))


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.REQ_NEWS_BULLETINS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqNewsBulletins(Message):
    """``REQ_NEWS_BULLETINS`` (12), EClient ``reqNewsBulletins``.

    Answered by :class:`NewsBulletins` until cancelled.

    Attributes:
        all_msgs: also send today's earlier bulletins, not only new ones.
    """

    all_msgs: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("all_msgs", BOOL))


@message(OutgoingId.CANCEL_NEWS_BULLETINS)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelNewsBulletins(Message):
    """``CANCEL_NEWS_BULLETINS`` (13), EClient ``cancelNewsBulletins``."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_NEWS_ARTICLE, min_version=SV.REQ_NEWS_ARTICLE)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqNewsArticle(Message):
    """``REQ_NEWS_ARTICLE`` (84), EClient ``reqNewsArticle`` (server 116+).

    Answered by :class:`NewsArticle`.

    Attributes:
        req_id: the request id the answer will carry.
        provider_code: the provider's code.
        article_id: the article id from a headline.
        news_article_options: ``"tag=value;"`` options as one text field;
            reserved, keep it empty (server 128+).
    """

    req_id: int
    provider_code: str
    article_id: str
    news_article_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("provider_code", STR),
        F("article_id", STR),
        F("news_article_options", STR, since=SV.NEWS_QUERY_ORIGINS),
    )


@message(OutgoingId.REQ_NEWS_PROVIDERS, min_version=SV.REQ_NEWS_PROVIDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqNewsProviders(Message):
    """``REQ_NEWS_PROVIDERS`` (85), EClient ``reqNewsProviders`` (server 115+).

    Answered by :class:`NewsProviders`.
    """

    WIRE: ClassVar[tuple[Node, ...]] = ()


@message(OutgoingId.REQ_HISTORICAL_NEWS, min_version=SV.REQ_HISTORICAL_NEWS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqHistoricalNews(Message):
    """``REQ_HISTORICAL_NEWS`` (86), EClient ``reqHistoricalNews`` (server 117+).

    Answered by :class:`HistoricalNews` messages, then :class:`HistoricalNewsEnd`.

    Attributes:
        req_id: the request id the answer will carry.
        con_id: the contract id of the company.
        provider_codes: provider codes joined by ``+``, e.g. ``"BZ+FLY"``.
        start_date_time: the start, ``yyyy-mm-dd hh:mm:ss.0``; empty for no limit.
        end_date_time: the end, same format.
        total_results: the maximum number of headlines (at most 300).
        historical_news_options: ``"tag=value;"`` options as one text field;
            reserved, keep it empty (server 128+).
    """

    req_id: int
    con_id: int
    provider_codes: str
    start_date_time: str = ""
    end_date_time: str = ""
    total_results: int
    historical_news_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("con_id", INT),
        F("provider_codes", STR),
        F("start_date_time", STR),
        F("end_date_time", STR),
        F("total_results", INT),
        F("historical_news_options", STR, since=SV.NEWS_QUERY_ORIGINS),
    )


@message(OutgoingId.REQ_WSH_META_DATA, min_version=SV.WSHE_CALENDAR)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqWshMetaData(Message):
    """``REQ_WSH_META_DATA`` (100), EClient ``reqWshMetaData`` (server 161+).

    Answered by :class:`WshMetaData`.

    Attributes:
        req_id: the request id the answer will carry.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.CANCEL_WSH_META_DATA, min_version=SV.WSHE_CALENDAR)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelWshMetaData(Message):
    """``CANCEL_WSH_META_DATA`` (101), EClient ``cancelWshMetaData`` (server 161+).

    Attributes:
        req_id: the id of the WSH meta data request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.REQ_WSH_EVENT_DATA, min_version=SV.WSHE_CALENDAR)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqWshEventData(Message):
    """``REQ_WSH_EVENT_DATA`` (102), EClient ``reqWshEventData`` (server 161+).

    Answered by :class:`WshEventData`.  Setting a filter field on a server that
    predates it raises :class:`~ibwire.errors.UnsupportedByServerError`, as the
    official client refuses such a request.

    Attributes:
        req_id: the request id the answer will carry.
        wsh_event_data: what to ask for.
    """

    req_id: int
    wsh_event_data: WshEventDataParams = field(default_factory=WshEventDataParams)

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Struct(
            "wsh_event_data",
            WshEventDataParams,
            (
                F("con_id", OPT_INT_MAX),
                F("filter", STR, since=SV.WSH_EVENT_DATA_FILTERS),
                F("fill_watchlist", BOOL, since=SV.WSH_EVENT_DATA_FILTERS),
                F("fill_portfolio", BOOL, since=SV.WSH_EVENT_DATA_FILTERS),
                F("fill_competitors", BOOL, since=SV.WSH_EVENT_DATA_FILTERS),
                F("start_date", STR, since=SV.WSH_EVENT_DATA_FILTERS_DATE),
                F("end_date", STR, since=SV.WSH_EVENT_DATA_FILTERS_DATE),
                F("total_limit", OPT_INT_MAX, since=SV.WSH_EVENT_DATA_FILTERS_DATE),
            ),
        ),
    )


@message(OutgoingId.CANCEL_WSH_EVENT_DATA, min_version=SV.WSHE_CALENDAR)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelWshEventData(Message):
    """``CANCEL_WSH_EVENT_DATA`` (103), EClient ``cancelWshEventData`` (server 161+).

    Attributes:
        req_id: the id of the WSH event data request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)
