"""Contract details, option chains, symbol search, market rules, fundamental data.

The domain object :class:`ContractDetails` lives here, with the messages that
carry it (``CONTRACT_DATA``, ``BOND_CONTRACT_DATA``; ``SCANNER_DATA`` in
:mod:`ibwire.messages.scanner`).

The expiry text of contract details
-----------------------------------

``CONTRACT_DATA`` and ``BOND_CONTRACT_DATA`` send the contract's
``lastTradeDateOrContractMonth`` as ``date``, ``date time`` or ``date-time`` (bonds:
``date time zone``).  The official client splits it (on ``-`` when the text has
one, else on spaces), keeps the date in the contract (in ``maturity`` for bonds)
and the time in ``ContractDetails.lastTradeTime``.  ibwire keeps the text exactly
as sent in :attr:`Contract.last_trade_date_or_contract_month
<ibwire.messages.common.Contract.last_trade_date_or_contract_month>`, so that a
message re-encodes to the same fields, and exposes the official parts as the
properties :attr:`ContractDetails.last_trade_time` and
:attr:`ContractDetails.maturity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from decimal import Decimal
from typing import Any, ClassVar

from ..fields import (
    BOOL,
    DECIMAL,
    ESC_STR,
    FLOAT,
    INT,
    STR,
)
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Const, Custom, F, Message, Node, Repeat, Struct, Ver, When, dataclass, message
from .common import C12, STRIKE, TAG_VALUE, Contract, TagValue

__all__ = [
    "BondContractData",
    "CancelContractData",
    "CancelFundamentalData",
    "ContractData",
    "ContractDataEnd",
    "ContractDescription",
    "ContractDetails",
    "FundamentalData",
    "IneligibilityReason",
    "MarketRule",
    "PriceIncrement",
    "ReqContractData",
    "ReqFundamentalData",
    "ReqMarketRule",
    "ReqMatchingSymbols",
    "ReqSecDefOptParams",
    "SecurityDefinitionOptionParameter",
    "SecurityDefinitionOptionParameterEnd",
    "SymbolSamples",
]


# ------------------------------------------------------------------ layout helpers


def _message_version(latest: int) -> Custom:
    """The per-message version field of CONTRACT_DATA / BOND_CONTRACT_DATA, bound as
    ``{_WIRE_VERSION}`` for conditions.

    Those messages carry a version field only below server 164 (``SIZE_RULES``);
    from 164 the official decoder takes the newest version (``latest``) and keeps
    gating fields on it.  A :class:`Ver` node cannot express that: from 164 it is
    absent, so ``ver`` in a condition cannot stand for the implied ``latest``.
    This node reads the field below 164 and yields ``latest`` from 164 without
    reading anything; it writes ``latest`` below 164.  The encoder reads the value
    from the class attribute ``_WIRE_VERSION``.
    """

    def decode(f: Sequence[str], i: int, version: int) -> tuple[Any, int]:
        if version < SV.SIZE_RULES:
            return int(f[i] or 0), i + 1
        return latest, i

    def encode(value: Any, out: list[str], version: int) -> None:
        if version < SV.SIZE_RULES:
            out.append(str(latest))

    return Custom("_WIRE_VERSION", decode, encode)


def _split_expiry(text: str) -> list[str]:
    # The official setLastTradeDate: split on "-" when present, else on whitespace.
    return text.split("-") if "-" in text else text.split()


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class IneligibilityReason:
    """Why a contract cannot be traded by this account (the official ``IneligibilityReason``).

    Attributes:
        id: the reason's id (the official ``id_``).
        description: the reason, as text.
    """

    id: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractDetails:
    """Everything TWS knows about a contract (the official ``ContractDetails``).

    Fields absent at the negotiated server version keep their defaults.  Bond
    fields are filled by :class:`BondContractData` only, fund fields only for
    ``sec_type == "FUND"`` (server 179+).

    Attributes:
        contract: the contract, fully described.  Its
            ``last_trade_date_or_contract_month`` keeps the text as sent, time
            included (see the module documentation).
        market_name: the market name (usually the trading class).
        min_tick: the minimum price increment.
        order_types: the valid order types, comma-separated.
        valid_exchanges: the exchanges the contract trades on, comma-separated.
        price_magnifier: the price magnifier (prices are divided by it).
        under_con_id: the underlying's contract id.
        long_name: the descriptive name (unescaped; server 153+ escapes non-ASCII).
        contract_month: the contract month of a future (``YYYYMM``).
        industry: the industry classification.
        category: the industry category.
        subcategory: the industry subcategory.
        time_zone_id: the time zone of the trading hours.
        trading_hours: the trading hours, ``date:hhmm-date:hhmm;...`` or ``date:CLOSED``.
        liquid_hours: the liquid (regular) trading hours, same format.
        ev_rule: the economic value rule, e.g. ``aussieBond:YearsToExpiration=3``.
        ev_multiplier: the economic value multiplier: an int in the text form; the
            protobuf form (server 205+) carries a double, kept as an int when whole.
        sec_id_list: other security ids (ISIN, CUSIP, ...) as tag/value pairs.
        agg_group: the aggregated group (server 121+); ``2147483647`` when none,
            as sent.
        under_symbol: the underlying's symbol (server 122+).
        under_sec_type: the underlying's security type (server 122+).
        market_rule_ids: market rule ids, comma-separated, one per valid
            exchange (server 126+).
        real_expiration_date: the real expiration date (server 134+).
        stock_type: the stock type, e.g. ``COMMON``, ``ETF``, ``ADR`` (server 152+).
        min_size: the minimum order size (server 164+); ``None`` when unset.
        size_increment: the order size increment (server 164+); ``None`` when unset.
        suggested_size_increment: the suggested size increment (server 164+);
            ``None`` when unset.
        cusip: the bond's CUSIP.
        ratings: the bond's credit ratings.
        desc_append: more description of the bond.
        bond_type: the bond type.
        coupon_type: the coupon type.
        callable: the bond can be called.
        putable: the bond can be put.
        coupon: the coupon rate.
        convertible: the bond is convertible.
        issue_date: the bond's issue date.
        next_option_date: the date of the bond's next option.
        next_option_type: the type of the bond's next option.
        next_option_partial: the next option is partial.
        notes: notes on the bond.
        fund_name: the fund's name (server 179+, funds only).
        fund_family: the fund family.
        fund_type: the fund type.
        fund_front_load: the front load.
        fund_back_load: the back load.
        fund_back_load_time_interval: the back load time interval.
        fund_management_fee: the management fee.
        fund_closed: the fund is closed.
        fund_closed_for_new_investors: the fund is closed to new investors.
        fund_closed_for_new_money: the fund is closed to new money.
        fund_notify_amount: the notify amount.
        fund_minimum_initial_purchase: the minimum initial purchase.
        fund_subsequent_minimum_purchase: the minimum subsequent purchase.
        fund_blue_sky_states: the blue sky states.
        fund_blue_sky_territories: the blue sky territories.
        fund_distribution_policy_indicator: the distribution policy code as sent:
            ``N`` accumulation fund, ``Y`` income fund (the official client maps
            it to ``FundDistributionPolicyIndicator``).
        fund_asset_type: the asset type code as sent: ``000`` others, ``001``
            money market, ``002`` fixed income, ``003`` multi-asset, ``004``
            equity, ``005`` sector, ``006`` guaranteed, ``007`` alternative (the
            official ``FundAssetType``).
        ineligibility_reasons: why the account may not trade the contract
            (server 186+).
        event_contract1: IB's ``eventContract1`` text of an event contract
            (protobuf form only, server 205+; ``None`` when absent, as are the
            fields below).
        event_contract_description1: an event contract's first description.
        event_contract_description2: an event contract's second description.
        min_algo_size: the minimum size of algo orders.
        last_price_precision: the precision of last prices.
        last_size_precision: the precision of last sizes.
        settlement_method: the settlement method.
    """

    contract: Contract = field(default_factory=Contract)
    market_name: str = ""
    min_tick: float = 0.0
    order_types: str = ""
    valid_exchanges: str = ""
    price_magnifier: int = 0
    under_con_id: int = 0
    long_name: str = ""
    contract_month: str = ""
    industry: str = ""
    category: str = ""
    subcategory: str = ""
    time_zone_id: str = ""
    trading_hours: str = ""
    liquid_hours: str = ""
    ev_rule: str = ""
    ev_multiplier: int | float = 0
    sec_id_list: tuple[TagValue, ...] = ()
    agg_group: int = 0
    under_symbol: str = ""
    under_sec_type: str = ""
    market_rule_ids: str = ""
    real_expiration_date: str = ""
    stock_type: str = ""
    min_size: Decimal | None = None
    size_increment: Decimal | None = None
    suggested_size_increment: Decimal | None = None
    # bonds
    cusip: str = ""
    ratings: str = ""
    desc_append: str = ""
    bond_type: str = ""
    coupon_type: str = ""
    callable: bool = False
    putable: bool = False
    coupon: float = 0.0
    convertible: bool = False
    issue_date: str = ""
    next_option_date: str = ""
    next_option_type: str = ""
    next_option_partial: bool = False
    notes: str = ""
    # funds (server 179+)
    fund_name: str = ""
    fund_family: str = ""
    fund_type: str = ""
    fund_front_load: str = ""
    fund_back_load: str = ""
    fund_back_load_time_interval: str = ""
    fund_management_fee: str = ""
    fund_closed: bool = False
    fund_closed_for_new_investors: bool = False
    fund_closed_for_new_money: bool = False
    fund_notify_amount: str = ""
    fund_minimum_initial_purchase: str = ""
    fund_subsequent_minimum_purchase: str = ""
    fund_blue_sky_states: str = ""
    fund_blue_sky_territories: str = ""
    fund_distribution_policy_indicator: str = ""
    fund_asset_type: str = ""
    # server 186+
    ineligibility_reasons: tuple[IneligibilityReason, ...] = ()
    # protobuf form only (no text layout carries them)
    event_contract1: str | None = None
    event_contract_description1: str | None = None
    event_contract_description2: str | None = None
    min_algo_size: Decimal | None = None
    last_price_precision: Decimal | None = None
    last_size_precision: Decimal | None = None
    settlement_method: str | None = None

    @property
    def last_trade_time(self) -> str:
        """The time part of the contract's expiry text (the official ``lastTradeTime``).

        ``"17:10:00"`` for ``"20240402-17:10:00"``; empty when the text has no time.
        """
        parts = _split_expiry(self.contract.last_trade_date_or_contract_month)
        return parts[1] if len(parts) > 1 else ""

    @property
    def maturity(self) -> str:
        """The date part of the contract's expiry text.

        For bonds this is the official ``maturity``; the official client leaves
        ``maturity`` empty for other contracts, where it is the expiry date.
        """
        parts = _split_expiry(self.contract.last_trade_date_or_contract_month)
        return parts[0] if parts else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContractDescription:
    """A contract found by a symbol search (the official ``ContractDescription``).

    Attributes:
        contract: the contract: ``con_id``, ``symbol``, ``sec_type``,
            ``primary_exchange`` and ``currency``; ``description`` and
            ``issuer_id`` from server 176.
        derivative_sec_types: the security types of its derivatives.
    """

    contract: Contract = field(default_factory=Contract)
    derivative_sec_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceIncrement:
    """One step of a market rule (the official ``PriceIncrement``).

    Attributes:
        low_edge: the lowest price the increment applies to.
        increment: the minimum price increment from ``low_edge`` on.
    """

    low_edge: float = 0.0
    increment: float = 0.0


# ------------------------------------------------------------------ incoming

_D = "contract_details."
_C = "contract_details.contract."

_SEC_ID_LIST = Repeat(_D + "sec_id_list", TAG_VALUE)


def _in_details(*nodes: F) -> tuple[Node, ...]:
    return tuple(replace(node, name=_D + node.name) for node in nodes)


_FUND_BLOCK = When(
    "{contract_details.contract.sec_type} == 'FUND'",
    _in_details(
        F("fund_name", STR),
        F("fund_family", STR),
        F("fund_type", STR),
        F("fund_front_load", STR),
        F("fund_back_load", STR),
        F("fund_back_load_time_interval", STR),
        F("fund_management_fee", STR),
        F("fund_closed", BOOL),
        F("fund_closed_for_new_investors", BOOL),
        F("fund_closed_for_new_money", BOOL),
        F("fund_notify_amount", STR),
        F("fund_minimum_initial_purchase", STR),
        F("fund_subsequent_minimum_purchase", STR),
        F("fund_blue_sky_states", STR),
        F("fund_blue_sky_territories", STR),
        F("fund_distribution_policy_indicator", STR),
        F("fund_asset_type", STR),
    ),
    since=SV.FUND_DATA_FIELDS,
)

_DETAILS_OBJECTS = {"contract_details": ContractDetails, "contract_details.contract": Contract}


@message(IncomingId.CONTRACT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ContractData(Message):
    """``CONTRACT_DATA`` (10), EWrapper ``contractDetails``: one contract of an answer.

    Below server 164 a version field follows the id, and the official decoder
    gates fields on it (8 for every server ibwire speaks to).  The expiry text is
    kept as sent (see the module documentation).

    Attributes:
        req_id: the contract details request id; -1 for a version-1/2 message.
        contract_details: the details.  Wire layout quirks: an unused
            mdSizeMultiplier follows ``min_tick`` on servers 110..163, an unused
            sizeMinTick precedes ``min_size`` on server 163; the contract's
            ``last_trade_date`` is sent from 182, the fund block for funds from
            179, ineligibility reasons from 186.
    """

    req_id: int = -1
    contract_details: ContractDetails = field(default_factory=ContractDetails)

    _WIRE_VERSION: ClassVar[int] = 8
    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = _DETAILS_OBJECTS
    WIRE: ClassVar[tuple[Node, ...]] = (
        _message_version(8),
        When("{_WIRE_VERSION} >= 3", (F("req_id", INT),)),
        F(_C + "symbol", STR),
        F(_C + "sec_type", STR),
        F(_C + "last_trade_date_or_contract_month", STR),
        F(_C + "last_trade_date", STR, since=SV.LAST_TRADE_DATE),
        F(_C + "strike", STRIKE),
        F(_C + "right", STR),
        F(_C + "exchange", STR),
        F(_C + "currency", STR),
        F(_C + "local_symbol", STR),
        F(_D + "market_name", STR),
        F(_C + "trading_class", STR),
        F(_C + "con_id", INT),
        F(_D + "min_tick", FLOAT),
        # Servers 110..163 send mdSizeMultiplier here; the official client drops it.
        Const("1", name="md_size_multiplier", since=SV.MD_SIZE_MULTIPLIER, before=SV.SIZE_RULES),
        F(_C + "multiplier", STR),
        F(_D + "order_types", STR),
        F(_D + "valid_exchanges", STR),
        F(_D + "price_magnifier", INT),
        When("{_WIRE_VERSION} >= 4", (F(_D + "under_con_id", INT),)),
        When(
            "{_WIRE_VERSION} >= 5", (F(_D + "long_name", ESC_STR), F(_C + "primary_exchange", STR))
        ),
        When(
            "{_WIRE_VERSION} >= 6",
            _in_details(
                F("contract_month", STR),
                F("industry", STR),
                F("category", STR),
                F("subcategory", STR),
                F("time_zone_id", STR),
                F("trading_hours", STR),
                F("liquid_hours", STR),
            ),
        ),
        # The official decoder reads the version-8 fields before the version-7 list.
        When("{_WIRE_VERSION} >= 8", _in_details(F("ev_rule", STR), F("ev_multiplier", INT))),
        When("{_WIRE_VERSION} >= 7", (_SEC_ID_LIST,)),
        F(_D + "agg_group", INT, since=SV.AGG_GROUP),
        F(_D + "under_symbol", STR, since=SV.UNDERLYING_INFO),
        F(_D + "under_sec_type", STR, since=SV.UNDERLYING_INFO),
        F(_D + "market_rule_ids", STR, since=SV.MARKET_RULES),
        F(_D + "real_expiration_date", STR, since=SV.REAL_EXPIRATION_DATE),
        F(_D + "stock_type", STR, since=SV.STOCK_TYPE),
        # Server 163 only sends sizeMinTick here; the official client drops it.
        Const("", name="size_min_tick", since=SV.FRACTIONAL_SIZE_SUPPORT, before=SV.SIZE_RULES),
        F(_D + "min_size", DECIMAL, since=SV.SIZE_RULES),
        F(_D + "size_increment", DECIMAL, since=SV.SIZE_RULES),
        F(_D + "suggested_size_increment", DECIMAL, since=SV.SIZE_RULES),
        _FUND_BLOCK,
        Repeat(
            _D + "ineligibility_reasons",
            Struct(None, IneligibilityReason, (F("id", STR), F("description", STR))),
            since=SV.INELIGIBILITY_REASONS,
        ),
    )


@message(IncomingId.BOND_CONTRACT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class BondContractData(Message):
    """``BOND_CONTRACT_DATA`` (18), EWrapper ``bondContractDetails``.

    Below server 164 a version field follows the id (6 for every server ibwire
    speaks to).  The maturity text (``date[ time[ zone]]``) is kept as sent in
    ``contract_details.contract.last_trade_date_or_contract_month``; the official
    client splits it into ``maturity``, ``lastTradeTime`` and, below server 188,
    ``timeZoneId`` (here :attr:`ContractDetails.maturity` and
    :attr:`ContractDetails.last_trade_time`; the zone is its third part).

    Attributes:
        req_id: the contract details request id; -1 for a version-1/2 message.
        contract_details: the details, bond fields filled.  ``time_zone_id``,
            ``trading_hours`` and ``liquid_hours`` are sent from server 188.
    """

    req_id: int = -1
    contract_details: ContractDetails = field(default_factory=ContractDetails)

    _WIRE_VERSION: ClassVar[int] = 6
    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = _DETAILS_OBJECTS
    WIRE: ClassVar[tuple[Node, ...]] = (
        _message_version(6),
        When("{_WIRE_VERSION} >= 3", (F("req_id", INT),)),
        F(_C + "symbol", STR),
        F(_C + "sec_type", STR),
        F(_D + "cusip", STR),
        F(_D + "coupon", FLOAT),
        F(_C + "last_trade_date_or_contract_month", STR),
        F(_D + "issue_date", STR),
        F(_D + "ratings", STR),
        F(_D + "bond_type", STR),
        F(_D + "coupon_type", STR),
        F(_D + "convertible", BOOL),
        F(_D + "callable", BOOL),
        F(_D + "putable", BOOL),
        F(_D + "desc_append", STR),
        F(_C + "exchange", STR),
        F(_C + "currency", STR),
        F(_D + "market_name", STR),
        F(_C + "trading_class", STR),
        F(_C + "con_id", INT),
        F(_D + "min_tick", FLOAT),
        # Servers 110..163 send mdSizeMultiplier here; the official client drops it.
        Const("1", name="md_size_multiplier", since=SV.MD_SIZE_MULTIPLIER, before=SV.SIZE_RULES),
        F(_D + "order_types", STR),
        F(_D + "valid_exchanges", STR),
        F(_D + "next_option_date", STR),
        F(_D + "next_option_type", STR),
        F(_D + "next_option_partial", BOOL),
        F(_D + "notes", STR),
        # Unlike CONTRACT_DATA, the official decoder does not unescape a bond's long name.
        When("{_WIRE_VERSION} >= 4", (F(_D + "long_name", STR),)),
        *_in_details(
            F("time_zone_id", STR, since=SV.BOND_TRADING_HOURS),
            F("trading_hours", STR, since=SV.BOND_TRADING_HOURS),
            F("liquid_hours", STR, since=SV.BOND_TRADING_HOURS),
        ),
        When("{_WIRE_VERSION} >= 6", _in_details(F("ev_rule", STR), F("ev_multiplier", INT))),
        When("{_WIRE_VERSION} >= 5", (_SEC_ID_LIST,)),
        F(_D + "agg_group", INT, since=SV.AGG_GROUP),
        F(_D + "market_rule_ids", STR, since=SV.MARKET_RULES),
        F(_D + "min_size", DECIMAL, since=SV.SIZE_RULES),
        F(_D + "size_increment", DECIMAL, since=SV.SIZE_RULES),
        F(_D + "suggested_size_increment", DECIMAL, since=SV.SIZE_RULES),
    )


@message(IncomingId.CONTRACT_DATA_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class ContractDataEnd(Message):
    """``CONTRACT_DATA_END`` (52), EWrapper ``contractDetailsEnd``.

    Attributes:
        req_id: the contract details request that is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.SECURITY_DEFINITION_OPTION_PARAMETER)
