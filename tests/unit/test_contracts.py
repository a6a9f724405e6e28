from __future__ import annotations

import numbers
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest

from ibwire.contracts import (
    CFD,
    Bag,
    Bond,
    ContFuture,
    Crypto,
    Forex,
    Future,
    FuturesOption,
    Index,
    Option,
    Stock,
    combo_leg,
    normalize_right,
    resolve_contract,
)
from ibwire.errors import AmbiguousContractError, ContractNotFoundError, IBWireError
from ibwire.messages import ComboLeg, Contract, ContractDetails

# ------------------------------------------------------------------ builders


def test_stock_defaults() -> None:
    assert Stock("aapl") == Contract(
        symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD"
    )


def test_stock_primary_exchange() -> None:
    contract = Stock("MSFT", "SMART", "USD", primary_exchange="nasdaq")
    assert contract.primary_exchange == "NASDAQ"


@pytest.mark.parametrize("bad", ["", "   "])
def test_stock_needs_a_symbol(bad: str) -> None:
    with pytest.raises(ValueError, match="symbol"):
        Stock(bad)


def test_stock_refuses_non_text() -> None:
    with pytest.raises(TypeError, match="symbol must be a str"):
        Stock(123)  # type: ignore[arg-type]


def test_future() -> None:
    contract = Future("ES", "202412", "CME", multiplier=50)
    assert (contract.sec_type, contract.symbol, contract.exchange) == ("FUT", "ES", "CME")
    assert contract.last_trade_date_or_contract_month == "202412"
    assert contract.multiplier == "50"
    assert contract.currency == "USD"


def test_future_by_local_symbol() -> None:
    contract = Future(local_symbol="ESZ4", exchange="CME")
    assert contract.local_symbol == "ESZ4"
    assert contract.symbol == ""


@pytest.mark.parametrize(
    "expiry", ["2024-12", "2412", "20241", "december", "202413", "202400", "20250231", "20251700"]
)
def test_future_expiry_format(expiry: str) -> None:
    with pytest.raises(ValueError, match="YYYYMM"):
        Future("ES", expiry, "CME")
    with pytest.raises(ValueError, match="YYYYMM"):
        Option("SPY", expiry, 450, "C")


def test_expiry_of_a_real_month_or_day() -> None:
    assert Future("ES", "202412", "CME").last_trade_date_or_contract_month == "202412"
    assert Option("SPY", "20240229", 450, "C").last_trade_date_or_contract_month == "20240229"


def test_future_needs_symbol_or_local_symbol() -> None:
    with pytest.raises(ValueError, match="symbol or a local_symbol"):
        Future(exchange="CME")


@pytest.mark.parametrize("bad", [0, -1, "x", "0"])
def test_multiplier_checked(bad: object) -> None:
    with pytest.raises(ValueError, match="multiplier"):
        Future("ES", "202412", "CME", multiplier=bad)  # type: ignore[arg-type]


def test_cont_future() -> None:
    assert ContFuture("ES", "CME").sec_type == "CONTFUT"


@pytest.mark.parametrize(
    ("written", "wire"), [("C", "C"), ("call", "C"), ("CALL", "C"), ("p", "P"), ("Put", "P")]
)
def test_option_right_normalised(written: str, wire: str) -> None:
    contract = Option("SPY", "20250117", 450, written)
    assert contract.right == wire
    assert contract.strike == 450.0
    assert contract.sec_type == "OPT"
    assert contract.multiplier == "100"
    assert contract.exchange == "SMART"


@pytest.mark.parametrize("bad", ["X", "CALLS", "1"])
def test_option_bad_right(bad: str) -> None:
    with pytest.raises(ValueError, match="right must be C, CALL, P or PUT"):
        Option("SPY", "20250117", 450, bad)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "abc"])
def test_option_bad_strike(bad: object) -> None:
    with pytest.raises(ValueError, match="strike"):
        Option("SPY", "20250117", bad, "C")  # type: ignore[arg-type]


def test_option_strike_refuses_bool() -> None:
    with pytest.raises(TypeError, match="strike"):
        Option("SPY", "20250117", True, "C")


def test_option_partial_description_for_chains() -> None:
    contract = Option("SPY", "202501")
    assert contract.strike is None
    assert contract.right == ""
    assert contract.last_trade_date_or_contract_month == "202501"


def test_option_trading_class_and_decimal_strike() -> None:
    contract = Option("SPX", "20250117", Decimal("5000.5"), "P", trading_class="SPXW")
    assert contract.strike == 5000.5
    assert contract.trading_class == "SPXW"


def test_futures_option() -> None:
    contract = FuturesOption("ES", "20241220", 5000, "C", "CME", multiplier="50")
    assert (contract.sec_type, contract.exchange, contract.multiplier) == ("FOP", "CME", "50")


