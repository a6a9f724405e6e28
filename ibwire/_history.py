"""Bulk historical bars: the engine of ``ibwire history``.

A long span (a year of 1-minute bars) is more than IB answers in one request, so
it is cut into chunks no longer than IB's step-size table allows for the bar
size (:func:`plan_chunks`), fetched oldest first, and appended to a file.  The
file is the checkpoint: a second run reads its last timestamp and continues from
there (:func:`resume_point`).

Chunks are spaced by the client's own pacer (:mod:`ibwire.pacing`):
:class:`PacingClock` asks it when a request would be released
(:meth:`~ibwire.pacing.Pacer.release_time`), so the downloader sleeps *before*
asking instead of leaving a request in the client's queue, where its timeout would
run while it waits.  Without a client (planning, tests) it runs a private
:class:`~ibwire.pacing.Pacer` as a model.  Everything here takes the clock and the
sleep as arguments; the tests drive it with a fake clock.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Protocol, TextIO

from ._frontend import FrontEnd
from ._record import dataclass as record
from .bars import BAR_SIZES, bar_seconds, bar_time
from .bars import what_to_show as _what_to_show
from .errors import ApiError, RequestTimeoutError
from .messages import BarData, Contract, Message, ReqHistoricalData
from .pacing import Pacer, PacingConfig

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

__all__ = [
    "BAR_SIZES",
    "CSV_COLUMNS",
    "Chunk",
    "Downloader",
    "HistoryRun",
    "PacingClock",
    "Progress",
    "bar_seconds",
    "bar_time",
    "check_settings",
    "chunk_request",
    "format_end",
    "format_time",
    "in_span",
    "is_no_data",
    "is_pacing_violation",
    "max_chunk",
    "pacing_schedule",
    "parse_duration",
    "parse_time",
    "plan_chunks",
    "resume_point",
    "retry_chunk",
    "settings_path",
    "trading_days",
]

_DAY: Final = 86400
_MINUTE: Final = 60
# IB's step-size table ("Historical Data Limitations", TWS API docs): the longest
# duration per request for bars of at least a given size, as (smallest bar in
# seconds, longest duration in seconds, its duration text).  IB counts "N D" in
# trading days back from the end, so a day of intraday bars from an arbitrary
# second is asked for in seconds ("86400 S", the longest "S" duration TWS accepts);
# "2 D" would likewise miss the part of the oldest session before its end, so
# 2-minute bars go a day at a time too.  Weeks and months are calendar time.
_STEPS: Final = (
    (1, 1800, "1800 S"),
    (5, 3600, "3600 S"),
    (10, 14400, "14400 S"),
    (30, 28800, "28800 S"),
    (60, _DAY, "86400 S"),
    (180, 7 * _DAY, "1 W"),
    (1800, 30 * _DAY, "1 M"),
    (_DAY, 365 * _DAY, "1 Y"),
)
# Trading days within each longest duration of _STEPS from a day up: a week holds
# five, a month twenty, a year 250 (holidays aside), so a walk over trading days
# never asks for more than the step-size table allows.
_TRADING_DAYS: Final = {"86400 S": 1, "1 W": 5, "1 M": 20, "1 Y": 250}
_DURATION_UNITS: Final = {"S": 1, "D": _DAY, "W": 7 * _DAY, "M": 30 * _DAY, "Y": 365 * _DAY}
# IB's duration / bar size table (same page): the shortest duration in seconds
# that allows bars up to a size, as (largest bar, that duration); IB refuses
# "60 S" of hourly bars.
_SHORTEST: Final = ((60, 60), (120, 120), (1800, 1800), (3600, 3600), (10800, 14400), (28800, 28800))

#: The columns of the CSV file, in order.
CSV_COLUMNS: Final = ("time", "open", "high", "low", "close", "volume", "wap", "bar_count")

# TWS answers 162 for pacing, empty windows and refusals ("No data of type ...",
# "No market data permissions ..."); the text tells them apart.  Only HMDS's
# "query returned no data" means the window is empty.
_NO_DATA_TEXT: Final = "returned no data"
_PACING_TEXT: Final = "pacing violation"


# ---------------------------------------------------------------------- planning


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``"1 Y"``, ``"3 M"``, ``"10 D"`` or ``"3600 S"``.

    A month counts 30 days and a year 365, as IB's step-size table does.

    Raises:
        ValueError: not ``<positive integer> <S|D|W|M|Y>``.
    """
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].upper() not in _DURATION_UNITS:
        raise ValueError(f"a duration is '<count> <S|D|W|M|Y>' (e.g. '1 Y'), not {text!r}")
    count = int(parts[0])
    if count <= 0:
        raise ValueError(f"the duration must be positive, not {text!r}")
    return count * _DURATION_UNITS[parts[1].upper()]


def trading_days(text: str) -> int | None:
    """The N of a duration ``"N D"``, which IB counts in trading days; ``None``
    for any other unit.

    Raises:
        ValueError: not a duration (see :func:`parse_duration`).
    """
    parse_duration(text)
    count, unit = text.split()
    return int(count) if unit.upper() == "D" else None


