"""Bar sizes and bar dates: the one parser of each, and everyone reads it."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import sys
from decimal import Decimal

import pytest

import ibwire
from ibwire import _history, bars, frames
from ibwire.bars import (
    BAR_SIZES,
    WHAT_TO_SHOW,
    BarList,
    bar_datetime,
    bar_seconds,
    bar_time,
    connection_zone,
    what_to_show,
)
from ibwire.messages import BarData
from ibwire.pacing import _tables
from ibwire.testing import _market

UTC = dt.timezone.utc
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def test_bar_sizes() -> None:
    assert bar_seconds("1 min") == 60
    assert bar_seconds("  1   hour ") == 3600
    assert bar_seconds("1 sec") == 1
    assert bar_seconds("1 DAY") == 86400
    for text, seconds in BAR_SIZES.items():
        assert bar_seconds(text) == seconds
    with pytest.raises(ValueError, match="IB accepts: 1 secs"):
        bar_seconds("7 mins")


def test_bar_dates() -> None:
    assert bar_datetime(str(T0)) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert bar_datetime("20231114") == dt.datetime(2023, 11, 14, tzinfo=UTC)
    assert bar_time("20231114 22:13:20") == T0
    assert bar_time("20231114-22:13:20") == T0
    assert bar_time("20231114 22:13:20 UTC") == T0
    # UTC marked with Z (server 214+), joined to the time or apart.
    assert bar_time("20231114-22:13:20Z") == bar_time("20231114 22:13:20 Z") == T0
    # A zone word is the zone of the time: 17:13:20 in New York is 22:13:20 UTC.
    assert bar_time("20231114 17:13:20 US/Eastern") == T0
    for bad in ("yesterday", "20231114 25:00:00", "20231114 10:00:00 Mars/Olympus", ""):
        with pytest.raises(ValueError, match="bar date"):
            bar_datetime(bad)


def test_times_without_a_zone_are_read_in_the_zone_given() -> None:
    # Older servers send formatDate=1 bar times in TWS's login zone, unmarked: a New
    # York login's 09:30 bar is 14:30 UTC in winter, 13:30 in summer.
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    winter = bar_datetime("20231114 09:30:00", tz="America/New_York")
    assert winter == dt.datetime(2023, 11, 14, 14, 30, tzinfo=UTC)
    assert winter.tzinfo is new_york
    assert bar_datetime("20240702  09:30:00", tz=new_york) == dt.datetime(2024, 7, 2, 13, 30, tzinfo=UTC)
    assert bar_time("20231114-09:30:00", tz="US/Eastern") == T0 - 7 * 3600 - 43 * 60 - 20
    # Only unmarked times: a named zone, Z, epoch seconds and dates read as without tz.
    for text in ("20231114 17:13:20 US/Eastern", "20231114-22:13:20Z", "20231114 22:13:20 UTC",
                 str(T0), "20231114"):
        assert bar_datetime(text, tz="Asia/Tokyo") == bar_datetime(text), text
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        bar_datetime("20231114 09:30:00", tz="Mars/Olympus")


def test_the_login_zone_is_read_from_the_handshakes_time_text() -> None:
    from zoneinfo import ZoneInfo

    cases = {
        "EST": "America/New_York", "EDT": "America/New_York", "CET": "Europe/Berlin",
        "China Standard Time": "Asia/Shanghai", "Hora estándar de Europa central": "Europe/Berlin",
        "central  european summer time": "Europe/Berlin", "JST": "Asia/Tokyo",
        "US/Eastern": "US/Eastern", "Asia/Hong_Kong": "Asia/Hong_Kong",
    }  # fmt: skip
    for name, key in cases.items():
        assert connection_zone(f"20240324 21:18:59 {name}") == ZoneInfo(key), name
    # Names of several zones, unknown names, no name: None (times stay UTC).
    for name in ("CST", "IST", "MST", "GMT", "Heure de Mars", "Mars/Olympus", ""):
        assert connection_zone(f"20240324 21:18:59 {name}") is None, name
    moment = bar_datetime("20240324  09:30:00", tz=connection_zone("20240324 21:18:59 EDT"))
    assert moment == dt.datetime(2024, 3, 24, 13, 30, tzinfo=UTC)


def test_a_zone_name_no_file_can_hold_is_unknown_not_an_os_error() -> None:
    # The name becomes a path in the zone files: a part longer than a file name
    # can be (ENAMETOOLONG) is an unknown zone like any other.
    name = "Asia/" + "x" * 300
    assert connection_zone(f"20240324 21:18:59 {name}") is None
    with pytest.raises(ValueError, match="unknown time zone in bar date"):
        bar_datetime(f"20240324 09:30:00 {name}")
    with pytest.raises(ValueError, match="unknown time zone"):
        bar_datetime("20240324 09:30:00", tz=name)


def test_bar_dates_in_the_legacy_zone_names_tws_uses_without_legacy_zone_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Debian 13 and Ubuntu 24.04 ship US/Eastern and the like in tzdata-legacy only.
    import zoneinfo

    real = zoneinfo.ZoneInfo

    def current_only(key: str) -> dt.tzinfo:
        if "/" not in key.strip("/") or key.split("/")[0] in ("US", "Canada", "Brazil", "Mexico"):
            raise zoneinfo.ZoneInfoNotFoundError(f"No time zone found with key {key}")
        return real(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", current_only)
    cases = {
        "US/Eastern": "America/New_York", "US/Central": "America/Chicago",
        "US/Pacific": "America/Los_Angeles", "Japan": "Asia/Tokyo", "Hongkong": "Asia/Hong_Kong",
        "EST5EDT": "America/New_York", "MET": "Europe/Brussels", "Canada/Eastern": "America/Toronto",
    }  # fmt: skip
    for legacy, current in cases.items():
        moment = bar_datetime(f"20240702 09:30:00 {legacy}")
        assert moment == dt.datetime(2024, 7, 2, 9, 30, tzinfo=real(current)), legacy
    with pytest.raises(ValueError, match="unknown time zone"):
        bar_datetime("20240702 09:30:00 Mars/Olympus")


def test_every_user_reads_the_one_parser() -> None:
    assert _history.bar_seconds is bar_seconds and _history.bar_time is bar_time
    assert _history.BAR_SIZES is BAR_SIZES and _market.BAR_SIZES is BAR_SIZES
    assert frames.bar_datetime is bar_datetime
    # The pacer's and the simulator's lenient forms answer None where the parser raises.
    assert _tables.bar_seconds("30 secs") == 30 and _tables.bar_seconds("7 mins") is None
    assert _market.bar_size_seconds("1 sec") == 1 and _market.bar_size_seconds("x") is None
    tz_end = "20231114 17:13:20 US/Eastern"
    assert _market.parse_end(tz_end, 0.0) == float(bar_time(tz_end))
    assert _market.parse_end("", 5.0) == 5.0 and _market.parse_end("nonsense", 5.0) is None


def test_no_other_module_parses_bar_sizes_or_bar_dates() -> None:
    # A second table of sizes, or a second strptime of TWS's date forms, is a second
    # parser; only bars.py may have them.
    root = pathlib.Path(ibwire.__file__).parent
    table = re.compile(r'"(1 secs|5 secs)"\s*:')
    listing = re.compile(r'"1 secs",\s*"5 secs"')
    date_form = re.compile(r'strptime\([^\n]*"%Y%m%d|\("%Y%m%d[^"]*", \d+\)')
    # The day inside a simulated news article id is not a bar date.
    allowed = {"testing/_sim_reference.py"}
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "bars.py" and path.parent == root:
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        parses_dates = name not in allowed and date_form.search(text) is not None
        if table.search(text) or listing.search(text) or parses_dates:
            offenders.append(name)
    assert offenders == []
    assert bars.__all__ == [
        "BAR_SIZES", "WHAT_TO_SHOW", "BarList", "bar_datetime", "bar_seconds", "bar_time",
        "connection_zone", "what_to_show",
    ]


def _bar(date: str) -> BarData:
    return BarData(date=date, open=1.0, high=2.0, low=0.5, close=1.5, volume=Decimal(10))


def test_a_bar_list_is_a_list_that_makes_its_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    daily = BarList([_bar("20231113"), _bar("20231114")])
    assert daily == [_bar("20231113"), _bar("20231114")] and isinstance(daily, list)
    calls: list[tuple[list[BarData], bool, object]] = []
    monkeypatch.setattr(
        frames, "to_frame", lambda items, exact, tz: calls.append((list(items), exact, tz))
    )
    daily.to_frame(exact=True)
    daily.to_frame(tz="US/Eastern")
    assert calls == [(list(daily), True, None), (list(daily), False, "US/Eastern")]
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"pip install 'ibwire\[pandas\]'"):
        daily.to_frame()


def test_a_bar_list_frame_indexes_daily_and_intraday_bars_alike() -> None:
    pd = pytest.importorskip("pandas")
    daily = BarList([_bar("20231113"), _bar("20231114")]).to_frame()
    minutes = BarList([_bar(str(T0)), _bar(str(T0 + 60))]).to_frame()
    assert daily.index[1] == pd.Timestamp("2023-11-14", tz="UTC")
    assert minutes.index[1] == pd.Timestamp(T0 + 60, unit="s", tz="UTC")


def test_what_to_show_is_read_in_ibs_spelling_or_refused() -> None:
    assert what_to_show("bid_ask ") == "BID_ASK"
    assert what_to_show("TRADES") == "TRADES"
    assert WHAT_TO_SHOW >= {"TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST"}
    with pytest.raises(ValueError, match="unknown what_to_show 'trade'"):
        what_to_show("trade")
