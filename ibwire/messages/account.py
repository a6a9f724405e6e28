"""Accounts and portfolios: account values, positions, summaries, PnL, FA configuration.

Domain object defined here: :class:`FamilyCode`.

Text fields of the messages the official Python client dispatches straight to an
EWrapper method by signature (``ACCT_VALUE``, ``ACCT_UPDATE_TIME``,
``ACCT_DOWNLOAD_END``, ``ACCOUNT_SUMMARY``, ``ACCOUNT_UPDATE_MULTI``,
``RECEIVE_FA``) are unescaped from server 153 on (``ENCODE_MSG_ASCII7``), as the
official client decodes those fields with ``unicode-escape``; the other messages'
text is taken as it is, as the official per-message decoders do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Final

from ..fields import BOOL, DECIMAL, ESC_STR, FLOAT, INT, OPT_FLOAT_MAX, STR
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import F, Message, Node, Repeat, Struct, Ver, When, dataclass, message
from .common import STRIKE, Contract, SoftDollarTier

__all__ = [
    "AccountSummary",
    "AccountSummaryEnd",
    "AccountUpdateMulti",
    "AccountUpdateMultiEnd",
    "AcctDownloadEnd",
    "AcctUpdateTime",
    "AcctValue",
    "CancelAccountSummary",
    "CancelAccountUpdatesMulti",
    "CancelPnl",
    "CancelPnlSingle",
    "CancelPositions",
    "CancelPositionsMulti",
    "FamilyCode",
    "FamilyCodes",
    "Pnl",
    "PnlSingle",
    "PortfolioValue",
    "PositionData",
    "PositionEnd",
    "PositionMulti",
    "PositionMultiEnd",
    "ReceiveFa",
    "ReplaceFa",
    "ReplaceFaEnd",
    "ReqAccountSummary",
    "ReqAccountUpdatesMulti",
    "ReqAcctData",
    "ReqFa",
    "ReqFamilyCodes",
    "ReqManagedAccts",
    "ReqPnl",
    "ReqPnlSingle",
    "ReqPositions",
    "ReqPositionsMulti",
    "ReqSoftDollarTiers",
    "SoftDollarTiers",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyCode:
    """An account's family code (the official ``FamilyCode``).

    Attributes:
        account_id: the account (the official ``accountID``).
        family_code_str: its family code.
    """

    account_id: str = ""
    family_code_str: str = ""


# ------------------------------------------------------------------ incoming


@message(IncomingId.ACCT_VALUE)
@dataclass(frozen=True, slots=True, kw_only=True)
class AcctValue(Message):
    """``ACCT_VALUE`` (6), EWrapper ``updateAccountValue``: one account value.

    Sent after :class:`ReqAcctData` subscribes, and whenever the value changes.

    Attributes:
        key: the value's name (e.g. ``NetLiquidation``, ``CashBalance``).
        val: the value, as text.
        currency: its currency; empty for values without one.
        account_name: the account.
    """

    key: str
    val: str
    currency: str = ""
    account_name: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(2),
        F("key", ESC_STR),
        F("val", ESC_STR),
        F("currency", ESC_STR),
        F("account_name", ESC_STR),
    )


@message(IncomingId.PORTFOLIO_VALUE)
@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioValue(Message):
    """``PORTFOLIO_VALUE`` (7), EWrapper ``updatePortfolio``: one portfolio position.

    The message's version field decides the contract's fields: multiplier and
    primary exchange from version 7, trading class from version 8.  ibwire
    sends version 8.  (The official decoder also reads a trailing primary
    exchange for version 6 at server 39, far below ibwire's range.)

    Attributes:
        contract: the instrument: ``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike``, ``right``,
            ``multiplier`` and ``primary_exchange`` (version 7+), ``currency``,
            ``local_symbol``, ``trading_class`` (version 8+).
        position: the position, ``None`` when unset.
        market_price: the market price of one unit.
        market_value: the market value of the position.
        average_cost: the average cost per unit.
        unrealized_pnl: the unrealized profit and loss.
        realized_pnl: the realized profit and loss.
        account_name: the account.
    """

    contract: Contract
    position: Decimal | None
    market_price: float = 0.0
    market_value: float = 0.0
    average_cost: float = 0.0
    unrealized_pnl: float = 0.0
    realized_pnl: float = 0.0
    account_name: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(8),
        Struct(
            "contract",
            Contract,
            (
                F("con_id", INT),
                F("symbol", STR),
                F("sec_type", STR),
                F("last_trade_date_or_contract_month", STR),
                F("strike", STRIKE),
                F("right", STR),
                When("ver >= 7", (F("multiplier", STR), F("primary_exchange", STR))),
                F("currency", STR),
                F("local_symbol", STR),
                When("ver >= 8", (F("trading_class", STR),)),
            ),
        ),
        F("position", DECIMAL),
        F("market_price", FLOAT),
        F("market_value", FLOAT),
        F("average_cost", FLOAT),
        F("unrealized_pnl", FLOAT),
        F("realized_pnl", FLOAT),
        F("account_name", STR),
    )


@message(IncomingId.ACCT_UPDATE_TIME)
@dataclass(frozen=True, slots=True, kw_only=True)
class AcctUpdateTime(Message):
    """``ACCT_UPDATE_TIME`` (8), EWrapper ``updateAccountTime``.

    Attributes:
        time_stamp: the time of the last account update, typically ``hh:mm``.
    """

    time_stamp: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("time_stamp", ESC_STR))


@message(IncomingId.ACCT_DOWNLOAD_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class AcctDownloadEnd(Message):
    """``ACCT_DOWNLOAD_END`` (54), EWrapper ``accountDownloadEnd``.

    Ends the first batch of account values and portfolio after :class:`ReqAcctData`.

    Attributes:
        account_name: the account.
    """

    account_name: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("account_name", ESC_STR))


#: The contract of a position report, as the official decoders read it
#: (``tradingClass`` is version-gated in ``POSITION_DATA`` only).
_POSITION_CONTRACT_HEAD: Final[tuple[Node, ...]] = (
    F("con_id", INT),
    F("symbol", STR),
    F("sec_type", STR),
    F("last_trade_date_or_contract_month", STR),
    F("strike", STRIKE),
    F("right", STR),
    F("multiplier", STR),
    F("exchange", STR),
    F("currency", STR),
    F("local_symbol", STR),
)


@message(IncomingId.POSITION_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class PositionData(Message):
    """``POSITION_DATA`` (61), EWrapper ``position``: one position of one account.

    The message's version field gates the contract's trading class (version 2)
    and the average cost (version 3); ibwire sends version 3.

    Attributes:
        account: the account.
        contract: the instrument: ``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike``, ``right``,
            ``multiplier``, ``exchange``, ``currency``, ``local_symbol``,
            ``trading_class`` (version 2+).
        position: the position, ``None`` when unset.
        avg_cost: the average cost per unit (version 3+; 0.0 before).
    """

    account: str
    contract: Contract
    position: Decimal | None
    avg_cost: float = 0.0

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("account", STR),
        Struct(
            "contract",
            Contract,
            (*_POSITION_CONTRACT_HEAD, When("ver >= 2", (F("trading_class", STR),))),
        ),
        F("position", DECIMAL),
        When("ver >= 3", (F("avg_cost", FLOAT),)),
    )


@message(IncomingId.POSITION_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class PositionEnd(Message):
    """``POSITION_END`` (62), EWrapper ``positionEnd``: the end of the first batch of positions."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(IncomingId.ACCOUNT_SUMMARY)
@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSummary(Message):
    """``ACCOUNT_SUMMARY`` (63), EWrapper ``accountSummary``: one tag of one account.

    Attributes:
        req_id: the :class:`ReqAccountSummary` request id.
        account: the account.
        tag: the tag (e.g. ``NetLiquidation``).
        value: the value, as text.
        currency: its currency; empty for tags without one.
    """

    req_id: int
    account: str
    tag: str
    value: str
    currency: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("account", ESC_STR),
        F("tag", ESC_STR),
        F("value", ESC_STR),
        F("currency", ESC_STR),
    )