def max_chunk(bar_size: str) -> tuple[int, str]:
    """The longest request IB answers for ``bar_size``: seconds and duration text."""
    size = bar_seconds(bar_size)
    chosen = _STEPS[0]
    for step in _STEPS:
        if size >= step[0]:
            chosen = step
    return chosen[1], chosen[2]


@record(frozen=True, slots=True)
class Chunk:
    """One request of a bulk download.

    Attributes:
        start: the first second it covers (epoch seconds, UTC).
        end: the second after the last it covers; sent as ``endDateTime``.
        duration: the ``durationStr`` sent; it covers at least ``end - start``.
    """

    start: int
    end: int
    duration: str


def _duration_text(seconds: int, span: int, span_text: str, size: int) -> str:
    if seconds >= span:
        return span_text
    if size < _DAY:
        if seconds <= _DAY:
            # A short request still asks for the shortest duration IB allows
            # with its bar size; the bars before the chunk are left out.
            shortest = next(least for largest, least in _SHORTEST if size <= largest)
            return f"{max(seconds, shortest)} S"
        # Intraday bars over more than a day: "N D" would count trading days and
        # miss the oldest session's part before its close, so the whole step is
        # asked for.
        return span_text
    # N trading days (weeks, months) reach back at least N calendar ones: asking
    # for a little more than needed is harmless (bars already written are
    # skipped), asking for less loses bars.  IB allows "N D" with bars up to a
    # day only: weekly bars go in weeks, monthly bars in months.
    if size >= BAR_SIZES["1 month"]:
        return f"{math.ceil(seconds / _DURATION_UNITS['M'])} M"
    if size >= BAR_SIZES["1 week"]:
        return f"{math.ceil(seconds / _DURATION_UNITS['W'])} W"
    return f"{math.ceil(seconds / _DAY)} D"


def plan_chunks(
    start: int,
    end: int,
    bar_size: str,
    *,
    what_to_show: str = "TRADES",
    now: int | None = None,
) -> list[Chunk]:
    """Cut ``[start, end)`` into requests IB accepts for ``bar_size``, oldest first.

    ``ADJUSTED_LAST`` bars are only served up to now (IB refuses an end time
    with them): they come in one request from ``start`` to ``now``, however
    long (daily bars as ``"N D"`` up to a year, then ``"N Y"``).

    Args:
        start: the first second wanted (epoch seconds).
        end: the end of the span (epoch seconds), usually now.
        bar_size: the bar size setting.
        what_to_show: the bars' ``whatToShow``.
        now: the current time (epoch seconds) for ``ADJUSTED_LAST``; ``end`` if omitted.

    Returns:
        The chunks; empty when ``start >= end``.

    Raises:
        ValueError: ``ADJUSTED_LAST`` intraday bars over more than one request covers.
    """
    span, span_text = max_chunk(bar_size)
    size = bar_seconds(bar_size)
    daily = size >= _DAY
    if what_to_show.strip().upper() == "ADJUSTED_LAST":
        if start >= end:
            return []
        last = max(end, start + 1 if now is None else now)
        seconds = last - start
        if daily and seconds > 365 * _DAY:
            duration = f"{math.ceil(seconds / (365 * _DAY))} Y"
        elif daily or seconds <= span:
            duration = _duration_text(seconds, span, span_text, size)
        else:
            raise ValueError(
                f"ADJUSTED_LAST bars come in one request up to now (IB takes no end time "
                f"with them): {bar_size} bars reach back {span_text} at most"
            )
        return [Chunk(start, last, duration)]
    chunks: list[Chunk] = []
    t = start
    while t < end:
        stop = min(t + span, end)
        chunks.append(Chunk(t, stop, _duration_text(stop - t, span, span_text, size)))
        t = stop
    return chunks


def chunk_request(
    contract: Contract, chunk: Chunk, bar_size: str, what_to_show: str, use_rth: bool
) -> ReqHistoricalData:
    """The request of one chunk (request id 0: the client allocates one).

    An ``ADJUSTED_LAST`` chunk ends now (an empty ``endDateTime``): IB refuses
    an end time with it.
    """
    adjusted = what_to_show.strip().upper() == "ADJUSTED_LAST"
    return ReqHistoricalData(
        req_id=0,
        contract=contract,
        end_date_time="" if adjusted else format_end(chunk.end),
        duration_str=chunk.duration,
        bar_size_setting=bar_size,
        what_to_show=what_to_show,
        use_rth=use_rth,
        # Epoch seconds: no time zone to guess (daily bars still come as yyyymmdd).
        format_date=2,
    )


def is_no_data(error: ApiError) -> bool:
    """Whether ``error`` is TWS saying a chunk has no bars (162 "query returned no data").

    Any other 162 ("No data of type ...", "No market data permissions ...") is
    a refusal, not an empty window.
    """
    return error.code == 162 and _NO_DATA_TEXT in error.message.lower()


