"""Order builders: plain functions returning an immutable :class:`~ibwire.messages.Order`.

Each builder checks its arguments, sets ``order_type`` and the prices, and passes
any further keyword to :class:`~ibwire.messages.Order` (``tif="GTC"``,
``outside_rth=True``, ``account="U123"``, ``order_ref=...``; a list for a
sequence field such as ``algo_params`` is kept as a tuple, so the order stays
immutable and hashable)::

    >>> order = LimitOrder("buy", 100, 187.5, tif="GTC")
    >>> order.action, order.total_quantity, order.order_type, order.lmt_price, order.tif
    ('BUY', Decimal('100'), 'LMT', 187.5, 'GTC')

Quantities are :class:`~decimal.Decimal`.  An ``int`` (or any integer type, such
as ``numpy.int64``), a ``str`` (``"0.5"``) or a ``Decimal`` is taken as is; a
``float`` is refused with a :class:`TypeError`, because a binary float cannot say
which decimal the caller meant (``0.1`` is ``0.1000000000000000055...``): write
``"0.1"`` or ``Decimal("0.1")``.  Prices stay ``float``, as on the wire; any real
number type is taken for one.

:func:`bracket` builds an entry with a take-profit and a stop-loss, linked by
order id and ready to place in order.  :func:`with_changes` changes fields of an
order with the same checks (what ``trade.modify`` uses).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ._record import dataclass
from .messages.order import Order

__all__ = [
    "Bracket",
    "LimitOrder",
    "MarketOrder",
    "StopLimitOrder",
    "StopOrder",
    "TrailingStopOrder",
    "bracket",
    "to_quantity",
    "with_changes",
]

_ACTIONS = frozenset({"BUY", "SELL"})

#: The keywords every builder sets itself; passing them as extra fields is an error.
_OWN_FIELDS = frozenset(
    {"action", "total_quantity", "order_type", "lmt_price", "aux_price", "trailing_percent",
     "trail_stop_price"}
)


def to_quantity(quantity: object, name: str = "quantity") -> Decimal:
    """``quantity`` as a :class:`~decimal.Decimal`, checked.

    Args:
        quantity: an ``int`` (or any integer type, such as ``numpy.int64``), a
            ``str`` or a ``Decimal``.
        name: the argument's name, for the error message.

    Raises:
        TypeError: a ``float`` (or another binary floating point type), a
            ``bool`` or another type.
        ValueError: not a finite number, or negative.
    """
    if isinstance(quantity, Decimal):
        value = quantity
    elif isinstance(quantity, bool):
        raise TypeError(f"{name} must be an int, a str or a Decimal, not bool")
    elif isinstance(quantity, numbers.Integral):
        # Any integer type (numpy's and pandas' too) is exact.
        value = Decimal(int(quantity))
    elif isinstance(quantity, str):
        try:
            value = Decimal(quantity.strip())
        except InvalidOperation:
            raise ValueError(f"{name} must be a number, not {quantity!r}") from None
    elif isinstance(quantity, numbers.Real) and not isinstance(quantity, numbers.Rational):
        # A binary float of any width (float, numpy.float32, ...).
        raise TypeError(
            f"{name} must be an int, a str or a Decimal, not {type(quantity).__name__} "
            f"({quantity!r}): "
            f"a float cannot say which decimal is meant; write {str(quantity)!r} or "
            f"Decimal({str(quantity)!r})"
        )
    else:
        raise TypeError(f"{name} must be an int, a str or a Decimal, not {type(quantity).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, not {quantity!r}")
    return value


def _action(action: object) -> str:
    if not isinstance(action, str):
        raise TypeError(f"action must be a str, not {type(action).__name__}")
    side = action.strip().upper()
    if side not in _ACTIONS:
        raise ValueError(f"action must be BUY or SELL, not {action!r}")
    return side


def _price(name: str, value: object) -> float:
    # numbers.Real: int, float, Fraction, and numpy's and pandas' number types.
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    price = float(value)
    if not math.isfinite(price):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return price


def _trailing_percent(value: object) -> float:
    percent = _price("trailing_percent", value)
    if not 0 < percent < 100:
        raise ValueError(f"trailing_percent must be between 0 and 100, not {percent!r}")
    return percent


#: The fields that name an order rather than describe it: a change cannot set them.
_IDENTITY_FIELDS = frozenset({"order_id", "client_id", "perm_id", "parent_id"})


def _field_checks() -> dict[str, str]:
    kinds: dict[str, str] = {}
    for field in dataclasses.fields(Order):
        kind = str(field.type).replace(" ", "")
        if kind in ("Decimal|None", "Decimal"):
            kinds[field.name] = "quantity"
        elif kind in ("float|None", "float"):
            kinds[field.name] = "price"
        elif kind.startswith("tuple["):
            kinds[field.name] = "sequence"
    kinds["action"] = "action"
    return kinds


#: Order field -> how a change of it is checked (``quantity``, ``price``, ``action``,
#: ``sequence``).
_CHECKS = _field_checks()


def _sequences(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with the list (or other iterable) of a sequence field made a tuple.

    ib_async code passes ``algoParams=[TagValue(...)]``; a list kept in the order
    would leave it unhashable, unequal to the same order built with a tuple, and
    changeable from outside.
    """
    return {
        name: tuple(value)
        if _CHECKS.get(name) == "sequence"
        and isinstance(value, Iterable)
        and not isinstance(value, (tuple, str, bytes))
        else value
        for name, value in fields.items()
    }


