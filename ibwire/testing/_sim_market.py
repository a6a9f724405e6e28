"""The simulator's market data requests: quotes, depth, tick-by-tick, bars, history."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import random
from decimal import Decimal
from typing import Any, Final

from ..bars import bar_seconds
from ..messages import (
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    RealTimeBars,
    TickAttribBidAsk,
    TickAttribLast,
    TickByTick,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
    TickType,
)
from ..versions import ServerVersion
from ._market import (
    AGGTRADES_ONLY,
    HistoryRequest,
    Level,
    Quote,
    day_bars,
    format_time,
    grid_point,
    history_bars,
    parse_end,
    validate_history,
)
from ._options import MODEL_VOL, black_scholes, implied_volatility
from ._sessions import Phase, last_close, phase
from ._sim_base import CoreBase, _Client, _Stream
from ._universe import Instrument

__all__ = ["MarketDataHandlers"]

_TBT_TYPES: Final = {"Last": 1, "AllLast": 2, "BidAsk": 3, "MidPoint": 4}
# The historical ticks (whatToShow of reqHistoricalTicks) numberOfTicks asks for, by tick type.
_TBT_HISTORY: Final = {1: "TRADES", 2: "TRADES", 3: "BID_ASK", 4: "MIDPOINT"}
_MAX_TBT_HISTORY: Final = 1000
_DEPTH_MAKERS: Final = ("NSDQ", "ARCA", "BATS", "IEX", "EDGX")
_MAX_DEPTH: Final = 3
_MAX_LINES: Final = 100
# Delayed tick ids of bid, ask, last, bid size, ask size, last size, high, low, volume, close, open,
# last timestamp.
_DELAYED: Final = {1: 66, 2: 67, 4: 68, 0: 69, 3: 70, 5: 71, 6: 72, 7: 73, 8: 74, 9: 75, 14: 76, 45: 88}

def _data_type(live: bool, frozen: bool) -> int:
    """The market data type a stream's data is: 1 real-time, 2 frozen, 3 delayed, 4 delayed frozen."""
    return (1 if live else 3) + frozen


