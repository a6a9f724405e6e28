"""pandas DataFrames from ibwire messages (optional: ``pip install ibwire[pandas]``).

:func:`to_frame` turns a list of bars, real-time bars, historical ticks,
positions, portfolio values or executions (the messages, or the clients'
positions, portfolio and fills) into a :class:`pandas.DataFrame`.
pandas is imported only when :func:`to_frame` is called, so importing this
module costs nothing and works without pandas.

Example:
    >>> from ibwire.frames import to_frame
    >>> bars = client.historical_bars(aapl, "5 D", "1 hour")  # doctest: +SKIP
    >>> frame = to_frame(bars)                                  # doctest: +SKIP
    >>> frame["close"].resample("1D").last()                    # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .bars import BarList, _local_zone, bar_datetime
from .live import Fill, PortfolioItem, Position
from .messages import (
    BarData,
    Execution,
    ExecutionData,
    HistoricalData,
    HistoricalDataUpdate,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    PortfolioValue,
    PositionData,
    RealTimeBars,
)

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = ["to_frame"]

_INSTALL_HINT: Final = (
    "ibwire.frames.to_frame needs pandas: pip install 'ibwire[pandas]' (or pip install pandas)"
)
_UTC: Final = _dt.timezone.utc

Row = dict[str, object]


def _number(value: Decimal | None, exact: bool) -> object:
    if value is None:
        return None
    return value if exact else float(value)


def _epoch(seconds: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(seconds, _UTC)


def _bar_row(bar: BarData, exact: bool, tz: _dt.tzinfo) -> Row:
    return {
        "date": bar_datetime(bar.date, tz),
        "open": bar.open,
        "high": bar.high,
        "low": bar.low,
        "close": bar.close,
        "volume": _number(bar.volume, exact),
        "wap": _number(bar.wap, exact),
        "bar_count": bar.bar_count,
    }


#: The columns of a bar frame and their dtypes (quantities: ``float64``, or
#: ``object`` holding Decimals with ``exact``), for a bar list with no bars.
_BAR_DTYPES: Final = {
    "open": "float64", "high": "float64", "low": "float64", "close": "float64",
    "volume": "quantity", "wap": "quantity", "bar_count": "int64",
}  # fmt: skip


def _empty_bars(pandas: Any, exact: bool) -> Any:
    index = pandas.DatetimeIndex([], tz="UTC", name="date")
    quantity = "object" if exact else "float64"
    columns = {
        name: pandas.Series([], dtype=quantity if dtype == "quantity" else dtype, index=index)
        for name, dtype in _BAR_DTYPES.items()
    }
    return pandas.DataFrame(columns, index=index)


def _bars(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    if isinstance(item, BarData):
        return [_bar_row(item, exact, tz)]
    if isinstance(item, HistoricalData):
        return [_bar_row(bar, exact, tz) for bar in item.bars]
    assert isinstance(item, HistoricalDataUpdate)
    return [_bar_row(item.bar, exact, tz)]


def _unfold(rows: list[Row], items: list[object]) -> None:
    """Move bars of the wall-clock hour a zone repeats (the end of summer time) to
    its second pass when they would otherwise go back in time.

    TWS names a zone's wall-clock time (``20241103 01:00:00 US/Eastern``), which
    comes twice then; bars come oldest first, so one that reads as no later than
    the bar before it is in the second pass.  Updates of a bar
    (:class:`~ibwire.messages.HistoricalDataUpdate`) repeat its time and are
    left as they are.
    """
    previous: float | None = None
    for row, item in zip(rows, items, strict=True):
        moment = row["date"]
        assert isinstance(moment, _dt.datetime)
        if isinstance(item, HistoricalDataUpdate):
            previous = None
            continue
        if previous is not None and moment.timestamp() <= previous:
            later = moment.replace(fold=1)
            if later.timestamp() > previous:
                row["date"] = moment = later
        previous = moment.timestamp()


def _real_time_bar(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    assert isinstance(item, RealTimeBars)
    return [{
        "time": _epoch(item.time),
        "open": item.open,
        "high": item.high,
        "low": item.low,
        "close": item.close,
        "volume": _number(item.volume, exact),
        "wap": _number(item.wap, exact),
        "count": item.count,
    }]  # fmt: skip


def _tick(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    if isinstance(item, HistoricalTicks | HistoricalTicksBidAsk | HistoricalTicksLast):
        return [row for tick in item.ticks for row in _tick(tick, exact, tz)]
    if isinstance(item, HistoricalTickLast):
        return [{
            "time": _epoch(item.time),
            "price": item.price,
            "size": _number(item.size, exact),
            "exchange": item.exchange,
            "special_conditions": item.special_conditions,
            "past_limit": item.tick_attrib_last.past_limit,
            "unreported": item.tick_attrib_last.unreported,
        }]  # fmt: skip
    if isinstance(item, HistoricalTickBidAsk):
        return [{
            "time": _epoch(item.time),
            "bid": item.price_bid,
            "ask": item.price_ask,
            "bid_size": _number(item.size_bid, exact),
            "ask_size": _number(item.size_ask, exact),
        }]  # fmt: skip
    assert isinstance(item, HistoricalTick)
    return [{"time": _epoch(item.time), "price": item.price, "size": _number(item.size, exact)}]


def _position(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    assert isinstance(item, PositionData | Position)
    contract = item.contract
    return [{
        "account": item.account,
        "symbol": contract.symbol,
        "sec_type": contract.sec_type,
        "con_id": contract.con_id,
        "exchange": contract.exchange,
        "currency": contract.currency,
        "local_symbol": contract.local_symbol,
        "position": _number(item.position, exact),
        "avg_cost": item.avg_cost,
    }]  # fmt: skip


def _portfolio(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    assert isinstance(item, PortfolioValue | PortfolioItem)
    contract = item.contract
    return [{
        "account": item.account_name if isinstance(item, PortfolioValue) else item.account,
        "symbol": contract.symbol,
        "sec_type": contract.sec_type,
        "con_id": contract.con_id,
        "currency": contract.currency,
        "position": _number(item.position, exact),
        "market_price": item.market_price,
        "market_value": item.market_value,
        "average_cost": item.average_cost,
        "unrealized_pnl": item.unrealized_pnl,
        "realized_pnl": item.realized_pnl,
    }]  # fmt: skip


def _execution(item: object, exact: bool, tz: _dt.tzinfo) -> list[Row]:
    if isinstance(item, ExecutionData | Fill):
        execution, symbol, sec_type, con_id = (
            item.execution, item.contract.symbol, item.contract.sec_type, item.contract.con_id,
        )
    else:
        assert isinstance(item, Execution)
        execution, symbol, sec_type, con_id = item, "", "", 0
    return [{
        "exec_id": execution.exec_id,
        "time": bar_datetime(execution.time, tz) if execution.time else None,
        "account": execution.acct_number,
        "symbol": symbol,
        "sec_type": sec_type,
        "con_id": con_id,
        "side": execution.side,
        "shares": _number(execution.shares, exact),
        "price": execution.price,
        "cum_qty": _number(execution.cum_qty, exact),
        "avg_price": execution.avg_price,
        "order_id": execution.order_id,
        "perm_id": execution.perm_id,
        "client_id": execution.client_id,
        "order_ref": execution.order_ref,
        "exchange": execution.exchange,
    }]  # fmt: skip


# kind -> (row maker, index column or None)
_KINDS: Final[dict[type, tuple[str, Callable[[object, bool, _dt.tzinfo], list[Row]], str | None]]] = {
    BarData: ("bars", _bars, "date"),
    HistoricalData: ("bars", _bars, "date"),
    HistoricalDataUpdate: ("bars", _bars, "date"),
    RealTimeBars: ("real-time bars", _real_time_bar, "time"),
    HistoricalTick: ("midpoint ticks", _tick, "time"),
    HistoricalTicks: ("midpoint ticks", _tick, "time"),
    HistoricalTickLast: ("trade ticks", _tick, "time"),
    HistoricalTicksLast: ("trade ticks", _tick, "time"),
    HistoricalTickBidAsk: ("bid/ask ticks", _tick, "time"),
    HistoricalTicksBidAsk: ("bid/ask ticks", _tick, "time"),
    PositionData: ("positions", _position, None),
    Position: ("positions", _position, None),
    PortfolioValue: ("portfolio values", _portfolio, None),
    PortfolioItem: ("portfolio values", _portfolio, None),
    ExecutionData: ("executions", _execution, None),
    Execution: ("executions", _execution, None),
    Fill: ("executions", _execution, None),
}


def _import_pandas() -> Any:
    try:
        import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return pandas


def to_frame(
    items: Iterable[object], *, exact: bool = False, tz: str | _dt.tzinfo | None = None
) -> pandas.DataFrame:
    """A DataFrame of bars, ticks, positions, portfolio values or executions.

    Accepted items, all of one kind (messages that carry a list, such as
    :class:`~ibwire.messages.HistoricalData`, are expanded):

    * bars: :class:`~ibwire.messages.BarData` (what ``historical_bars``
      returns), :class:`~ibwire.messages.HistoricalData`,
      :class:`~ibwire.messages.HistoricalDataUpdate`; indexed by ``date``;
    * :class:`~ibwire.messages.RealTimeBars`; indexed by ``time``;
    * historical ticks (``HistoricalTick``/``HistoricalTickLast``/
      ``HistoricalTickBidAsk`` or their ``HistoricalTicks*`` messages); indexed
      by ``time``;
    * positions: :class:`~ibwire.messages.PositionData` or
      :class:`~ibwire.live.Position` (what ``positions()`` returns);
    * portfolio values: :class:`~ibwire.messages.PortfolioValue` or
      :class:`~ibwire.live.PortfolioItem` (what ``portfolio()`` returns);
    * executions: :class:`~ibwire.messages.ExecutionData`,
      :class:`~ibwire.live.Fill` (what ``fills()`` returns) or bare
      :class:`~ibwire.messages.Execution`.

    Times become time-zone aware datetimes (UTC unless TWS named a zone), an
    execution's ``time`` text included (read as a bar date is, by
    :func:`~ibwire.bars.bar_datetime`).  Older servers send bar times
    (``formatDate=1``) and execution times without a zone, in the zone TWS was
    logged in with: pass it as ``tz`` (the clients' ``time_zone``), or they are
    read as UTC.  A bar time in the hour a zone repeats
    when summer time ends (``20241103 01:30:00 US/Eastern`` comes twice) is the
    first pass unless the bar before it is later: then it is the second
    (``fold=1``), so the bars keep their order.

    Args:
        items: the messages.
        exact: keep quantities (volume, size, position, shares) as
            :class:`~decimal.Decimal` instead of converting them to float.
        tz: the zone of bar and execution times sent without one, a
            :class:`~datetime.tzinfo` or a zone name (``"America/New_York"``);
            None reads them as UTC.  Times that name a zone keep it.

    Returns:
        The DataFrame; an empty one for no items (with the bar columns and a
        ``date`` index for an empty :class:`~ibwire.bars.BarList`, which is
        bars whatever it holds).

    Raises:
        ImportError: pandas is not installed (the message says how to install it).
        TypeError: an item of an unsupported type, or items of different kinds.
        ValueError: ``tz`` names no zone known.
    """
    local = _local_zone(tz)
    pandas = _import_pandas()
    if isinstance(items, BarList) and not items:
        # A bar list is bars even when it holds none (a range without trading):
        # the frame has the columns and index of one that has some.
        return _empty_bars(pandas, exact)
    rows: list[Row] = []
    sources: list[object] = []
    kind: str | None = None
    index: str | None = None
    for item in items:
        entry = _KINDS.get(type(item))
        if entry is None:
            raise TypeError(f"to_frame cannot convert {type(item).__name__}")
        name, rows_of, column = entry
        if kind is None:
            kind, index = name, column
        elif name != kind:
            raise TypeError(f"to_frame got {name} after {kind}: pass one kind at a time")
        made = rows_of(item, exact, local)
        rows.extend(made)
        sources.extend([item] * len(made))
    if kind == "bars":
        _unfold(rows, sources)
    frame = pandas.DataFrame(rows)
    if index is not None and rows:
        frame = frame.set_index(index)
    return frame
