"""A live quote: :class:`Ticker`, kept current from market data messages.

A :class:`Ticker` holds the latest value of every field one ``reqMktData``
subscription reports.  :meth:`Ticker.apply` takes the subscription's typed
messages (:class:`~ibwire.messages.TickPrice`, :class:`~ibwire.messages.TickSize`,
:class:`~ibwire.messages.TickString`, :class:`~ibwire.messages.TickGeneric`,
:class:`~ibwire.messages.TickOptionComputation`,
:class:`~ibwire.messages.TickByTick`, :class:`~ibwire.messages.MarketDataType`,
:class:`~ibwire.messages.TickReqParams`) with the time they arrived; it does no I/O
and reads no clock.

Rules:

* Delayed tick types fold into the same fields as the real-time ones (DELAYED_BID
  into ``bid``, DELAYED_LAST_TIMESTAMP into ``last_timestamp``, ...);
  ``market_data_type`` says which kind is flowing.
* A bid or ask of -1, or with size 0, means "no quote": price and size become
  ``None`` (a BID_SIZE or ASK_SIZE of 0 clears its side the same way).  On a
  combo (``sec_type`` BAG), which is quoted at negative prices, a bid or ask of
  -1 with a size other than 0 is a quote and is kept; -1 without a size still
  clears.  A LAST of -1 with size 0 is cleared too when the
  close is known, whichever of the two arrives first (instruments such as
  TICK-NYSE legitimately trade at -1 and have no close).
* HALTED (and DELAYED_HALTED) is kept as its code (0, 1, 2); -1 ("not
  available") and values that are no code (NaN, infinities, DBL_MAX) make it
  ``None``.
* RT_VOLUME (generic tick 233) updates ``last``, ``last_size``, ``rt_time``,
  ``rt_volume`` and ``vwap``; RT_TRD_VOLUME (generic tick 375, reportable trades
  only) is a series of its own: ``rt_trade_time``, ``rt_trade_volume`` and
  ``rt_trade_vwap``, and never moves ``last``.
* A tick-by-tick halt marker (a Last of price 0 and size 0 with ``past_limit``)
  is not a trade: it changes nothing.
* LAST_TIMESTAMP (and DELAYED_LAST_TIMESTAMP) of "0" is no time: it changes
  nothing (``last_timestamp`` keeps the last time TWS gave).
* Unset is ``None``; sizes and volumes are :class:`~decimal.Decimal`.
* Tick types the ticker has no field for are ignored (``apply`` returns False);
  the session delivers those messages to the wrapper instead.

Threading:
    A ticker is written by one thread only (the one reading the socket) and
    never locks.  Every message's fields are written together between two
    increments of a sequence counter, so :meth:`Ticker.snapshot`, called from
    any thread, returns a :class:`TickerSnapshot` (immutable) in which all the
    fields come from the same moment: it copies, and copies again if a write
    happened meanwhile.  Reading single fields of the live ticker from another
    thread is safe but two fields read one after the other may straddle an
    update; take a snapshot to read several.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Final

from .._record import dataclass
from ..messages.common import Contract
from ..messages.market_data import (
    MarketDataType,
    TickByTick,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickString,
)

__all__ = ["Greeks", "Ticker", "TickerSnapshot"]


@dataclass(frozen=True, slots=True)
class Greeks:
    """An option computation (the official ``tickOptionComputation`` values).

    ``None`` where TWS has not computed the value.

    Attributes:
        implied_vol: the implied volatility.
        delta: the delta.
        opt_price: the option price the greeks were computed at.
        pv_dividend: the present value of dividends.
        gamma: the gamma.
        vega: the vega.
        theta: the theta.
        und_price: the underlying's price.
        tick_attrib: 0 return-based, 1 price-based (server 156+).
    """

    implied_vol: float | None = None
    delta: float | None = None
    opt_price: float | None = None
    pv_dividend: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None
    und_price: float | None = None
    tick_attrib: int | None = None


def _midpoint(bid: float | None, ask: float | None) -> float | None:
    if bid is None or ask is None:
        return None
    return (bid + ask) * 0.5


def _market_price(bid: float | None, ask: float | None, last: float | None) -> float | None:
    if bid is None or ask is None:
        return last
    if last is not None and bid <= last <= ask:
        return last
    return (bid + ask) * 0.5


# ------------------------------------------------------------------ the tables

# The quote sides and the last trade, written field by field on the hot path.
_BID: Final = 0
_ASK: Final = 1
_LAST: Final = 2

#: TickPrice tick types carrying a size: bid, ask and last (delayed ids fold in).
#: A bid or ask of -1 or with size 0 clears the side.
_SIDE: Final[dict[int, int]] = {1: _BID, 66: _BID, 2: _ASK, 67: _ASK, 4: _LAST, 68: _LAST}

#: The other TickPrice tick types -> field.
_PRICE: Final[dict[int, str]] = {
    6: "high",
    72: "high",
    7: "low",
    73: "low",
    9: "close",
    75: "close",
    14: "open",
    76: "open",
    15: "low_13_week",
    16: "high_13_week",
    17: "low_26_week",
    18: "high_26_week",
    19: "low_52_week",
    20: "high_52_week",
    35: "auction_price",
    37: "mark_price",
    50: "bid_yield",
    103: "bid_yield",
    51: "ask_yield",
    104: "ask_yield",
    52: "last_yield",
    57: "last_rth_trade",
    78: "creditman_mark_price",
    79: "creditman_slow_mark_price",
    92: "etf_nav_close",
    93: "etf_nav_prior_close",
    94: "etf_nav_bid",
    95: "etf_nav_ask",
    96: "etf_nav_last",
    97: "etf_frozen_nav_last",
    98: "etf_nav_high",
    99: "etf_nav_low",
    101: "estimated_ipo_midpoint",
    102: "final_ipo_last",
    105: "odd_lot_bid",
    106: "odd_lot_ask",
}

#: TickSize tick types of the quote sides and the last trade.  A BID_SIZE or
#: ASK_SIZE of 0 clears its side (price too).
_SIZE_SIDE: Final[dict[int, int]] = {0: _BID, 69: _BID, 3: _ASK, 70: _ASK, 5: _LAST, 71: _LAST}

#: The other TickSize tick types -> field.
_SIZE: Final[dict[int, str]] = {
    8: "volume",
    74: "volume",
    21: "avg_volume",
    27: "call_open_interest",
    28: "put_open_interest",
    29: "call_volume",
    30: "put_volume",
    34: "auction_volume",
    36: "auction_imbalance",
    61: "regulatory_imbalance",
    63: "short_term_volume_3_min",
    64: "short_term_volume_5_min",
    65: "short_term_volume_10_min",
    86: "futures_open_interest",
    87: "avg_option_volume",
    89: "shortable_shares",
    107: "odd_lot_bid_size",
    108: "odd_lot_ask_size",
}

#: TickGeneric tick type -> field (HALTED is kept as an int code).
_GENERIC: Final[dict[int, str]] = {
    23: "hist_volatility",
    24: "implied_volatility",
    31: "index_future_premium",
    46: "shortable",
    54: "trade_count",
    55: "trade_rate",
    56: "volume_rate",
    58: "rt_hist_volatility",
    60: "bond_factor_multiplier",
}
_HALTED_TICKS: Final = frozenset({49, 90})

#: TickString tick types kept as text.
_STRING: Final[dict[int, str]] = {
    25: "option_bid_exchange",
    26: "option_ask_exchange",
    32: "bid_exchange",
    33: "ask_exchange",
    84: "last_exchange",
    85: "last_reg_time",
    109: "odd_lot_bid_exchange",
    110: "odd_lot_ask_exchange",
    47: "fundamental_ratios",
    59: "dividends",
}
_TIMESTAMP_TICKS: Final = frozenset({45, 88})
_RT_VOLUME: Final = 48
_RT_TRD_VOLUME: Final = 77

#: The largest double: TWS's "unset" for a number, and no HALTED code.
_DBL_MAX: Final = sys.float_info.max

#: TickOptionComputation tick type -> greeks field.
_GREEKS: Final[dict[int, str]] = {
    10: "bid_greeks",
    80: "bid_greeks",
    11: "ask_greeks",
    81: "ask_greeks",
    12: "last_greeks",
    82: "last_greeks",
    13: "model_greeks",
    83: "model_greeks",
}


# ------------------------------------------------------------------ the snapshot


@dataclass(frozen=True, slots=True)
class TickerSnapshot:
    """An immutable, consistent copy of a :class:`Ticker` (see :meth:`Ticker.snapshot`).

    The fields are those of :class:`Ticker`.
    """

    contract: Contract
    time: float | None
    market_data_type: int | None
    bid: float | None
    bid_size: Decimal | None
    ask: float | None
    ask_size: Decimal | None
    last: float | None
    last_size: Decimal | None
    last_timestamp: int | None
    rt_time: int | None
    volume: Decimal | None
    rt_volume: Decimal | None
    vwap: float | None
    rt_trade_time: int | None
    rt_trade_volume: Decimal | None
    rt_trade_vwap: float | None
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    halted: int | None
    bid_exchange: str | None
    ask_exchange: str | None
    last_exchange: str | None
    mark_price: float | None
    auction_price: float | None
    auction_volume: Decimal | None
    auction_imbalance: Decimal | None
    regulatory_imbalance: Decimal | None
    shortable: float | None
    shortable_shares: Decimal | None
    avg_volume: Decimal | None
    trade_count: float | None
    trade_rate: float | None
    volume_rate: float | None
    low_13_week: float | None
    high_13_week: float | None
    low_26_week: float | None
    high_26_week: float | None
    low_52_week: float | None
    high_52_week: float | None
    bid_yield: float | None
    ask_yield: float | None
    last_yield: float | None
    last_rth_trade: float | None
    last_reg_time: str | None
    creditman_mark_price: float | None
    creditman_slow_mark_price: float | None
    short_term_volume_3_min: Decimal | None
    short_term_volume_5_min: Decimal | None
    short_term_volume_10_min: Decimal | None
    etf_nav_close: float | None
    etf_nav_prior_close: float | None
    etf_nav_bid: float | None
    etf_nav_ask: float | None
    etf_nav_last: float | None
    etf_frozen_nav_last: float | None
    etf_nav_high: float | None
    etf_nav_low: float | None
    estimated_ipo_midpoint: float | None
    final_ipo_last: float | None
    odd_lot_bid: float | None
    odd_lot_bid_size: Decimal | None
    odd_lot_bid_exchange: str | None
    odd_lot_ask: float | None
    odd_lot_ask_size: Decimal | None
    odd_lot_ask_exchange: str | None
    bond_factor_multiplier: float | None
    hist_volatility: float | None
    implied_volatility: float | None
    rt_hist_volatility: float | None
    index_future_premium: float | None
    call_open_interest: Decimal | None
    put_open_interest: Decimal | None
    call_volume: Decimal | None
    put_volume: Decimal | None
    futures_open_interest: Decimal | None
    avg_option_volume: Decimal | None
    option_bid_exchange: str | None
    option_ask_exchange: str | None
    bid_greeks: Greeks | None
    ask_greeks: Greeks | None
    last_greeks: Greeks | None
    model_greeks: Greeks | None
    min_tick: float | None
    bbo_exchange: str | None
    snapshot_permissions: int | None
    fundamental_ratios: str | None
    dividends: str | None

    def midpoint(self) -> float | None:
        """The average of bid and ask; ``None`` unless both are quoted."""
        return _midpoint(self.bid, self.ask)

    def market_price(self) -> float | None:
        """The last price if it lies within the spread (or there is no spread), else the midpoint."""
        return _market_price(self.bid, self.ask, self.last)


#: The data fields, in TickerSnapshot's order (the contract first).
FIELDS: Final[tuple[str, ...]] = tuple(TickerSnapshot.__dataclass_fields__)
_COPY: Final = attrgetter(*FIELDS)


# ------------------------------------------------------------------ the live ticker


class Ticker:
    """The live quote of one contract, updated in place by :meth:`apply`.

    Every field is ``None`` until its first tick.  See the module docstring for
    the rules and for threading.

    Attributes:
        contract: the contract.
        time: the ``now`` of the last market data tick applied (the caller's
            clock); a :class:`~ibwire.messages.MarketDataType` or
            :class:`~ibwire.messages.TickReqParams` does not move it, as TWS
            sends those before any quote.
        market_data_type: 1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen.
        bid, ask: the best bid and ask prices (``None``: no quote).
        bid_size, ask_size: their sizes.
        last, last_size: the last trade's price and size.
        last_timestamp: the last trade's time, epoch seconds (LAST_TIMESTAMP).
        rt_time: the last trade's time from RT_VOLUME, epoch milliseconds.
        volume: the day's volume (VOLUME; for US stocks IB may count it in lots).
        rt_volume: the day's volume from RT_VOLUME (in shares).
        vwap: the day's volume-weighted average price (from RT_VOLUME).
        rt_trade_time, rt_trade_volume, rt_trade_vwap: the same from
            RT_TRD_VOLUME (reportable trades only).
        open, high, low, close: the day's (close: the previous day's) prices.
        halted: 0 not halted, 1 halted, 2 volatility halt (HALTED);
            ``None`` when TWS reports it as not available (-1).
        bid_exchange, ask_exchange, last_exchange: exchange letters of the
            quotes and the last trade.
        mark_price: IB's mark price.
        shortable: SHORTABLE (> 2.5 easy to borrow, > 1.5 hard, else not).
        shortable_shares: shares available to short.
        bid_greeks, ask_greeks, last_greeks, model_greeks: option computations.
        min_tick, bbo_exchange, snapshot_permissions: from ``tickReqParams``.
        etf_nav_close, etf_nav_prior_close, etf_nav_bid, etf_nav_ask,
            etf_nav_last, etf_frozen_nav_last, etf_nav_high, etf_nav_low: an
            ETF's net asset value.
        odd_lot_bid, odd_lot_bid_size, odd_lot_bid_exchange, odd_lot_ask,
            odd_lot_ask_size, odd_lot_ask_exchange: the odd-lot quote.
        short_term_volume_3_min, short_term_volume_5_min,
            short_term_volume_10_min: short-term volumes (generic tick 595).
        last_reg_time: LAST_REG_TIME, as the text TWS sent.

        The other fields are named after their tick types (``low_52_week``,
        ``avg_volume``, ``hist_volatility``, ``call_open_interest``, ...).
    """

    __slots__ = (*FIELDS, "_seq", "_combo")

    contract: Contract
    time: float | None
    market_data_type: int | None
    bid: float | None
    bid_size: Decimal | None
    ask: float | None
    ask_size: Decimal | None
    last: float | None
    last_size: Decimal | None
    last_timestamp: int | None
    rt_time: int | None
    volume: Decimal | None
    rt_volume: Decimal | None
    vwap: float | None
    rt_trade_time: int | None
    rt_trade_volume: Decimal | None
    rt_trade_vwap: float | None
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    halted: int | None
    bid_exchange: str | None
    ask_exchange: str | None
    last_exchange: str | None
    mark_price: float | None
    auction_price: float | None
    auction_volume: Decimal | None
    auction_imbalance: Decimal | None
    regulatory_imbalance: Decimal | None
    shortable: float | None
    shortable_shares: Decimal | None
    avg_volume: Decimal | None
    trade_count: float | None
    trade_rate: float | None
    volume_rate: float | None
    low_13_week: float | None
    high_13_week: float | None
    low_26_week: float | None
    high_26_week: float | None
    low_52_week: float | None
    high_52_week: float | None
    bid_yield: float | None
    ask_yield: float | None
    last_yield: float | None
    last_rth_trade: float | None
    last_reg_time: str | None
    creditman_mark_price: float | None
    creditman_slow_mark_price: float | None
    short_term_volume_3_min: Decimal | None
    short_term_volume_5_min: Decimal | None
    short_term_volume_10_min: Decimal | None
    etf_nav_close: float | None
    etf_nav_prior_close: float | None
    etf_nav_bid: float | None
    etf_nav_ask: float | None
    etf_nav_last: float | None
    etf_frozen_nav_last: float | None
    etf_nav_high: float | None
    etf_nav_low: float | None
    estimated_ipo_midpoint: float | None
    final_ipo_last: float | None
    odd_lot_bid: float | None
    odd_lot_bid_size: Decimal | None
    odd_lot_bid_exchange: str | None
    odd_lot_ask: float | None
    odd_lot_ask_size: Decimal | None
    odd_lot_ask_exchange: str | None
    bond_factor_multiplier: float | None
    hist_volatility: float | None
    implied_volatility: float | None
    rt_hist_volatility: float | None
    index_future_premium: float | None
    call_open_interest: Decimal | None
    put_open_interest: Decimal | None
    call_volume: Decimal | None
    put_volume: Decimal | None
    futures_open_interest: Decimal | None
    avg_option_volume: Decimal | None
    option_bid_exchange: str | None
    option_ask_exchange: str | None
    bid_greeks: Greeks | None
    ask_greeks: Greeks | None
    last_greeks: Greeks | None
    model_greeks: Greeks | None
    min_tick: float | None
    bbo_exchange: str | None
    snapshot_permissions: int | None
    fundamental_ratios: str | None
    dividends: str | None
    _seq: int
    _combo: bool

    def __init__(self, contract: Contract) -> None:
        for name in FIELDS:
            setattr(self, name, None)
        self.contract = contract
        self._combo = contract.sec_type == "BAG"
        # Odd while a message's fields are being written (see snapshot()).
        self._seq = 0

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(FIELDS, _COPY(self), strict=True)
            if value is not None
        )
        return f"Ticker({shown})"

    # ------------------------------------------------------------------ reading

    def midpoint(self) -> float | None:
        """The average of bid and ask; ``None`` unless both are quoted."""
        return _midpoint(self.bid, self.ask)

    def market_price(self) -> float | None:
        """The last price if it lies within the spread (or there is no spread), else the midpoint.

        The same rule as ib_async's ``Ticker.marketPrice``; ``None`` when nothing
        is known.
        """
        return _market_price(self.bid, self.ask, self.last)

    def snapshot(self) -> TickerSnapshot:
        """An immutable copy in which every field comes from the same moment.

        Safe to call from any thread while another applies messages.
        """
        while True:
            seq = self._seq
            if not seq & 1:
                values = _COPY(self)
                if self._seq == seq:
                    return TickerSnapshot(*values)

    # ------------------------------------------------------------------ writing

    def apply(self, message: object, now: float) -> bool:
        """Apply one message of this ticker's subscription.

        Args:
            message: a market data message (others are ignored).
            now: when it arrived, on the caller's clock; becomes :attr:`time`
                for a market data tick (not for ``MarketDataType`` or
                ``TickReqParams``, which carry no quote).

        Returns:
            Whether the ticker changed (False for message kinds and tick types it
            keeps nothing of, and for malformed RT_VOLUME text).
        """
        apply = APPLIERS.get(type(message))
        return False if apply is None else apply(self, message, now)

    # One method per message class, looked up once per message by its class
    # (APPLIERS; the session binds the table once): no isinstance chain, one
    # table lookup by tick type, direct writes (benchmarks/bench_ticker.py).
    # Values are computed before the sequence counter goes odd, so a failure
    # cannot leave it odd; it goes odd and back to even with one read of it.
    # The sides are the literals 0 (bid), 1 (ask) and 2 (last) of _SIDE and
    # _SIZE_SIDE: a literal costs no global lookup.

    def _apply_price(self, message: TickPrice, now: float) -> bool:
        tick_type = message.tick_type
        price: float | None = message.price
        side = _SIDE.get(tick_type)
        if side is None:
            name = _PRICE.get(tick_type)
            if name is None:
                return False
            self._seq = seq = self._seq + 1
            setattr(self, name, price)
            if (
                name == "close"
                and price is not None
                and price > 0.0
                and self.last == -1.0
                and self.last_size is not None
                and not self.last_size
            ):
                # The LAST of -1 / size 0 that came before the close: no trade.
                self.last = self.last_size = None
        else:
            size: Decimal | None = message.size
            # "not size" is much cheaper than "size == 0" on a Decimal.  A
            # combo's -1 with a real size is a quote (a credit).
            if side == 0:
                if (size is not None and not size) or (
                    price == -1.0 and (size is None or not self._combo)
                ):
                    price = size = None
                self._seq = seq = self._seq + 1
                self.bid = price
                self.bid_size = size
            elif side == 1:
                if (size is not None and not size) or (
                    price == -1.0 and (size is None or not self._combo)
                ):
                    price = size = None
                self._seq = seq = self._seq + 1
                self.ask = price
                self.ask_size = size
            else:
                if price == -1.0 and size is not None and not size:
                    close = self.close
                    if close is not None and close > 0.0:
                        price = size = None
                self._seq = seq = self._seq + 1
                self.last = price
                self.last_size = size
        self.time = now
        self._seq = seq + 1
        return True

    def _apply_size(self, message: TickSize, now: float) -> bool:
        tick_type = message.tick_type
        tick_size = message.size
        side = _SIZE_SIDE.get(tick_type)
        if side is None:
            name = _SIZE.get(tick_type)
            if name is None:
                return False
            self._seq = seq = self._seq + 1
            setattr(self, name, tick_size)
        elif side == 0:
            self._seq = seq = self._seq + 1
            if tick_size is not None and not tick_size:
                self.bid = self.bid_size = None
            else:
                self.bid_size = tick_size
        elif side == 1:
            self._seq = seq = self._seq + 1
            if tick_size is not None and not tick_size:
                self.ask = self.ask_size = None
            else:
                self.ask_size = tick_size
        else:
            self._seq = seq = self._seq + 1
            self.last_size = tick_size
        self.time = now
        self._seq = seq + 1
        return True

    def _apply_generic(self, message: TickGeneric, now: float) -> bool:
        tick_type = message.tick_type
        value: float | int | None = message.value
        if tick_type in _HALTED_TICKS:
            name = "halted"
            # -1 is "not available"; NaN, infinities and DBL_MAX are no code.
            value = int(message.value) if 0.0 <= message.value < _DBL_MAX else None
        else:
            found = _GENERIC.get(tick_type)
            if found is None:
                return False
            name = found
        self._seq = seq = self._seq + 1
        setattr(self, name, value)
        self.time = now
        self._seq = seq + 1
        return True

    def _apply_option(self, message: TickOptionComputation, now: float) -> bool:
        name = _GREEKS.get(message.tick_type)
        if name is None:
            return False
        m = message
        greeks = Greeks(
            m.implied_vol, m.delta, m.opt_price, m.pv_dividend, m.gamma, m.vega,
            m.theta, m.und_price, m.tick_attrib,
        )
        self._seq = seq = self._seq + 1
        setattr(self, name, greeks)
        self.time = now
        self._seq = seq + 1
        return True

    def _apply_market_data_type(self, message: MarketDataType, now: float) -> bool:
        self._seq = seq = self._seq + 1
        self.market_data_type = message.market_data_type
        self._seq = seq + 1
        return True

    def _apply_req_params(self, message: TickReqParams, now: float) -> bool:
        r = message
        self._seq = seq = self._seq + 1
        self.min_tick = r.min_tick
        self.bbo_exchange = r.bbo_exchange
        self.snapshot_permissions = r.snapshot_permissions
        self._seq = seq + 1
        return True

    def _apply_string(self, message: TickString, now: float) -> bool:
        tick_type = message.tick_type
        value = message.value
        name = _STRING.get(tick_type)
        if name is not None:
            self._seq = seq = self._seq + 1
            setattr(self, name, value)
        elif tick_type in _TIMESTAMP_TICKS:
            try:
                stamp = int(value)
            except ValueError:
                return False
            if not stamp:
                # TWS's "no time" (ib_async ignores it too): not 1970.
                return False
            self._seq = seq = self._seq + 1
            self.last_timestamp = stamp
        elif tick_type == _RT_VOLUME or tick_type == _RT_TRD_VOLUME:
            # "price;size;time;totalVolume;vwap;singleTrade"; price and size are
            # empty in an update that only moves the volume.
            parts = value.split(";")
            if len(parts) < 5:
                return False
            try:
                price = float(parts[0]) if parts[0] else None
                size = Decimal(parts[1]) if parts[1] else None
                rt_stamp = int(parts[2]) if parts[2] else None
                volume = Decimal(parts[3]) if parts[3] else None
                vwap = float(parts[4]) if parts[4] else None
            except (ValueError, ArithmeticError):  # ArithmeticError: decimal's InvalidOperation
                return False
            self._seq = seq = self._seq + 1
            if tick_type == _RT_VOLUME:
                if price is not None:
                    self.last = price
                    self.last_size = size
                if rt_stamp is not None:
                    self.rt_time = rt_stamp
                if volume is not None:
                    self.rt_volume = volume
                if vwap is not None:
                    self.vwap = vwap
            else:
                # RT_TRD_VOLUME counts reportable trades only: a series of its
                # own, and its trades are not the ticker's last.
                if rt_stamp is not None:
                    self.rt_trade_time = rt_stamp
                if volume is not None:
                    self.rt_trade_volume = volume
                if vwap is not None:
                    self.rt_trade_vwap = vwap
        else:
            return False
        self.time = now
        self._seq = seq + 1
        return True

    def _apply_tick_by_tick(self, message: TickByTick, now: float) -> bool:
        tick_type = message.tick_type
        if tick_type in (1, 2):  # Last, AllLast
            attrib = message.tick_attrib_last
            if (
                not message.price
                and not message.size
                and attrib is not None
                and attrib.past_limit
            ):
                # The halt marker (price 0, size 0, past limit): not a trade.
                return False
            self._seq = seq = self._seq + 1
            self.last = message.price
            self.last_size = message.size
            self.last_timestamp = message.time
            if message.exchange:
                self.last_exchange = message.exchange
        elif tick_type == 3:  # BidAsk
            self._seq = seq = self._seq + 1
            self.bid = message.bid_price
            self.bid_size = message.bid_size
            self.ask = message.ask_price
            self.ask_size = message.ask_size
        else:
            return False
        self.time = now
        self._seq = seq + 1
        return True


#: Message class -> the :class:`Ticker` method that applies it (``apply`` looks
#: here; the session's incoming loop binds this table once and calls the method
#: directly).  Exact classes: a subclass of a message is not a market data message.
APPLIERS: Final[Mapping[type, Callable[[Ticker, Any, float], bool]]] = MappingProxyType({
    TickPrice: Ticker._apply_price,
    TickSize: Ticker._apply_size,
    TickString: Ticker._apply_string,
    TickGeneric: Ticker._apply_generic,
    TickOptionComputation: Ticker._apply_option,
    TickByTick: Ticker._apply_tick_by_tick,
    MarketDataType: Ticker._apply_market_data_type,
    TickReqParams: Ticker._apply_req_params,
})