@message(IncomingId.ACCOUNT_SUMMARY_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSummaryEnd(Message):
    """``ACCOUNT_SUMMARY_END`` (64), EWrapper ``accountSummaryEnd``.

    Attributes:
        req_id: the :class:`ReqAccountSummary` request whose first batch is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.POSITION_MULTI)
@dataclass(frozen=True, slots=True, kw_only=True)
class PositionMulti(Message):
    """``POSITION_MULTI`` (71), EWrapper ``positionMulti``: one position of an account or model.

    Attributes:
        req_id: the :class:`ReqPositionsMulti` request id.
        account: the account.
        model_code: the model; empty for none.
        contract: the instrument: ``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike``, ``right``,
            ``multiplier``, ``exchange``, ``currency``, ``local_symbol``,
            ``trading_class``.
        pos: the position, ``None`` when unset.
        avg_cost: the average cost per unit.
    """

    req_id: int
    account: str
    model_code: str = ""
    contract: Contract
    pos: Decimal | None
    avg_cost: float = 0.0

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("account", STR),
        Struct("contract", Contract, (*_POSITION_CONTRACT_HEAD, F("trading_class", STR))),
        F("pos", DECIMAL),
        F("avg_cost", FLOAT),
        F("model_code", STR),
    )


@message(IncomingId.POSITION_MULTI_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class PositionMultiEnd(Message):
    """``POSITION_MULTI_END`` (72), EWrapper ``positionMultiEnd``.

    Attributes:
        req_id: the :class:`ReqPositionsMulti` request whose first batch is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.ACCOUNT_UPDATE_MULTI)
