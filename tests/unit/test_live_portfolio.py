from __future__ import annotations

from decimal import Decimal

import pytest

from ibwire.live import AccountValue, PnL, PnLSingle, Portfolio, PortfolioItem, Position
from ibwire.messages import (
    AccountUpdateMulti,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    Contract,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
)

AAPL = Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="NASDAQ", currency="USD")
MSFT = Contract(con_id=272093, symbol="MSFT", sec_type="STK", exchange="NASDAQ", currency="USD")


def portfolio_value(contract: Contract, position: int, account: str = "U1") -> PortfolioValue:
    return PortfolioValue(contract=contract, position=Decimal(position), market_price=10.0,
                          market_value=10.0 * position, average_cost=9.0, unrealized_pnl=1.0,
                          realized_pnl=0.5, account_name=account)


def test_portfolio_items() -> None:
    book = Portfolio()
    assert book.apply(portfolio_value(AAPL, 10), 1.0)
    assert book.apply(portfolio_value(MSFT, -5), 2.0)
    assert book.portfolio() == [
        PortfolioItem(AAPL, Decimal(10), 10.0, 100.0, 9.0, 1.0, 0.5, "U1", 1.0),
        PortfolioItem(MSFT, Decimal(-5), 10.0, -50.0, 9.0, 1.0, 0.5, "U1", 2.0),
    ]
    book.apply(portfolio_value(AAPL, 12), 3.0)
    assert book.portfolio()[0].position == Decimal(12)
    book.apply(portfolio_value(AAPL, 0), 4.0)  # closed
    assert [item.contract for item in book.portfolio()] == [MSFT]


def test_several_accounts() -> None:
    book = Portfolio()
    book.apply(portfolio_value(AAPL, 10, "U1"), 1.0)
    book.apply(portfolio_value(AAPL, 3, "U2"), 1.0)
    assert [i.position for i in book.portfolio("U2")] == [Decimal(3)]
    assert len(book.portfolio()) == 2
    assert book.accounts() == ["U1", "U2"]


def test_account_values() -> None:
    book = Portfolio()
    book.apply(AcctValue(key="NetLiquidation", val="1000.5", currency="USD", account_name="U1"), 1.0)
    book.apply(AcctValue(key="NetLiquidation", val="1001.5", currency="USD", account_name="U1"), 2.0)
    book.apply(AcctValue(key="AccountType", val="INDIVIDUAL", currency="", account_name="U1"), 2.0)
    assert book.account_values() == [
        AccountValue("U1", "NetLiquidation", "1001.5", "USD", "", 2.0),
        AccountValue("U1", "AccountType", "INDIVIDUAL", "", "", 2.0),
    ]
    assert book.account_value("NetLiquidation", "USD") == "1001.5"
    assert book.account_value("AccountType") == "INDIVIDUAL"
    assert book.account_value("Missing", "USD") is None


def test_account_value_needs_the_account_when_several_have_it() -> None:
    book = Portfolio()
    for account in ("U1", "U2"):
        book.apply(AcctValue(key="NetLiquidation", val="1", currency="USD", account_name=account), 1.0)
    with pytest.raises(ValueError, match="several accounts"):
        book.account_value("NetLiquidation", "USD")
    assert book.account_value("NetLiquidation", "USD", account="U2") == "1"


def test_account_update_multi_keeps_the_model() -> None:
    book = Portfolio()
    book.apply(AccountUpdateMulti(req_id=3, account="U1", model_code="M", key="CashBalance",
                                  value="5", currency="USD"), 1.0)
    assert book.account_value("CashBalance", "USD", model_code="M") == "5"
    assert book.account_value("CashBalance", "USD") is None