@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityDefinitionOptionParameter(Message):
    """``SECURITY_DEFINITION_OPTION_PARAMETER`` (75), EWrapper
    ``securityDefinitionOptionParameter``: the option chain on one exchange.

    Attributes:
        req_id: the request id.
        exchange: the exchange of the options.
        underlying_con_id: the underlying's contract id.
        trading_class: the options' trading class.
        multiplier: the options' multiplier, as text.
        expirations: the expiration dates, as sent (the official client makes a set).
        strikes: the strikes, as sent (the official client makes a set).
    """

    req_id: int
    exchange: str = ""
    underlying_con_id: int = 0
    trading_class: str = ""
    multiplier: str = ""
    expirations: tuple[str, ...] = ()
    strikes: tuple[float, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("exchange", STR),
        F("underlying_con_id", INT),
        F("trading_class", STR),
        F("multiplier", STR),
        Repeat("expirations", STR),
        Repeat("strikes", FLOAT),
    )


@message(IncomingId.SECURITY_DEFINITION_OPTION_PARAMETER_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityDefinitionOptionParameterEnd(Message):
    """``SECURITY_DEFINITION_OPTION_PARAMETER_END`` (76), EWrapper
    ``securityDefinitionOptionParameterEnd``.

    Attributes:
        req_id: the request that is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


def _decode_descriptions(f: Sequence[str], i: int, version: int) -> tuple[Any, int]:
    # Each item: conId, symbol, secType, primaryExchange, currency, count,
    # derivative types..., then (server 176+) description and issuerId, which
    # belong to the contract but follow the list.
    count = int(f[i] or 0)
    i += 1
    with_issuer = version >= SV.BOND_ISSUERID
    items = []
    for _ in range(count):
        if i + 5 >= len(f):
            raise IndexError("contract_descriptions: list ends early")
        con_id, symbol, sec_type, primary_exchange, currency = f[i : i + 5]
        n = int(f[i + 5] or 0)
        i += 6
        if i + n > len(f):
            raise IndexError("contract_descriptions: list ends early")
        types = tuple(f[i : i + n])
        i += n
        description = issuer_id = ""
        if with_issuer:
            description, issuer_id = f[i], f[i + 1]
            i += 2
        contract = Contract(
            con_id=int(con_id or 0),
            symbol=symbol,
            sec_type=sec_type,
            primary_exchange=primary_exchange,
            currency=currency,
            description=description,
            issuer_id=issuer_id,
        )
        items.append(ContractDescription(contract=contract, derivative_sec_types=types))
    return tuple(items), i


def _encode_descriptions(value: Any, out: list[str], version: int) -> None:
    out.append(str(len(value)))
    with_issuer = version >= SV.BOND_ISSUERID
    for item in value:
        c = item.contract
        if not with_issuer and (c.description or c.issuer_id):
            raise ValueError("description and issuer_id need server version 176")
        out.extend((str(c.con_id), c.symbol, c.sec_type, c.primary_exchange, c.currency))
        out.append(str(len(item.derivative_sec_types)))
        out.extend(item.derivative_sec_types)
        if with_issuer:
            out.extend((c.description, c.issuer_id))


@message(IncomingId.SYMBOL_SAMPLES)
@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolSamples(Message):
    """``SYMBOL_SAMPLES`` (79), EWrapper ``symbolSamples``: the answer to a symbol search.

    Attributes:
        req_id: the matching symbols request id.
        contract_descriptions: the contracts found.
    """

    req_id: int
    contract_descriptions: tuple[ContractDescription, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        # The per-item description and issuerId (server 176+) come after the
        # derivative types list but belong to the contract: a shape Repeat/Struct
        # cannot describe.
        Custom("contract_descriptions", _decode_descriptions, _encode_descriptions),
    )


@message(IncomingId.MARKET_RULE)
@dataclass(frozen=True, slots=True, kw_only=True)
class MarketRule(Message):
    """``MARKET_RULE`` (93), EWrapper ``marketRule``.

    Attributes:
        market_rule_id: the market rule id.
        price_increments: the price increments, by ascending low edge.
    """

    market_rule_id: int
    price_increments: tuple[PriceIncrement, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("market_rule_id", INT),
        Repeat(
            "price_increments",
            Struct(None, PriceIncrement, (F("low_edge", FLOAT), F("increment", FLOAT))),
        ),
    )


@message(IncomingId.FUNDAMENTAL_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class FundamentalData(Message):
    """``FUNDAMENTAL_DATA`` (51), EWrapper ``fundamentalData``.

    Attributes:
        req_id: the fundamental data request id.
        data: the XML report (unescaped: the official client unicode-unescapes
            the text of this message from server 153).
    """

    req_id: int
    data: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("data", ESC_STR))


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.REQ_CONTRACT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqContractData(Message):
    """``REQ_CONTRACT_DATA`` (9), EClient ``reqContractDetails``.

    Answered by :class:`ContractData` (or :class:`BondContractData`) messages,
    then :class:`ContractDataEnd`.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the contract to look up: the C12 fields, ``include_expired``,
            ``sec_id_type``, ``sec_id`` and ``issuer_id`` (server 176+).
    """

    req_id: int
    contract: Contract

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(8),
        F("req_id", INT),
        Struct(
            "contract",
            Contract,
            (
                *C12,
                F("include_expired", BOOL),
                F("sec_id_type", STR),
                F("sec_id", STR),
                F("issuer_id", STR, since=SV.BOND_ISSUERID),
            ),
        ),
    )


@message(OutgoingId.REQ_SEC_DEF_OPT_PARAMS, min_version=SV.SEC_DEF_OPT_PARAMS_REQ)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqSecDefOptParams(Message):
    """``REQ_SEC_DEF_OPT_PARAMS`` (78), EClient ``reqSecDefOptParams`` (server 104+).

    Answered by :class:`SecurityDefinitionOptionParameter` messages, then
    :class:`SecurityDefinitionOptionParameterEnd`.

    Attributes:
        req_id: the request id the answer will carry.
        underlying_symbol: the underlying's symbol.
        fut_fop_exchange: the exchange of the options; empty for all.
        underlying_sec_type: the underlying's security type (``STK``, ``FUT``, ...).
        underlying_con_id: the underlying's contract id.
    """

    req_id: int
    underlying_symbol: str
    fut_fop_exchange: str = ""
    underlying_sec_type: str
    underlying_con_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("underlying_symbol", STR),
        F("fut_fop_exchange", STR),
        F("underlying_sec_type", STR),
        F("underlying_con_id", INT),
    )


@message(OutgoingId.REQ_MATCHING_SYMBOLS, min_version=SV.REQ_MATCHING_SYMBOLS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMatchingSymbols(Message):
    """``REQ_MATCHING_SYMBOLS`` (81), EClient ``reqMatchingSymbols`` (server 108+).

    Answered by :class:`SymbolSamples`.

    Attributes:
        req_id: the request id the answer will carry.
        pattern: the start of a symbol or of a company name.
    """

    req_id: int
    pattern: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("pattern", STR))


@message(OutgoingId.REQ_MARKET_RULE, min_version=SV.MARKET_RULES)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMarketRule(Message):
    """``REQ_MARKET_RULE`` (91), EClient ``reqMarketRule`` (server 126+).

    Answered by :class:`MarketRule`.

    Attributes:
        market_rule_id: a market rule id from ``ContractDetails.market_rule_ids``.
    """

    market_rule_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("market_rule_id", INT),)


def _option_pairs(text: str) -> int:
    return sum(1 for pair in text.split(";") if pair)


def _decode_fundamental_options(f: Sequence[str], i: int, version: int) -> tuple[Any, int]:
    # count, then the "tag=value;" text; the count is derived again on encoding.
    int(f[i] or 0)
    return f[i + 1], i + 2


def _encode_fundamental_options(value: Any, out: list[str], version: int) -> None:
    out.extend((str(_option_pairs(value)), value))


@message(OutgoingId.REQ_FUNDAMENTAL_DATA, min_version=SV.TRADING_CLASS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqFundamentalData(Message):
    """``REQ_FUNDAMENTAL_DATA`` (52), EClient ``reqFundamentalData``.

    Answered by :class:`FundamentalData`.  The official client refuses the
    request below server 68 (``TRADING_CLASS``), where the contract id could not
    be sent.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the stock: ``con_id``, ``symbol``, ``sec_type``, ``exchange``,
            ``primary_exchange``, ``currency`` and ``local_symbol`` are sent.
        report_type: ``ReportSnapshot``, ``ReportsFinSummary``, ``ReportRatios``,
            ``ReportsFinStatements`` or ``RESC``.
        fundamental_data_options: ``"tag=value;"`` options as one text field;
            IB reserves it, keep it empty (server 70+).  The official client
            sends the number of pairs before it; ibwire counts the non-empty
            ``;``-separated pairs.
    """

    req_id: int
    contract: Contract
    report_type: str
    fundamental_data_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(2),
        F("req_id", INT),
        Struct(
            "contract",
            Contract,
            (
                F("con_id", INT),
                F("symbol", STR),
                F("sec_type", STR),
                F("exchange", STR),
                F("primary_exchange", STR),
                F("currency", STR),
                F("local_symbol", STR),
            ),
        ),
        F("report_type", STR),
        Custom(
            "fundamental_data_options",
            _decode_fundamental_options,
            _encode_fundamental_options,
            since=SV.LINKING,
        ),
    )


@message(OutgoingId.CANCEL_FUNDAMENTAL_DATA, min_version=SV.FUNDAMENTAL_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelFundamentalData(Message):
    """``CANCEL_FUNDAMENTAL_DATA`` (53), EClient ``cancelFundamentalData``.

    Attributes:
        req_id: the id of the fundamental data request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.CANCEL_CONTRACT_DATA, min_version=SV.CANCEL_CONTRACT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelContractData(Message):
    """``CANCEL_CONTRACT_DATA`` (106), EClient ``cancelContractData`` (server 215+).

    Stops a :class:`ReqContractData` request.  Protobuf only (``CancelContractData``).

    Attributes:
        req_id: the id of the request to cancel.
    """

    req_id: int