@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdateMulti(Message):
    """``ACCOUNT_UPDATE_MULTI`` (73), EWrapper ``accountUpdateMulti``: one account value.

    Attributes:
        req_id: the :class:`ReqAccountUpdatesMulti` request id.
        account: the account.
        model_code: the model; empty for none.
        key: the value's name.
        value: the value, as text.
        currency: its currency; empty for values without one.
    """

    req_id: int
    account: str
    model_code: str = ""
    key: str
    value: str
    currency: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("account", ESC_STR),
        F("model_code", ESC_STR),
        F("key", ESC_STR),
        F("value", ESC_STR),
        F("currency", ESC_STR),
    )


@message(IncomingId.ACCOUNT_UPDATE_MULTI_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdateMultiEnd(Message):
    """``ACCOUNT_UPDATE_MULTI_END`` (74), EWrapper ``accountUpdateMultiEnd``.

    Attributes:
        req_id: the :class:`ReqAccountUpdatesMulti` request whose first batch is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.PNL)
@dataclass(frozen=True, slots=True, kw_only=True)
class Pnl(Message):
    """``PNL`` (94), EWrapper ``pnl``: the profit and loss of an account or model.

    TWS sends the max-double literal for a value it does not have yet (IB's
    documentation: unpopulated values are the maximum double until generated);
    ibwire reads it, and empty, as ``None``.

    Attributes:
        req_id: the :class:`ReqPnl` request id.
        daily_pnl: today's profit and loss; ``None`` when unset.
        unrealized_pnl: the unrealized profit and loss (server 129+); ``None``
            when unset or absent.
        realized_pnl: the realized profit and loss (server 135+); ``None`` when
            unset or absent.
    """

    req_id: int
    daily_pnl: float | None = None
    unrealized_pnl: float | None = None
    realized_pnl: float | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("daily_pnl", OPT_FLOAT_MAX),
        F("unrealized_pnl", OPT_FLOAT_MAX, since=SV.UNREALIZED_PNL),
        F("realized_pnl", OPT_FLOAT_MAX, since=SV.REALIZED_PNL),
    )


@message(IncomingId.PNL_SINGLE)
@dataclass(frozen=True, slots=True, kw_only=True)
class PnlSingle(Message):
    """``PNL_SINGLE`` (95), EWrapper ``pnlSingle``: the profit and loss of one position.

    Unset values arrive as the max-double literal and read as ``None`` (see
    :class:`Pnl`).

    Attributes:
        req_id: the :class:`ReqPnlSingle` request id.
        pos: the position, ``None`` when unset.
        daily_pnl: today's profit and loss; ``None`` when unset.
        unrealized_pnl: the unrealized profit and loss (server 129+); ``None``
            when unset or absent.
        realized_pnl: the realized profit and loss (server 135+); ``None`` when
            unset or absent.
        value: the market value of the position; ``None`` when unset.
    """

    req_id: int
    pos: Decimal | None
    daily_pnl: float | None = None
    unrealized_pnl: float | None = None
    realized_pnl: float | None = None
    value: float | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("pos", DECIMAL),
        F("daily_pnl", OPT_FLOAT_MAX),
        F("unrealized_pnl", OPT_FLOAT_MAX, since=SV.UNREALIZED_PNL),
        F("realized_pnl", OPT_FLOAT_MAX, since=SV.REALIZED_PNL),
        F("value", OPT_FLOAT_MAX),
    )


@message(IncomingId.RECEIVE_FA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveFa(Message):
    """``RECEIVE_FA`` (16), EWrapper ``receiveFA``: the answer to :class:`ReqFa`.

    Attributes:
        fa_data: the configuration type: 1 groups, 3 account aliases (2,
            profiles, until server 177).
        cxml: the configuration, as XML.
    """

    fa_data: int
    cxml: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("fa_data", INT), F("cxml", ESC_STR))


@message(IncomingId.REPLACE_FA_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceFaEnd(Message):
    """``REPLACE_FA_END`` (103), EWrapper ``replaceFAEnd``: the answer to :class:`ReplaceFa`.

    Attributes:
        req_id: the :class:`ReplaceFa` request id.
        text: TWS's result text.
    """

    req_id: int
    text: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("text", STR))


@message(IncomingId.FAMILY_CODES)
@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyCodes(Message):
    """``FAMILY_CODES`` (78), EWrapper ``familyCodes``: the answer to :class:`ReqFamilyCodes`.

    Attributes:
        family_codes: one entry per account.
    """

    family_codes: tuple[FamilyCode, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        Repeat(
            "family_codes",
            Struct(None, FamilyCode, (F("account_id", STR), F("family_code_str", STR))),
        ),
    )


@message(IncomingId.SOFT_DOLLAR_TIERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class SoftDollarTiers(Message):
    """``SOFT_DOLLAR_TIERS`` (77), EWrapper ``softDollarTiers``.

    Attributes:
        req_id: the :class:`ReqSoftDollarTiers` request id.
        tiers: the tiers, with ``name``, ``value`` and ``display_name`` set.
    """

    req_id: int
    tiers: tuple[SoftDollarTier, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat(
            "tiers",
            Struct(
                None,
                SoftDollarTier,
                (F("name", STR), F("value", STR), F("display_name", STR)),
            ),
        ),
    )


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.REQ_ACCT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqAcctData(Message):
    """``REQ_ACCT_DATA`` (6), EClient ``reqAccountUpdates``.

    Answered by :class:`AcctValue`, :class:`PortfolioValue`, :class:`AcctUpdateTime`
    and, after the first batch, :class:`AcctDownloadEnd`.

    Attributes:
        subscribe: true to start the updates, false to stop them.
        acct_code: the account (needed by advisors).
    """

    subscribe: bool
    acct_code: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(2), F("subscribe", BOOL), F("acct_code", STR))


@message(OutgoingId.REQ_MANAGED_ACCTS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqManagedAccts(Message):
    """``REQ_MANAGED_ACCTS`` (17), EClient ``reqManagedAccts``; answered by ``MANAGED_ACCTS``."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_FA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqFa(Message):
    """``REQ_FA`` (18), EClient ``requestFA``: an advisor configuration; answered by :class:`ReceiveFa`.

    The official client refuses ``fa_data`` 2 (profiles) from server 177
    (``FA_PROFILE_DESUPPORT``); ibwire sends it and lets TWS answer with an error.

    Attributes:
        fa_data: 1 groups, 3 account aliases (2 profiles, below server 177).
    """

    fa_data: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("fa_data", INT))


