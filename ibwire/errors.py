"""Exceptions raised by ibwire.

The tree::

    IBWireError
    ├── ProtocolError
    │   ├── LocalProtocolError          we were asked to send something illegal
    │   │   ├── UnsupportedByServerError    needs a newer server version
    │   │   ├── ReadOnlyError               a read-only client refused the request
    │   │   └── ForeignOrderError           the order is another client's (or TWS's)
    │   └── RemoteProtocolError         the peer sent something we cannot accept
    │       ├── FrameTooLargeError
    │       ├── MalformedMessageError
    │       └── HandshakeError
    ├── ConnectionClosedError
    │   └── ClientIdInUseError          TWS refused the client id (error 326)
    ├── RequestTimeoutError             (also a TimeoutError)
    ├── PacingError                     a request would break an IB request limit
    │   └── BudgetExceededError         a subscription budget is exhausted
    │       ├── MarketDataLinesExceededError
    │       ├── MarketDepthLimitExceededError
    │       └── TickByTickLimitExceededError
    ├── ApiError                        TWS answered a request with an error code
    ├── AccountUpdatesOffError          account state read with account_updates=False
    ├── PortfolioUnavailableError       portfolio of an account that is not followed
    └── ContractLookupError             qualifying a contract did not give one answer
        ├── ContractNotFoundError       no contract matches (also a LookupError)
        └── AmbiguousContractError      several contracts match; carries the candidates

TWS error messages are ordinary events in the sans-I/O core
(:class:`ibwire.messages.ErrMsg`); only the front ends' request helpers, which wait
for a reply, raise :class:`ApiError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .messages.common import Contract
    from .messages.contracts import ContractDetails
    from .pacing import Budget

__all__ = [
    "AccountUpdatesOffError",
    "AmbiguousContractError",
    "ApiError",
    "BudgetExceededError",
    "ClientIdInUseError",
    "ConnectionClosedError",
    "ContractLookupError",
    "ContractNotFoundError",
    "ForeignOrderError",
    "FrameTooLargeError",
    "HandshakeError",
    "IBWireError",
    "LocalProtocolError",
    "MalformedMessageError",
    "MarketDataLinesExceededError",
    "MarketDepthLimitExceededError",
    "PortfolioUnavailableError",
    "PacingError",
    "ProtocolError",
    "ReadOnlyError",
    "RemoteProtocolError",
    "RequestTimeoutError",
    "TickByTickLimitExceededError",
    "UnsupportedByServerError",
]


class IBWireError(Exception):
    """Base class of every exception ibwire raises on purpose."""


class ProtocolError(IBWireError):
    """A violation of the TWS API wire protocol, by either side."""


class LocalProtocolError(ProtocolError):
    """We were asked to send something the protocol does not allow.

    Raised before a single byte is queued, so the connection stays usable.
    """


class UnsupportedByServerError(LocalProtocolError):
    """A request or field needs a newer server version than the one negotiated.

    Attributes:
        feature: what was asked for (a message or ``Message.field`` name).
        required: the lowest server version that carries it.
        actual: the negotiated server version.
    """

    def __init__(self, feature: str, required: int, actual: int) -> None:
        super().__init__(
            f"{feature} needs server version {required} or later; the server negotiated {actual}"
        )
        self.feature = feature
        self.required = required
        self.actual = actual


class ReadOnlyError(LocalProtocolError):
    """A read-only client was asked to place, modify or cancel an order.

    Raised before anything is queued or sent.  What-if orders are allowed: they
    change nothing.  Which requests are refused is one table, the catalogue's
    ``read_only`` column (see :data:`ibwire._session_gate.READ_ONLY_GATE`).
    """


class ForeignOrderError(LocalProtocolError):
    """An order call names an order this client cannot change by its order id.

    TWS knows an order id only within the client id that placed it: a
    ``cancelOrder`` or ``placeOrder`` with another client's order id acts on
    this client's order of that id, if any.  Orders placed in TWS (order id 0)
    have no order id at all.  Raised before anything is queued or sent;
    :meth:`~ibwire._frontend.FrontEnd.global_cancel` cancels every order, whoever
    placed it.

    Attributes:
        client_id: the client id that placed the order (0 for TWS).
        order_id: its order id (0 for an order placed in TWS).
        perm_id: TWS's permanent id of the order (0 when unknown).
    """

    def __init__(self, message: str, client_id: int, order_id: int, perm_id: int) -> None:
        super().__init__(message)
        self.client_id = client_id
        self.order_id = order_id
        self.perm_id = perm_id


class RemoteProtocolError(ProtocolError):
    """The peer sent something we cannot accept."""


class FrameTooLargeError(RemoteProtocolError):
    """A frame header announced a length of zero or above the configured maximum.

    Attributes:
        length: the announced length, read as an unsigned 32-bit integer.
        max_size: the configured maximum frame size.
    """

    def __init__(self, length: int, max_size: int) -> None:
        if length == 0:
            text = "frame header announces an empty frame"
        else:
            text = f"frame of {length} bytes exceeds the maximum of {max_size} bytes"
        super().__init__(text)
        self.length = length
        self.max_size = max_size


class MalformedMessageError(RemoteProtocolError):
    """A frame could not be decoded as the message its id names.

    Attributes:
        msg_id: the message id (``None`` when the id field itself is unreadable).
        field_index: index into :attr:`fields` of the offending field (0 is the id);
            ``None`` when the fault is not tied to one field.
        field_name: the name of the field being decoded, when known.
        fields: the raw text fields of the frame, id included.
        reason: a short description of the fault.
    """

    def __init__(
        self,
        msg_id: int | None,
        fields: Sequence[str],
        reason: str,
        *,
        field_index: int | None = None,
        field_name: str | None = None,
    ) -> None:
        where = ""
        if field_index is not None:
            where = f" at field {field_index}"
            if field_name:
                where += f" ({field_name})"
        name = "message" if msg_id is None else f"message {msg_id}"
        super().__init__(f"malformed {name}{where}: {reason}")
        self.msg_id = msg_id
        self.field_index = field_index
        self.field_name = field_name
        self.fields: tuple[str, ...] = tuple(fields)
        self.reason = reason


class HandshakeError(RemoteProtocolError):
    """The connection handshake failed (bad hello, version out of range, redirect)."""


class ConnectionClosedError(IBWireError):
    """The connection is closed, or closed while a request was waiting."""


class ClientIdInUseError(ConnectionClosedError):
    """TWS refused the connection because the client id is already in use.

    TWS answers error 326 and closes the socket; often only the close is seen,
    right after startApi.

    Attributes:
        client_id: the refused client id.
    """

    def __init__(self, client_id: int) -> None:
        super().__init__(
            f"client id {client_id} is already in use on this TWS / IB Gateway; "
            "connect with another client id, or wait until the old session is gone"
        )
        self.client_id = client_id


class RequestTimeoutError(IBWireError, TimeoutError):
    """A request helper did not get its answer in time."""


class PacingError(IBWireError):
    """A request would break one of IB's request limits and was refused locally."""


