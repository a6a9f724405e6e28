from __future__ import annotations

import dataclasses
import numbers
from decimal import Decimal
from fractions import Fraction

import pytest

from ibwire.messages import Order, TagValue
from ibwire.orders import (
    Bracket,
    LimitOrder,
    MarketOrder,
    StopLimitOrder,
    StopOrder,
    TrailingStopOrder,
    bracket,
    to_quantity,
    with_changes,
)


def test_market_order() -> None:
    assert MarketOrder("buy", 100) == Order(
        action="BUY", total_quantity=Decimal(100), order_type="MKT"
    )


def test_limit_order_with_extra_fields() -> None:
    order = LimitOrder("SELL", "0.5", 187.25, tif="GTC", outside_rth=True, account="U1")
    assert (order.action, order.total_quantity, order.order_type) == ("SELL", Decimal("0.5"), "LMT")
    assert (order.lmt_price, order.tif, order.outside_rth, order.account) == (
        187.25, "GTC", True, "U1",
    )


def test_extra_tuple_fields_pass_through() -> None:
    params = (TagValue(tag="maxPctVol", value="0.1"),)
    order = MarketOrder("BUY", 1, algo_strategy="Adaptive", algo_params=params)
    assert order.algo_params == params


def test_stop_and_stop_limit() -> None:
    stop = StopOrder("SELL", 10, 95)
    assert (stop.order_type, stop.aux_price, stop.lmt_price) == ("STP", 95.0, None)
    stop_limit = StopLimitOrder("SELL", 10, 94.5, 95)
    assert (stop_limit.order_type, stop_limit.lmt_price, stop_limit.aux_price) == (
        "STP LMT", 94.5, 95.0,
    )


def test_trailing_stop_percent_or_amount() -> None:
    by_percent = TrailingStopOrder("SELL", 10, trailing_percent=2, trail_stop_price=98)
    assert (by_percent.order_type, by_percent.trailing_percent, by_percent.aux_price) == (
        "TRAIL", 2.0, None,
    )
    assert by_percent.trail_stop_price == 98.0
    by_amount = TrailingStopOrder("SELL", 10, aux_price=1.5)
    assert (by_amount.aux_price, by_amount.trailing_percent) == (1.5, None)