def is_pacing_violation(error: ApiError) -> bool:
    """Whether ``error`` is TWS's 162 "pacing violation"."""
    return error.code == 162 and _PACING_TEXT in error.message.lower()


def retry_chunk(error: ApiError, attempt: int, retries: int) -> bool:
    """What a chunk answered with ``error`` calls for.

    Args:
        error: the chunk's error.
        attempt: attempts made after the first (0 after the first failure).
        retries: attempts allowed after the first.

    Returns:
        ``True`` to send the chunk again (a pacing violation, retries left: the
        pacer holds the next historical request until its back-off ends);
        ``False`` when the chunk is empty (no data).

    Raises:
        ApiError: ``error`` itself, for any other error or when no retry is left.
    """
    if is_no_data(error):
        return False
    if is_pacing_violation(error) and attempt < retries:
        return True
    raise error


def _bar_end(epoch: int, size: int) -> int:
    """The end of the period of a bar of ``size`` seconds starting at ``epoch``."""
    if size != BAR_SIZES["1 month"]:
        return epoch + size
    year, month = time.gmtime(epoch)[:2]
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    import calendar

    return calendar.timegm((year, month, 1, 0, 0, 0, 0, 0, 0))


def in_span(epoch: int, size: int, start: int, end: int) -> bool:
    """Whether a bar of ``size`` seconds at ``epoch`` belongs to ``[start, end)``.

    It does when its period contains or follows ``start`` and it begins before
    ``end``: the daily bar of the day ``start`` falls in is kept, the days
    before it are not.
    """
    return epoch < end and _bar_end(epoch, size) > start


DEFAULT_RETRIES: Final = 3


class HistoryRun:
    """One span of bars fetched chunk by chunk: the plan, the retries and the bars.

    Both clients' ``history`` drive it; it does no I/O.

    Args:
        contract: the contract.
        start: the first moment wanted (epoch seconds).
        end: the end of the span, excluded (epoch seconds).
        bar_size: the bar size setting.
        what_to_show: ``TRADES``, ``MIDPOINT``...
        use_rth: regular trading hours only.
        retries: attempts per chunk after a pacing violation.
        now: the current time (epoch seconds): ``ADJUSTED_LAST`` bars are
            fetched up to it (see :func:`plan_chunks`); ``end`` if omitted.
        days: the last ``days`` trading days before ``end`` instead of the span
            from ``start``, as IB counts an ``"N D"`` duration (a weekend or a
            holiday is no day).  For bars from 1 minute to 1 day (not
            ``ADJUSTED_LAST``, which takes no end time) the run walks back from
            ``end``: each request asks IB for ``"k D"`` (as many days as one
            request of the bar size may span) ending at the first bar of the
            answer before, until ``days`` trading days are in or IB has no more
            data.  An answer with no bar at all ends the walk (after one more
            request ending a second earlier): the days of a contract whose data
            stops before ``end`` (an expired future or option) are asked for with
            ``end`` on its last trading day.  For other bars it falls back to the
            calendar span from ``start``.

    Requests come one at a time from :meth:`next_request`: a walk's next request
    depends on the answer to the one before.
    """

    def __init__(
        self,
        contract: Contract,
        start: int,
        end: int,
        bar_size: str,
        what_to_show: str,
        use_rth: bool,
        *,
        retries: int = DEFAULT_RETRIES,
        now: int | None = None,
        days: int | None = None,
    ) -> None:
        self.start = start
        self.end = end
        self.retries = retries
        size = self._size = bar_seconds(bar_size)
        what_to_show = _what_to_show(what_to_show)
        self._found: dict[int, BarData] = {}
        self._sent = 0
        self._walk: tuple[Contract, str, str, bool] | None = None
        # A walk: the trading days one request may span, the days still wanted,
        # where the next request ends, and the days the last one asked for.
        self._step = self._left = self._asked = 0
        self._walk_end = end
        self._missed = False
        if days is not None and days < 1:
            raise ValueError(f"days must be positive, not {days}")
        if days is not None and _MINUTE <= size <= _DAY and what_to_show != "ADJUSTED_LAST":
            self._walk = (contract, bar_size, what_to_show, use_rth)
            self._step = _TRADING_DAYS[max_chunk(bar_size)[1]]
            self._left = days
            #: The chunks' requests: none planned ahead in a walk.
            self.requests: list[ReqHistoricalData] = []
            #: The requests the run will send in all, as far as known.
            self.total = -(-days // self._step)
            return
        self.requests = [
            chunk_request(contract, chunk, bar_size, what_to_show, use_rth)
            for chunk in plan_chunks(start, end, bar_size, what_to_show=what_to_show, now=now)
        ]
        self.total = len(self.requests)

    def next_request(self) -> ReqHistoricalData | None:
        """The next request to send (request id 0: the client allocates one),
        ``None`` when the run is complete.  Send it, then give its bars to
        :meth:`add` before asking for the next."""
        walk = self._walk
        if walk is None:
            if self._sent >= len(self.requests):
                return None
            self._sent += 1
            return self.requests[self._sent - 1]
        if self._left <= 0:
            return None
        contract, bar_size, what_to_show, use_rth = walk
        step = min(self._step, self._left)
        end = self._walk_end
        self._sent += 1
        self._asked = step
        return chunk_request(contract, Chunk(end - step * _DAY, end, f"{step} D"), bar_size, what_to_show, use_rth)

    def retry(self, error: ApiError, attempt: int) -> bool:
        """:func:`retry_chunk` with this run's retries."""
        return retry_chunk(error, attempt, self.retries)

    def add(self, bars: Sequence[BarData]) -> None:
        """Keep a chunk's bars that belong to the span (the first of each time).

        In a walk back over trading days, the bars before ``end``; after an
        answer with none before the last one's first bar, the next request ends
        a second earlier, and a second such answer in a row (IB has no older
        data) ends the walk.
        """
        size, start, end, found = self._size, self.start, self.end, self._found
        if self._walk is None:
            for bar in bars:
                moment = bar_time(bar.date)
                if in_span(moment, size, start, end):
                    found.setdefault(moment, bar)
            return
        limit = self._walk_end
        earliest = limit
        new = 0
        for bar in bars:
            moment = bar_time(bar.date)
            if moment < limit and moment not in found:
                found[moment] = bar
                new += 1
                earliest = min(earliest, moment)
        if new:
            # Intraday bars came for the days asked, and so did the daily bars of
            # the first request, which ends at ``end`` as IB's single request
            # would: the days without a bar (a future expired before ``end``)
            # count too.  Later, a daily bar is a trading day: a request ending
            # at the last first bar's date may count that day again (a day begun
            # the evening before, as a future's or a currency's) without its bar.
            as_asked = size != _DAY or limit == self.end
            self._left -= self._asked if as_asked else new
            self._walk_end = earliest
            self._missed = False
        elif not self._missed:
            # Nothing older: ask once more, ending a second earlier, in case the
            # server counted the day of the last first bar as begun at that very
            # bar (a future's evening session, say); a second such answer means
            # IB has no older data.
            self._missed = True
            self._walk_end -= 1
            self.total = max(self.total, self._sent + 1)
        else:
            self._left = 0
        if self._left <= 0:
            self.total = self._sent

    def bars(self) -> list[BarData]:
        """The bars kept, oldest first."""
        found = self._found
        return [found[moment] for moment in sorted(found)]


def format_end(epoch: int) -> str:
    """IB's ``endDateTime`` text for an epoch time: ``yyyymmdd-hh:mm:ss`` (UTC)."""
    return time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(epoch))


