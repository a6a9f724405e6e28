"""The simulator's account requests: account updates, positions, summaries, P&L."""

from __future__ import annotations

import time
from typing import Any, Final

from ..messages import (
    AccountSummary,
    AccountSummaryEnd,
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
    PositionMultiEnd,
)
from ._broker import Position, finite
from ._sim_base import CoreBase, _Client

__all__ = ["AccountHandlers"]

_SUMMARY_TAGS: Final = (
    "AccountType", "NetLiquidation", "TotalCashValue", "SettledCash", "AccruedCash",
    "BuyingPower", "EquityWithLoanValue", "PreviousDayEquityWithLoanValue",
    "GrossPositionValue", "RegTEquity", "RegTMargin", "SMA", "InitMarginReq",
    "MaintMarginReq", "AvailableFunds", "ExcessLiquidity", "Cushion", "FullInitMarginReq",
    "FullMaintMarginReq", "FullAvailableFunds", "FullExcessLiquidity", "LookAheadNextChange",
    "LookAheadInitMarginReq", "LookAheadMaintMarginReq", "LookAheadAvailableFunds",
    "LookAheadExcessLiquidity", "HighestSeverity", "DayTradesRemaining", "Leverage",
)
_ACCOUNT_KEYS: Final = (
    "NetLiquidation", "TotalCashValue", "SettledCash", "BuyingPower", "EquityWithLoanValue",
    "GrossPositionValue", "InitMarginReq", "MaintMarginReq", "AvailableFunds",
    "ExcessLiquidity", "Cushion",
)


def _avg_cost(position: Position) -> float:
    """A position's average cost as reported: the same number in ``position``,
    ``positionMulti`` and ``updatePortfolio`` (to 6 decimals, without float noise)."""
    return round(position.avg_cost, 6)


#: Seconds between two refreshes of the account values, portfolio and summaries
#: as prices move (TWS sends them about every three minutes).
ACCOUNT_REFRESH: Final = 180.0


