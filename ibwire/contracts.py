"""Contract builders, and the rules that turn contract details into one qualified contract.

Each builder is a plain function returning an immutable
:class:`~ibwire.messages.Contract` with ``sec_type`` and the usual defaults set,
after checking its arguments (a bad argument raises :class:`ValueError` or
:class:`TypeError` naming the argument, before anything is sent)::

    >>> Stock("AAPL").sec_type, Stock("AAPL").exchange
    ('STK', 'SMART')
    >>> fx = Forex("EURUSD")
    >>> fx.symbol, fx.currency, fx.exchange, fx.sec_type
    ('EUR', 'USD', 'IDEALPRO', 'CASH')
    >>> Option("SPY", "20250117", 450, "call").right
    'C'

The builders are functions named like the instruments (``Stock``, not
``stock``), as users of other IB libraries write them.

A builder may describe a contract only in part (an :func:`Option` without a strike,
a :func:`Future` without an expiry): that is what contract details requests and
option-chain lookups take.  :func:`resolve_contract` is the pure part of
``client.qualify``: given the request and the contract details TWS answered, it
picks the one contract or raises
:class:`~ibwire.errors.ContractNotFoundError` /
:class:`~ibwire.errors.AmbiguousContractError`.
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from .errors import AmbiguousContractError, ContractNotFoundError
from .messages.common import ComboLeg, Contract
from .messages.contracts import ContractDetails

__all__ = [
    "CFD",
    "Bag",
    "Bond",
    "ContFuture",
    "Crypto",
    "Forex",
    "Future",
    "FuturesOption",
    "Index",
    "Option",
    "Stock",
    "combo_leg",
    "normalize_right",
    "resolve_contract",
]

#: Option rights as users write them, mapped to the wire's one-letter form.
_RIGHTS = {"C": "C", "CALL": "C", "P": "P", "PUT": "P"}

#: Combo leg actions the API accepts.
_LEG_ACTIONS = frozenset({"BUY", "SELL", "SSHORT"})


# ------------------------------------------------------------------ argument checks


def _text(name: str, value: object, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _upper(name: str, value: object, *, required: bool = False) -> str:
    return _text(name, value, required=required).upper()


def _currency(value: object) -> str:
    # Every IB currency is a three-letter code.  Checking it also catches ib_async's
    # positional order, which differs after ``exchange``: Option(..., "SMART", "100")
    # means multiplier 100 there and would be currency "100" here.
    text = _upper("currency", value)
    if text and not (len(text) == 3 and text.isascii() and text.isalpha()):
        raise ValueError(
            f"currency must be a three-letter code such as 'USD', not {value!r} "
            f"(pass multiplier= and local_symbol= by keyword)"
        )
    return text


def _expiry(name: str, value: object) -> str:
    text = _text(name, value)
    if text and not (text.isascii() and text.isdigit() and len(text) in (6, 8)):
        raise ValueError(f"{name} must be YYYYMM or YYYYMMDD, not {text!r}")
    if text:
        try:
            datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]) if len(text) == 8 else 1)
        except ValueError:
            raise ValueError(f"{name} must be YYYYMM or YYYYMMDD, not {text!r}: no such date") from None
    return text


def _strike(value: object) -> float | None:
    if value is None or value == "":
        return None
    # numbers.Real: int, float, Fraction, and numpy's and pandas' number types.
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal, str)):
        raise TypeError(f"strike must be a number, not {type(value).__name__}")
    try:
        strike = float(value)
    except ValueError:
        raise ValueError(f"strike must be a number, not {value!r}") from None
    if not math.isfinite(strike) or strike < 0:
        raise ValueError(f"strike must be a finite number >= 0, not {value!r}")
    return strike


def _multiplier(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str, Decimal)):
        raise TypeError(f"multiplier must be an int or a str, not {type(value).__name__}")
    text = str(int(value) if isinstance(value, numbers.Integral) else value).strip()
    if text:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"multiplier must be a number, not {value!r}") from None
        if not number.is_finite() or number <= 0:
            raise ValueError(f"multiplier must be a positive number, not {value!r}")
    return text


def normalize_right(right: object) -> str:
    """An option right in the wire's form: ``"C"``, ``"P"``, or ``""`` (unset).

    Accepts ``C``/``CALL``/``P``/``PUT`` in any case.

    Raises:
        ValueError: anything else.
    """
    text = _upper("right", right)
    if not text:
        return ""
    try:
        return _RIGHTS[text]
    except KeyError:
        raise ValueError(f"right must be C, CALL, P or PUT, not {right!r}") from None


# ------------------------------------------------------------------ builders


def Stock(
    symbol: str,
    exchange: str = "SMART",
    currency: str = "USD",
    primary_exchange: str | None = None,
) -> Contract:
    """A stock (``STK``).

    Args:
        symbol: the ticker symbol (``"AAPL"``, ``"BRK B"``).
        exchange: the destination; ``SMART`` routes by IB's smart router.
        currency: the trading currency.
        primary_exchange: the listing exchange (``"NASDAQ"``), to tell apart
            stocks of the same symbol under ``SMART``.
    """
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="STK",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
        primary_exchange=_upper("primary_exchange", primary_exchange),
    )


def Future(
    symbol: str = "",
    last_trade_date_or_contract_month: str = "",
    exchange: str = "",
    currency: str = "USD",
    *,
    multiplier: str | int | None = None,
    local_symbol: str | None = None,
    trading_class: str | None = None,
    include_expired: bool = False,
) -> Contract:
    """A future (``FUT``).

    Args:
        symbol: the underlying's symbol (``"ES"``); may be empty when
            ``local_symbol`` is given.
        last_trade_date_or_contract_month: ``YYYYMM`` (the contract month) or
            ``YYYYMMDD`` (the last trade date); empty to match every expiry
            (TWS then lists every listed month, so qualifying it raises
            :class:`~ibwire.errors.AmbiguousContractError` with the months as
            candidates; :func:`ContFuture` is the front month).
        exchange: the exchange (``"CME"``).
        currency: the trading currency.
        multiplier: the contract multiplier, to tell apart mini and full contracts.
        local_symbol: the exchange's symbol (``"ESZ4"``).
        trading_class: the trading class.
        include_expired: also match expired contracts (for history).
    """
    symbol = _upper("symbol", symbol)
    local = _text("local_symbol", local_symbol)
    if not symbol and not local:
        raise ValueError("a future needs a symbol or a local_symbol")
    return Contract(
        symbol=symbol,
        sec_type="FUT",
        last_trade_date_or_contract_month=_expiry(
            "last_trade_date_or_contract_month", last_trade_date_or_contract_month
        ),
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
        multiplier=_multiplier(multiplier),
        local_symbol=local,
        trading_class=_text("trading_class", trading_class),
        include_expired=bool(include_expired),
    )


def ContFuture(
    symbol: str,
    exchange: str = "",
    currency: str = "USD",
    *,
    multiplier: str | int | None = None,
) -> Contract:
    """A continuous future (``CONTFUT``): the front month, rolled by IB.

    Usable for contract details, market data and history, not for orders.
    TWS answers its contract details with the front month's contract under
    sec type ``CONTFUT`` (the front month's con_id, local symbol and last trade
    date), so qualifying one gives that; an order names the month, e.g.
    ``Future(local_symbol=contract.local_symbol, exchange="CME")``.

    Args:
        symbol: the underlying's symbol (``"ES"``).
        exchange: the exchange (``"CME"``).
        currency: the trading currency.
        multiplier: the contract multiplier, to tell apart mini and full contracts.
    """
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="CONTFUT",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
        multiplier=_multiplier(multiplier),
    )


def _option(
    sec_type: str,
    symbol: str,
    expiry: str,
    strike: float | int | str | Decimal | None,
    right: str,
    exchange: str,
    currency: str,
    multiplier: str | int | None,
    trading_class: str | None,
    local_symbol: str | None,
) -> Contract:
    symbol = _upper("symbol", symbol)
    local = _text("local_symbol", local_symbol)
    if not symbol and not local:
        raise ValueError("an option needs a symbol or a local_symbol")
    return Contract(
        symbol=symbol,
        sec_type=sec_type,
        last_trade_date_or_contract_month=_expiry("expiry", expiry),
        strike=_strike(strike),
        right=normalize_right(right),
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
        multiplier=_multiplier(multiplier),
        trading_class=_text("trading_class", trading_class),
        local_symbol=local,
    )


def Option(
    symbol: str,
    expiry: str = "",
    strike: float | int | str | Decimal | None = None,
    right: str = "",
    exchange: str = "SMART",
    currency: str = "USD",
    multiplier: str | int | None = "100",
    trading_class: str | None = None,
    *,
    local_symbol: str | None = None,
) -> Contract:
    """An option (``OPT``).

    Args:
        symbol: the underlying's symbol.
        expiry: ``YYYYMMDD`` (or ``YYYYMM`` for every expiry of a month); empty
            to match every expiry.
        strike: the strike; ``None`` to match every strike.
        right: ``C``/``CALL`` or ``P``/``PUT`` (any case); empty to match both.
        exchange: the exchange; ``SMART`` by default.
        currency: the trading currency.
        multiplier: the contract multiplier (``"100"`` for US equity options;
            ``None`` to leave it unset).
        trading_class: the trading class (``"SPXW"`` for SPX weeklies).
        local_symbol: the OCC symbol, instead of the other fields.
    """
    return _option(
        "OPT", symbol, expiry, strike, right, exchange, currency, multiplier,
        trading_class, local_symbol,
    )


def FuturesOption(
    symbol: str,
    expiry: str = "",
    strike: float | int | str | Decimal | None = None,
    right: str = "",
    exchange: str = "",
    currency: str = "USD",
    multiplier: str | int | None = None,
    trading_class: str | None = None,
    *,
    local_symbol: str | None = None,
) -> Contract:
    """An option on a future (``FOP``); arguments as for :func:`Option`."""
    return _option(
        "FOP", symbol, expiry, strike, right, exchange, currency, multiplier,
        trading_class, local_symbol,
    )


def Forex(pair: str, exchange: str = "IDEALPRO") -> Contract:
    """A currency pair (``CASH``): ``Forex("EURUSD")`` trades EUR quoted in USD.

    Args:
        pair: six letters, base currency then quote currency (``"EUR.USD"`` and
            ``"EUR/USD"`` are accepted too).
        exchange: ``IDEALPRO`` by default.

    Raises:
        ValueError: ``pair`` is not two three-letter currency codes.
    """
    text = _upper("pair", pair, required=True).replace(".", "").replace("/", "")
    if len(text) != 6 or not text.isalpha() or not text.isascii():
        raise ValueError(f"pair must be six letters such as 'EURUSD', not {pair!r}")
    if text[:3] == text[3:]:
        raise ValueError(f"pair must name two different currencies, not {pair!r}")
    return Contract(
        symbol=text[:3],
        sec_type="CASH",
        currency=text[3:],
        exchange=_upper("exchange", exchange),
    )


def Index(symbol: str, exchange: str = "", currency: str = "USD") -> Contract:
    """An index (``IND``), e.g. ``Index("SPX", "CBOE")``."""
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="IND",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
    )


def Crypto(symbol: str, exchange: str = "PAXOS", currency: str = "USD") -> Contract:
    """A crypto currency (``CRYPTO``), e.g. ``Crypto("BTC")``."""
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="CRYPTO",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
    )


def CFD(symbol: str, exchange: str = "SMART", currency: str = "USD") -> Contract:
    """A contract for difference (``CFD``)."""
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="CFD",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
    )


def Bond(
    symbol: str = "",
    exchange: str = "SMART",
    currency: str = "USD",
    *,
    sec_id_type: str | None = None,
    sec_id: str | None = None,
) -> Contract:
    """A bond (``BOND``), by symbol or by identifier.

    Args:
        symbol: the bond's symbol (a CUSIP is accepted here too).
        exchange: the exchange.
        currency: the currency.
        sec_id_type: ``CUSIP``, ``ISIN``, ... when ``sec_id`` is given.
        sec_id: the identifier.
    """
    symbol = _upper("symbol", symbol)
    id_type = _upper("sec_id_type", sec_id_type)
    ident = _upper("sec_id", sec_id)
    if bool(id_type) != bool(ident):
        raise ValueError("sec_id_type and sec_id go together")
    if not symbol and not ident:
        raise ValueError("a bond needs a symbol or a sec_id")
    return Contract(
        symbol=symbol,
        sec_type="BOND",
        exchange=_upper("exchange", exchange),
        currency=_currency(currency),
        sec_id_type=id_type,
        sec_id=ident,
    )


def combo_leg(con_id: int, ratio: int, action: str, exchange: str = "") -> ComboLeg:
    """One leg of a combo, for :func:`Bag`.

    Args:
        con_id: the leg's contract id (qualify the leg's contract first).
        ratio: how many of this leg per combo unit (> 0).
        action: ``BUY``, ``SELL`` or ``SSHORT`` (any case).
        exchange: the leg's exchange; empty to use the combo's.
    """
    # numbers.Integral: int, and numpy's and pandas' integer types (stored as int).
    if isinstance(con_id, bool) or not isinstance(con_id, numbers.Integral) or con_id <= 0:
        raise ValueError(f"con_id must be a positive int, not {con_id!r}")
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Integral) or ratio <= 0:
        raise ValueError(f"ratio must be a positive int, not {ratio!r}")
    side = _upper("action", action)
    if side not in _LEG_ACTIONS:
        raise ValueError(f"action must be BUY, SELL or SSHORT, not {action!r}")
    return ComboLeg(
        con_id=int(con_id), ratio=int(ratio), action=side, exchange=_upper("exchange", exchange)
    )


def Bag(
    symbol: str,
    legs: Iterable[ComboLeg],
    exchange: str = "SMART",
    currency: str = "USD",
) -> Contract:
    """A combo (``BAG``) of :func:`combo_leg` legs.

    A leg without an exchange takes the combo's.

    Args:
        symbol: the underlying's symbol (for a spread of one underlying), or any
            of the legs' symbols.
        legs: two or more legs.
        exchange: the combo's exchange.
        currency: the combo's currency.
    """
    exchange = _upper("exchange", exchange)
    built = tuple(legs)
    for leg in built:
        if not isinstance(leg, ComboLeg):
            raise TypeError(f"legs must be ComboLeg (see combo_leg), not {type(leg).__name__}")
    if len(built) < 2:
        raise ValueError("a combo needs at least two legs")
    filled = tuple(
        leg if leg.exchange else ComboLeg(
            con_id=leg.con_id,
            ratio=leg.ratio,
            action=leg.action,
            exchange=exchange,
            open_close=leg.open_close,
            short_sale_slot=leg.short_sale_slot,
            designated_location=leg.designated_location,
            exempt_code=leg.exempt_code,
        )
        for leg in built
    )
    return Contract(
        symbol=_upper("symbol", symbol, required=True),
        sec_type="BAG",
        exchange=exchange,
        currency=_currency(currency),
        combo_legs=filled,
    )


# ------------------------------------------------------------------ qualification


def _same_number(wanted: str, got: str) -> bool:
    try:
        return Decimal(wanted) == Decimal(got)
    except InvalidOperation:
        return wanted == got


def _matches(requested: Contract, candidate: Contract) -> bool:
    """Whether every field set in ``requested`` has the same value in ``candidate``."""
    if requested.con_id and requested.con_id != candidate.con_id:
        return False
    if requested.sec_type and requested.sec_type != candidate.sec_type:
        # A continuous future qualifies as its front-month future.
        if not (requested.sec_type == "CONTFUT" and candidate.sec_type == "FUT"):
            return False
    for name in ("symbol", "currency", "primary_exchange", "local_symbol", "trading_class"):
        wanted = getattr(requested, name)
        if wanted and wanted != getattr(candidate, name):
            return False
    if requested.exchange and requested.exchange not in (candidate.exchange, "SMART"):
        return False
    expiry = requested.last_trade_date_or_contract_month
    if expiry:
        got = candidate.last_trade_date_or_contract_month
        # YYYYMM matches any day of the month; a contract month also matches the
        # contract month field of futures, whose last trade date may fall earlier.
        if not got.startswith(expiry):
            return False
    if requested.strike is not None and requested.strike != candidate.strike:
        return False
    if requested.right and normalize_right(requested.right) != normalize_right(candidate.right):
        return False
    return not (
        requested.multiplier
        and candidate.multiplier
        and not _same_number(requested.multiplier, candidate.multiplier)
    )


def resolve_contract(requested: Contract, details: Sequence[ContractDetails]) -> Contract:
    """The one contract that ``details`` (TWS's answer for ``requested``) describes.

    The rules, in order:

    1. Details of the same contract id count once (TWS lists a contract once per
       exchange in some answers).
    2. No details: :class:`~ibwire.errors.ContractNotFoundError`.
    3. One contract id: that contract.
    4. Several: the candidates whose fields equal every field set in the
       request (an exact match) are kept; if exactly one is left, it is the
       answer.  A ``YYYYMM`` expiry matches every day of that month and a
       ``CONTFUT`` request matches a ``FUT``.
    5. Otherwise :class:`~ibwire.errors.AmbiguousContractError` carrying the
       exact matches (or, when none matches exactly, every candidate).

    The answer is the contract TWS sent, with the requested ``exchange`` kept
    when TWS left it empty.

    Args:
        requested: the contract as the user described it.
        details: every contract details message TWS sent for it.

    Returns:
        The qualified contract (``con_id`` and the other fields set).

    Raises:
        ContractNotFoundError: no details.
        AmbiguousContractError: several different contracts match.
    """
    unique: dict[int, ContractDetails] = {}
    for item in details:
        unique.setdefault(item.contract.con_id, item)
    candidates = list(unique.values())
    if not candidates:
        raise ContractNotFoundError(requested)
    if len(candidates) > 1:
        exact = [item for item in candidates if _matches(requested, item.contract)]
        if len(exact) != 1:
            raise AmbiguousContractError(requested, exact or candidates)
        candidates = exact
    found = candidates[0].contract
    if not found.exchange and requested.exchange:
        return replace(found, exchange=requested.exchange)
    return found


