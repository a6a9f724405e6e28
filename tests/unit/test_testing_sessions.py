"""The venue sessions of the simulator (``ibwire.testing._sessions``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ibwire.testing import SimulatorCore
from ibwire.testing._sessions import (
    Phase,
    day_span,
    day_start,
    nyse_holidays,
    phase,
    regular_close,
    trading_days_back,
    trading_hours,
    windows,
)

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")


def ny(*parts: int) -> float:
    """Epoch seconds of a New York wall-clock time."""
    return dt.datetime(*parts, tzinfo=NEW_YORK).timestamp()


def chicago(*parts: int) -> float:
    """Epoch seconds of a Chicago wall-clock time."""
    return dt.datetime(*parts, tzinfo=CHICAGO).timestamp()


def test_session_phases_and_trading_hours_text() -> None:
    core = SimulatorCore()
    universe = core.universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")
    eur = next(i for i in universe.instruments if i.sec_type == "CASH")

    def at(zone: ZoneInfo, *parts: int) -> float:
        return dt.datetime(*parts, tzinfo=zone).timestamp()

    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 9, 29)) is Phase.EXTENDED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 9, 30)) is Phase.REGULAR
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 16, 0)) is Phase.EXTENDED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 20, 0)) is Phase.CLOSED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 9, 12, 0)) is Phase.CLOSED
    assert phase(es, at(CHICAGO, 2024, 3, 11, 16, 30)) is Phase.CLOSED
    assert phase(es, at(CHICAGO, 2024, 3, 10, 17, 0)) is Phase.EXTENDED  # Sunday evening opens
    assert phase(es, at(CHICAGO, 2024, 3, 11, 9, 0)) is Phase.REGULAR
    assert phase(eur, at(NEW_YORK, 2024, 3, 15, 17, 0)) is Phase.CLOSED  # Friday 17:00 closes the week
    assert phase(eur, at(NEW_YORK, 2024, 3, 12, 17, 10)) is Phase.CLOSED  # the daily break
    assert phase(eur, at(NEW_YORK, 2024, 3, 12, 17, 15)) is Phase.REGULAR
    assert trading_hours(aapl, dt.date(2024, 3, 8), 3, regular=True) == (
        "20240308:0930-20240308:1600;20240309:CLOSED;20240310:CLOSED"
    )
    assert trading_hours(es, dt.date(2024, 3, 10), 2, regular=False) == (
        "20240310:1700-20240311:1600;20240311:1700-20240312:0000"
    )


# The NYSE's published full-day holidays.
PUBLISHED = {
    2024: "0101 0115 0219 0329 0527 0619 0704 0902 1128 1225",
    2025: "0101 0120 0217 0418 0526 0619 0704 0901 1127 1225",
    2026: "0101 0119 0216 0403 0525 0619 0703 0907 1126 1225",
    2027: "0101 0118 0215 0326 0531 0618 0705 0906 1125 1224",
    2022: "0117 0221 0415 0530 0620 0704 0905 1124 1226",  # New Year's Day on a Saturday: not kept
}


def test_nyse_holidays_follow_the_exchanges_rules() -> None:
    for year, days in PUBLISHED.items():
        expected = {dt.date(year, int(d[:2]), int(d[2:])) for d in days.split()}
        assert nyse_holidays(year) == expected, year


def test_holidays_close_us_stocks_and_options_only_when_kept() -> None:
    core = SimulatorCore()
    universe = core.universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")
    good_friday = dt.datetime(2024, 3, 29, 11, 0, tzinfo=NEW_YORK).timestamp()
    assert phase(aapl, good_friday) is Phase.REGULAR
    assert phase(aapl, good_friday, holidays=True) is Phase.CLOSED
    assert phase(es, good_friday, holidays=True) is not Phase.CLOSED  # CME's calendar is not modelled
    text = trading_hours(aapl, dt.date(2024, 3, 28), 2, regular=True, holidays=True)
    assert text == "20240328:0930-20240328:1600;20240329:CLOSED"
    assert "20240329:0930" in trading_hours(aapl, dt.date(2024, 3, 28), 2, regular=True)


def test_a_trading_day_ends_at_the_venues_close_on_weekdays_not_holidays() -> None:
    universe = SimulatorCore().universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")
    easter_monday = dt.datetime(2024, 4, 1, 10, 0, tzinfo=NEW_YORK).timestamp()
    assert day_start(aapl, easter_monday) == dt.datetime(2024, 3, 29, 16, 0, tzinfo=NEW_YORK).timestamp()
    assert day_start(aapl, easter_monday, holidays=True) == dt.datetime(2024, 3, 28, 16, 0, tzinfo=NEW_YORK).timestamp()
    assert day_start(es, easter_monday, holidays=True) == dt.datetime(2024, 3, 29, 16, 0, tzinfo=CHICAGO).timestamp()
    monday_close = dt.datetime(2024, 4, 1, 16, 0, tzinfo=NEW_YORK).timestamp()
    assert day_start(aapl, monday_close) == monday_close


def test_trading_days_windows_and_regular_closes() -> None:
    universe = SimulatorCore().universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")

    # A stock's trading day is its New York day; a future's runs from the close before.
    assert day_span(aapl, dt.date(2024, 3, 11)) == (ny(2024, 3, 11), ny(2024, 3, 12))
    assert day_span(es, dt.date(2024, 3, 11)) == (chicago(2024, 3, 10, 16), chicago(2024, 3, 11, 16))
    # Windows are clipped to the span asked for, and joined across midnight.
    assert windows(aapl, ny(2024, 3, 8, 12), ny(2024, 3, 11, 10), regular=True) == [
        (ny(2024, 3, 8, 12), ny(2024, 3, 8, 16)), (ny(2024, 3, 11, 9, 30), ny(2024, 3, 11, 10)),
    ]
    assert windows(es, chicago(2024, 3, 11, 12), chicago(2024, 3, 12, 12), regular=False) == [
        (chicago(2024, 3, 11, 12), chicago(2024, 3, 11, 16)), (chicago(2024, 3, 11, 17), chicago(2024, 3, 12, 12)),
    ]
    assert windows(aapl, ny(2024, 3, 29), ny(2024, 3, 30), regular=True, holidays=True) == []
    # The close that at-close orders execute at: the end of the next regular session.
    assert regular_close(aapl, ny(2024, 3, 8, 10)) == ny(2024, 3, 8, 16)
    assert regular_close(aapl, ny(2024, 3, 8, 16)) == ny(2024, 3, 11, 16)  # the weekend has none
    assert regular_close(aapl, ny(2024, 3, 28, 17), holidays=True) == ny(2024, 4, 1, 16)  # nor Good Friday
    assert regular_close(es, chicago(2024, 3, 11, 14, 59)) == chicago(2024, 3, 11, 15)


def test_a_day_counts_in_n_days_once_it_has_traded() -> None:
    universe = SimulatorCore().universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")

    # At the regular open itself nothing has traded: "1 D" is the day before, so a
    # walk back from a day's first bar meets each trading day once.
    assert trading_days_back(aapl, ny(2024, 3, 12, 9, 30), 1, regular=True) == ny(2024, 3, 11)
    assert trading_days_back(aapl, ny(2024, 3, 12, 9, 30, 1), 1, regular=True) == ny(2024, 3, 12)
    assert trading_days_back(aapl, ny(2024, 3, 12, 4), 1) == ny(2024, 3, 11)
    assert trading_days_back(aapl, ny(2024, 3, 11, 9, 30), 2, regular=True) == ny(2024, 3, 7)
    # A future's evening session belongs to the next day once it has opened, not in the
    # break before it.
    assert trading_days_back(es, chicago(2024, 3, 11, 17), 1) == chicago(2024, 3, 10, 16)
    assert trading_days_back(es, chicago(2024, 3, 11, 16, 30), 1) == chicago(2024, 3, 10, 16)
    assert trading_days_back(es, chicago(2024, 3, 11, 17, 0, 1), 1) == chicago(2024, 3, 11, 16)
    # With regular hours, the day begins at the regular open.
    assert trading_days_back(es, chicago(2024, 3, 12, 8, 30), 1, regular=True) == chicago(2024, 3, 10, 16)


def test_crypto_trades_around_the_clock_every_day() -> None:
    universe = SimulatorCore().universe
    btc = next(i for i in universe.instruments if i.sec_type == "CRYPTO")
    saturday = dt.datetime(2024, 3, 9, 3, 0, tzinfo=NEW_YORK).timestamp()
    assert phase(btc, saturday, holidays=True) is Phase.REGULAR
    assert phase(btc, dt.datetime(2024, 12, 25, 12, 0, tzinfo=NEW_YORK).timestamp(), holidays=True) is Phase.REGULAR
    assert trading_hours(btc, dt.date(2024, 3, 9), 2, regular=True) == "20240309:0000-20240311:0000"
    # A trading day is the New York calendar day, weekends included.
    assert day_span(btc, dt.date(2024, 3, 9)) == (
        dt.datetime(2024, 3, 9, tzinfo=NEW_YORK).timestamp(), dt.datetime(2024, 3, 10, tzinfo=NEW_YORK).timestamp(),
    )
    assert day_start(btc, saturday) == dt.datetime(2024, 3, 9, tzinfo=NEW_YORK).timestamp()