class MarketDataHandlers(CoreBase):
    """The simulator's market data requests: quotes, depth, tick-by-tick, bars, history."""

    # ------------------------------------------------------------ market data

    def _permitted(self, client: _Client, req_id: int, instrument: Instrument) -> bool | None:
        """``True`` for live data, ``False`` for delayed, ``None`` when refused (354 sent)."""
        if instrument.symbol.upper() not in self.no_permission:
            return True
        if client.market_data_type in (3, 4):
            self._error(client, req_id, 10167)
            return False
        contract = instrument.contract
        self._error(client, req_id, 354, symbol=contract.symbol, exchange=contract.primary_exchange or contract.exchange)
        return None

    def _lines(self) -> int:
        """Market data lines in use, over every client (TWS counts them per user)."""
        return sum(1 for c in self._clients.values() for s in c.streams.values() if s.kind in ("mkt", "rtb", "tbt"))

    def _on_ReqMktData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        if ("mkt", req_id) in client.streams:
            self._error(client, req_id, 102)
            return
        if message.snapshot and message.generic_tick_list:
            self._validation(client, req_id, "bW", "Snapshot market data subscription is not applicable to generic ticks")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        live = self._permitted(client, req_id, instrument)
        if live is None:
            return
        if not message.snapshot and self._lines() >= _MAX_LINES:
            self._error(client, req_id, 101)
            return
        generic = {g.strip() for g in message.generic_tick_list.split(",") if g.strip()}
        wants_frozen = client.market_data_type in (2, 4)
        frozen = wants_frozen and self._closed(instrument, now)
        stream = _Stream(
            "mkt", req_id, instrument, self._next_publication(now), self.tick_interval,
            {"delayed": not live, "generic": generic, "wants_frozen": wants_frozen, "frozen": frozen},
        )
        if client.market_data_type:
            self._send(client, MarketDataType(req_id=req_id, market_data_type=_data_type(live, frozen)))
        self._send(
            client,
            TickReqParams(req_id=req_id, min_tick=instrument.min_tick, bbo_exchange="9c0001", snapshot_permissions=3),
        )
        if frozen:
            # The last data of the close, as it was then.
            self._quote_ticks(client, stream, last_close(instrument, now, holidays=self.holidays), first=True)
        else:
            self._quote_ticks(client, stream, now, first=True)
        if message.snapshot or message.regulatory_snapshot:
            self._send(client, TickSnapshotEnd(req_id=req_id))
            return
        client.streams[("mkt", req_id)] = stream

    def _closed(self, instrument: Instrument, now: float) -> bool:
        """Whether the instrument's venue is closed at ``now`` (never without the sessions)."""
        return self.sessions and phase(instrument, now, holidays=self.holidays) is Phase.CLOSED

    def _frozen_ticks(self, client: _Client, stream: _Stream, now: float) -> bool:
        """Frozen data (market data type 2 or 4): ``True`` while the venue is closed,
        nothing sent (it stands at the close).  Turning live at the open (type 1 or
        3 announced, the quote sent whole) or frozen at the close, the type changes."""
        closed = self._closed(stream.instrument, now)
        if closed == stream.params["frozen"]:
            return closed
        stream.params["frozen"] = closed
        live = not stream.params["delayed"]
        self._send(client, MarketDataType(req_id=stream.req_id, market_data_type=_data_type(live, closed)))
        if closed:
            return True
        self._quote_ticks(client, stream, now, first=True)
        return True

    def _next_publication(self, now: float) -> float:
        """The next point of the price grid: streams publish on it, so prices a fill
        or a mark reads between two publications were published."""
        return grid_point(now, self.tick_interval) + self.tick_interval

    def _on_CancelMktData(self, client: _Client, message: Any, now: float) -> None:
        if client.streams.pop(("mkt", message.req_id), None) is None:
            self._error(client, message.req_id, 300, id=message.req_id)

    def _quote_ticks(self, client: _Client, stream: _Stream, now: float, *, first: bool = False) -> None:
        quote = self.walks.quote(stream.instrument, now)
        previous = stream.last
        stream.last = quote
        req = stream.req_id
        delayed = bool(stream.params.get("delayed"))

        def tick(kind: int) -> TickType:
            return TickType(_DELAYED.get(kind, kind) if delayed else kind)

        def price(kind: int, value: float, size: Decimal | None) -> None:
            self._send(client, TickPrice(req_id=req, tick_type=tick(kind), price=value, size=size))

        if first or previous is None or quote.bid != previous.bid or quote.bid_size != previous.bid_size:
            price(1, quote.bid, quote.bid_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(0), size=quote.bid_size))
        if first or previous is None or quote.ask != previous.ask or quote.ask_size != previous.ask_size:
            price(2, quote.ask, quote.ask_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(3), size=quote.ask_size))
        days = day_bars(self.walks, stream.instrument, now, sessions=self.sessions, holidays=self.holidays)
        if stream.instrument.sec_type != "CASH":
            price(4, quote.last, quote.last_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(5), size=quote.last_size))
            # The day's volume so far, as its daily bar has it.
            volume = int(days[1].volume or 0) if days is not None else 0
            self._send(client, TickSize(req_id=req, tick_type=tick(8), size=Decimal(volume)))
            self._send(client, TickString(req_id=req, tick_type=tick(45), value=str(int(now))))
            if "233" in stream.params.get("generic", ()):
                text = f"{quote.last};{quote.last_size};{int(now * 1000)};{volume};{quote.last};false"
                self._send(client, TickString(req_id=req, tick_type=TickType(48), value=text))
        if first:
            if days is not None:
                # The day's high, low and open so far, and the previous close, as the daily bars show them.
                before, today = days
                for kind, value in ((6, today.high), (7, today.low), (9, before.close), (14, today.open)):
                    price(kind, value, None)
            if stream.instrument.con_id in self._halted:
                # A halt already in force: the new stream learns of it as the open ones did.
                self._send(client, TickGeneric(req_id=req, tick_type=TickType(90 if delayed else 49), value=1.0))
            if "236" in stream.params.get("generic", ()):
                self._send(client, TickGeneric(req_id=req, tick_type=TickType(46), value=3.0))
            self._generic_ticks(client, stream)
        if stream.instrument.sec_type == "OPT":
            self._option_ticks(client, stream, quote, now, delayed)

    def _generic_ticks(self, client: _Client, stream: _Stream) -> None:
        """Option statistics of a stock, on request: historical (104) and implied (106)
        volatility, option volume (100) and open interest (101)."""
        generic = stream.params.get("generic", ())
        instrument = stream.instrument
        if instrument.sec_type != "STK":
            return
        req = stream.req_id
        rng = random.Random(f"{self.seed}|stats|{instrument.con_id}")
        has_options = any(True for _ in self.universe.options_of(instrument))
        if "104" in generic:
            self._send(client, TickGeneric(req_id=req, tick_type=TickType(23), value=instrument.volatility))
        if "106" in generic:
            self._send(client, TickGeneric(req_id=req, tick_type=TickType(24), value=self.walks.implied_volatility(instrument)))
        if "100" in generic and has_options:
            self._send(client, TickSize(req_id=req, tick_type=TickType(29), size=Decimal(rng.randint(100_000, 900_000))))
            self._send(client, TickSize(req_id=req, tick_type=TickType(30), size=Decimal(rng.randint(100_000, 900_000))))
        if "101" in generic and has_options:
            self._send(client, TickSize(req_id=req, tick_type=TickType(27), size=Decimal(rng.randint(1_000_000, 5_000_000))))
            self._send(client, TickSize(req_id=req, tick_type=TickType(28), size=Decimal(rng.randint(1_000_000, 5_000_000))))

    def _option_inputs(self, instrument: Instrument, now: float) -> tuple[float, float, float, str] | None:
        """(underlying price, strike, years to expiry, right) of an option, or ``None``."""
        underlying = self.universe.underlying(instrument)
        if underlying is None:
            return None
        day = _dt.datetime.fromtimestamp(now, _dt.timezone.utc).date()
        contract = instrument.contract
        return self.walks.mid(underlying, now), contract.strike or 0.0, self.universe.years_to_expiry(instrument, day), contract.right

    def _computation(self, client: _Client, req_id: int, tick_type: int, price: float | None, vol: float | None,
                     inputs: tuple[float, float, float, str]) -> TickOptionComputation:
        spot, strike, years, right = inputs
        # Return-based (0) from server 156 on; older versions have no such field.
        attrib = 0 if client.version >= ServerVersion.PRICE_BASED_VOLATILITY else None
        if vol is None:
            # IB's "not computed" values: the price is known, the model could not fit it.
            return TickOptionComputation(req_id=req_id, tick_type=TickType(tick_type), tick_attrib=attrib, opt_price=price, und_price=spot)
        greeks = black_scholes(spot, strike, years, vol, right)
        return TickOptionComputation(
            req_id=req_id, tick_type=TickType(tick_type), tick_attrib=attrib, implied_vol=vol, delta=greeks.delta,
            opt_price=greeks.price if price is None else price, pv_dividend=0.0, gamma=greeks.gamma,
            vega=greeks.vega, theta=greeks.theta, und_price=spot,
        )

    def _option_ticks(self, client: _Client, stream: _Stream, quote: Quote, now: float, delayed: bool) -> None:
        """Bid, ask, last and model option computations (ticks 10-13; delayed 80-83)."""
        inputs = self._option_inputs(stream.instrument, now)
        if inputs is None:
            return
        spot, strike, years, right = inputs
        offset = 70 if delayed else 0
        for tick_type, price in ((10, quote.bid), (11, quote.ask), (12, quote.last)):
            vol = implied_volatility(price, spot, strike, years, right)
            self._send(client, self._computation(client, stream.req_id, tick_type + offset, price, vol, inputs))
        self._send(client, self._computation(client, stream.req_id, 13 + offset, None, MODEL_VOL, inputs))

    def _on_ReqCalcImpliedVolat(self, client: _Client, message: Any, now: float) -> None:
        instrument = self._resolve(client, message.req_id, message.contract)
        if instrument is None:
            return
        inputs = self._option_inputs(instrument, now)
        if inputs is None:
            self._validation(client, message.req_id, "bF", "The contract is not an option")
            return
        inputs = (message.under_price, *inputs[1:])
        vol = implied_volatility(message.option_price, *inputs)
        self._send(client, self._computation(client, message.req_id, 53, message.option_price, vol, inputs))

    def _on_ReqCalcOptionPrice(self, client: _Client, message: Any, now: float) -> None:
        instrument = self._resolve(client, message.req_id, message.contract)
        if instrument is None:
            return
        inputs = self._option_inputs(instrument, now)
        if inputs is None or not message.volatility > 0:
            self._validation(client, message.req_id, "bG", "The contract is not an option or the volatility is not positive")
            return
        inputs = (message.under_price, *inputs[1:])
        self._send(client, self._computation(client, message.req_id, 53, None, message.volatility, inputs))

    def _on_CancelCalcImpliedVolat(self, client: _Client, message: Any, now: float) -> None:
        pass  # answered at once: nothing to cancel

    def _on_CancelCalcOptionPrice(self, client: _Client, message: Any, now: float) -> None:
        pass  # answered at once: nothing to cancel

    def _on_ReqMktDepth(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        depth_count = sum(1 for c in self._clients.values() for s in c.streams.values() if s.kind == "depth")
        if depth_count >= _MAX_DEPTH:
            self._error(client, req_id, 309)
            return
        if self._permitted(client, req_id, instrument) is not True:
            return
        rows = max(1, min(int(message.num_rows or 5), 10))
        stream = _Stream("depth", req_id, instrument, self._next_publication(now), self.tick_interval,
                         {"rows": rows, "smart": bool(message.is_smart_depth)})
        client.streams[("depth", req_id)] = stream
        self._depth(client, stream, now)

    def _depth(self, client: _Client, stream: _Stream, now: float) -> None:
        """Publish the book's changes since the last update of this stream.

        Rows are kept as the client will have applied them: a changed row is an
        update (1), a new row at the bottom an insert (0), a vanished row a delete
        (2).  The asks go first unless that would cross the old bids, in which
        case the bids do: the applied book is never crossed between two messages.
        """
        rows = stream.params["rows"]
        book = self.walks.book(stream.instrument, now, rows)
        old_bids, old_asks = stream.params.get("book", ((), ()))
        stream.params["book"] = (book.bids, book.asks)
        sides = [(0, old_asks, book.asks), (1, old_bids, book.bids)]
        if old_bids and book.asks[0].price <= old_bids[0].price:
            sides.reverse()  # asks first would cross the old bids: bids go first (they cannot both)
        for side, old, new in sides:
            for position, level in enumerate(new):
                if position >= len(old):
                    self._depth_row(client, stream, position, 0, side, level)
                elif old[position] != level:
                    self._depth_row(client, stream, position, 1, side, level)
            for position in range(len(old) - 1, len(new) - 1, -1):
                self._depth_row(client, stream, position, 2, side, old[position])

    def _depth_row(self, client: _Client, stream: _Stream, position: int, operation: int, side: int, level: Level) -> None:
        if stream.params["smart"]:
            self._send(client, MarketDepthL2(
                req_id=stream.req_id, position=position, market_maker=_DEPTH_MAKERS[position % len(_DEPTH_MAKERS)],
                operation=operation, side=side, price=level.price, size=level.size, is_smart_depth=True,
            ))
        else:
            self._send(client, MarketDepth(
                req_id=stream.req_id, position=position, operation=operation, side=side,
                price=level.price, size=level.size,
            ))

    def _on_CancelMktDepth(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("depth", message.req_id), None)

    def _on_ReqTickByTickData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        kind = _TBT_TYPES.get(message.tick_type)
        if kind is None:
            self._validation(client, req_id, "bT", f"Invalid tick type: {message.tick_type}")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None or self._permitted(client, req_id, instrument) is not True:
            return
        stream = _Stream("tbt", req_id, instrument, self._next_publication(now), self.tick_interval,
                         {"type": kind, "ignore_size": bool(message.ignore_size), "last": None})
        client.streams[("tbt", req_id)] = stream
        count = min(message.number_of_ticks or 0, _MAX_TBT_HISTORY)
        if count > 0:
            # TWS answers numberOfTicks > 0 with that many of the latest ticks of the type, as
            # reqHistoricalTicks would (one message, done), then streams (server 140+).
            seconds = self._tick_seconds(instrument, int(now), None, count, False)
            self._send_ticks(client, req_id, instrument, _TBT_HISTORY[kind], seconds)

    def _tick_by_tick(self, client: _Client, stream: _Stream, now: float) -> None:
        quote = self.walks.quote(stream.instrument, now)
        kind = stream.params["type"]
        common: dict[str, Any] = {"req_id": stream.req_id, "tick_type": kind, "time": int(now)}
        if kind in (1, 2):
            message = TickByTick(
                **common, price=quote.last, size=quote.last_size, tick_attrib_last=TickAttribLast(),
                exchange=stream.instrument.contract.primary_exchange or stream.instrument.contract.exchange,
                special_conditions="",
            )
        elif kind == 3:
            if stream.params["ignore_size"]:
                # ignoreSize: a bid/ask tick only when a price moves, not for a size alone.
                prices = (quote.bid, quote.ask)
                if prices == stream.params["last"]:
                    return
                stream.params["last"] = prices
            message = TickByTick(
                **common, bid_price=quote.bid, ask_price=quote.ask, bid_size=quote.bid_size,
                ask_size=quote.ask_size, tick_attrib_bid_ask=TickAttribBidAsk(),
            )
        else:
            message = TickByTick(**common, mid_point=round((quote.bid + quote.ask) / 2, 6))
        self._send(client, message)

    def _on_CancelTickByTickData(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("tbt", message.req_id), None)

    def _on_ReqRealTimeBars(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        if message.bar_size != 5:
            self._validation(client, req_id, "bR", "Invalid bar size - only 5 second bars are supported")
            return
        what = message.what_to_show.upper()
        if what not in ("TRADES", "AGGTRADES", "BID", "ASK", "MIDPOINT"):
            self._validation(client, req_id, "bR", f"Invalid what to show: {message.what_to_show}")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None or self._permitted(client, req_id, instrument) is not True:
            return
        if what == "TRADES" and instrument.sec_type == "CRYPTO":
            self._error(client, req_id, 10299, AGGTRADES_ONLY)
            return
        if what == "AGGTRADES" and instrument.sec_type != "CRYPTO":
            self._error(client, req_id, 162, detail=f"No data of type AGGTRADES is available for {instrument.sec_type}")
            return
        if what == "TRADES" and instrument.sec_type == "CASH":
            self._error(client, req_id, 162, detail="No data of type TRADES is available for CASH")
            return
        first = (int(now) // 5 + 1) * 5
        request = HistoryRequest(
            instrument=instrument, end=float(first), duration="5 S", bar_size="5 secs", what_to_show=what,
            use_rth=bool(message.use_rth), format_date=2, keep_up_to_date=False, end_text="",
            sessions=self.sessions, holidays=self.holidays, now=float(first),
        )
        client.streams[("rtb", req_id)] = _Stream("rtb", req_id, instrument, float(first), 5.0, {"request": request})

    def _real_time_bar(self, client: _Client, stream: _Stream, now: float) -> None:
        """The 5-second bar that just ended: history's bar of those seconds (none outside the
        request's hours)."""
        end = float(int(now) // 5 * 5)
        request = dataclasses.replace(stream.params["request"], end=end, now=end)
        bars = history_bars(self.walks, request)[0]
        if bars:
            bar = bars[-1]
            self._send(client, RealTimeBars(
                req_id=stream.req_id, time=int(bar.date), open=bar.open, high=bar.high, low=bar.low,
                close=bar.close, volume=bar.volume, wap=bar.wap, count=bar.bar_count,
            ))

    def _on_CancelRealTimeBars(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("rtb", message.req_id), None)

    # ------------------------------------------------------------ history

    def _on_ReqHistoricalData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        instrument = self._resolve(client, req_id, message.contract, history=True)
        if instrument is None:
            return
        end = parse_end(message.end_date_time, now)
        if end is None:
            self._validation(client, req_id, "bP", f"Historical data request end date/time is invalid: {message.end_date_time}")
            return
        published = self.walks.at(now)  # the prices up to the last ones published
        request = HistoryRequest(
            instrument=instrument, end=min(end, published), duration=message.duration_str,
            bar_size=message.bar_size_setting, what_to_show=message.what_to_show,
            use_rth=bool(message.use_rth), format_date=int(message.format_date or 1),
            keep_up_to_date=bool(message.keep_up_to_date), end_text=message.end_date_time,
            sessions=self.sessions, holidays=self.holidays, now=self._traded_until(instrument, published),
        )
        problem = validate_history(request)
        if problem is not None:
            self._error(client, req_id, problem[0], problem[1])
            return
        if self._history_paced(request, now):
            self._error(client, req_id, 162, detail="Historical data request pacing violation")
            return
        bars, start, stop = history_bars(self.walks, request)
        if not bars:
            # IB's answer when the window holds no trading (a weekend, a night with use_rth).
            contract = instrument.contract
            self._error(client, req_id, 162, detail=(
                f"HMDS query returned no data: {contract.local_symbol or contract.symbol}@"
                f"{contract.primary_exchange or contract.exchange} {request.what_to_show.title()}"
            ))
            return
        start_text, end_text = format_time(start), format_time(stop)
        if client.version >= ServerVersion.HISTORICAL_DATA_END:
            # From 196 the window moved out of HistoricalData into HistoricalDataEnd.
            self._send(client, HistoricalData(req_id=req_id, bars=tuple(bars)))
            self._send(client, HistoricalDataEnd(req_id=req_id, start_date_str=start_text, end_date_str=end_text))
        else:
            self._send(client, HistoricalData(req_id=req_id, start_date_str=start_text, end_date_str=end_text, bars=tuple(bars)))
        if request.keep_up_to_date:
            interval = min(float(bar_seconds(request.bar_size)), 5.0)
            client.streams[("hist", req_id)] = _Stream("hist", req_id, instrument, now + interval, interval,
                                                       {"request": request})

    def _traded_until(self, instrument: Instrument, published: float) -> float:
        """The last moment history holds for ``instrument``: ``published``, or an
        option's or a future's expiry (its last trading moment) when that came
        first.  The window of a request stays as asked; its bars stop there."""
        expiry = self.universe.expiry_time(instrument)
        return published if expiry is None else min(published, expiry)

    def _history_paced(self, request: HistoryRequest, now: float) -> bool:
        """IB's pacing rules for bars of 30 seconds or less (``protocol.md`` 7.5)."""
        if bar_seconds(request.bar_size) > 30:
            return False
        contract = request.instrument.contract
        what = request.what_to_show.upper()
        identical = (contract.con_id, request.end, request.duration, request.bar_size, what, request.use_rth)
        same = (contract.con_id, contract.exchange, what)
        weight = 2 if what == "BID_ASK" else 1
        log = [entry for entry in self._history_log if entry[0] > now - 600]
        self._history_log = log
        if any(entry[1] == identical and entry[0] > now - 15 for entry in log):
            return True
        if sum(entry[3] for entry in log if entry[2] == same and entry[0] > now - 2) + weight >= 6:
            return True
        if sum(entry[3] for entry in log) + weight > 60:
            return True
        log.append((now, identical, same, weight))
        return False

    def _history_update(self, client: _Client, stream: _Stream, now: float) -> None:
        """The bar in progress, as a history request ending now would have it."""
        request: HistoryRequest = stream.params["request"]
        size = bar_seconds(request.bar_size)
        published = self.walks.at(now)
        bars = history_bars(self.walks, dataclasses.replace(
            request, end=published, now=self._traded_until(request.instrument, published), duration=f"{size} S",
        ))[0]
        if bars:
            self._send(client, HistoricalDataUpdate(req_id=stream.req_id, bar=bars[-1]))

    def _on_CancelHistoricalData(self, client: _Client, message: Any, now: float) -> None:
        if client.streams.pop(("hist", message.req_id), None) is None:
            self._error(client, message.req_id, 366, id=message.req_id)

    def _fire(self, client: _Client, stream: _Stream, now: float) -> None:
        if stream.instrument.con_id in self._halted and stream.kind in ("mkt", "depth", "tbt"):
            return  # a halted symbol's quotes stand still
        if stream.kind == "mkt":
            if not (stream.params["wants_frozen"] and self._frozen_ticks(client, stream, now)):
                self._quote_ticks(client, stream, now)
        elif stream.kind == "depth":
            self._depth(client, stream, now)
        elif stream.kind == "tbt":
            self._tick_by_tick(client, stream, now)
        elif stream.kind == "rtb":
            self._real_time_bar(client, stream, now)
        elif stream.kind == "hist":
            self._history_update(client, stream, now)
        elif stream.kind == "scan":
            self._scan(client, stream, now)

