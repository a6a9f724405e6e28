"""The simulator's account arithmetic: positions, cash, P&L and margin, as IB reports them.

Pure functions and small state, no wire messages.  The conventions are IB's:

* A position's average cost includes the commissions paid to open it (a buy of
  100 at 190.00 with 1.00 commission has an average cost of 190.01; a short
  sale's commission lowers its average cost).  ``avgCost`` carries the contract
  multiplier, as in ``position`` and ``updatePortfolio``.
* Realized P&L of a closing fill is ``(price x multiplier - average cost) x closed
  quantity`` (sign of the position) minus the closing commission, so a round
  trip realizes its gross P&L minus both commissions.
* Unrealized P&L is ``quantity x (mark x multiplier - average cost)``.
* Stocks, options and currency pairs move cash by their notional, in the
  instrument's currency; futures move cash only by commissions and, on a close,
  by the realized variation.  A currency pair also moves its base currency's
  balance (buying EUR.USD adds EUR); account values are in the base currency
  (USD), each balance counted at its exchange rate.  Either
  way, every change of net liquidation equals the change of realized plus
  unrealized P&L (the account identity the tests check at every step).

Margin follows IB's published Reg T rules for a margin account:

* stocks: initial 50% of the market value, long or short; maintenance 25% long,
  30% short;
* long options: their premium (market value), initial and maintenance: they are
  paid in full and have no loan value;
* short options (naked): the option's value plus the larger of 20% of the
  underlying less the out-of-the-money amount and 10% of the underlying (calls)
  or of the strike (puts), per share, times multiplier and quantity; the same
  for maintenance; the short option's value is added back to the equity with
  loan value (the requirement includes it);
* futures: fixed initial and maintenance amounts per contract, from the
  instrument;
* currency pairs: 3% initial, 2.5% maintenance of the notional.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from ._universe import Instrument

__all__ = [
    "BASE_CURRENCY",
    "STARTING_CASH",
    "Account",
    "Margin",
    "Position",
    "account_values",
    "book_fill",
    "commission_of",
    "currency_rows",
    "margin_of",
]

#: Starting cash of every account.
STARTING_CASH: Final = 1_000_000.0
#: The account's base currency: account values are reported in it.
BASE_CURRENCY: Final = "USD"
#: Reg T rates: (initial, maintenance long, maintenance short) of a stock's market value.
STOCK_MARGIN: Final = (0.50, 0.25, 0.30)
#: Initial and maintenance rates of a currency pair's notional.
FX_MARGIN: Final = (0.03, 0.025)
#: Buying power of a Reg T margin account, as a multiple of the available funds.
BUYING_POWER_MULTIPLE: Final = 4.0


@dataclass
class Position:
    """A position of one account in one instrument.

    Attributes:
        instrument: the instrument.
        quantity: signed quantity.
        avg_cost: average cost per unit, multiplier and opening commissions included
            (IB's ``avgCost``).
        realized: P&L realized on it so far (net of commissions).
        embedded: the opening commission per unit still inside ``avg_cost`` (cash has
            paid it already; futures need it to value the position).
        day_base: realized plus unrealized P&L at the start of the trading day (the
            daily P&L counts from it).
        day_start: when that trading day started (epoch seconds).
    """

    instrument: Instrument
    quantity: Decimal = Decimal(0)
    avg_cost: float = 0.0
    realized: float = 0.0
    embedded: float = 0.0
    day_base: float = 0.0
    day_start: float = 0.0


@dataclass
class Account:
    """One account's cash, positions and realized P&L."""

    cash: float = STARTING_CASH
    positions: dict[int, Position] = field(default_factory=dict)
    realized: float = 0.0
    commissions: float = 0.0
    #: Cash in currencies other than the base (USD), by currency.
    foreign: dict[str, float] = field(default_factory=dict)
    #: The equity with loan value at the end of the last trading day (the starting
    #: cash until one ends), and when that day ended (0 before the first look).
    previous_ewl: float = STARTING_CASH
    previous_close: float = 0.0

    def copy(self) -> Account:
        """A deep enough copy to try an order on."""
        return Account(
            self.cash,
            {k: Position(p.instrument, p.quantity, p.avg_cost, p.realized, p.embedded, p.day_base, p.day_start)
             for k, p in self.positions.items()},
            self.realized,
            self.commissions,
            dict(self.foreign),
            self.previous_ewl,
            self.previous_close,
        )

    def balances(self) -> dict[str, float]:
        """The cash balance per currency, the base (USD) first."""
        return {BASE_CURRENCY: self.cash, **{k: v for k, v in sorted(self.foreign.items())}}


@dataclass(frozen=True, slots=True)
class Margin:
    """The initial and maintenance margin of a position (USD)."""

    initial: float
    maintenance: float


def commission_of(instrument: Instrument, shares: Decimal, price: float) -> float:
    """IB's fixed-rate commission (US stocks 0.005/share, min 1.00, max 1% of value;
    options 0.65/contract, min 1.00; futures 2.25/contract; crypto 0.18% of value, min 1.75;
    currency pairs 0.2 bp, min 2.00)."""
    quantity = float(abs(shares))
    if instrument.sec_type == "CRYPTO":
        return round(max(quantity * price * 0.0018, 1.75), 2)
    if instrument.sec_type == "STK":
        return round(min(max(quantity * 0.005, 1.0), quantity * price * 0.01), 2)
    if instrument.sec_type == "OPT":
        return round(max(quantity * 0.65, 1.0), 2)
    if instrument.sec_type == "FUT":
        return round(quantity * 2.25, 2)
    return round(max(quantity * price * 0.00002, 2.0), 2)


def book_fill(account: Account, instrument: Instrument, signed: Decimal, price: float, commission: float) -> float | None:
    """Book one fill into ``account``.

    Args:
        account: the account.
        instrument: what was traded.
        signed: the quantity, positive for a buy.
        price: the fill price (per unit, without the multiplier).
        commission: the commission of the whole fill.

    Returns:
        the realized P&L of the part that closed a position (net of the share of
        the commission of that part), or ``None`` when the fill only opened.
    """
    mult = instrument.multiplier
    position = account.positions.setdefault(instrument.con_id, Position(instrument))
    old = position.quantity
    unit = price * mult
    size = abs(signed)
    closing = Decimal(0) if old == 0 or (old > 0) == (signed > 0) else min(abs(old), size)
    opening = size - closing
    realized: float | None = None
    variation = 0.0
    if closing:
        direction = 1.0 if old > 0 else -1.0
        close_commission = commission * float(closing / size)
        realized = (unit - position.avg_cost) * float(closing) * direction - close_commission
        # What the close moves into cash for a future (the basis without commissions).
        variation = (unit - (position.avg_cost - direction * position.embedded)) * float(closing) * direction
        position.realized += realized
        account.realized += realized
        position.quantity = old - (closing if old > 0 else -closing)
        if position.quantity == 0:
            position.avg_cost = 0.0
            position.embedded = 0.0
    if opening:
        direction = 1.0 if signed > 0 else -1.0
        open_commission = commission * float(opening / size)
        held = float(abs(position.quantity))
        total = float(opening)
        position.avg_cost = (held * position.avg_cost + total * unit + direction * open_commission) / (held + total)
        position.embedded = (held * position.embedded + open_commission) / (held + total)
        position.quantity += opening if signed > 0 else -opening
    if instrument.sec_type == "FUT":
        _move(account, instrument.contract.currency, variation)
    else:
        _move(account, instrument.contract.currency, -float(signed) * unit)
    if instrument.sec_type == "CASH":
        # A currency pair buys its base currency (EUR of EUR.USD) with the quote currency.
        _move(account, instrument.symbol, float(signed))
    account.cash -= commission
    account.commissions += commission
    return realized


def _move(account: Account, currency: str, amount: float) -> None:
    """Move ``amount`` into the cash balance in ``currency``."""
    if currency in ("", BASE_CURRENCY):
        account.cash += amount
    else:
        account.foreign[currency] = account.foreign.get(currency, 0.0) + amount


def unrealized_of(position: Position, mark: float) -> float:
    """The unrealized P&L of a position at ``mark`` (per unit, without multiplier)."""
    if position.quantity == 0:
        return 0.0
    return float(position.quantity) * (mark * position.instrument.multiplier - position.avg_cost)


def margin_of(position: Position, mark: float, spot: float | None) -> Margin:
    """IB's Reg T margin of one position.

    Args:
        position: the position.
        mark: its price now (per unit).
        spot: the underlying's price (options), else ``None``.
    """
    quantity = float(position.quantity)
    if quantity == 0:
        return Margin(0.0, 0.0)
    instrument = position.instrument
    kind = instrument.sec_type
    size = abs(quantity)
    value = size * mark * instrument.multiplier
    if kind == "STK":
        initial, long_maint, short_maint = STOCK_MARGIN
        return Margin(value * initial, value * (long_maint if quantity > 0 else short_maint))
    if kind == "OPT":
        if quantity > 0:
            return Margin(value, value)  # paid in full: no loan value
        if spot is None:
            return Margin(0.0, 0.0)
        per_share = short_option_requirement(mark, spot, instrument.contract.strike or 0.0, instrument.contract.right)
        amount = per_share * instrument.multiplier * size
        return Margin(amount, amount)
    if kind == "FUT":
        return Margin(size * instrument.initial_margin, size * instrument.maint_margin)
    if kind == "CRYPTO":
        return Margin(value, value)  # paid in full: IB lends nothing on crypto
    return Margin(value * FX_MARGIN[0], value * FX_MARGIN[1])


def short_option_requirement(premium: float, spot: float, strike: float, right: str) -> float:
    """IB's margin per share of a naked short option.

    Calls: premium + max(20% x underlying - out-of-the-money amount, 10% x underlying).
    Puts: premium + max(20% x underlying - out-of-the-money amount, 10% x strike).
    """
    if right == "C":
        otm = max(strike - spot, 0.0)
        return premium + max(0.20 * spot - otm, 0.10 * spot)
    otm = max(spot - strike, 0.0)
    return premium + max(0.20 * spot - otm, 0.10 * strike)


def _base_rate(currency: str) -> float:
    return 1.0


def account_values(
    account: Account,
    mark: Callable[[Instrument], float],
    spot: Callable[[Instrument], float | None],
    rate: Callable[[str], float] = _base_rate,
) -> dict[str, float]:
    """The account's numbers by IB's tag names, in the base currency (USD).

    Cash in every currency counts at its exchange rate; a currency pair's
    position is its base currency's cash balance (counted there, not again as
    a position, and not in the gross position value).

    Args:
        account: the account.
        mark: the price of an instrument now.
        spot: the underlying's price of an option (``None`` for other instruments).
        rate: the base-currency value of one unit of a currency.
    """
    cash = account.cash + sum(amount * rate(currency) for currency, amount in account.foreign.items())
    liquidation = cash
    gross = 0.0
    unrealized = 0.0
    short_options = 0.0
    initial = 0.0
    maintenance = 0.0
    for position in account.positions.values():
        if position.quantity == 0:
            continue
        instrument = position.instrument
        price = mark(instrument)
        value = float(position.quantity) * price * instrument.multiplier
        pnl = unrealized_of(position, price)
        unrealized += pnl
        if instrument.sec_type == "FUT":
            # A future is worth its variation since it was opened (cash paid the commissions).
            liquidation += pnl + float(abs(position.quantity)) * position.embedded
        elif instrument.sec_type != "CASH":
            converted = value * rate(instrument.contract.currency or BASE_CURRENCY)
            liquidation += converted
            gross += abs(converted)
        if instrument.sec_type == "OPT" and value < 0:
            short_options += value
        need = margin_of(position, price, spot(instrument))
        initial += need.initial
        maintenance += need.maintenance
    # A short option's value is a liability inside net liquidation; its margin covers it.
    equity = liquidation - short_options
    available = equity - initial
    excess = equity - maintenance
    return {
        "NetLiquidation": liquidation,
        "TotalCashValue": cash,
        "SettledCash": cash,
        "AccruedCash": 0.0,
        "BuyingPower": max(available, 0.0) * BUYING_POWER_MULTIPLE,
        "EquityWithLoanValue": equity,
        "PreviousDayEquityWithLoanValue": account.previous_ewl,
        "GrossPositionValue": gross,
        "RegTEquity": equity,
        "RegTMargin": initial,
        "SMA": max(available, 0.0),
        "InitMarginReq": initial,
        "MaintMarginReq": maintenance,
        "AvailableFunds": available,
        "ExcessLiquidity": excess,
        "Cushion": excess / liquidation if liquidation else 0.0,
        "FullInitMarginReq": initial,
        "FullMaintMarginReq": maintenance,
        "FullAvailableFunds": available,
        "FullExcessLiquidity": excess,
        "LookAheadInitMarginReq": initial,
        "LookAheadMaintMarginReq": maintenance,
        "LookAheadAvailableFunds": available,
        "LookAheadExcessLiquidity": excess,
        "Leverage": gross / liquidation if liquidation else 0.0,
        "UnrealizedPnL": unrealized,
        "RealizedPnL": account.realized,
    }


def currency_rows(
    account: Account, rate: Callable[[str], float], mark: Callable[[Instrument], float],
) -> list[tuple[str, float, str]]:
    """The per-currency account values TWS streams (its ledger): (key, value, currency).

    Per currency held, and for ``BASE`` (the sums at the exchange rates):
    ``CashBalance``, ``TotalCashBalance``, ``StockMarketValue``, ``OptionMarketValue``,
    ``FuturesPNL`` (a future's variation, as net liquidation counts it),
    ``NetLiquidationByCurrency`` (the cash plus those three: ``BASE`` is the net
    liquidation), ``ExchangeRate`` (base units per unit; 1 for the base and ``BASE``),
    ``RealizedPnL`` and ``UnrealizedPnL`` (of the positions in that currency).
    A currency pair's position is cash in its balance, in none of the market values.
    """
    sums: dict[str, dict[str, float]] = {}
    for position in account.positions.values():
        currency = position.instrument.contract.currency or BASE_CURRENCY
        ledger = sums.setdefault(currency, {})
        price = mark(position.instrument)
        pnl = unrealized_of(position, price)
        ledger["RealizedPnL"] = ledger.get("RealizedPnL", 0.0) + position.realized
        ledger["UnrealizedPnL"] = ledger.get("UnrealizedPnL", 0.0) + pnl
        if position.quantity == 0:
            continue
        sec_type = position.instrument.sec_type
        if sec_type == "FUT":
            key, value = "FuturesPNL", pnl + float(abs(position.quantity)) * position.embedded
        elif sec_type in ("OPT", "FOP"):
            key, value = "OptionMarketValue", float(position.quantity) * price * position.instrument.multiplier
        elif sec_type != "CASH":
            key, value = "StockMarketValue", float(position.quantity) * price * position.instrument.multiplier
        else:
            continue
        ledger[key] = ledger.get(key, 0.0) + value
    balances = account.balances()
    currencies = [*balances, *sorted(c for c in sums if c not in balances)]
    rows: list[tuple[str, float, str]] = []
    base: dict[str, float] = {}
    for currency in currencies:
        fx = rate(currency)
        ledger = sums.get(currency, {})
        amount = balances.get(currency, 0.0)
        values = {
            "CashBalance": amount, "TotalCashBalance": amount,
            "StockMarketValue": ledger.get("StockMarketValue", 0.0),
            "OptionMarketValue": ledger.get("OptionMarketValue", 0.0),
            "FuturesPNL": ledger.get("FuturesPNL", 0.0),
        }
        values["NetLiquidationByCurrency"] = (amount + values["StockMarketValue"] + values["OptionMarketValue"]
                                              + values["FuturesPNL"])
        values["RealizedPnL"] = ledger.get("RealizedPnL", 0.0)
        values["UnrealizedPnL"] = ledger.get("UnrealizedPnL", 0.0)
        for key, value in values.items():
            base[key] = base.get(key, 0.0) + value * fx
        rows += [(key, value, currency) for key, value in values.items()]
        rows.append(("ExchangeRate", fx, currency))
    rows += [(key, value, "BASE") for key, value in base.items()]
    rows.append(("ExchangeRate", 1.0, "BASE"))
    return rows


def finite(value: float) -> float:
    """``value``, or 0 when it is not finite (never send NaN to a client)."""
    return value if math.isfinite(value) else 0.0