def test_positions_and_end() -> None:
    book = Portfolio()
    assert not book.positions_complete
    book.apply(PositionData(account="U1", contract=AAPL, position=Decimal(10), avg_cost=9.5), 1.0)
    book.apply(PositionMulti(req_id=4, account="U1", model_code="M", contract=AAPL,
                             pos=Decimal(2), avg_cost=9.0), 1.0)
    assert book.apply(PositionEnd(), 2.0)
    assert not book.apply(PositionEnd(), 3.0)
    assert book.positions_complete
    assert book.positions() == [
        Position("U1", AAPL, Decimal(10), 9.5, "", 1.0),
        Position("U1", AAPL, Decimal(2), 9.0, "M", 1.0),
    ]
    book.apply(PositionData(account="U1", contract=AAPL, position=Decimal(0), avg_cost=0.0), 4.0)
    assert [p.model_code for p in book.positions("U1")] == ["M"]


def test_pnl_routed_by_tracked_request() -> None:
    book = Portfolio()
    assert not book.apply(Pnl(req_id=9, daily_pnl=1.0), 1.0)
    book.track_pnl(9, "U1")
    book.track_pnl_single(10, "U1", "", AAPL.con_id)
    assert book.apply(Pnl(req_id=9, daily_pnl=1.0, unrealized_pnl=2.0, realized_pnl=None), 2.0)
    assert book.apply(PnlSingle(req_id=10, pos=Decimal(10), daily_pnl=0.5, value=100.0), 2.0)
    assert book.pnl() == [PnL("U1", "", 1.0, 2.0, None, 2.0)]
    assert book.pnl_single("U1") == [
        PnLSingle("U1", "", AAPL.con_id, Decimal(10), 0.5, None, None, 100.0, 2.0)
    ]
    book.untrack(9)
    assert book.pnl() == []
    assert not book.apply(Pnl(req_id=9, daily_pnl=1.0), 3.0)


def test_update_time_and_download_end() -> None:
    book = Portfolio()
    book.apply(AcctUpdateTime(time_stamp="10:15"), 1.0)
    book.apply(AcctDownloadEnd(account_name="U1"), 1.0)
    assert book.update_time == "10:15"
    assert book.is_downloaded("U1")
    assert not book.is_downloaded("U2")


def test_clear_keeps_pnl_routing() -> None:
    book = Portfolio()
    book.track_pnl(9, "U1")
    book.apply(portfolio_value(AAPL, 1), 1.0)
    book.apply(PositionEnd(), 1.0)
    book.clear()
    assert book.portfolio() == []
    assert not book.positions_complete
    assert book.apply(Pnl(req_id=9, daily_pnl=1.0), 2.0)


def test_other_messages_ignored() -> None:
    assert not Portfolio().apply(AAPL, 1.0)


def test_readers_return_copies() -> None:
    book = Portfolio()
    book.apply(portfolio_value(AAPL, 1), 1.0)
    items = book.portfolio()
    book.apply(portfolio_value(MSFT, 1), 2.0)
    assert len(items) == 1


def test_items_not_sent_again_after_a_stale_spell_go_at_the_download_end() -> None:
    """A position closed while the updates were stopped is not in the next full update."""
    book = Portfolio()
    for message in (portfolio_value(AAPL, 10), portfolio_value(MSFT, 5),
                    portfolio_value(AAPL, 3, "U2"), AcctDownloadEnd(account_name="U1")):
        book.apply(message, 1.0)
    book.mark_stale("U1")
    assert len(book.portfolio("U1")) == 2  # the last known, meanwhile
    book.apply(portfolio_value(MSFT, 6), 2.0)
    assert len(book.portfolio("U1")) == 2
    book.apply(AcctDownloadEnd(account_name="U1"), 3.0)
    assert [(i.contract.symbol, i.position) for i in book.portfolio("U1")] == [("MSFT", Decimal(6))]
    assert [i.position for i in book.portfolio("U2")] == [Decimal(3)]
    # Only the first full update after the stale spell sweeps.
    book.apply(portfolio_value(AAPL, 1), 4.0)
    book.apply(AcctDownloadEnd(account_name="U1"), 5.0)
    assert len(book.portfolio("U1")) == 2
