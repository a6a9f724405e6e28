"""Account state kept current: :class:`Portfolio` (positions, portfolio items, values, P&L).

:meth:`Portfolio.apply` takes the account messages with the time they arrived:

* :class:`~ibwire.messages.PortfolioValue` (``updatePortfolio``) -> a
  :class:`PortfolioItem` per account and contract id;
* :class:`~ibwire.messages.AcctValue` (``updateAccountValue``) and
  :class:`~ibwire.messages.AccountUpdateMulti` -> an :class:`AccountValue` per
  ``(account, tag, currency, model_code)``;
* :class:`~ibwire.messages.PositionData` (``position``) and
  :class:`~ibwire.messages.PositionMulti` -> a :class:`Position` per account
  and contract id; :class:`~ibwire.messages.PositionEnd` marks the first full
  list in (:attr:`Portfolio.positions_complete`);
* :class:`~ibwire.messages.Pnl` / :class:`~ibwire.messages.PnlSingle` -> a
  :class:`PnL` / :class:`PnLSingle`, for request ids registered with
  :meth:`Portfolio.track_pnl` / :meth:`Portfolio.track_pnl_single` (the
  messages carry only the request id);
* :class:`~ibwire.messages.AcctUpdateTime` and
  :class:`~ibwire.messages.AcctDownloadEnd` -> :attr:`Portfolio.update_time` and
  :meth:`Portfolio.is_downloaded`.

A position of zero removes the item (TWS sends one when a position is closed).
Several accounts are kept side by side; every reader takes an optional
``account`` filter.

Threading:
    Written by one thread only.  Every reader (:meth:`Portfolio.portfolio`,
    :meth:`Portfolio.positions`, ...) copies under a sequence check, so a
    reader on another thread gets a list in which every item comes from the
    same moment, never a half-applied message.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from .._record import dataclass
from ..messages.account import (
    AccountUpdateMulti,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
)
from ..messages.common import Contract

__all__ = ["AccountValue", "PnL", "PnLSingle", "Portfolio", "PortfolioItem", "Position"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PortfolioItem:
    """A position as the account updates report it, valued.

    Attributes:
        contract: the contract.
        position: the position (negative for short).
        market_price: the price it is valued at.
        market_value: ``position`` times ``market_price`` times the multiplier.
        average_cost: the average cost per unit (times the multiplier).
        unrealized_pnl: the unrealized profit and loss.
        realized_pnl: the realized profit and loss.
        account: the account.
        time: the ``now`` at which it was last updated.
    """

    contract: Contract
    position: Decimal
    market_price: float
    market_value: float
    average_cost: float
    unrealized_pnl: float
    realized_pnl: float
    account: str
    time: float


@dataclass(frozen=True, slots=True)
class Position:
    """A position as ``reqPositions`` reports it.

    Attributes:
        account: the account.
        contract: the contract.
        position: the position (negative for short).
        avg_cost: the average cost per unit (times the multiplier).
        model_code: the model (``reqPositionsMulti``), empty otherwise.
        time: the ``now`` at which it was last updated.
    """

    account: str
    contract: Contract
    position: Decimal
    avg_cost: float
    model_code: str
    time: float


@dataclass(frozen=True, slots=True)
class AccountValue:
    """One account value (``NetLiquidation``, ``CashBalance``, ...), as text like TWS sends it.

    Attributes:
        account: the account.
        tag: the value's name.
        value: the value, as sent (most are numbers).
        currency: its currency; empty for values without one.
        model_code: the model (``reqAccountUpdatesMulti``), empty otherwise.
        time: the ``now`` at which it was last updated.
    """

    account: str
    tag: str
    value: str
    currency: str
    model_code: str
    time: float


@dataclass(frozen=True, slots=True)
class PnL:
    """Daily profit and loss of an account (``reqPnL``); ``None`` where TWS has no value.

    Attributes:
        account: the account.
        model_code: the model, empty for none.
        daily_pnl: today's profit and loss.
        unrealized_pnl: the unrealized profit and loss.
        realized_pnl: the realized profit and loss.
        time: the ``now`` at which it was last updated.
    """

    account: str
    model_code: str
    daily_pnl: float | None
    unrealized_pnl: float | None
    realized_pnl: float | None
    time: float


@dataclass(frozen=True, slots=True)
class PnLSingle:
    """Daily profit and loss of one position (``reqPnLSingle``).

    Attributes:
        account: the account.
        model_code: the model, empty for none.
        con_id: the contract id.
        position: the position.
        daily_pnl: today's profit and loss.
        unrealized_pnl: the unrealized profit and loss.
        realized_pnl: the realized profit and loss.
        value: the position's market value.
        time: the ``now`` at which it was last updated.
    """

    account: str
    model_code: str
    con_id: int
    position: Decimal | None
    daily_pnl: float | None
    unrealized_pnl: float | None
    realized_pnl: float | None
    value: float | None
    time: float


class Portfolio:
    """The account state of a connection, for one or several accounts."""

    __slots__ = (
        "_items",
        "_positions",
        "_values",
        "_pnl",
        "_pnl_single",
        "_pnl_keys",
        "_pnl_single_keys",
        "_downloaded",
        "_unconfirmed",
        "positions_complete",
        "update_time",
        "_seq",
    )

    def __init__(self) -> None:
        self._items: dict[tuple[str, int], PortfolioItem] = {}
        self._positions: dict[tuple[str, str, int], Position] = {}
        self._values: dict[tuple[str, str, str, str], AccountValue] = {}
        self._pnl: dict[tuple[str, str], PnL] = {}
        self._pnl_single: dict[tuple[str, str, int], PnLSingle] = {}
        self._pnl_keys: dict[int, tuple[str, str]] = {}
        self._pnl_single_keys: dict[int, tuple[str, str, int]] = {}
        self._downloaded: set[str] = set()
        # Per account made stale: the items not sent again since (see mark_stale).
        self._unconfirmed: dict[str, set[tuple[str, int]]] = {}
        #: Whether a full position list has arrived (``positionEnd``).
        self.positions_complete: bool = False
        #: The account update time TWS last sent (``updateAccountTime``), as text.
        self.update_time: str = ""
        self._seq = 0

    # ------------------------------------------------------------------ reading

    def _read(self, copy: Callable[[], _T]) -> _T:
        # The copies are single C calls (list(dict.values())), which the writer
        # cannot interleave with; the sequence check catches a copy taken
        # between two writes of one message.
        while True:
            seq = self._seq
            if not seq & 1:
                result = copy()
                if self._seq == seq:
                    return result

    def portfolio(self, account: str | None = None) -> list[PortfolioItem]:
        """The portfolio items (of ``account``, or of every account)."""
        items = self._read(lambda: list(self._items.values()))
        return items if account is None else [i for i in items if i.account == account]

    def positions(self, account: str | None = None) -> list[Position]:
        """The positions (of ``account``, or of every account)."""
        found = self._read(lambda: list(self._positions.values()))
        return found if account is None else [p for p in found if p.account == account]

    def account_values(self, account: str | None = None) -> list[AccountValue]:
        """The account values (of ``account``, or of every account)."""
        found = self._read(lambda: list(self._values.values()))
        return found if account is None else [v for v in found if v.account == account]

    def account_value(
        self, tag: str, currency: str = "", account: str | None = None, model_code: str = ""
    ) -> str | None:
        """The value of ``tag`` (in ``currency``), or ``None`` when TWS has not sent it.

        Args:
            tag: the value's name (``"NetLiquidation"``).
            currency: its currency (``"USD"``, ``"BASE"``); empty for values without one.
            account: the account; may be left out when there is only one.
            model_code: the model, empty for none.

        Raises:
            ValueError: ``account`` left out while several accounts have the tag.
        """
        found = [
            v for v in self.account_values(account)
            if v.tag == tag and v.currency == currency and v.model_code == model_code
        ]
        if len(found) > 1:
            accounts = sorted({v.account for v in found})
            raise ValueError(f"{tag} is known for several accounts {accounts}: name one")
        return found[0].value if found else None

    def pnl(self, account: str | None = None) -> list[PnL]:
        """The account P&L of tracked subscriptions (of ``account``, or of every account)."""
        found = self._read(lambda: list(self._pnl.values()))
        return found if account is None else [p for p in found if p.account == account]

    def pnl_single(self, account: str | None = None) -> list[PnLSingle]:
        """The position P&L of tracked subscriptions (of ``account``, or of every account)."""
        found = self._read(lambda: list(self._pnl_single.values()))
        return found if account is None else [p for p in found if p.account == account]

    def accounts(self) -> list[str]:
        """Every account seen in any message, sorted."""
        def keys() -> tuple[list[tuple[str, int]], list[tuple[str, str, int]], list[tuple[str, str, str, str]]]:
            return list(self._items), list(self._positions), list(self._values)

        items, positions, values = self._read(keys)
        seen = {key[0] for key in items} | {key[0] for key in positions}
        seen.update(key[0] for key in values)
        return sorted(a for a in seen if a)

    def is_downloaded(self, account: str) -> bool:
        """Whether the first full account update of ``account`` has arrived."""
        return account in self._downloaded

    # ------------------------------------------------------------------ writing

    def mark_downloaded(self, account: str) -> None:
        """Record that the first full update of ``account`` has arrived by another
        road than ``accountDownloadEnd`` (``accountUpdateMultiEnd``)."""
        self._downloaded.add(account)

    def mark_stale(self, account: str) -> None:
        """Record that the updates of ``account`` stopped: what is kept of it is the
        last known, and it is no longer downloaded until its next full update.

        That update ends the stale spell: the portfolio items of ``account`` it
        did not send again are dropped (a position closed meanwhile is not in
        it, and its zero update was missed)."""
        self._downloaded.discard(account)
        self._unconfirmed[account] = {key for key in self._items if key[0] == account}

    def track_pnl(self, req_id: int, account: str, model_code: str = "") -> None:
        """Route :class:`~ibwire.messages.Pnl` messages of ``req_id`` to ``account``."""
        self._pnl_keys[req_id] = (account, model_code)

    def track_pnl_single(self, req_id: int, account: str, model_code: str, con_id: int) -> None:
        """Route :class:`~ibwire.messages.PnlSingle` messages of ``req_id`` to that position."""
        self._pnl_single_keys[req_id] = (account, model_code, con_id)

    def untrack(self, req_id: int) -> None:
        """Stop routing ``req_id`` (the subscription was cancelled); its last P&L is dropped."""
        self._seq += 1
        key = self._pnl_keys.pop(req_id, None)
        if key is not None:
            self._pnl.pop(key, None)
        single = self._pnl_single_keys.pop(req_id, None)
        if single is not None:
            self._pnl_single.pop(single, None)
        self._seq += 1

    def clear(self) -> None:
        """Forget everything but the P&L routing (before a reconnect's fresh download)."""
        self._seq += 1
        self._items.clear()
        self._positions.clear()
        self._values.clear()
        self._pnl.clear()
        self._pnl_single.clear()
        self._downloaded.clear()
        self._unconfirmed.clear()
        self.positions_complete = False
        self._seq += 1

    def apply(self, message: object, now: float) -> bool:
        """Apply one account message.

        Args:
            message: one of the messages listed in the module docstring (others
                are ignored).
            now: when it arrived.

        Returns:
            Whether the state changed.
        """
        if type(message) is PortfolioValue:
            m = message
            position = m.position if m.position is not None else Decimal(0)
            key = (m.account_name, m.contract.con_id)
            unconfirmed = self._unconfirmed.get(m.account_name)
            if unconfirmed:
                unconfirmed.discard(key)
            self._seq += 1
            if position:
                self._items[key] = PortfolioItem(
                    m.contract, position, m.market_price, m.market_value, m.average_cost,
                    m.unrealized_pnl, m.realized_pnl, m.account_name, now,
                )
            else:
                self._items.pop(key, None)
            self._seq += 1
            return True
        if type(message) is AcctValue:
            return self._value(
                message.account_name, message.key, message.val, message.currency, "", now
            )
        if type(message) is AccountUpdateMulti:
            return self._value(
                message.account, message.key, message.value, message.currency,
                message.model_code, now,
            )
        if type(message) is PositionData:
            return self._position(
                message.account, message.contract, message.position, message.avg_cost, "", now
            )
        if type(message) is PositionMulti:
            return self._position(
                message.account, message.contract, message.pos, message.avg_cost,
                message.model_code, now,
            )
        if type(message) is PositionEnd:
            changed = not self.positions_complete
            self.positions_complete = True
            return changed
        if type(message) is Pnl:
            pnl_key = self._pnl_keys.get(message.req_id)
            if pnl_key is None:
                return False
            self._seq += 1
            self._pnl[pnl_key] = PnL(
                pnl_key[0], pnl_key[1], message.daily_pnl, message.unrealized_pnl,
                message.realized_pnl, now,
            )
            self._seq += 1
            return True
        if type(message) is PnlSingle:
            single_key = self._pnl_single_keys.get(message.req_id)
            if single_key is None:
                return False
            self._seq += 1
            self._pnl_single[single_key] = PnLSingle(
                single_key[0], single_key[1], single_key[2], message.pos, message.daily_pnl,
                message.unrealized_pnl, message.realized_pnl, message.value, now,
            )
            self._seq += 1
            return True
        if type(message) is AcctUpdateTime:
            self.update_time = message.time_stamp
            return True
        if type(message) is AcctDownloadEnd:
            gone = self._unconfirmed.pop(message.account_name, None)
            if gone:
                self._seq += 1
                for key in gone:
                    self._items.pop(key, None)
                self._seq += 1
            self._downloaded.add(message.account_name)
            return True
        return False

    def _value(
        self, account: str, tag: str, value: str, currency: str, model_code: str, now: float
    ) -> bool:
        self._seq += 1
        self._values[(account, tag, currency, model_code)] = AccountValue(
            account, tag, value, currency, model_code, now
        )
        self._seq += 1
        return True

    def _position(
        self,
        account: str,
        contract: Contract,
        position: Decimal | None,
        avg_cost: float,
        model_code: str,
        now: float,
    ) -> bool:
        key = (account, model_code, contract.con_id)
        self._seq += 1
        if position:
            self._positions[key] = Position(account, contract, position, avg_cost, model_code, now)
        else:
            self._positions.pop(key, None)
        self._seq += 1
        return True