@pytest.mark.parametrize("kwargs", [{}, {"trailing_percent": 1, "aux_price": 1}])
def test_trailing_stop_needs_one_trail(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        TrailingStopOrder("SELL", 10, **kwargs)


@pytest.mark.parametrize("percent", [0, 100, -1])
def test_trailing_percent_range(percent: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        TrailingStopOrder("SELL", 10, trailing_percent=percent)


@pytest.mark.parametrize("action", ["HOLD", "", "SSHORT"])
def test_action_checked(action: str) -> None:
    with pytest.raises(ValueError, match="BUY or SELL"):
        MarketOrder(action, 1)


def test_float_quantity_refused_with_the_fix_in_the_message() -> None:
    with pytest.raises(TypeError, match=r"not float \(0\.1\).*'0\.1'"):
        MarketOrder("BUY", 0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [(5, Decimal(5)), ("2.5", Decimal("2.5")), (Decimal("0.001"), Decimal("0.001")), (" 7 ", Decimal(7))],
)
def test_quantity_types(given: object, expected: Decimal) -> None:
    assert to_quantity(given) == expected


@pytest.mark.parametrize("bad", ["-1", "nan", "Infinity", "x", -3])
def test_bad_quantities(bad: object) -> None:
    with pytest.raises(ValueError, match="quantity"):
        to_quantity(bad)


@pytest.mark.parametrize("bad", [True, None, [1]])
def test_quantity_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError, match="quantity"):
        to_quantity(bad)


class Int64:
    """An integer type that is not an ``int`` subclass, as ``numpy.int64`` is not."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value


class Float32:
    """A binary float that is not a ``float`` subclass, as ``numpy.float32`` is not."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __float__(self) -> float:
        return self.value

    def __str__(self) -> str:
        return str(self.value)


numbers.Integral.register(Int64)
numbers.Real.register(Float32)


def test_numbers_of_other_types_are_taken_as_numbers() -> None:
    # What a size or price read from a numpy array or a DataFrame is.
    order = LimitOrder("BUY", Int64(100), Float32(187.5))  # type: ignore[arg-type]
    assert order.total_quantity == Decimal(100) and type(order.lmt_price) is float
    assert order.lmt_price == 187.5
    assert LimitOrder("BUY", 1, Int64(188)).lmt_price == 188.0  # type: ignore[arg-type]
    assert StopOrder("SELL", 1, Fraction(3, 2)).aux_price == 1.5  # type: ignore[arg-type]
    changed = with_changes(order, {"total_quantity": Int64(5), "lmt_price": Float32(1.25)})
    assert (changed.total_quantity, changed.lmt_price) == (Decimal(5), 1.25)
    # A binary float of another width is refused as a float is.
    with pytest.raises(TypeError, match=r"not Float32 \(.*write '0\.1'"):
        to_quantity(Float32(0.1))
    with pytest.raises(TypeError, match="not Fraction"):
        to_quantity(Fraction(1, 2))


def test_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    order = LimitOrder("BUY", np.int64(100), np.float32(187.5))
    assert (order.total_quantity, order.lmt_price) == (Decimal(100), 187.5)
    with pytest.raises(TypeError, match="not float64"):
        to_quantity(np.float64(0.1))


def test_a_list_for_a_sequence_field_is_kept_as_a_tuple() -> None:
    # As ib_async code writes algoParams=[TagValue(...)].
    params = [TagValue(tag="adaptivePriority", value="Normal")]
    order = LimitOrder("BUY", 1, 1.0, algo_strategy="Adaptive", algo_params=params)
    params.append(TagValue(tag="x", value="y"))
    assert order.algo_params == (TagValue(tag="adaptivePriority", value="Normal"),)
    assert order == LimitOrder("BUY", 1, 1.0, algo_strategy="Adaptive", algo_params=order.algo_params)
    assert hash(order) == hash(dataclasses.replace(order))
    changed = with_changes(order, {"order_misc_options": [TagValue(tag="a", value="b")]})
    assert changed.order_misc_options == (TagValue(tag="a", value="b"),)
    assert bracket("BUY", 1, 10, 11, 9, algo_params=iter(params)).stop_loss.algo_params == tuple(params)


@pytest.mark.parametrize("percent", [150, 100, 0, -1])
def test_with_changes_checks_the_trailing_percent_as_the_builder_does(percent: float) -> None:
    order = TrailingStopOrder("SELL", 100, trailing_percent=2)
    with pytest.raises(ValueError, match="trailing_percent must be between 0 and 100"):
        with_changes(order, {"trailing_percent": percent})
    assert with_changes(order, {"trailing_percent": 3.5}).trailing_percent == 3.5
    assert with_changes(order, {"trailing_percent": None}).trailing_percent is None


def test_price_checked() -> None:
    with pytest.raises(ValueError, match="lmt_price"):
        LimitOrder("BUY", 1, float("nan"))
    with pytest.raises(TypeError, match="lmt_price"):
        LimitOrder("BUY", 1, "10")  # type: ignore[arg-type]


def test_builder_fields_cannot_be_overridden() -> None:
    with pytest.raises(TypeError, match="order_type is set by the builder"):
        MarketOrder("BUY", 1, order_type="LMT")


def test_unknown_field_named() -> None:
    with pytest.raises(TypeError, match="no field 'colour'"):
        MarketOrder("BUY", 1, colour="red")


# ------------------------------------------------------------------ bracket


def test_bracket_linked_by_order_id() -> None:
    made = bracket("BUY", 10, 100.0, 110.0, 95.0, parent_order_id=41, tif="GTC")
    parent, take_profit, stop_loss = made
    assert (parent.order_id, take_profit.order_id, stop_loss.order_id) == (41, 42, 43)
    assert (parent.parent_id, take_profit.parent_id, stop_loss.parent_id) == (0, 41, 41)
    assert (parent.transmit, take_profit.transmit, stop_loss.transmit) == (False, False, True)
    assert (parent.action, take_profit.action, stop_loss.action) == ("BUY", "SELL", "SELL")
    assert (parent.order_type, take_profit.order_type, stop_loss.order_type) == ("LMT", "LMT", "STP")
    assert (parent.lmt_price, take_profit.lmt_price, stop_loss.aux_price) == (100.0, 110.0, 95.0)
    assert {o.tif for o in made} == {"GTC"}
    assert {o.total_quantity for o in made} == {Decimal(10)}


def test_bracket_numbered_later() -> None:
    made = bracket("SELL", 1, 100.0, 90.0, 105.0)
    assert {o.order_id for o in made} == {0}
    numbered = made.with_order_ids(7)
    assert isinstance(numbered, Bracket)
    assert [(o.order_id, o.parent_id) for o in numbered] == [(7, 0), (8, 7), (9, 7)]
    assert [o.action for o in numbered] == ["SELL", "BUY", "BUY"]


@pytest.mark.parametrize(
    ("action", "entry", "profit", "stop"),
    [("BUY", 100, 99, 95), ("BUY", 100, 110, 101), ("SELL", 100, 110, 105), ("SELL", 100, 90, 99)],
)
def test_bracket_prices_on_the_right_side(action: str, entry: float, profit: float, stop: float) -> None:
    with pytest.raises(ValueError, match="bracket needs"):
        bracket(action, 1, entry, profit, stop)


@pytest.mark.parametrize("own", ["transmit", "parent_id", "order_id"])
def test_bracket_owns_linking_fields(own: str) -> None:
    with pytest.raises(TypeError, match=own):
        bracket("BUY", 1, 100, 110, 90, **{own: 1})


@pytest.mark.parametrize(("field", "value"), [("oca_group", "entries"), ("oca_type", 1)])
def test_bracket_refuses_an_oca_group_shared_by_the_entry_and_its_exits(
    field: str, value: object
) -> None:
    # TWS cancels the rest of an OCA group when one order fills: the entry's fill
    # would cancel its own take-profit and stop-loss.
    with pytest.raises(TypeError, match=f"{field} would put the entry in one OCA group"):
        bracket("BUY", 1, 100, 110, 90, **{field: value})  # type: ignore[arg-type]
    made = bracket("BUY", 1, 100, 110, 90)
    grouped = dataclasses.replace(made, parent=with_changes(made.parent, {field: value}))
    assert [getattr(o, field) for o in grouped.with_order_ids(5)][0] == value


@pytest.mark.parametrize("bad", [0, -5, True])
def test_bracket_bad_parent_id(bad: int) -> None:
    with pytest.raises(ValueError, match="parent_order_id"):
        bracket("BUY", 1, 100, 110, 90, parent_order_id=bad)


def test_with_changes_checks_as_the_builders_do() -> None:
    order = LimitOrder("BUY", "0.1", 10.0)
    changed = with_changes(order, {"total_quantity": "0.3", "lmt_price": 11, "action": "sell"})
    assert (changed.total_quantity, changed.lmt_price, changed.action) == (
        Decimal("0.3"),
        11.0,
        "SELL",
    )
    assert with_changes(order, {"aux_price": None, "tif": "GTC"}).tif == "GTC"
    with pytest.raises(TypeError, match="float"):
        with_changes(order, {"total_quantity": 0.3})
    with pytest.raises(ValueError, match=">= 0"):
        with_changes(order, {"total_quantity": -5})
    with pytest.raises(ValueError, match="finite"):
        with_changes(order, {"lmt_price": float("inf")})
    with pytest.raises(TypeError, match="must be a number"):
        with_changes(order, {"aux_price": "1.5"})
    with pytest.raises(ValueError, match="BUY or SELL"):
        with_changes(order, {"action": "HOLD"})
    with pytest.raises(TypeError, match="names the order"):
        with_changes(order, {"parent_id": 3})
    with pytest.raises(TypeError, match="no field colour"):
        with_changes(order, {"colour": "red"})