def with_changes(order: Order, changes: Mapping[str, object]) -> Order:
    """``order`` with ``changes``, each checked as the builders check their arguments.

    A quantity (any ``Decimal`` field, ``total_quantity`` first) goes through
    :func:`to_quantity`; a price (any ``float`` field) must be a finite number
    (``None`` unsets it), ``trailing_percent`` one between 0 and 100 as in
    :func:`TrailingStopOrder`; ``action`` must be ``BUY`` or ``SELL``; a list given for
    a sequence field (``algo_params``, ``conditions``, ...) is kept as a tuple, as
    the builders keep it.

    Args:
        order: the order.
        changes: field name -> new value.

    Raises:
        TypeError: an unknown field, a field that names the order (``order_id``,
            ``client_id``, ``perm_id``, ``parent_id``), or a value of the wrong
            type (a ``float`` quantity).
        ValueError: a negative or non-finite quantity, a non-finite price, a trailing
            percent outside 0..100, a bad action.
    """
    checked: dict[str, object] = {}
    for name, value in _sequences(changes).items():
        if name in _IDENTITY_FIELDS:
            raise TypeError(f"{name} names the order; it cannot be changed")
        kind = _CHECKS.get(name)
        if kind == "quantity" and value is not None:
            value = to_quantity(value, name)
        elif name == "trailing_percent" and value is not None:
            value = _trailing_percent(value)
        elif kind == "price" and value is not None:
            value = _price(name, value)
        elif kind == "action":
            value = _action(value)
        checked[name] = value
    known = {field.name for field in dataclasses.fields(Order)}
    unknown = sorted(set(checked) - known)
    if unknown:
        raise TypeError(f"Order has no field {', '.join(unknown)}")
    return replace(order, **checked)  # type: ignore[arg-type]


def _build(
    action: str, quantity: object, order_type: str, fields: dict[str, Any], **prices: object
) -> Order:
    clash = _OWN_FIELDS.intersection(fields)
    if clash:
        raise TypeError(f"{', '.join(sorted(clash))} is set by the builder; pass it as an argument")
    try:
        return Order(
            action=_action(action),
            total_quantity=to_quantity(quantity),
            order_type=order_type,
            **prices,  # type: ignore[arg-type]
            **_sequences(fields),
        )
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise TypeError(f"Order has no field {str(exc).rsplit(' ', 1)[-1]}") from None
        raise