# ---------------------------------------------------------------------- pacing


class ClientPacer(Protocol):
    """What a client offers the planner: its pacer's answers, under its own lock.

    :class:`ibwire.sync.Client` and :class:`ibwire.asyncio.Client` have both.
    """

    def release_time(self, message: Message, now: float | None = None) -> float | None:
        """When the client's pacer would release ``message`` submitted at ``now``."""

    def pacer_snapshot(self) -> Pacer[Message]:
        """An independent copy of the client's pacer."""


class PacingClock:
    """When the next historical request may go, by the client's pacing rules.

    Given the client (or a pacer nobody else drives), it asks that pacer when a
    request submitted now would be released
    (:meth:`~ibwire.pacing.Pacer.release_time`) and books nothing: the real
    submission does.  Without one, a private :class:`~ibwire.pacing.Pacer` with the
    client's configuration sees every request the downloader sends, at the time
    it is sent, as a model.

    Args:
        config: the client's pacing configuration (for the private model).
        pacer: the client (its public :meth:`~ibwire.sync.Client.release_time`
            and :meth:`~ibwire.sync.Client.pacer_snapshot`, which take the
            client's lock), or a pacer.
    """

    def __init__(
        self,
        config: PacingConfig | None = None,
        *,
        pacer: Pacer[Message] | ClientPacer | None = None,
    ) -> None:
        self._books = pacer is None
        self._source: ClientPacer | None = None
        if isinstance(pacer, Pacer):
            self._pacer: Pacer[Message] = pacer
        elif pacer is not None:
            self._source = pacer
            self._pacer = pacer.pacer_snapshot()
        else:
            base = config if config is not None else PacingConfig()
            # The downloader has one request open at a time, so the open-request cap
            # cannot bind, and modelling it would need every answer fed back.
            self._pacer = Pacer(dataclasses.replace(base, historical_max_open=None))
        self._next_id = 0

    def copy(self) -> PacingClock:
        """An independent copy that books what it reserves, for planning ahead."""
        twin = PacingClock.__new__(PacingClock)
        source = self._source
        twin._pacer = (
            copy.deepcopy(self._pacer) if source is None else source.pacer_snapshot()
        )
        # The plan books sends and never their answers: the open-request cap
        # would bind after 50 chunks (the private model leaves it out too).
        twin._pacer.config = dataclasses.replace(twin._pacer.config, historical_max_open=None)
        twin._source = None
        twin._books = True
        twin._next_id = self._next_id
        return twin

    def reserve(self, request: ReqHistoricalData, now: float) -> float:
        """When ``request`` may be sent (``>= now``), with no wait in the queue.

        The private model books the request as sent at that time: call this once
        per send, with ``now`` never earlier than the previous answer.  The
        client's pacer books nothing here.
        """
        self._next_id += 1
        request = dataclasses.replace(request, req_id=self._next_id)
        if not self._books:
            source = self._source
            if source is None:
                at = self._pacer.release_time(request, now)
            else:
                at = source.release_time(request, now)
            # None: it waits for an open request of the client's to end; only the
            # client's queue can wait for that.
            return now if at is None else max(now, at)
        self._pacer.submit(request, now)
        t = now
        while not self._pacer.poll(t):
            deadline = self._pacer.next_deadline()
            if deadline is None or deadline <= t:  # pragma: no cover - a pacer bug
                raise RuntimeError("the pacer holds a request without a deadline")
            t = deadline
        return t