@message(OutgoingId.REPLACE_FA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceFa(Message):
    """``REPLACE_FA`` (19), EClient ``replaceFA``: replace an advisor configuration.

    From server 157 TWS answers with :class:`ReplaceFaEnd` carrying ``req_id``.
    As for :class:`ReqFa`, profiles (2) are refused by TWS from server 177.

    Attributes:
        req_id: the request id of the answer (server 157+; must stay 0 before).
        fa_data: 1 groups, 3 account aliases.
        cxml: the new configuration, as XML.
    """

    req_id: int = 0
    fa_data: int
    cxml: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("fa_data", INT),
        F("cxml", STR),
        F("req_id", INT, since=SV.REPLACE_FA_END),
    )


@message(OutgoingId.REQ_POSITIONS, min_version=SV.POSITIONS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqPositions(Message):
    """``REQ_POSITIONS`` (61), EClient ``reqPositions``: the positions of every account.

    Answered by :class:`PositionData` messages, then :class:`PositionEnd`, then
    updates.
    """

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.CANCEL_POSITIONS, min_version=SV.POSITIONS)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPositions(Message):
    """``CANCEL_POSITIONS`` (64), EClient ``cancelPositions``."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_ACCOUNT_SUMMARY, min_version=SV.ACCOUNT_SUMMARY)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqAccountSummary(Message):
    """``REQ_ACCOUNT_SUMMARY`` (62), EClient ``reqAccountSummary``.

    Answered by :class:`AccountSummary` messages, then :class:`AccountSummaryEnd`.

    Attributes:
        req_id: the request id the answers carry.
        group_name: ``All``, or an advisor group.
        tags: comma-separated tags (``NetLiquidation,TotalCashValue``,
            ``$LEDGER:ALL``, ...).
    """

    req_id: int
    group_name: str = "All"
    tags: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("group_name", STR),
        F("tags", STR),
    )


@message(OutgoingId.CANCEL_ACCOUNT_SUMMARY, min_version=SV.ACCOUNT_SUMMARY)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelAccountSummary(Message):
    """``CANCEL_ACCOUNT_SUMMARY`` (63), EClient ``cancelAccountSummary``.

    Attributes:
        req_id: the :class:`ReqAccountSummary` request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_POSITIONS_MULTI, min_version=SV.MODELS_SUPPORT)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqPositionsMulti(Message):
    """``REQ_POSITIONS_MULTI`` (74), EClient ``reqPositionsMulti`` (server 103+).

    Answered by :class:`PositionMulti` messages, then :class:`PositionMultiEnd`.

    Attributes:
        req_id: the request id the answers carry.
        account: the account; empty for all.
        model_code: the model; empty for none.
    """

    req_id: int
    account: str = ""
    model_code: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("account", STR),
        F("model_code", STR),
    )