class BudgetExceededError(PacingError):
    """A subscription request would exceed a budget, and was refused.

    Raised by :meth:`ibwire.pacing.Pacer.submit`; nothing was queued.  Cancel a
    subscription of the same kind, or raise the budget in
    :class:`~ibwire.pacing.PacingConfig` to the account's entitlement.

    Attributes:
        budget: which budget (:class:`ibwire.pacing.Budget`).
        limit: the configured size of the budget.
        in_use: how many are held, by sent and by queued requests.
        req_id: the refused request's id, when it has one.
    """

    #: The :class:`~ibwire.pacing.PacingConfig` field that sizes the budget.
    CONFIG_FIELD: ClassVar[str] = ""

    def __init__(self, budget: Budget, limit: int, in_use: int, req_id: int | None) -> None:
        super().__init__(
            f"{budget.value.replace('_', ' ')} budget exhausted: {in_use} of {limit} "
            f"in use, request {req_id} refused; cancel a subscription or raise "
            f"PacingConfig.{self.CONFIG_FIELD} to the account's entitlement"
        )
        self.budget = budget
        self.limit = limit
        self.in_use = in_use
        self.req_id = req_id


class MarketDataLinesExceededError(BudgetExceededError):
    """All market data lines are taken (TWS would answer error 101)."""

    CONFIG_FIELD: ClassVar[str] = "market_data_lines"


class MarketDepthLimitExceededError(BudgetExceededError):
    """All market depth subscriptions are taken (TWS would answer error 309)."""

    CONFIG_FIELD: ClassVar[str] = "market_depth_limit"


