"""The simulator's option model: Black-Scholes prices, greeks and implied volatility.

European Black-Scholes with a flat rate and no dividends, the model behind
every option price of the simulator (quotes, bars, margin) and its
``tickOptionComputation`` ticks.  Units follow TWS: vega is the price change for
one volatility point (0.01), theta the price change per calendar day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

__all__ = ["MODEL_VOL", "RATE", "Greeks", "black_scholes", "implied_volatility", "option_price"]

#: The model's volatility (yearly) of every simulated option.
MODEL_VOL: Final = 0.25
#: The risk-free rate (yearly, continuous).
RATE: Final = 0.04
# The shortest time to expiry the model works with (years): a few minutes.
_MIN_YEARS: Final = 1e-4


@dataclass(frozen=True, slots=True)
class Greeks:
    """An option's model price and sensitivities.

    Attributes:
        price: the option price.
        delta: d price / d underlying.
        gamma: d delta / d underlying.
        vega: price change for a one-point (0.01) rise of the volatility.
        theta: price change over one calendar day.
    """

    price: float
    delta: float
    gamma: float
    vega: float
    theta: float


def _n(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _pdf(x: float) -> float:
    return math.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi)


def black_scholes(spot: float, strike: float, years: float, vol: float, right: str, rate: float = RATE) -> Greeks:
    """Price and greeks of a European call (``right`` ``"C"``) or put (``"P"``)."""
    years = max(years, _MIN_YEARS)
    vol = max(vol, 1e-6)
    root = math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate + vol * vol / 2.0) * years) / (vol * root)
    d2 = d1 - vol * root
    discount = math.exp(-rate * years)
    gamma = _pdf(d1) / (spot * vol * root)
    vega = spot * _pdf(d1) * root / 100.0
    common = -spot * _pdf(d1) * vol / (2.0 * root)
    if right == "C":
        price = spot * _n(d1) - strike * discount * _n(d2)
        delta = _n(d1)
        theta = (common - rate * strike * discount * _n(d2)) / 365.0
    else:
        price = strike * discount * _n(-d2) - spot * _n(-d1)
        delta = _n(d1) - 1.0
        theta = (common + rate * strike * discount * _n(-d2)) / 365.0
    return Greeks(price, delta, gamma, vega, theta)


def option_price(spot: float, strike: float, years: float, right: str, vol: float = MODEL_VOL) -> float:
    """The model price of an option."""
    return black_scholes(spot, strike, years, vol, right).price


def implied_volatility(price: float, spot: float, strike: float, years: float, right: str) -> float | None:
    """The volatility at which the model gives ``price`` (bisection), or ``None`` when no
    volatility between 0.1% and 500% does (a price under the intrinsic value, say)."""
    low, high = 0.001, 5.0
    if not black_scholes(spot, strike, years, low, right).price <= price <= black_scholes(spot, strike, years, high, right).price:
        return None
    for _ in range(100):
        middle = (low + high) / 2.0
        if black_scholes(spot, strike, years, middle, right).price < price:
            low = middle
        else:
            high = middle
        if high - low < 1e-7:
            break
    return (low + high) / 2.0
