"""The venue sessions of the simulator (``ibwire.testing._sessions``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ibwire.testing import SimulatorCore
from ibwire.testing._sessions import Phase, phase, trading_hours

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")


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
