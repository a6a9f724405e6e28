"""The simulator's account arithmetic (``ibwire.testing._accounts``): IB's conventions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ibwire.testing._accounts import (
    Account,
    account_values,
    book_fill,
    commission_of,
    margin_of,
    short_option_requirement,
)
from ibwire.testing._universe import Instrument, Universe

UNIVERSE = Universe(dt.date(2024, 3, 9))
AAPL = UNIVERSE.by_con_id[265598]
ES = next(i for i in UNIVERSE.instruments if i.sec_type == "FUT")


def option(right: str, strike: float) -> Instrument:
    return next(
        i for i in UNIVERSE.instruments
        if i.sec_type == "OPT" and i.contract.right == right and i.contract.strike == strike
    )


def test_average_cost_includes_the_opening_commission() -> None:
    account = Account()
    assert book_fill(account, AAPL, Decimal(100), 190.0, 1.0) is None
    position = account.positions[AAPL.con_id]
    assert position.avg_cost == pytest.approx(190.01)
    assert account.cash == pytest.approx(1_000_000 - 19_001)
    book_fill(account, AAPL, Decimal(-50), 180.0, 2.0)  # sell 50 short... of a long: a partial close
    assert position.avg_cost == pytest.approx(190.01)  # a close leaves the average cost alone


def test_a_round_trip_realizes_gross_minus_both_commissions() -> None:
    account = Account()
    book_fill(account, AAPL, Decimal(100), 190.0, 1.0)
    realized = book_fill(account, AAPL, Decimal(-100), 191.0, 1.40)
    assert realized == pytest.approx(100 * 1.0 - 1.0 - 1.40)
    assert account.realized == pytest.approx(97.60)
    assert account.cash == pytest.approx(1_000_000 + 97.60)
    assert account.positions[AAPL.con_id].avg_cost == 0.0


def test_a_short_round_trip_and_a_flip() -> None:
    account = Account()
    book_fill(account, AAPL, Decimal(-100), 190.0, 1.0)
    position = account.positions[AAPL.con_id]
    assert position.avg_cost == pytest.approx(189.99)  # a short's commission lowers its basis
    # Buy 300: closes the 100 short (realizing) and opens 200 long.
    realized = book_fill(account, AAPL, Decimal(300), 185.0, 3.0)
    assert realized == pytest.approx((185.0 - 189.99) * 100 * -1 - 1.0)
    assert position.quantity == 200
    assert position.avg_cost == pytest.approx(185.0 + 2.0 / 200)


def test_futures_move_cash_by_commission_and_realized_variation() -> None:
    account = Account()
    book_fill(account, ES, Decimal(2), 5200.0, 4.5)
    values = account_values(account, lambda i: 5210.0, lambda i: None)
    assert account.cash == pytest.approx(1_000_000 - 4.5)
    assert values["UnrealizedPnL"] == pytest.approx(2 * 10 * 50 - 4.5)
    assert values["NetLiquidation"] == pytest.approx(1_000_000 - 4.5 + 2 * 10 * 50)
    assert values["InitMarginReq"] == pytest.approx(2 * ES.initial_margin)
    assert values["MaintMarginReq"] == pytest.approx(2 * ES.maint_margin)
    assert values["GrossPositionValue"] == 0.0
    realized = book_fill(account, ES, Decimal(-2), 5210.0, 4.5)
    assert realized == pytest.approx(1000 - 9.0)
    assert account.cash == pytest.approx(1_000_000 + 1000 - 9.0)


def test_reg_t_stock_margin() -> None:
    account = Account()
    book_fill(account, AAPL, Decimal(1000), 200.0, 5.0)
    values = account_values(account, lambda i: 200.0, lambda i: None)
    assert values["GrossPositionValue"] == pytest.approx(200_000)
    assert values["InitMarginReq"] == pytest.approx(100_000)
    assert values["MaintMarginReq"] == pytest.approx(50_000)
    assert values["EquityWithLoanValue"] == pytest.approx(values["NetLiquidation"])
    assert values["AvailableFunds"] == pytest.approx(values["NetLiquidation"] - 100_000)
    assert values["ExcessLiquidity"] == pytest.approx(values["NetLiquidation"] - 50_000)
    assert values["BuyingPower"] == pytest.approx(4 * values["AvailableFunds"])
    short = Account()
    book_fill(short, AAPL, Decimal(-1000), 200.0, 5.0)
    assert account_values(short, lambda i: 200.0, lambda i: None)["MaintMarginReq"] == pytest.approx(60_000)


@pytest.mark.parametrize(
    ("right", "premium", "spot", "strike", "expected"),
    [
        ("C", 2.0, 100.0, 110.0, 2.0 + max(20.0 - 10.0, 10.0)),  # OTM call: the 10% floor
        ("C", 5.0, 100.0, 105.0, 5.0 + 20.0 - 5.0),
        ("C", 12.0, 100.0, 90.0, 12.0 + 20.0),  # ITM: no OTM amount
        ("P", 3.0, 100.0, 95.0, 3.0 + 20.0 - 5.0),
        ("P", 1.0, 100.0, 70.0, 1.0 + 7.0),  # far OTM put: 10% of the strike
    ],
)
def test_naked_short_option_formula(right: str, premium: float, spot: float, strike: float, expected: float) -> None:
    assert short_option_requirement(premium, spot, strike, right) == pytest.approx(expected)


def test_option_margin_long_is_the_premium_short_is_premium_plus_20_percent() -> None:
    call = option("C", 200.0)
    account = Account()
    book_fill(account, call, Decimal(-10), 3.0, 6.5)
    position = account.positions[call.con_id]
    need = margin_of(position, 3.0, 190.0)
    per_share = 3.0 + max(0.2 * 190.0 - 10.0, 19.0)
    assert need.initial == pytest.approx(per_share * 100 * 10)
    values = account_values(account, lambda i: 3.0, lambda i: 190.0)
    # The short option's value (a liability in net liquidation) is added back to the
    # equity with loan value, since the requirement includes the premium.
    assert values["EquityWithLoanValue"] == pytest.approx(values["NetLiquidation"] + 3000)
    assert values["AvailableFunds"] == pytest.approx(values["EquityWithLoanValue"] - need.initial)
    assert values["AvailableFunds"] == pytest.approx(1_000_000 - 6.5 - (per_share - 3.0) * 1000)
    long = Account()
    book_fill(long, call, Decimal(10), 3.0, 6.5)
    long_values = account_values(long, lambda i: 3.0, lambda i: 190.0)
    assert long_values["InitMarginReq"] == long_values["MaintMarginReq"] == pytest.approx(3000)  # the premium
    assert long_values["AvailableFunds"] == pytest.approx(1_000_000 - 3000 - 6.5)


def test_commissions() -> None:
    assert commission_of(AAPL, Decimal(100), 190.0) == 1.0
    assert commission_of(AAPL, Decimal(1000), 190.0) == 5.0
    assert commission_of(AAPL, Decimal(1), 0.5) == 0.01  # capped at 1% of the value
    assert commission_of(option("C", 200.0), Decimal(10), 3.0) == 6.5
    assert commission_of(ES, Decimal(2), 5200.0) == 4.5
