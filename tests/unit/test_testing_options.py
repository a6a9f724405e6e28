"""The simulator's option model (``ibwire.testing._options``) and its option ticks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ibwire.messages import (
    Contract,
    ErrMsg,
    ReqCalcImpliedVolat,
    ReqCalcOptionPrice,
    ReqMktData,
    TickGeneric,
    TickOptionComputation,
    TickSize,
)
from ibwire.testing import SimulatorCore
from ibwire.testing._options import MODEL_VOL, black_scholes, implied_volatility, option_price
from ibwire.testing.memory import InMemoryClient, InMemoryGateway

T0 = 1_710_168_000.0


def test_black_scholes_known_values_and_put_call_parity() -> None:
    call = black_scholes(100.0, 100.0, 1.0, 0.2, "C", rate=0.05)
    put = black_scholes(100.0, 100.0, 1.0, 0.2, "P", rate=0.05)
    assert call.price == pytest.approx(10.4506, abs=1e-4)  # the textbook value
    assert put.price == pytest.approx(5.5735, abs=1e-4)
    assert call.price - put.price == pytest.approx(100.0 - 100.0 * 2.718281828 ** -0.05, abs=1e-6)
    assert call.delta == pytest.approx(0.6368, abs=1e-4) and put.delta == pytest.approx(call.delta - 1)
    assert call.gamma == pytest.approx(put.gamma) and call.vega == pytest.approx(0.3752, abs=1e-4)
    assert call.theta < 0


@given(st.floats(50, 300), st.floats(50, 300), st.floats(0.01, 2.0), st.floats(0.05, 1.5), st.sampled_from("CP"))
def test_implied_volatility_inverts_the_price(spot: float, strike: float, years: float, vol: float, right: str) -> None:
    price = option_price(spot, strike, years, right, vol)
    if black_scholes(spot, strike, years, vol, right).vega < 1e-4:
        return  # too flat for any solver to tell volatilities apart
    found = implied_volatility(price, spot, strike, years, right)
    assert found is not None and found == pytest.approx(vol, abs=1e-4)


def connect(server_version: int) -> tuple[InMemoryGateway, SimulatorCore, InMemoryClient]:
    core = SimulatorCore(server_version=server_version, seed=4)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    return gateway, core, client


def test_option_quotes_carry_bid_ask_last_and_model_greeks(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    calls = [i for i in core.universe.instruments if i.sec_type == "OPT" and i.contract.right == "C"]
    puts = [i for i in core.universe.instruments if i.sec_type == "OPT" and i.contract.right == "P"]
    client.send(ReqMktData(req_id=1, contract=Contract(con_id=calls[5].con_id, exchange="SMART")),
                ReqMktData(req_id=2, contract=Contract(con_id=puts[5].con_id, exchange="SMART")))
    gateway.advance(3.0)
    events = [e for e in client.take() if isinstance(e, TickOptionComputation)]
    assert {e.tick_type for e in events if e.req_id == 1} == {10, 11, 12, 13}
    model = [e for e in events if e.tick_type == 13]
    assert model and all(e.implied_vol == MODEL_VOL for e in model)
    for e in events:
        assert e.delta is not None and e.und_price is not None and e.und_price > 0
        assert (0 < e.delta < 1) if e.req_id == 1 else (-1 < e.delta < 0)
        assert e.gamma is not None and e.gamma > 0 and e.vega is not None and e.vega > 0
    # The model price is the quote's mid: the chain and the underlying agree.
    underlying = core.universe.underlying(calls[5])
    assert underlying is not None and model[-1].und_price == pytest.approx(core.walks.mid(underlying, gateway.now))
    assert core.send_failures == []


def test_calculations_are_answered_with_tick_53(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    option = next(i for i in core.universe.instruments if i.sec_type == "OPT" and i.contract.right == "C")
    contract = Contract(con_id=option.con_id, exchange="SMART")
    client.send(ReqCalcOptionPrice(req_id=7, contract=contract, volatility=0.3, under_price=190.0))
    (priced,) = [e for e in client.take() if isinstance(e, TickOptionComputation)]
    assert (priced.req_id, priced.tick_type, priced.implied_vol, priced.und_price) == (7, 53, 0.3, 190.0)
    assert priced.opt_price is not None and priced.opt_price > 0 and priced.delta is not None and 0 < priced.delta < 1
    client.send(ReqCalcImpliedVolat(req_id=8, contract=contract, option_price=priced.opt_price, under_price=190.0))
    (solved,) = [e for e in client.take() if isinstance(e, TickOptionComputation)]
    assert solved.tick_type == 53 and solved.implied_vol == pytest.approx(0.3, abs=1e-5)
    client.send(ReqCalcImpliedVolat(req_id=9, contract=Contract(symbol="AAPL", sec_type="STK", exchange="SMART"),
                                    option_price=1.0, under_price=190.0))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]


def test_a_stock_quote_carries_option_statistics_on_request(server_version: int) -> None:
    gateway, core, client = connect(server_version)
    client.send(ReqMktData(req_id=3, contract=Contract(symbol="AAPL", sec_type="STK", exchange="SMART"),
                           generic_tick_list="100,101,104,106"))
    events = client.take()
    generic = {e.tick_type: e.value for e in events if isinstance(e, TickGeneric)}
    assert generic == {23: 0.25, 24: MODEL_VOL}
    sizes = {e.tick_type for e in events if isinstance(e, TickSize)}
    assert {27, 28, 29, 30} <= sizes