@pytest.mark.parametrize("pair", ["EURUSD", "eurusd", "EUR.USD", "EUR/USD"])
def test_forex(pair: str) -> None:
    contract = Forex(pair)
    assert (contract.symbol, contract.currency) == ("EUR", "USD")
    assert (contract.exchange, contract.sec_type) == ("IDEALPRO", "CASH")


@pytest.mark.parametrize("pair", ["EURUS", "EURUSDX", "EUR1SD", "EUREUR", ""])
def test_forex_bad_pair(pair: str) -> None:
    with pytest.raises(ValueError, match="pair"):
        Forex(pair)


def test_index_crypto_cfd() -> None:
    assert Index("SPX", "CBOE") == Contract(
        symbol="SPX", sec_type="IND", exchange="CBOE", currency="USD"
    )
    assert Crypto("btc") == Contract(
        symbol="BTC", sec_type="CRYPTO", exchange="PAXOS", currency="USD"
    )
    assert CFD("IBUS500").sec_type == "CFD"


def test_bond() -> None:
    contract = Bond(sec_id_type="ISIN", sec_id="US912828Z784")
    assert (contract.sec_type, contract.sec_id_type, contract.sec_id) == (
        "BOND", "ISIN", "US912828Z784",
    )
    with pytest.raises(ValueError, match="go together"):
        Bond(sec_id="US912828Z784")
    with pytest.raises(ValueError, match="symbol or a sec_id"):
        Bond()


def test_bag() -> None:
    legs = [combo_leg(1001, 1, "buy"), combo_leg(1002, 1, "SELL", "CBOE")]
    contract = Bag("SPY", legs)
    assert contract.sec_type == "BAG"
    assert contract.combo_legs == (
        ComboLeg(con_id=1001, ratio=1, action="BUY", exchange="SMART"),
        ComboLeg(con_id=1002, ratio=1, action="SELL", exchange="CBOE"),
    )


def test_bag_needs_two_legs() -> None:
    with pytest.raises(ValueError, match="two legs"):
        Bag("SPY", [combo_leg(1001, 1, "BUY")])


def test_bag_refuses_other_legs() -> None:
    with pytest.raises(TypeError, match="ComboLeg"):
        Bag("SPY", [Stock("SPY"), Stock("QQQ")])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("con_id", "ratio", "action"), [(0, 1, "BUY"), (1, 0, "BUY"), (1, 1, "HOLD"), (True, 1, "BUY")]
)
def test_combo_leg_checked(con_id: int, ratio: int, action: str) -> None:
    with pytest.raises(ValueError):
        combo_leg(con_id, ratio, action)


@pytest.mark.parametrize(
    "build",
    [
        # ib_async's positional order after exchange: (multiplier, currency) for
        # options, (localSymbol, multiplier, currency) for futures.
        lambda: Option("SPY", "20250117", 450, "C", "SMART", "100"),
        lambda: FuturesOption("ES", "20241220", 5000, "C", "CME", "50"),
        lambda: Future("ES", "202412", "CME", "ESZ4"),
        lambda: ContFuture("ES", "CME", "ESZ4"),
        lambda: Stock("AAPL", "SMART", "US"),
        lambda: Crypto("BTC", "PAXOS", "U$D"),
    ],
)
def test_currency_is_a_three_letter_code(build: Callable[[], Contract]) -> None:
    with pytest.raises(ValueError, match="currency must be a three-letter code"):
        build()


def test_currency_normalised_or_left_unset() -> None:
    assert Stock("SAP", "IBIS", " eur ").currency == "EUR"
    assert Index("DAX", "EUREX", "").currency == ""
    assert Option("SPY", "20250117", 450, "C", "SMART", "USD", "100").multiplier == "100"