class TickByTickLimitExceededError(BudgetExceededError):
    """All tick-by-tick subscriptions are taken."""

    CONFIG_FIELD: ClassVar[str] = "tick_by_tick_limit"


class ApiError(IBWireError):
    """TWS answered a request with an error message.

    Attributes:
        code: the TWS error code.
        message: the error text.
        req_id: the request (or order) id the error belongs to, -1 for none.
        advanced_order_reject_json: extra JSON detail, when TWS sends it.
    """

    def __init__(
        self,
        code: int,
        message: str,
        req_id: int = -1,
        advanced_order_reject_json: str = "",
    ) -> None:
        super().__init__(f"TWS error {code} (request {req_id}): {message}")
        self.code = code
        self.message = message
        self.req_id = req_id
        self.advanced_order_reject_json = advanced_order_reject_json


class AccountUpdatesOffError(IBWireError, RuntimeError):
    """The account state was read on a client that does not follow the account.

    ``portfolio()``, ``positions()``, ``account_values()``, ``account_value()`` and
    ``pnl()`` read state kept current from connect; a client made with
    ``account_updates=False`` keeps none, so they raise rather than answer empty.
    """

    def __init__(self, call: str) -> None:
        super().__init__(
            f"{call} reads the account state, which this client does not follow "
            "(made with account_updates=False); make it with account_updates=True, "
            "or ask TWS (request_positions(), pnl_updates(), account_updates())"
        )
        self.call = call


class PortfolioUnavailableError(IBWireError, RuntimeError):
    """The portfolio of an account the client does not follow was read.

    TWS sends portfolio items (market price and value, P&L per position) only
    with ``reqAccountUpdates``, for one account at a time.  With several managed
    accounts the client follows the one named by its ``account`` option; the
    portfolio of any other is not kept, so ``portfolio()`` raises rather than
    answer empty.

    Attributes:
        account: the account asked for (``None``: every account).
        followed: the account whose portfolio is kept, if any.
    """

    def __init__(self, account: str | None, followed: str | None, managed: Sequence[str]) -> None:
        asked = "every account" if account is None else f"account {account}"
        if followed is None:
            detail = (
                f"no account's portfolio is followed: several accounts are managed "
                f"({', '.join(managed)}); make the client with account=<one of them>"
            )
        else:
            detail = f"only the portfolio of {followed} is followed (the client's account option)"
        super().__init__(
            f"portfolio of {asked} is not available: {detail}; positions(), "
            "account_values() and pnl() cover every account"
        )
        self.account = account
        self.followed = followed


class ContractLookupError(IBWireError):
    """Qualifying a contract did not give exactly one contract.

    Attributes:
        contract: the contract as requested.
    """

    def __init__(self, text: str, contract: Contract) -> None:
        super().__init__(text)
        self.contract = contract


def _describe(contract: Contract) -> str:
    parts = [
        contract.sec_type,
        contract.symbol,
        contract.last_trade_date_or_contract_month,
        "" if contract.strike is None else f"{contract.strike:g}",
        contract.right,
        contract.exchange,
        contract.primary_exchange,
        contract.currency,
        contract.local_symbol,
        contract.trading_class,
    ]
    text = " ".join(part for part in parts if part)
    if contract.con_id:
        text = f"con_id {contract.con_id} {text}".rstrip()
    return text or "an empty contract"


class ContractNotFoundError(ContractLookupError, LookupError):
    """No contract matches the description (TWS error 200, or no contract details).

    Attributes:
        contract: the contract as requested.
    """

    def __init__(self, contract: Contract) -> None:
        super().__init__(f"no contract matches {_describe(contract)}", contract)


class AmbiguousContractError(ContractLookupError):
    """Several different contracts match the description; add fields to pick one.

    Attributes:
        contract: the contract as requested.
        candidates: the contract details of every match, one per contract id,
            in the order TWS sent them.
    """

    def __init__(self, contract: Contract, candidates: Sequence[ContractDetails]) -> None:
        shown = ", ".join(_describe(c.contract) for c in candidates[:5])
        more = f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
        super().__init__(
            f"{len(candidates)} contracts match {_describe(contract)}: {shown}{more}; "
            "set more fields (exchange, primary_exchange, currency, trading_class, "
            "multiplier, expiry) or the con_id",
            contract,
        )
        self.candidates: tuple[ContractDetails, ...] = tuple(candidates)