def pacing_schedule(
    requests: Sequence[ReqHistoricalData],
    config: PacingConfig | None = None,
    *,
    start: float = 0.0,
    answer_time: float = 0.0,
) -> list[float]:
    """When each of ``requests`` goes, sent one at a time, each after the last answer.

    Args:
        requests: the requests, in sending order.
        config: the pacing rules; IB's defaults when omitted.
        start: the time of the first attempt.
        answer_time: seconds each answer takes.

    Returns:
        The send time of each request.
    """
    clock = PacingClock(config)
    times: list[float] = []
    now = start
    for request in requests:
        sent = clock.reserve(request, now)
        times.append(sent)
        now = sent + answer_time
    return times


# ---------------------------------------------------------------------- times and files


def format_time(epoch: int, *, daily: bool) -> str:
    """The ``time`` column: ``2024-05-01T13:30:00Z``, or ``2024-05-01`` for daily bars."""
    return time.strftime("%Y-%m-%d" if daily else "%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_time(text: str) -> int:
    """The epoch seconds of a ``time`` column value written by :func:`format_time`.

    Raises:
        ValueError: not such a value.
    """
    import calendar

    text = text.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return calendar.timegm(time.strptime(text, pattern))
        except ValueError:
            continue
    raise ValueError(f"unrecognised time {text!r}")


def _last_csv_line(path: Path) -> str | None:
    # Read backwards from the end: the file may hold hundreds of thousands of bars.
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        block = min(size, 64 * 1024)
        while True:
            handle.seek(size - block)
            lines = [line for line in handle.read(block).splitlines() if line.strip()]
            if len(lines) > 1 or block == size:
                return lines[-1].decode("utf-8") if lines else None
            block = min(size, block * 4)


def resume_point(path: Path) -> int | None:
    """The time of the last bar in an existing output file, or ``None`` if there is none.

    Raises:
        ValueError: the file exists but its last row is not ours.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]

        column = pq.read_table(path, columns=["time"]).column("time").to_pylist()
        return parse_time(str(column[-1])) if column else None
    line = _last_csv_line(path)
    if line is None:
        return None
    import csv

    first = next(csv.reader([line]))[0]
    if first == CSV_COLUMNS[0]:
        return None
    return parse_time(first)


def settings_path(path: Path) -> Path:
    """The file beside ``path`` that keeps what its bars are: ``aapl.csv.settings.json``."""
    return path.with_name(path.name + ".settings.json")


def check_settings(path: Path, settings: dict[str, object], *, after: int | None) -> None:
    """Refuse to resume ``path`` with other settings than its bars were fetched with.

    The settings of a file's bars (contract, bar size, what to show, hours) are
    kept in :func:`settings_path`; this writes them for a new file (or one
    without them) and compares them otherwise.  A file without them whose last
    row is a date (daily bars) and a bar size under a day, or the other way
    round, is refused too.

    Args:
        path: the output file.
        settings: this run's settings (JSON values).
        after: the time of the file's last bar (:func:`resume_point`), ``None`` if none.

    Raises:
        ValueError: the file holds other bars; the text names both settings.
        OSError: the settings file cannot be read or written.
    """
    import json

    kept_path = settings_path(path)
    if after is not None and kept_path.exists():
        kept = json.loads(kept_path.read_text(encoding="utf-8"))
        if kept != settings:
            differ = ", ".join(
                f"{key} {kept.get(key)!r} (this run: {settings.get(key)!r})"
                for key in sorted(set(kept) | set(settings))
                if kept.get(key) != settings.get(key)
            )
            raise ValueError(
                f"holds bars fetched with other settings: {differ}; "
                "resuming would mix them (write to another file)"
            )
        return
    if after is not None and path.suffix != ".parquet":
        line = _last_csv_line(path) or ""
        daily_file = len(line.split(",", 1)[0].strip()) == len("yyyy-mm-dd")
        daily_run = bar_seconds(str(settings["bar_size"])) >= _DAY
        if daily_file != daily_run:
            kind = "daily or longer" if daily_file else "intraday"
            raise ValueError(
                f"holds {kind} bars, not {settings['bar_size']} bars; "
                "resuming would mix them (write to another file)"
            )
    kept_path.write_text(json.dumps(settings, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _row(bar: BarData, epoch: int, daily: bool) -> list[str]:
    def number(value: Decimal | None) -> str:
        return "" if value is None or value < 0 else str(value)

    return [
        format_time(epoch, daily=daily),
        repr(bar.open),
        repr(bar.high),
        repr(bar.low),
        repr(bar.close),
        number(bar.volume),
        number(bar.wap),
        "" if bar.bar_count < 0 else str(bar.bar_count),
    ]


class _Sink(Protocol):
    def write(self, rows: list[list[str]]) -> None: ...

    def close(self) -> None: ...


class _CsvSink:
    def __init__(self, path: Path) -> None:
        fresh = not path.exists() or path.stat().st_size == 0
        self._file = path.open("a", newline="", encoding="utf-8")
        import csv

        self._writer = csv.writer(self._file)
        if fresh:
            self._writer.writerow(CSV_COLUMNS)
            self._file.flush()

    def write(self, rows: list[list[str]]) -> None:
        self._writer.writerows(rows)
        # Flushed per chunk: the file is the checkpoint a later run resumes from.
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class _ParquetSink:
    # Parquet files cannot be appended to, so rows are kept and the whole file is
    # rewritten after each chunk; the file stays a valid checkpoint throughout.
    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]

        self._path = path
        self._columns: dict[str, list[object]] = {name: [] for name in CSV_COLUMNS}
        if path.exists() and path.stat().st_size:
            table = pq.read_table(path)
            for name in CSV_COLUMNS:
                self._columns[name] = table.column(name).to_pylist()

    def write(self, rows: list[list[str]]) -> None:
        import pyarrow as pa  # type: ignore[import-not-found,import-untyped,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]

        for row in rows:
            for name, value in zip(CSV_COLUMNS, row, strict=True):
                parsed: object = value
                if name in ("open", "high", "low", "close"):
                    parsed = float(value)
                elif name in ("volume", "wap"):
                    parsed = float(value) if value else None
                elif name == "bar_count":
                    parsed = int(value) if value else None
                self._columns[name].append(parsed)
        pq.write_table(pa.table(self._columns), self._path)

    def close(self) -> None:
        pass


def open_sink(path: Path) -> _Sink:
    """A writer appending rows to ``path``: Parquet for ``.parquet``, else CSV.

    Raises:
        ImportError: a ``.parquet`` output without pyarrow installed.
    """
    if path.suffix == ".parquet":
        try:
            import pyarrow  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            raise ImportError(
                "writing Parquet needs pyarrow: pip install pyarrow (or write a .csv file)"
            ) from None
        return _ParquetSink(path)
    return _CsvSink(path)


# ---------------------------------------------------------------------- progress


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Progress:
    """A one-line progress bar on a text stream, with rate and time left.

    On a terminal the line is redrawn in place; otherwise a line is written at
    most every ``interval`` seconds (and at the end), so logs stay short.

    Args:
        total: the number of chunks.
        stream: where to write (stderr by default).
        clock: the monotonic clock, in seconds.
        width: the bar's width in characters.
        interval: seconds between lines when the stream is not a terminal.
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        width: int = 24,
        interval: float = 5.0,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.width = width
        self.interval = interval
        self.started = clock()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_line = -math.inf
        self._drawn = False

    def line(self, done: int, bars: int, eta: float | None, note: str = "") -> str:
        """The progress text for ``done`` chunks and ``bars`` bars written."""
        fraction = done / self.total if self.total else 1.0
        filled = int(fraction * self.width)
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = bars / elapsed
        left = "--" if eta is None else _clock_text(eta)
        text = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} chunks "
            f"{fraction:4.0%}  {bars:,} bars  {rate:,.0f} bars/s  {left} left"
        )
        return f"{text}  ({note})" if note else text

    def update(self, done: int, bars: int, eta: float | None, note: str = "") -> None:
        """Show the progress (rate-limited when the stream is not a terminal)."""
        now = self.clock()
        final = done >= self.total
        if not self._tty and not final and now - self._last_line < self.interval:
            return
        self._last_line = now
        text = self.line(done, bars, eta, note)
        if self._tty:
            self.stream.write("\r\x1b[K" + text)
            self._drawn = True
            if final:
                self.stream.write("\n")
                self._drawn = False
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the line on a terminal."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


