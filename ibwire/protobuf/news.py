"""News and Wall Street Horizon data in protobuf form (server version 209,
``PROTOBUF_NEWS_DATA``).

Requests are written as the official ``client_utils.create*Proto`` functions
write them (ids unless ``UNSET_INTEGER``, text when not empty, flags when true,
options as a map).  ``WshEventDataRequest`` carries the fields of
:class:`~ibwire.messages.WshEventDataParams` beside its ``reqId``.

Incoming absent fields read as in the official decoder: ids -1
(``NO_VALID_ID``) for request ids and 0 for bulletin ids, types and times,
text "".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

from ..messages.news import (
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
from ..versions import ServerVersion
from .forms import Form, mapped, register
from .mapper import Conv, Link, ObjectMap
from .wire import PbDict

__all__ = ["REQ_HISTORICAL_NEWS", "REQ_NEWS_ARTICLE", "WSH_EVENT_DATA_PARAMS"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1


def _req_id(cls: type, attr: str = "req_id") -> ObjectMap:
    """The map of a message whose only field is its request id."""
    return ObjectMap(cls, [Link("reqId", attr, skip=UNSET_INTEGER, missing=NO_VALID_ID)])


def _json(cls: type) -> ObjectMap:
    return ObjectMap(cls, [
        Link("reqId", "req_id", missing=NO_VALID_ID),
        Link("dataJson", "data_json", missing=""),
    ])  # fmt: skip


# ---------------------------------------------------------------- requests

REQ_NEWS_BULLETINS: Final = ObjectMap(ReqNewsBulletins, [
    Link("allMessages", "all_msgs", skip=False),
])  # fmt: skip

REQ_NEWS_ARTICLE: Final = ObjectMap(ReqNewsArticle, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("providerCode", "provider_code", skip="", missing=""),
    Link("articleId", "article_id", skip="", missing=""),
    Link("newsArticleOptions", "news_article_options", Conv.OPTIONS),
])  # fmt: skip

REQ_HISTORICAL_NEWS: Final = ObjectMap(ReqHistoricalNews, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("conId", "con_id", skip=UNSET_INTEGER, missing=0),
    Link("providerCodes", "provider_codes", skip="", missing=""),
    Link("startDateTime", "start_date_time", skip=""),
    Link("endDateTime", "end_date_time", skip=""),
    Link("totalResults", "total_results", skip=UNSET_INTEGER, missing=0),
    Link("historicalNewsOptions", "historical_news_options", Conv.OPTIONS),
])  # fmt: skip

WSH_EVENT_DATA_PARAMS: Final = ObjectMap(WshEventDataParams, [
    Link("conId", "con_id", skip=UNSET_INTEGER),
    Link("filter", "filter", skip=""),
    Link("fillWatchlist", "fill_watchlist", skip=False),
    Link("fillPortfolio", "fill_portfolio", skip=False),
    Link("fillCompetitors", "fill_competitors", skip=False),
    Link("startDate", "start_date", skip=""),
    Link("endDate", "end_date", skip=""),
    Link("totalLimit", "total_limit", skip=UNSET_INTEGER),
])  # fmt: skip

_WSH_REQ_ID: Final = _req_id(ReqWshMetaData)


def _wsh_event_request(decoded: PbDict, version: int) -> ReqWshEventData:
    values = cast("dict[str, Any]", decoded)
    req_id = values["reqId"]
    return ReqWshEventData(
        req_id=NO_VALID_ID if req_id is None else req_id,
        wsh_event_data=WSH_EVENT_DATA_PARAMS.read(values),
    )


def _wsh_event_request_values(message: Any, version: int) -> Mapping[str, Any]:
    request: ReqWshEventData = message
    values = _WSH_REQ_ID.write(request)
    values.update(WSH_EVENT_DATA_PARAMS.write(request.wsh_event_data))
    return values


# ---------------------------------------------------------------- incoming

NEWS_BULLETINS: Final = ObjectMap(NewsBulletins, [
    Link("newsMsgId", "msg_id", missing=0),
    Link("newsMsgType", "msg_type", missing=0),
    Link("newsMessage", "news_message", missing=""),
    Link("originatingExch", "origin_exch"),
])  # fmt: skip

NEWS_ARTICLE: Final = ObjectMap(NewsArticle, [
    Link("reqId", "request_id", missing=NO_VALID_ID),
    Link("articleType", "article_type", missing=0),
    Link("articleText", "article_text", missing=""),
])  # fmt: skip

NEWS_PROVIDER: Final = ObjectMap(NewsProvider, [
    Link("providerCode", "code"),
    Link("providerName", "name"),
])  # fmt: skip

NEWS_PROVIDERS: Final = ObjectMap(NewsProviders, [
    Link("newsProviders", "news_providers", Conv.OBJECTS, NEWS_PROVIDER),
])  # fmt: skip

HISTORICAL_NEWS: Final = ObjectMap(HistoricalNews, [
    Link("reqId", "request_id", missing=NO_VALID_ID),
    Link("time", "time", missing=""),
    Link("providerCode", "provider_code", missing=""),
    Link("articleId", "article_id", missing=""),
    Link("headline", "headline", missing=""),
])  # fmt: skip

HISTORICAL_NEWS_END: Final = ObjectMap(HistoricalNewsEnd, [
    Link("reqId", "request_id", missing=NO_VALID_ID),
    Link("hasMore", "has_more"),
])  # fmt: skip

TICK_NEWS: Final = ObjectMap(TickNews, [
    Link("reqId", "ticker_id", missing=NO_VALID_ID),
    Link("timestamp", "time_stamp", missing=0),
    Link("providerCode", "provider_code", missing=""),
    Link("articleId", "article_id", missing=""),
    Link("headline", "headline", missing=""),
    Link("extraData", "extra_data"),
])  # fmt: skip

_SINCE: Final = ServerVersion.PROTOBUF_NEWS_DATA

register(
    mapped(ReqNewsBulletins, "NewsBulletinsRequest", _SINCE, REQ_NEWS_BULLETINS, incoming=False),
    mapped(CancelNewsBulletins, "CancelNewsBulletins", _SINCE, ObjectMap(CancelNewsBulletins, []), incoming=False),
    mapped(ReqNewsArticle, "NewsArticleRequest", _SINCE, REQ_NEWS_ARTICLE, incoming=False),
    mapped(ReqNewsProviders, "NewsProvidersRequest", _SINCE, ObjectMap(ReqNewsProviders, []), incoming=False),
    mapped(ReqHistoricalNews, "HistoricalNewsRequest", _SINCE, REQ_HISTORICAL_NEWS, incoming=False),
    mapped(ReqWshMetaData, "WshMetaDataRequest", _SINCE, _WSH_REQ_ID, incoming=False),
    mapped(CancelWshMetaData, "CancelWshMetaData", _SINCE, _req_id(CancelWshMetaData), incoming=False),
    Form(ReqWshEventData, False, "WshEventDataRequest", _SINCE, _wsh_event_request, _wsh_event_request_values),
    mapped(CancelWshEventData, "CancelWshEventData", _SINCE, _req_id(CancelWshEventData), incoming=False),
    mapped(NewsBulletins, "NewsBulletin", _SINCE, NEWS_BULLETINS, incoming=True),
    mapped(NewsArticle, "NewsArticle", _SINCE, NEWS_ARTICLE, incoming=True),
    mapped(NewsProviders, "NewsProviders", _SINCE, NEWS_PROVIDERS, incoming=True),
    mapped(HistoricalNews, "HistoricalNews", _SINCE, HISTORICAL_NEWS, incoming=True),
    mapped(HistoricalNewsEnd, "HistoricalNewsEnd", _SINCE, HISTORICAL_NEWS_END, incoming=True),
    mapped(TickNews, "TickNews", _SINCE, TICK_NEWS, incoming=True),
    mapped(WshMetaData, "WshMetaData", _SINCE, _json(WshMetaData), incoming=True),
    mapped(WshEventData, "WshEventData", _SINCE, _json(WshEventData), incoming=True),
)  # fmt: skip
