"""Bar sizes and bar dates: the one parser of each.

``bar_size_setting`` texts (``"1 min"``, ``"5 secs"``) are read by
:func:`bar_seconds`, and a bar's ``date`` (or a request's ``endDateTime``) by
:func:`bar_datetime` / :func:`bar_time`.  The pacer, ``ibwire history``,
:mod:`ibwire.frames` and the simulator all call these.  The clients' bar
helpers return a :class:`BarList`.

This module does no I/O (a named time zone's rules are loaded by
:mod:`zoneinfo` the first time a date names it).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Final

from .messages import BarData

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = [
    "BAR_SIZES",
    "WHAT_TO_SHOW",
    "BarList",
    "bar_datetime",
    "bar_seconds",
    "bar_time",
    "connection_zone",
    "what_to_show",
]

#: The bar size settings IB accepts, in seconds.
BAR_SIZES: Final[dict[str, int]] = {
    "1 secs": 1, "5 secs": 5, "10 secs": 10, "15 secs": 15, "30 secs": 30,
    "1 min": 60, "2 mins": 120, "3 mins": 180, "5 mins": 300, "10 mins": 600,
    "15 mins": 900, "20 mins": 1200, "30 mins": 1800, "1 hour": 3600, "2 hours": 7200,
    "3 hours": 10800, "4 hours": 14400, "8 hours": 28800, "1 day": 86400,
    "1 week": 604800, "1 month": 2592000,
}  # fmt: skip
#: The ``whatToShow`` values of historical data requests IB documents.
WHAT_TO_SHOW: Final = frozenset({
    "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY",
    "OPTION_IMPLIED_VOLATILITY", "REBATE_RATE", "FEE_RATE", "YIELD_BID", "YIELD_ASK",
    "YIELD_BID_ASK", "YIELD_LAST", "SCHEDULE", "AGGTRADES",
})  # fmt: skip
# Singular and plural spellings of the one-unit sizes.
_ALIASES: Final = {"1 sec": "1 secs", "1 mins": "1 min", "1 hours": "1 hour", "1 days": "1 day"}
_UTC: Final = _dt.timezone.utc
# Legacy zone names TWS uses (its API time zone setting offers ``US/Eastern``)
# and the current names they link to: Debian 13 and Ubuntu 24.04 keep the
# legacy ones in the optional tzdata-legacy package, so zoneinfo may lack them.
_LEGACY_ZONES: Final = {
    "US/Eastern": "America/New_York", "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver", "US/Pacific": "America/Los_Angeles",
    "US/Arizona": "America/Phoenix", "US/Alaska": "America/Anchorage",
    "US/Hawaii": "Pacific/Honolulu", "Canada/Eastern": "America/Toronto",
    "Canada/Central": "America/Winnipeg", "Canada/Pacific": "America/Vancouver",
    "Mexico/General": "America/Mexico_City", "Brazil/East": "America/Sao_Paulo",
    "EST5EDT": "America/New_York", "CST6CDT": "America/Chicago",
    "MST7MDT": "America/Denver", "PST8PDT": "America/Los_Angeles",
    "EST": "America/Panama", "MST": "America/Phoenix", "HST": "Pacific/Honolulu",
    "MET": "Europe/Brussels", "CET": "Europe/Brussels", "EET": "Europe/Athens",
    "WET": "Europe/Lisbon", "GB": "Europe/London", "Eire": "Europe/Dublin",
    "Japan": "Asia/Tokyo", "Hongkong": "Asia/Hong_Kong", "Singapore": "Asia/Singapore",
    "PRC": "Asia/Shanghai", "ROC": "Asia/Taipei", "ROK": "Asia/Seoul",
    "Israel": "Asia/Jerusalem", "Turkey": "Europe/Istanbul", "NZ": "Pacific/Auckland",
    "Australia/NSW": "Australia/Sydney", "Australia/ACT": "Australia/Sydney",
    "Australia/Victoria": "Australia/Melbourne", "Australia/Queensland": "Australia/Brisbane",
}  # fmt: skip

# The zone names TWS shows in the handshake's time text (its login zone, in the
# language of its locale), lower case, and their zone ids.  Names that stand for
# zones with different rules are left out: CST (US Central or China), IST,
# MST (Denver or Phoenix), GMT (London in winter, or UTC), AEST.
_DISPLAY_ZONES: Final = {
    "est": "America/New_York", "edt": "America/New_York",
    "eastern standard time": "America/New_York", "eastern daylight time": "America/New_York",
    "cdt": "America/Chicago", "central standard time": "America/Chicago",
    "central daylight time": "America/Chicago", "mdt": "America/Denver",
    "mountain daylight time": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific standard time": "America/Los_Angeles", "pacific daylight time": "America/Los_Angeles",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
    "utc": "UTC", "coordinated universal time": "UTC",
    "bst": "Europe/London", "british summer time": "Europe/London",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "central european time": "Europe/Berlin",
    "central european standard time": "Europe/Berlin",
    "central european summer time": "Europe/Berlin",
    "hora estándar de europa central": "Europe/Berlin",
    "hora de verano de europa central": "Europe/Berlin",
    "mitteleuropäische zeit": "Europe/Berlin", "mitteleuropäische normalzeit": "Europe/Berlin",
    "mitteleuropäische sommerzeit": "Europe/Berlin",
    "heure normale d’europe centrale": "Europe/Berlin",
    "heure normale d'europe centrale": "Europe/Berlin",
    "heure d’été d’europe centrale": "Europe/Berlin",
    "heure d'été d'europe centrale": "Europe/Berlin",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon", "msk": "Europe/Moscow",
    "china standard time": "Asia/Shanghai", "中国标准时间": "Asia/Shanghai",
    "hkt": "Asia/Hong_Kong", "hong kong standard time": "Asia/Hong_Kong",
    "hong kong time": "Asia/Hong_Kong", "香港標準時間": "Asia/Hong_Kong",
    "sgt": "Asia/Singapore", "singapore standard time": "Asia/Singapore",
    "singapore time": "Asia/Singapore", "jst": "Asia/Tokyo", "japan standard time": "Asia/Tokyo",
    "kst": "Asia/Seoul", "korea standard time": "Asia/Seoul",
    "india standard time": "Asia/Kolkata", "aedt": "Australia/Sydney",
    "australian eastern daylight time": "Australia/Sydney",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}  # fmt: skip


def bar_seconds(bar_size: str) -> int:
    """Seconds in a bar size setting such as ``"1 min"`` or ``"5 secs"``.

    Case and spacing are free; ``"1 sec"`` and the like are read as IB's spelling.

    Raises:
        ValueError: not a bar size IB accepts.
    """
    text = " ".join(str(bar_size).split()).lower()
    text = _ALIASES.get(text, text)
    try:
        return BAR_SIZES[text]
    except KeyError:
        legal = ", ".join(BAR_SIZES)
        raise ValueError(f"unknown bar size {bar_size!r}; IB accepts: {legal}") from None


def what_to_show(text: str) -> str:
    """A ``whatToShow`` value in IB's spelling (``"bid_ask"`` gives ``"BID_ASK"``).

    Raises:
        ValueError: not a value IB knows (TWS would answer error 321).
    """
    value = text.strip().upper()
    if value not in WHAT_TO_SHOW:
        raise ValueError(
            f"unknown what_to_show {text!r}; one of {', '.join(sorted(WHAT_TO_SHOW))}"
        )
    return value


def _zone(name: str) -> _dt.tzinfo | None:
    """The zone of an IANA name, or of the current name of a legacy one; None if unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for key in (name, _LEGACY_ZONES.get(name)):
        if key is None:
            break
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: a name no zone file can have (a directory, a part too long).
            continue
    return None