def MarketOrder(action: str, quantity: Decimal | int | str, **fields: Any) -> Order:
    """A market order (``MKT``).

    Args:
        action: ``BUY`` or ``SELL`` (any case).
        quantity: how many (see the module docstring for the accepted types).
        **fields: more :class:`~ibwire.messages.Order` fields.
    """
    return _build(action, quantity, "MKT", fields)


def LimitOrder(
    action: str, quantity: Decimal | int | str, lmt_price: float, **fields: Any
) -> Order:
    """A limit order (``LMT``) at ``lmt_price``."""
    return _build(action, quantity, "LMT", fields, lmt_price=_price("lmt_price", lmt_price))


def StopOrder(
    action: str, quantity: Decimal | int | str, stop_price: float, **fields: Any
) -> Order:
    """A stop order (``STP``): a market order once ``stop_price`` trades (``aux_price``)."""
    return _build(action, quantity, "STP", fields, aux_price=_price("stop_price", stop_price))


def StopLimitOrder(
    action: str,
    quantity: Decimal | int | str,
    lmt_price: float,
    stop_price: float,
    **fields: Any,
) -> Order:
    """A stop-limit order (``STP LMT``): a limit order at ``lmt_price`` once ``stop_price`` trades."""
    return _build(
        action,
        quantity,
        "STP LMT",
        fields,
        lmt_price=_price("lmt_price", lmt_price),
        aux_price=_price("stop_price", stop_price),
    )


def TrailingStopOrder(
    action: str,
    quantity: Decimal | int | str,
    trailing_percent: float | None = None,
    aux_price: float | None = None,
    trail_stop_price: float | None = None,
    **fields: Any,
) -> Order:
    """A trailing stop (``TRAIL``): the stop follows the market by a percent or an amount.

    Args:
        action: ``BUY`` or ``SELL``.
        quantity: how many.
        trailing_percent: the trail as a percent of the price; or
        aux_price: the trail as an amount (exactly one of the two).
        trail_stop_price: the initial stop price; ``None`` lets TWS set it.
        **fields: more :class:`~ibwire.messages.Order` fields.

    Raises:
        ValueError: neither or both of ``trailing_percent`` and ``aux_price``.
    """
    if (trailing_percent is None) == (aux_price is None):
        raise ValueError("give exactly one of trailing_percent and aux_price")
    prices: dict[str, object] = {}
    if trailing_percent is not None:
        prices["trailing_percent"] = _trailing_percent(trailing_percent)
    else:
        amount = _price("aux_price", aux_price)
        if amount <= 0:
            raise ValueError(f"aux_price (the trailing amount) must be > 0, not {amount!r}")
        prices["aux_price"] = amount
    if trail_stop_price is not None:
        prices["trail_stop_price"] = _price("trail_stop_price", trail_stop_price)
    return _build(action, quantity, "TRAIL", fields, **prices)


@dataclass(frozen=True, slots=True)
class Bracket:
    """A bracket order: an entry, a take-profit and a stop-loss, ready to place.

    Place the three in this order (iterating gives them so).  The parent and the
    take-profit have ``transmit=False`` and the stop-loss ``transmit=True``: TWS
    holds the first two until the last arrives, so nothing can fill before the
    whole bracket is in place.

    Attributes:
        parent: the entry order.
        take_profit: the limit order that closes at a profit (child of ``parent``).
        stop_loss: the stop order that closes at a loss (child of ``parent``).
    """

    parent: Order
    take_profit: Order
    stop_loss: Order

    def __iter__(self) -> Iterator[Order]:
        """The three orders, in placing order."""
        return iter((self.parent, self.take_profit, self.stop_loss))

    def with_order_ids(self, parent_order_id: int) -> Bracket:
        """The same bracket numbered from ``parent_order_id`` (children get the next two ids)."""
        _check_order_id(parent_order_id)
        return Bracket(
            replace(self.parent, order_id=parent_order_id, parent_id=0),
            replace(self.take_profit, order_id=parent_order_id + 1, parent_id=parent_order_id),
            replace(self.stop_loss, order_id=parent_order_id + 2, parent_id=parent_order_id),
        )