class AccountHandlers(CoreBase):
    """The simulator's account requests: account updates, positions, summaries, P&L."""

    # ------------------------------------------------------------ account

    def _watch_accounts(self, now: float) -> None:
        """A client subscribed to account values: start the periodic refresh."""
        if self._accounts_due is None:
            self._accounts_due = now + ACCOUNT_REFRESH

    def _refresh_accounts(self, now: float) -> None:
        """Re-send account values, portfolio and summaries at their current marks
        (every ``ACCOUNT_REFRESH`` seconds while a client subscribes; only when a
        position is open, since otherwise nothing moved)."""
        clients = [c for c in self._clients.values() if c.ready and not c.closed]
        watched = [c for c in clients if c.account_updates or c.summaries or c.account_multi]
        self._accounts_due = now + ACCOUNT_REFRESH if watched else None
        if not any(p.quantity for a in self.accounts for p in self.broker.positions(a)):
            return
        for client in watched:
            if client.account_updates:
                self._account_values(client, client.account_updates, download=False)
            for req_id, tags in client.summaries.items():
                self._summary(client, req_id, tags, end=False)
            for req_id, account in client.account_multi.items():
                self._account_multi(client, req_id, account)

    def _after_change(self) -> None:
        """Positions or cash changed: tell every subscriber."""
        for client in self._clients.values():
            if not client.ready:
                continue
            if client.account_updates:
                self._account_values(client, client.account_updates, download=False)
            if client.positions:
                for account in self.accounts:
                    for position in self.broker.positions(account):
                        self._position(client, account, position)
            for req_id, tags in client.summaries.items():
                self._summary(client, req_id, tags, end=False)
            for req_id, account in client.account_multi.items():
                self._account_multi(client, req_id, account)
            for req_id, account in client.positions_multi.items():
                self._positions_multi(client, req_id, account, end=False)
            self._send_pnl(client)

    def _account_rows(self, account: str) -> list[tuple[str, str, str]]:
        """(key, value, currency) of the account values TWS streams."""
        values = self.broker.values(account)
        rows: list[tuple[str, str, str]] = []
        for key in _ACCOUNT_KEYS:
            value = finite(values[key])
            rows.append((key, f"{value:.6f}", "") if key == "Cushion" else (key, f"{value:.2f}", "USD"))
        for key, amount, currency in self.broker.currency_rows(account):
            rows.append((key, f"{finite(amount):.6f}" if key == "ExchangeRate" else f"{finite(amount):.2f}", currency))
        return rows

    def _account_multi(self, client: _Client, req_id: int, account: str) -> None:
        for key, value, currency in self._account_rows(account):
            self._send(client, AccountUpdateMulti(
                req_id=req_id, account=account, model_code="", key=key, value=value, currency=currency,
            ))

    def _on_ReqAccountUpdatesMulti(self, client: _Client, message: Any, now: float) -> None:
        account = message.account or self.accounts[0]
        if account not in self.accounts:
            self._validation(client, message.req_id, "bB", f"Unknown account: {account}")
            return
        client.account_multi[message.req_id] = account
        self._watch_accounts(now)
        self._send(client, AccountUpdateMulti(
            req_id=message.req_id, account=account, model_code="", key="AccountCode", value=account, currency="",
        ))
        self._account_multi(client, message.req_id, account)
        self._send(client, AccountUpdateMultiEnd(req_id=message.req_id))

    def _on_CancelAccountUpdatesMulti(self, client: _Client, message: Any, now: float) -> None:
        client.account_multi.pop(message.req_id, None)

    def _positions_multi(self, client: _Client, req_id: int, account: str, *, end: bool) -> None:
        accounts = self.accounts if account in ("", "All") else (account,)
        for name in accounts:
            for position in self.broker.positions(name):
                self._send(client, PositionMulti(
                    req_id=req_id, account=name, model_code="", contract=position.instrument.contract,
                    pos=position.quantity, avg_cost=_avg_cost(position),
                ))
        if end:
            self._send(client, PositionMultiEnd(req_id=req_id))

    def _on_ReqPositionsMulti(self, client: _Client, message: Any, now: float) -> None:
        account = message.account
        if account not in ("", "All", *self.accounts):
            self._validation(client, message.req_id, "bB", f"Unknown account: {account}")
            return
        client.positions_multi[message.req_id] = account
        self._positions_multi(client, message.req_id, account, end=True)

    def _on_CancelPositionsMulti(self, client: _Client, message: Any, now: float) -> None:
        client.positions_multi.pop(message.req_id, None)

    def _position(self, client: _Client, account: str, position: Position) -> None:
        self._send(client, PositionData(
            account=account, contract=position.instrument.contract, position=position.quantity,
            avg_cost=_avg_cost(position),
        ))

    def _on_ReqPositions(self, client: _Client, message: Any, now: float) -> None:
        client.positions = True
        for account in self.accounts:
            for position in self.broker.positions(account):
                self._position(client, account, position)
        self._send(client, PositionEnd())

    def _on_CancelPositions(self, client: _Client, message: Any, now: float) -> None:
        client.positions = False

    def _summary_value(self, account: str, tag: str) -> tuple[str, str] | None:
        if tag == "AccountType":
            return "INDIVIDUAL", ""
        if tag in ("LookAheadNextChange", "HighestSeverity"):
            return "0", ""
        if tag == "DayTradesRemaining":
            return "-1", ""
        values = self.broker.values(account)
        if tag not in values:
            return None
        value = finite(values[tag])
        if tag in ("Cushion", "Leverage"):
            return f"{value:.6f}", ""
        return f"{value:.2f}", "USD"

    def _ledger(self, account: str, tag: str) -> list[tuple[str, str, str]]:
        """The rows of a ``$LEDGER`` tag: ``$LEDGER`` the base currency (``BASE``),
        ``$LEDGER:ALL`` every currency held and ``BASE``, ``$LEDGER:EUR`` one currency."""
        _, _, which = tag.upper().partition(":")
        rows = []
        for key, amount, currency in self.broker.currency_rows(account):
            if (which == "ALL") or (which == "" and currency == "BASE") or which == currency:
                rows.append((key, f"{finite(amount):.6f}" if key == "ExchangeRate" else f"{finite(amount):.2f}", currency))
        return rows

    def _summary(self, client: _Client, req_id: int, tags: tuple[str, ...], *, end: bool) -> None:
        for account in self.accounts:
            for tag in tags:
                if tag.upper().startswith("$LEDGER"):
                    for key, value, currency in self._ledger(account, tag):
                        self._send(client, AccountSummary(req_id=req_id, account=account, tag=key, value=value, currency=currency))
                    continue
                found = self._summary_value(account, tag)
                if found is not None:
                    self._send(client, AccountSummary(req_id=req_id, account=account, tag=tag, value=found[0], currency=found[1]))
        if end:
            self._send(client, AccountSummaryEnd(req_id=req_id))

    def _on_ReqAccountSummary(self, client: _Client, message: Any, now: float) -> None:
        tags = tuple(
            t.strip() for t in message.tags.split(",")
            if t.strip() and (not t.strip().startswith("$") or t.strip().upper().startswith("$LEDGER"))
        )
        client.summaries[message.req_id] = tags
        self._watch_accounts(now)
        self._summary(client, message.req_id, tags, end=True)

    def _on_CancelAccountSummary(self, client: _Client, message: Any, now: float) -> None:
        client.summaries.pop(message.req_id, None)

    def _account_values(self, client: _Client, account: str, *, download: bool) -> None:
        if download:
            self._send(client, AcctValue(key="AccountCode", val=account, currency="", account_name=account))
            self._send(client, AcctValue(key="AccountType", val="INDIVIDUAL", currency="", account_name=account))
        for key, text, currency in self._account_rows(account):
            self._send(client, AcctValue(key=key, val=text, currency=currency, account_name=account))
        for position in self.broker.positions(account):
            self._send(client, PortfolioValue(
                contract=position.instrument.contract, position=position.quantity,
                market_price=round(finite(self.walks.mid(position.instrument, self._now)), 6),
                market_value=round(finite(self.broker.market_value(position)), 2),
                average_cost=_avg_cost(position),
                unrealized_pnl=round(finite(self.broker.unrealized(position)), 2),
                realized_pnl=round(position.realized, 2),
                account_name=account,
            ))
        self._send(client, AcctUpdateTime(time_stamp=time.strftime("%H:%M", time.gmtime(self._now))))
        if download:
            self._send(client, AcctDownloadEnd(account_name=account))

    def _on_ReqAcctData(self, client: _Client, message: Any, now: float) -> None:
        account = message.acct_code or self.accounts[0]
        if account not in self.accounts:
            self._validation(client, -1, "bB", f"Unknown account: {account}")
            return
        if not message.subscribe:
            client.account_updates = None
            return
        client.account_updates = account
        self._account_values(client, account, download=True)
        self._watch_accounts(now)

    def _has_pnl(self) -> bool:
        return any(c.pnl or c.pnl_single for c in self._clients.values())

    def _send_pnl(self, client: _Client, only: int | None = None) -> None:
        broker = self.broker
        for req_id, account in client.pnl.items():
            if only is not None and req_id != only:
                continue
            values = broker.values(account)
            unrealized, realized = finite(values["UnrealizedPnL"]), finite(values["RealizedPnL"])
            daily = finite(sum(broker.daily(position, self._now) for position in broker.positions(account)))
            self._send(client, Pnl(req_id=req_id, daily_pnl=round(daily, 2),
                                   unrealized_pnl=round(unrealized, 2), realized_pnl=round(realized, 2)))
        for req_id, (account, con_id) in client.pnl_single.items():
            if only is not None and req_id != only:
                continue
            position = next((p for p in broker.positions(account) if p.instrument.con_id == con_id), None)
            if position is None:
                continue
            unrealized = finite(broker.unrealized(position))
            self._send(client, PnlSingle(
                req_id=req_id, pos=position.quantity, daily_pnl=round(finite(broker.daily(position, self._now)), 2),
                unrealized_pnl=round(unrealized, 2), realized_pnl=round(position.realized, 2),
                value=round(finite(broker.market_value(position)), 2),
            ))

    def _on_ReqPnl(self, client: _Client, message: Any, now: float) -> None:
        client.pnl[message.req_id] = message.account or self.accounts[0]
        self._send_pnl(client, message.req_id)
        self._pnl_due = self._pnl_due or now + 1.0

    def _on_CancelPnl(self, client: _Client, message: Any, now: float) -> None:
        client.pnl.pop(message.req_id, None)

    def _on_ReqPnlSingle(self, client: _Client, message: Any, now: float) -> None:
        client.pnl_single[message.req_id] = (message.account or self.accounts[0], int(message.con_id))
        self._send_pnl(client, message.req_id)
        self._pnl_due = self._pnl_due or now + 1.0

    def _on_CancelPnlSingle(self, client: _Client, message: Any, now: float) -> None:
        client.pnl_single.pop(message.req_id, None)