# ---------------------------------------------------------------------- the download


class FetchBars(Protocol):
    """Fetches one chunk: the client's ``historical_bars`` with the chunk filled in."""

    def __call__(self, request: ReqHistoricalData, timeout: float) -> list[BarData]: ...


@record(slots=True)
class DownloadResult:
    """What a download did.

    Attributes:
        chunks: requests answered.
        bars: bars written.
        first: the time of the first bar written, if any.
        last: the time of the last bar in the file, if any.
    """

    chunks: int = 0
    bars: int = 0
    first: int | None = None
    last: int | None = None


class Downloader:
    """Fetches a span of bars chunk by chunk, paced, into a sink.

    Args:
        fetch: sends one request and returns its bars (raises the client's errors).
        contract: the contract.
        bar_size: the bar size setting.
        what_to_show: ``TRADES``, ``MIDPOINT``, ``BID_ASK``...
        use_rth: regular trading hours only.
        pacing: the pacing rules the client enforces (for the private model).
        pacer: the client (or its pacer); the downloader then waits for what
            its pacer says, not for a model of it.
        clock: the monotonic clock, in seconds (the client's pacer's clock).
        sleep: waits a number of seconds.
        timeout: seconds each request may take once sent.
        retries: attempts per chunk after a timeout or a pacing error.
        backoff: seconds to wait after a pacing error (doubled per retry).
    """

    def __init__(
        self,
        fetch: FetchBars,
        contract: Contract,
        bar_size: str,
        what_to_show: str = "TRADES",
        *,
        use_rth: bool = False,
        pacing: PacingConfig | None = None,
        pacer: Pacer[Message] | ClientPacer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 15.0,
    ) -> None:
        self.fetch = fetch
        self.contract = contract
        self.bar_size = bar_size
        self.what_to_show = _what_to_show(what_to_show)
        self.use_rth = use_rth
        self.pacing = PacingClock(pacing, pacer=pacer)
        self.clock = clock
        self.sleep = sleep
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.size = bar_seconds(bar_size)
        self.daily = self.size >= _DAY
        #: When each request was sent, on ``clock`` (the tests check the pacing).
        self.sent_at: list[float] = []

    def request(self, chunk: Chunk) -> ReqHistoricalData:
        """The request of one chunk (request id 0: the client allocates one)."""
        return chunk_request(self.contract, chunk, self.bar_size, self.what_to_show, self.use_rth)

    def eta(self, remaining: Sequence[Chunk], answer_time: float) -> float | None:
        """Seconds until ``remaining`` are all answered, if each takes ``answer_time``
        (``None`` when it cannot be planned: an estimate never stops a download)."""
        if not remaining:
            return 0.0
        now = self.clock()
        planner = self.pacing.copy()
        t = now
        # Planned exactly: the pacing windows make the rate bursty, so no average
        # of past chunks predicts it (and a year of chunks plans in milliseconds).
        try:
            for chunk in remaining:
                t = planner.reserve(self.request(chunk), t) + answer_time
        except RuntimeError:
            return None
        return t - now

    def _send(self, chunk: Chunk, progress: Callable[[str], None]) -> list[BarData]:
        request = self.request(chunk)
        delay = self.backoff
        attempt = 0
        while True:
            now = self.clock()
            at = self.pacing.reserve(request, now)
            if at > now:
                progress(f"pacing: next request in {_clock_text(at - now)}")
                self.sleep(at - now)
            self.sent_at.append(self.clock())
            try:
                return self.fetch(request, self.timeout)
            except ApiError as error:
                if not retry_chunk(error, attempt, self.retries):
                    return []
                progress(f"TWS reported a pacing violation; waiting {_clock_text(delay)}")
                self.sleep(delay)
                delay *= 2
            except RequestTimeoutError:
                if attempt >= self.retries:
                    raise
                progress(f"no answer in {self.timeout:g}s; retrying")
            attempt += 1

    def run(
        self,
        chunks: Sequence[Chunk],
        sink: _Sink,
        *,
        after: int | None = None,
        progress: Progress | None = None,
    ) -> DownloadResult:
        """Fetch ``chunks`` in order and write every bar later than ``after``.

        Args:
            chunks: from :func:`plan_chunks`.
            sink: where rows go.
            after: the time of the last bar already written (resume point).
            progress: the progress bar, if any.

        Returns:
            What was written.
        """
        result = DownloadResult(last=after)
        answer_times: list[float] = []
        span_start = chunks[0].start if chunks else 0
        span_end = chunks[-1].end if chunks else 0

        def note(text: str) -> None:
            if progress is not None:
                progress.update(result.chunks, result.bars, None, text)

        for index, chunk in enumerate(chunks):
            bars = self._send(chunk, note)
            answer_times.append(self.clock() - self.sent_at[-1])
            rows: list[list[str]] = []
            stamped = sorted(((bar_time(bar.date), bar) for bar in bars), key=lambda x: x[0])
            for epoch, bar in stamped:
                # A chunk may ask for more than it covers (whole days, a whole
                # step) and a resumed run starts inside the last chunk: the span
                # and the file's order decide.
                if not in_span(epoch, self.size, span_start, span_end):
                    continue
                if result.last is not None and epoch <= result.last:
                    continue
                rows.append(_row(bar, epoch, self.daily))
                result.last = epoch
                if result.first is None:
                    result.first = epoch
            if rows:
                sink.write(rows)
            result.chunks += 1
            result.bars += len(rows)
            if progress is not None:
                average = sum(answer_times[-10:]) / len(answer_times[-10:])
                progress.update(result.chunks, result.bars, self.eta(chunks[index + 1 :], average))
        return result