def _check_order_id(order_id: object) -> None:
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id <= 0:
        raise ValueError(f"parent_order_id must be a positive int, not {order_id!r}")


def bracket(
    action: str,
    quantity: Decimal | int | str,
    limit_price: float,
    take_profit_price: float,
    stop_loss_price: float,
    parent_order_id: int | None = None,
    **fields: Any,
) -> Bracket:
    """A bracket: a limit entry with a take-profit limit and a stop-loss stop.

    The children are on the other side of ``action``; the take-profit is a limit
    order at ``take_profit_price`` and the stop-loss a stop order at
    ``stop_loss_price``.  With ``parent_order_id`` the three orders are numbered
    ``parent_order_id``, ``+1``, ``+2`` and the children's ``parent_id`` is the
    parent's id; without it their ids are 0 and the caller numbers them with
    :meth:`Bracket.with_order_ids` (the client does, from three fresh ids).

    Args:
        action: ``BUY`` or ``SELL`` for the entry.
        quantity: the quantity of each order.
        limit_price: the entry's limit price.
        take_profit_price: the take-profit's limit price.
        stop_loss_price: the stop-loss's stop price.
        parent_order_id: the entry's order id.
        **fields: more :class:`~ibwire.messages.Order` fields for all three
            (``tif``, ``account``, ``order_ref``, ...), but not ``oca_group`` or
            ``oca_type``: the two exits are one-cancels-all already (children of
            one parent), and the entry in their group would cancel them when it
            fills.

    Raises:
        ValueError: a bad action, quantity or id, or prices on the wrong side
            (for a BUY the take-profit must be above the entry and the stop
            below it; for a SELL the other way round).
        TypeError: ``transmit``, ``parent_id``, ``order_id``, ``oca_group`` or
            ``oca_type`` among ``fields``.
    """
    side = _action(action)
    exit_side = "SELL" if side == "BUY" else "BUY"
    entry = _price("limit_price", limit_price)
    profit = _price("take_profit_price", take_profit_price)
    stop = _price("stop_loss_price", stop_loss_price)
    if side == "BUY" and not stop < entry < profit:
        raise ValueError(
            f"a BUY bracket needs stop_loss_price < limit_price < take_profit_price, "
            f"not {stop} / {entry} / {profit}"
        )
    if side == "SELL" and not profit < entry < stop:
        raise ValueError(
            f"a SELL bracket needs take_profit_price < limit_price < stop_loss_price, "
            f"not {profit} / {entry} / {stop}"
        )
    for own in ("transmit", "parent_id", "order_id"):
        if own in fields:
            raise TypeError(f"{own} is set by bracket; it cannot be passed as a field")
    # The fields go to all three orders, and an OCA group of the entry and its own
    # exits cancels the exits as soon as the entry fills (TWS cancels the rest of a
    # group when one of its orders fills).  The exits are one-cancels-all already,
    # as children of one parent.
    for oca in ("oca_group", "oca_type"):
        if oca in fields:
            raise TypeError(
                f"{oca} would put the entry in one OCA group with its own exits, which "
                f"TWS cancels when the entry fills; the exits are one-cancels-all already. "
                f"To group entries, set it on the parent: "
                f"dataclasses.replace(made, parent=with_changes(made.parent, {{{oca!r}: ...}}))"
            )
    fields = _sequences(fields)  # an iterator is read once, for all three orders
    made = Bracket(
        LimitOrder(side, quantity, entry, transmit=False, **fields),
        LimitOrder(exit_side, quantity, profit, transmit=False, **fields),
        StopOrder(exit_side, quantity, stop, transmit=True, **fields),
    )
    if parent_order_id is None:
        return made
    return made.with_order_ids(parent_order_id)
