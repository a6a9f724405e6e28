"""Domain objects shared by many messages: contracts, combo legs, tag/value pairs.

Also the layout fragments that recur in requests (the 12-field contract block,
"C12" in ``protocol.md`` 4.2).
"""

from __future__ import annotations

from typing import Final

from ..fields import FLOAT, INT, OPT_FLOAT, STR, Kind
from ._base import F, Node, Opt, Repeat, Struct, When, dataclass

__all__ = [
    "C12",
    "COMBO_LEGS_SHORT",
    "DELTA_NEUTRAL",
    "STRIKE",
    "UNSET_STRIKE_TEXT",
    "ComboLeg",
    "Contract",
    "DeltaNeutralContract",
    "SoftDollarTier",
    "TagValue",
    "TAG_VALUE",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TagValue:
    """A tag/value pair (algo parameters, smart combo routing parameters, options)."""

    tag: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SoftDollarTier:
    """A soft dollar tier (the official ``SoftDollarTier``).

    Attributes:
        name: the tier's name.
        value: the tier's value.
        display_name: the name TWS displays (received only).
    """

    name: str = ""
    value: str = ""
    display_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComboLeg:
    """One leg of a combo (``BAG``) contract.

    Attributes:
        con_id: the leg's contract id.
        ratio: the leg's ratio.
        action: ``BUY``, ``SELL`` or ``SSHORT``.
        exchange: the leg's exchange.
        open_close: 0 same as parent, 1 open, 2 close, 3 unknown.
        short_sale_slot: 1 clearing broker, 2 third party (institutions).
        designated_location: the lender when ``short_sale_slot`` is 2.
        exempt_code: short sale exemption code, -1 for none.
    """

    con_id: int = 0
    ratio: int = 0
    action: str = ""
    exchange: str = ""
    open_close: int = 0
    short_sale_slot: int = 0
    designated_location: str = ""
    exempt_code: int = -1


@dataclass(frozen=True, slots=True, kw_only=True)
class DeltaNeutralContract:
    """The hedge of a delta-neutral combo or order (``DeltaNeutralContract``)."""

    con_id: int = 0
    delta: float = 0.0
    price: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """A financial instrument (the official ``Contract``).

    Attributes:
        con_id: IB's contract id; 0 when the contract is described by its fields.
        symbol: the underlying's symbol.
        sec_type: ``STK``, ``OPT``, ``FUT``, ``CASH``, ``IND``, ``BAG``, ...
        last_trade_date_or_contract_month: ``YYYYMM`` or ``YYYYMMDD`` (may carry
            a time after a space or ``-`` in contract details).
        last_trade_date: the last trade date, when TWS sends it separately (server 182+).
        strike: the option strike; ``None`` when unset (a request sends it empty;
            a gateway writes it as TWS does, ``0.0``, which reads back as 0.0).
        right: ``C``/``CALL`` or ``P``/``PUT``.
        multiplier: the contract multiplier, as text.
        exchange: the destination exchange (``SMART`` for smart routing).
        primary_exchange: the listing exchange, to resolve ambiguity under SMART.
        currency: the trading currency.
        local_symbol: the symbol on the exchange.
        trading_class: the trading class.
        include_expired: include expired contracts (contract details, history).
        sec_id_type: ``CUSIP``, ``SEDOL``, ``ISIN``, ``RIC`` or ``FIGI``.
        sec_id: the identifier of ``sec_id_type``.
        description: free text (the official ``description``).
        issuer_id: the bond issuer id (server 176+).
        combo_legs_descrip: a description of the combo legs (received).
        combo_legs: the legs of a ``BAG`` contract.
        delta_neutral_contract: the delta-neutral hedge, if any.
    """

    con_id: int = 0
    symbol: str = ""
    sec_type: str = ""
    last_trade_date_or_contract_month: str = ""
    last_trade_date: str = ""
    strike: float | None = None
    right: str = ""
    multiplier: str = ""
    exchange: str = ""
    primary_exchange: str = ""
    currency: str = ""
    local_symbol: str = ""
    trading_class: str = ""
    include_expired: bool = False
    sec_id_type: str = ""
    sec_id: str = ""
    description: str = ""
    issuer_id: str = ""
    combo_legs_descrip: str = ""
    combo_legs: tuple[ComboLeg, ...] = ()
    delta_neutral_contract: DeltaNeutralContract | None = None


#: How a gateway writes a contract without a strike: TWS writes zero, as Java
#: prints it (``0.0`` in POSITION_DATA and EXECUTION_DATA recorded at server 176).
UNSET_STRIKE_TEXT: Final = "0.0"

#: The strike of a contract the gateway reports (portfolio, positions, executions,
#: contract details, scan results).  The official decoder reads it as a plain
#: double (``float(text or 0)``), so it reads as it always has (a stock's ``0.0``
#: stays 0.0); an unset strike (``None``, the default of :class:`Contract`) is
#: written as TWS writes it, which makes a default ``Contract()`` encodable.
STRIKE: Final = Kind(
    "strike",
    FLOAT.decode,
    f'("{UNSET_STRIKE_TEXT}" if {{v}} is None else _fmt_float({{v}}))',
    float,
    optional=True,
)

#: ``tag, value`` as two fields (an item of a counted list of TagValue).
TAG_VALUE: Final = Struct(None, TagValue, (F("tag", STR), F("value", STR)))

#: The 12-field contract block of requests (``protocol.md`` 4.2): strike unset is empty.
C12: Final[tuple[Node, ...]] = (
    F("con_id", INT),
    F("symbol", STR),
    F("sec_type", STR),
    F("last_trade_date_or_contract_month", STR),
    F("strike", OPT_FLOAT),
    F("right", STR),
    F("multiplier", STR),
    F("exchange", STR),
    F("primary_exchange", STR),
    F("currency", STR),
    F("local_symbol", STR),
    F("trading_class", STR),
)

#: Combo legs of a BAG contract in market data and history requests:
#: ``count, {conId, ratio, action, exchange}`` (only for ``sec_type == "BAG"``).
COMBO_LEGS_SHORT: Final = When(
    "{contract.sec_type} == 'BAG'",
    (
        Repeat(
            "combo_legs",
            Struct(
                None,
                ComboLeg,
                (
                    F("con_id", INT),
                    F("ratio", INT),
                    F("action", STR),
                    F("exchange", STR),
                ),
            ),
        ),
    ),
)

#: A delta-neutral contract behind its presence flag: ``0`` or ``1, conId, delta, price``.
DELTA_NEUTRAL: Final = Opt(
    "delta_neutral_contract",
    DeltaNeutralContract,
    (F("con_id", INT), F("delta", FLOAT), F("price", FLOAT)),
)