@message(OutgoingId.CANCEL_POSITIONS_MULTI, min_version=SV.MODELS_SUPPORT)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPositionsMulti(Message):
    """``CANCEL_POSITIONS_MULTI`` (75), EClient ``cancelPositionsMulti`` (server 103+).

    Attributes:
        req_id: the :class:`ReqPositionsMulti` request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_ACCOUNT_UPDATES_MULTI, min_version=SV.MODELS_SUPPORT)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqAccountUpdatesMulti(Message):
    """``REQ_ACCOUNT_UPDATES_MULTI`` (76), EClient ``reqAccountUpdatesMulti`` (server 103+).

    Answered by :class:`AccountUpdateMulti` messages, then
    :class:`AccountUpdateMultiEnd`.

    Attributes:
        req_id: the request id the answers carry.
        account: the account.
        model_code: the model; empty for none.
        ledger_and_nlv: only the ledger and net liquidation values.
    """

    req_id: int
    account: str = ""
    model_code: str = ""
    ledger_and_nlv: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("account", STR),
        F("model_code", STR),
        F("ledger_and_nlv", BOOL),
    )


@message(OutgoingId.CANCEL_ACCOUNT_UPDATES_MULTI, min_version=SV.MODELS_SUPPORT)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelAccountUpdatesMulti(Message):
    """``CANCEL_ACCOUNT_UPDATES_MULTI`` (77), EClient ``cancelAccountUpdatesMulti`` (server 103+).

    Attributes:
        req_id: the :class:`ReqAccountUpdatesMulti` request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_SOFT_DOLLAR_TIERS, min_version=SV.SOFT_DOLLAR_TIER)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqSoftDollarTiers(Message):
    """``REQ_SOFT_DOLLAR_TIERS`` (79), EClient ``reqSoftDollarTiers`` (server 106+).

    Answered by :class:`SoftDollarTiers`.

    Attributes:
        req_id: the request id of the answer.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.REQ_FAMILY_CODES, min_version=SV.REQ_FAMILY_CODES)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqFamilyCodes(Message):
    """``REQ_FAMILY_CODES`` (80), EClient ``reqFamilyCodes`` (server 107+): the id alone.

    Answered by :class:`FamilyCodes`.
    """

    WIRE: ClassVar[tuple[Node, ...]] = ()


@message(OutgoingId.REQ_PNL, min_version=SV.PNL)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqPnl(Message):
    """``REQ_PNL`` (92), EClient ``reqPnL`` (server 127+): subscribe to an account's PnL.

    Answered by :class:`Pnl` updates.

    Attributes:
        req_id: the request id the updates carry.
        account: the account.
        model_code: the model; empty for none.
    """

    req_id: int
    account: str
    model_code: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("account", STR), F("model_code", STR))


@message(OutgoingId.CANCEL_PNL, min_version=SV.PNL)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPnl(Message):
    """``CANCEL_PNL`` (93), EClient ``cancelPnL`` (server 127+).

    Attributes:
        req_id: the :class:`ReqPnl` request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.REQ_PNL_SINGLE, min_version=SV.PNL)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqPnlSingle(Message):
    """``REQ_PNL_SINGLE`` (94), EClient ``reqPnLSingle`` (server 127+): one position's PnL.

    Answered by :class:`PnlSingle` updates.

    Attributes:
        req_id: the request id the updates carry.
        account: the account.
        model_code: the model; empty for none.
        con_id: the position's contract id (the official ``conid``).
    """

    req_id: int
    account: str
    model_code: str = ""
    con_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("account", STR),
        F("model_code", STR),
        F("con_id", INT),
    )


@message(OutgoingId.CANCEL_PNL_SINGLE, min_version=SV.PNL)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPnlSingle(Message):
    """``CANCEL_PNL_SINGLE`` (95), EClient ``cancelPnLSingle`` (server 127+).

    Attributes:
        req_id: the :class:`ReqPnlSingle` request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)