# ---------------------------------------------------------------------- the command


def run(args: argparse.Namespace) -> int:
    """Run ``ibwire history``; returns the exit status."""
    from .errors import ConnectionClosedError, IBWireError
    from .sync import Client
    from .testing.simulator import SimulatedGateway

    try:
        size = bar_seconds(args.bar_size)
        span = parse_duration(args.duration)
        bar_size = next(name for name, seconds in BAR_SIZES.items() if seconds == size)
    except ValueError as exc:
        print(f"ibwire history: {exc}", file=sys.stderr)
        return 2
    from pathlib import Path

    path = Path(args.output)
    settings: dict[str, object] = {
        "symbol": args.symbol, "sec_type": args.sec_type, "exchange": args.exchange,
        "primary_exchange": args.primary_exchange, "currency": args.currency,
        "con_id": args.con_id, "bar_size": bar_size, "what_to_show": _what_to_show(args.what),
        "use_rth": bool(args.rth),
    }  # fmt: skip
    try:
        after = resume_point(path)
        check_settings(path, settings, after=after)
        sink = open_sink(path)
    except (ImportError, ValueError, OSError) as exc:
        print(f"ibwire history: {args.output}: {exc}", file=sys.stderr)
        return 2
    contract = Contract(
        con_id=args.con_id,
        symbol=args.symbol,
        sec_type=args.sec_type,
        exchange=args.exchange,
        primary_exchange=args.primary_exchange,
        currency=args.currency,
    )
    gateway = SimulatedGateway(seed=0, port=0).start() if args.simulate else None
    # With --simulate, the simulator is the gateway: where it listens, not --host/--port.
    host, port = (gateway.host, gateway.port) if gateway is not None else (args.host, args.port)
    pacing = PacingConfig()
    client = Client(host=host, port=port, client_id=args.client_id, pacing=pacing,
                    connect_timeout=args.timeout)
    try:
        try:
            client.connect()
        except (ConnectionClosedError, IBWireError) as exc:
            print(f"ibwire history: cannot connect to {host}:{port}: {exc}", file=sys.stderr)
            return 2
        end = client.current_time(timeout=args.timeout)
        # A resumed run starts at the bar after the last one written; no span
        # reaches before 1970 (a mistyped "99999999999 D" planned for ever).
        start = max(end - span, 0) if after is None else after + size
        try:
            chunks = plan_chunks(start, end, bar_size, what_to_show=args.what)
        except ValueError as exc:
            print(f"ibwire history: {exc}", file=sys.stderr)
            return 2
        where = "resuming after " + format_time(after, daily=size >= _DAY) if after else "new file"
        print(
            f"{args.symbol} {bar_size} {args.what}: {len(chunks)} request(s) of at most "
            f"{max_chunk(bar_size)[1]} into {path} ({where})",
            file=sys.stderr,
        )

        def fetch(request: ReqHistoricalData, timeout: float) -> list[BarData]:
            return client.historical_bars(
                request.contract,
                request.duration_str,
                request.bar_size_setting,
                request.what_to_show,
                end_date_time=request.end_date_time,
                use_rth=request.use_rth,
                format_date=request.format_date,
                timeout=timeout,
            )

        downloader = Downloader(
            fetch, contract, bar_size, args.what, use_rth=args.rth, pacing=pacing,
            pacer=_client_pacer(client), timeout=args.timeout,
        )
        progress = None if args.quiet else Progress(len(chunks))
        try:
            result = downloader.run(chunks, sink, after=after, progress=progress)
        except KeyboardInterrupt:
            print("\ninterrupted: run the same command again to resume", file=sys.stderr)
            return 130
        except IBWireError as exc:
            if progress is not None:
                progress.finish()
            print(f"ibwire history: {exc} (run again to resume)", file=sys.stderr)
            return 1
        if progress is not None:
            progress.finish()
        if result.first is None:
            print(f"nothing new: {path} is up to date", file=sys.stderr)
        else:
            assert result.last is not None
            daily = size >= _DAY
            print(
                f"wrote {result.bars:,} bars ({format_time(result.first, daily=daily)} .. "
                f"{format_time(result.last, daily=daily)}) to {path}",
                file=sys.stderr,
            )
        return 0
    finally:
        sink.close()
        client.disconnect()
        if gateway is not None:
            gateway.stop()


def _client_pacer(client: object) -> ClientPacer | None:
    """The client itself, whose pacer the downloader asks (both clients offer it)."""
    return client if isinstance(client, FrontEnd) else None
