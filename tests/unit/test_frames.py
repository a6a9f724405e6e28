"""``ibwire.frames.to_frame``: DataFrames of bars, ticks, positions and executions."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import types
from decimal import Decimal
from typing import Any

import pytest

from ibwire.bars import BarList
from ibwire.frames import bar_datetime, to_frame
from ibwire.live import Fill, PortfolioItem, Position
from ibwire.messages import (
    BarData,
    Contract,
    Execution,
    ExecutionData,
    HistoricalData,
    HistoricalDataUpdate,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicksLast,
    PortfolioValue,
    PositionData,
    RealTimeBars,
)

UTC = dt.timezone.utc
AAPL = Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
T0 = 1_700_000_000


def bar(date: str, close: float = 1.5) -> BarData:
    return BarData(date=date, open=1.0, high=2.0, low=0.5, close=close,
                   volume=Decimal("100.5"), wap=Decimal("1.25"), bar_count=3)


def test_bar_dates() -> None:
    assert bar_datetime(str(T0)) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert bar_datetime("20231114") == dt.datetime(2023, 11, 14, tzinfo=UTC)
    assert bar_datetime("20231114 22:13:20") == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert bar_datetime("20231114-22:13:20") == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    eastern = bar_datetime("20231114 09:30:00 US/Eastern")
    assert eastern.astimezone(UTC) == dt.datetime(2023, 11, 14, 14, 30, tzinfo=UTC)


def test_importing_frames_does_not_import_pandas() -> None:
    code = "import sys, ibwire.frames; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_pandas_the_error_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from ibwire import frames

    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r"pip install 'ibwire\[pandas\]'"):
        frames.to_frame([bar(str(T0))])


@pytest.fixture
def pd() -> Any:
    """pandas, or a skip when it is not installed."""
    return pytest.importorskip("pandas")


def test_bars_are_indexed_by_date(pd: Any) -> None:
    frame = to_frame([bar(str(T0)), bar(str(T0 + 60), 1.75)])
    assert list(frame.columns) == ["open", "high", "low", "close", "volume", "wap", "bar_count"]
    assert frame.index.name == "date"
    assert frame.index[1] == pd.Timestamp(T0 + 60, unit="s", tz="UTC")
    assert frame["close"].tolist() == [1.5, 1.75]
    assert frame["volume"].dtype == float and frame["volume"].iloc[0] == 100.5


def test_historical_data_messages_are_expanded_and_exact_keeps_decimals(pd: Any) -> None:
    message = HistoricalData(req_id=1, bars=(bar("20231113"), bar("20231114")))
    frame = to_frame([message], exact=True)
    assert len(frame) == 2
    assert frame["volume"].iloc[0] == Decimal("100.5")
    assert frame.index[0] == pd.Timestamp("2023-11-13", tz="UTC")


def test_real_time_bars(pd: Any) -> None:
    rtb = RealTimeBars(req_id=1, time=T0, open=1, high=2, low=0.5, close=1.5,
                       volume=Decimal(10), wap=Decimal(1), count=4)
    frame = to_frame([rtb])
    assert frame.index.name == "time" and frame["count"].iloc[0] == 4


def test_historical_ticks_of_each_kind(pd: Any) -> None:
    last = to_frame([HistoricalTicksLast(req_id=1, ticks=(
        HistoricalTickLast(time=T0, price=10.0, size=Decimal(5), exchange="NASDAQ"),
        HistoricalTickLast(time=T0 + 1, price=10.5, size=Decimal(7), exchange="ARCA"),
    ), done=True)])
    assert last["exchange"].tolist() == ["NASDAQ", "ARCA"]
    assert last["size"].sum() == 12
    bid_ask = to_frame([HistoricalTickBidAsk(time=T0, price_bid=1.0, price_ask=1.1,
                                             size_bid=Decimal(1), size_ask=Decimal(2))])
    assert list(bid_ask.columns) == ["bid", "ask", "bid_size", "ask_size"]
    mid = to_frame([HistoricalTick(time=T0, price=1.05, size=Decimal(0))])
    assert mid["price"].iloc[0] == 1.05


def test_positions_and_executions(pd: Any) -> None:
    positions = to_frame([PositionData(account="DU1", contract=AAPL, position=Decimal(10),
                                       avg_cost=180.0)])
    assert positions.loc[0, "symbol"] == "AAPL" and positions.loc[0, "position"] == 10.0
    execution = Execution(exec_id="e1", time="20231114 22:13:20", acct_number="DU1",
                          side="BOT", shares=Decimal(10), price=180.0, order_id=5)
    executions = to_frame([ExecutionData(req_id=-1, contract=AAPL, execution=execution)])
    assert executions.loc[0, "exec_id"] == "e1" and executions.loc[0, "con_id"] == 265598
    assert to_frame([execution]).loc[0, "side"] == "BOT"


class _Rows:
    """Just enough of ``pandas.DataFrame`` to read the rows ``to_frame`` built."""

    def __init__(self, rows: list[dict[str, object]]) -> None:
        self.rows = rows

    def set_index(self, column: str) -> _Rows:
        return self


def test_the_clients_positions_portfolio_and_fills_convert_as_their_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What positions(), portfolio() and fills() return, beside the messages they come from.
    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=_Rows))
    execution = Execution(exec_id="e1", time="20231114 22:13:20", acct_number="DU1",
                          side="BOT", shares=Decimal(10), price=180.0, order_id=5)
    pairs = [
        (Position(account="DU1", contract=AAPL, position=Decimal(10), avg_cost=180.0,
                  model_code="", time=T0),
         PositionData(account="DU1", contract=AAPL, position=Decimal(10), avg_cost=180.0)),
        (PortfolioItem(contract=AAPL, position=Decimal(10), market_price=181.0,
                       market_value=1810.0, average_cost=180.0, unrealized_pnl=10.0,
                       realized_pnl=0.0, account="DU1", time=T0),
         PortfolioValue(contract=AAPL, position=Decimal(10), market_price=181.0,
                        market_value=1810.0, average_cost=180.0, unrealized_pnl=10.0,
                        realized_pnl=0.0, account_name="DU1")),
        (Fill(contract=AAPL, execution=execution, commission_report=None, time=T0),
         ExecutionData(req_id=-1, contract=AAPL, execution=execution)),
    ]
    for live, message in pairs:
        assert to_frame([live]).rows == to_frame([message]).rows
    assert to_frame([pairs[1][0]]).rows[0]["account"] == "DU1"


def test_execution_times_become_datetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=_Rows))
    times = ["20231114 17:13:20 US/Eastern", "20231114-22:13:20", ""]
    rows = [
        to_frame([Execution(exec_id=f"e{n}", time=text, side="BOT", shares=Decimal(1))]).rows[0]
        for n, text in enumerate(times)
    ]
    expected = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert rows[0]["time"] == rows[1]["time"] == expected
    assert rows[0]["time"].tzinfo.key == "US/Eastern"  # type: ignore[attr-defined]
    assert rows[2]["time"] is None


def test_times_without_a_zone_are_read_in_the_zone_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # Older servers: bar times (formatDate=1) and execution times in TWS's login zone.
    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=_Rows))
    open_utc = dt.datetime(2023, 11, 14, 14, 30, tzinfo=UTC)
    bars = BarList([bar("20231114  09:30:00"), bar("20231114  09:31:00 US/Eastern")])
    dates = [row["date"] for row in bars.to_frame(tz="America/New_York").rows]
    assert dates == [open_utc, open_utc + dt.timedelta(minutes=1)]
    assert [row["date"] for row in to_frame(bars).rows][0] == open_utc - dt.timedelta(hours=5)
    execution = Execution(exec_id="e1", time="20231114  09:30:00", side="BOT", shares=Decimal(1))
    fill = Fill(contract=AAPL, execution=execution, commission_report=None, time=T0)
    for item in (execution, ExecutionData(req_id=-1, contract=AAPL, execution=execution), fill):
        assert to_frame([item], tz="US/Eastern").rows[0]["time"] == open_utc
    with pytest.raises(ValueError, match="unknown time zone"):
        to_frame([execution], tz="Nowhere/Else")


def test_bars_in_the_hour_repeated_at_the_end_of_summer_time_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # TWS names the New York wall-clock time: 01:00 and 01:30 come twice on 3 November
    # 2024, first in EDT, then in EST an hour later.
    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=_Rows))
    walls = ["00:30", "01:00", "01:30", "01:00", "01:30", "02:00"]
    rows = to_frame(BarList(bar(f"20241103 {wall}:00 US/Eastern") for wall in walls)).rows
    utc = [row["date"].astimezone(UTC).strftime("%H:%M") for row in rows]  # type: ignore[attr-defined]
    assert utc == ["04:30", "05:00", "05:30", "06:00", "06:30", "07:00"]
    # Hourly bars: the second 01:00 is the EST hour.
    rows = to_frame([bar(f"20241103 {wall}:00:00 US/Eastern") for wall in ("00", "01", "01", "02")]).rows
    utc = [row["date"].astimezone(UTC).strftime("%H:%M") for row in rows]  # type: ignore[attr-defined]
    assert utc == ["04:00", "05:00", "06:00", "07:00"]
    # Updates of one bar repeat its time: the same bar, not a later one.
    update = HistoricalDataUpdate(req_id=1, bar=bar("20241103 01:00:00 US/Eastern"))
    rows = to_frame([update, update]).rows
    assert [row["date"].fold for row in rows] == [0, 0]  # type: ignore[attr-defined]


class _Schema:
    """Just enough of pandas to read the columns and index of an empty frame."""

    @staticmethod
    def DatetimeIndex(values: list[object], *, tz: str, name: str) -> tuple[str, str, str]:
        assert values == []
        return ("DatetimeIndex", tz, name)

    @staticmethod
    def Series(values: list[object], *, dtype: str, index: object) -> str:
        assert values == []
        return dtype

    @staticmethod
    def DataFrame(columns: dict[str, str], *, index: object) -> tuple[dict[str, str], object]:
        return columns, index


def test_an_empty_bar_list_makes_a_frame_of_bar_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    # history() of a range without trading: frame["close"] must be there, empty.
    monkeypatch.setitem(sys.modules, "pandas", _Schema)
    columns, index = to_frame(BarList())
    assert index == ("DatetimeIndex", "UTC", "date")
    assert columns == {"open": "float64", "high": "float64", "low": "float64", "close": "float64",
                       "volume": "float64", "wap": "float64", "bar_count": "int64"}
    exact_columns, _ = BarList().to_frame(exact=True)
    assert exact_columns["volume"] == exact_columns["wap"] == "object"
    # The same columns, in the same order, as the frame of a list with bars.
    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=_Rows))
    assert list(columns) == [name for name in to_frame([bar(str(T0))]).rows[0] if name != "date"]


def test_an_empty_bar_list_frame_has_the_dtypes_of_a_full_one(pd: Any) -> None:
    for exact in (False, True):
        empty = BarList().to_frame(exact=exact)
        full = BarList([bar("20231114")]).to_frame(exact=exact)
        assert list(empty.columns) == list(full.columns)
        assert empty.dtypes.to_dict() == full.dtypes.to_dict()
        assert empty.index.name == "date" and str(empty.index.dtype).endswith("UTC]")
        assert empty["close"].empty


def test_empty_mixed_and_unsupported(pd: Any) -> None:
    assert to_frame([]).empty
    with pytest.raises(TypeError, match="one kind at a time"):
        to_frame([bar(str(T0)), PositionData(account="DU1", contract=AAPL, position=None,
                                              avg_cost=0.0)])
    with pytest.raises(TypeError, match="cannot convert str"):
        to_frame(["nope"])