def _local_zone(tz: str | _dt.tzinfo | None) -> _dt.tzinfo:
    if tz is None:
        return _UTC
    if isinstance(tz, _dt.tzinfo):
        return tz
    zone = _zone(tz.strip())
    if zone is None:
        raise ValueError(f"unknown time zone {tz!r}")
    return zone


def bar_datetime(date: str, tz: str | _dt.tzinfo | None = None) -> _dt.datetime:
    """A bar's ``date`` text as a time-zone aware datetime.

    TWS sends epoch seconds (``formatDate=2``), ``yyyymmdd`` for daily and longer
    bars (read as midnight UTC), or ``yyyymmdd hh:mm:ss`` (or ``yyyymmdd-hh:mm:ss``)
    followed by the time zone of the request (``US/Eastern``), or ending in ``Z``
    (servers from version 214 mark UTC times so).  A legacy zone name
    (``US/Eastern``, ``Japan``) the system's time zone files lack is read by its
    current name (``America/New_York``).

    Older servers send bar dates (``formatDate=1``) and execution times without a
    zone, in the time zone TWS was logged in with: pass that zone as ``tz``
    (the clients' ``time_zone`` is the one the handshake named).  Without ``tz``
    such a time is read as UTC.  ``tz`` changes nothing else: a named zone, a
    ``Z``, epoch seconds and ``yyyymmdd`` dates read as above.

    Args:
        date: the text.
        tz: the zone of a time without one: a :class:`~datetime.tzinfo` or a
            zone name (``"America/New_York"``, ``"US/Eastern"``).

    Raises:
        ValueError: none of those forms, or an unknown zone.
    """
    text = date.strip()
    local = _local_zone(tz)
    try:
        if text.isdigit() and len(text) != 8:
            return _dt.datetime.fromtimestamp(int(text), _UTC)
        if len(text) == 8:
            return _dt.datetime.strptime(text, "%Y%m%d").replace(tzinfo=_UTC)
        parts = text.replace("-", " ", 1).split()
        if len(parts) == 2 and parts[1].endswith("Z"):
            parts[1:] = [parts[1][:-1], "Z"]
        moment = _dt.datetime.strptime(" ".join(parts[:2]), "%Y%m%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"unrecognised bar date {date!r}") from None
    if len(parts) < 3:
        return moment.replace(tzinfo=local)
    if parts[2] in ("UTC", "GMT", "Z"):
        return moment.replace(tzinfo=_UTC)
    zone = _zone(parts[2])
    if zone is None:
        raise ValueError(f"unknown time zone in bar date {date!r}")
    return moment.replace(tzinfo=zone)


def bar_time(date: str, tz: str | _dt.tzinfo | None = None) -> int:
    """The epoch seconds of a bar's ``date`` (see :func:`bar_datetime`).

    Raises:
        ValueError: not a bar date, or an unknown zone.
    """
    return int(bar_datetime(date, tz).timestamp())


def connection_zone(connection_time: str) -> _dt.tzinfo | None:
    """TWS's login time zone, from the time text of the handshake's reply.

    TWS sends its local time and the zone's display name in the language of its
    locale (``"20240324 21:18:59 EST"``, ``"... China Standard Time"``,
    ``"... Hora estándar de Europa central"``).  The common names, and zone ids
    (``US/Eastern``), give their zone; a name that stands for several zones
    with different rules (``CST``: US Central or China; ``IST``, ``MST``,
    ``GMT``, ``AEST``) or one not known gives None.  The clients' ``time_zone``
    is this zone: pass it as ``tz`` to :func:`bar_datetime` and
    :func:`ibwire.frames.to_frame` to read the times older servers send without
    a zone.

    Example:
        >>> connection_zone("20240324 21:18:59 EST")
        zoneinfo.ZoneInfo(key='America/New_York')
    """
    key = _connection_zone_key(connection_time)
    return None if key is None else _zone(key)


def _connection_zone_key(connection_time: str) -> str | None:
    """The zone id :func:`connection_zone` loads, found without loading it."""
    parts = connection_time.split(maxsplit=2)
    if len(parts) < 3:
        return None
    name = " ".join(parts[2].split())
    return _DISPLAY_ZONES.get(name.lower(), name if "/" in name else None)


class BarList(list[BarData]):
    """Bars, oldest first: what ``history`` and ``historical_bars`` return.

    A plain list of :class:`~ibwire.messages.BarData` (it compares equal to one)
    that turns itself into a DataFrame.

    Example:
        >>> daily = client.history(aapl, "1 Y", bar_size="1 day")  # doctest: +SKIP
        >>> daily.to_frame()["close"].pct_change()                  # doctest: +SKIP
    """

    __slots__ = ()

    def to_frame(
        self, *, exact: bool = False, tz: str | _dt.tzinfo | None = None
    ) -> pandas.DataFrame:
        """The bars as a DataFrame indexed by time (:func:`ibwire.frames.to_frame`).

        Daily and longer bars (dated ``yyyymmdd``) are indexed at midnight UTC,
        shorter ones at their time; the time-zone aware index sorts both alike.
        A list without bars gives an empty frame with the same columns and index.

        Args:
            exact: keep volume and WAP as :class:`~decimal.Decimal`.
            tz: the zone of bar times sent without one (older servers send them
                in TWS's login zone; see :func:`bar_datetime`); None reads them as UTC.

        Raises:
            ImportError: pandas is not installed (the message says how to install it).
        """
        from .frames import to_frame

        return to_frame(self, exact=exact, tz=tz)