class Int64:
    """An integer type that is not an ``int`` subclass, as ``numpy.int64`` is not."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __le__(self, other: int) -> bool:
        return self.value <= other


numbers.Integral.register(Int64)


def test_numbers_of_other_types_are_taken_as_numbers() -> None:
    # What a strike, a con_id or a ratio read from a numpy array or a DataFrame is.
    assert Option("SPY", "20250117", Int64(450), "C").strike == 450.0  # type: ignore[arg-type]
    assert Option("SPY", "20250117", Fraction(901, 2), "C").strike == 450.5  # type: ignore[arg-type]
    leg = combo_leg(Int64(5), Int64(2), "buy")  # type: ignore[arg-type]
    assert (leg.con_id, leg.ratio) == (5, 2) and type(leg.con_id) is int is type(leg.ratio)
    assert Future("ES", "202412", "CME", multiplier=Int64(50)).multiplier == "50"  # type: ignore[arg-type]


def test_normalize_right_unset() -> None:
    assert normalize_right("") == ""
    assert normalize_right(None) == ""


# ------------------------------------------------------------------ resolve_contract


def _details(**fields: object) -> ContractDetails:
    return ContractDetails(contract=Contract(**fields))  # type: ignore[arg-type]


AAPL = dict(
    con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", primary_exchange="NASDAQ",
    currency="USD", local_symbol="AAPL", trading_class="NMS",
)


def test_none_found() -> None:
    requested = Stock("NOPE")
    with pytest.raises(ContractNotFoundError) as caught:
        resolve_contract(requested, [])
    assert caught.value.contract is requested
    assert "STK NOPE SMART USD" in str(caught.value)
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, IBWireError)


def test_one_found() -> None:
    found = resolve_contract(Stock("AAPL"), [_details(**AAPL)])
    assert found == Contract(**AAPL)  # type: ignore[arg-type]


def test_same_con_id_on_several_exchanges_is_one_contract() -> None:
    details = [_details(**{**AAPL, "exchange": exchange}) for exchange in ("SMART", "ISLAND")]
    assert resolve_contract(Stock("AAPL"), details).con_id == 265598


def test_exact_match_preferred() -> None:
    # Requested on NASDAQ; TWS also offers a same-symbol listing elsewhere.
    other = {**AAPL, "con_id": 38708077, "primary_exchange": "MEXI", "currency": "MXN"}
    requested = Stock("AAPL", primary_exchange="NASDAQ")
    found = resolve_contract(requested, [_details(**other), _details(**AAPL)])
    assert found.con_id == 265598


def test_ambiguous_carries_candidates() -> None:
    es_mini = dict(con_id=1, symbol="ES", sec_type="FUT", exchange="CME", currency="USD",
                   last_trade_date_or_contract_month="20241220", multiplier="50")
    es_micro = {**es_mini, "con_id": 2, "multiplier": "5", "trading_class": "MES"}
    requested = Future("ES", "202412", "CME")
    with pytest.raises(AmbiguousContractError) as caught:
        resolve_contract(requested, [_details(**es_mini), _details(**es_micro)])
    assert [c.contract.con_id for c in caught.value.candidates] == [1, 2]
    assert caught.value.contract is requested
    assert "2 contracts match" in str(caught.value)


def test_multiplier_picks_one() -> None:
    es_mini = dict(con_id=1, symbol="ES", sec_type="FUT", exchange="CME", currency="USD",
                   last_trade_date_or_contract_month="20241220", multiplier="50")
    es_micro = {**es_mini, "con_id": 2, "multiplier": "5"}
    requested = Future("ES", "202412", "CME", multiplier="50.0")
    assert resolve_contract(requested, [_details(**es_micro), _details(**es_mini)]).con_id == 1


def test_several_exact_matches_are_ambiguous_with_only_those() -> None:
    base = dict(symbol="SPY", sec_type="OPT", exchange="SMART", currency="USD",
                last_trade_date_or_contract_month="20250117", right="C", multiplier="100")
    candidates = [
        _details(con_id=1, strike=450.0, **base),
        _details(con_id=2, strike=455.0, **base),
        _details(con_id=3, strike=450.0, **{**base, "right": "P"}),
    ]
    with pytest.raises(AmbiguousContractError) as caught:
        resolve_contract(Option("SPY", "20250117", right="C"), candidates)
    assert [c.contract.con_id for c in caught.value.candidates] == [1, 2]


def test_no_exact_match_lists_every_candidate() -> None:
    candidates = [_details(con_id=1, symbol="X", sec_type="STK", currency="EUR"),
                  _details(con_id=2, symbol="X", sec_type="STK", currency="GBP")]
    with pytest.raises(AmbiguousContractError) as caught:
        resolve_contract(Stock("X"), candidates)
    assert len(caught.value.candidates) == 2


def test_contfut_matches_fut() -> None:
    front = dict(con_id=7, symbol="ES", sec_type="FUT", exchange="CME", currency="USD",
                 last_trade_date_or_contract_month="20241220", multiplier="50")
    other = {**front, "con_id": 8, "symbol": "ESX"}
    assert resolve_contract(ContFuture("ES", "CME"), [_details(**other), _details(**front)]).con_id == 7


def test_requested_exchange_kept_when_tws_leaves_it_empty() -> None:
    found = resolve_contract(Forex("EURUSD"), [_details(con_id=12087792, symbol="EUR",
                                                        sec_type="CASH", currency="USD")])
    assert found.exchange == "IDEALPRO"
    assert found.con_id == 12087792


def test_many_candidates_message_is_bounded() -> None:
    candidates = [_details(con_id=i, symbol="X", sec_type="STK", currency=f"C{i}") for i in range(1, 9)]
    with pytest.raises(AmbiguousContractError, match="and 3 more"):
        resolve_contract(Stock("X", currency=""), candidates)
