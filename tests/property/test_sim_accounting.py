"""Property tests of the simulator's accounting: random order flows, IB's identities at every step."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.messages import Contract, Order, PlaceOrder
from ibwire.testing import SimulatorCore
from ibwire.testing._accounts import Account, book_fill, commission_of
from ibwire.testing._universe import Universe
from ibwire.testing.memory import InMemoryGateway

T0 = 1_710_168_000.0  # Monday 2024-03-11 14:40 UTC, US equities open
ACCOUNT = "DU0000001"
EXPIRY = 1_710_532_800.0  # Friday 15 March 2024, 16:00 New York
CONTRACTS = (
    Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD"),
    Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD"),
    Contract(symbol="ES", sec_type="FUT", exchange="CME", currency="USD", last_trade_date_or_contract_month="202406"),
    Contract(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD"),
    Contract(con_id=700000010, exchange="SMART"),  # an AAPL option
    Contract(con_id=710000005, exchange="SMART"),  # an SPXW call, 4900, expiring on Friday
)
LOTS = (Decimal(100), Decimal(100), Decimal(1), Decimal(10000), Decimal(1), Decimal(1))

steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.floats(min_value=0.25, max_value=3600.0)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("order"), st.integers(0, len(CONTRACTS) - 1), st.sampled_from(["BUY", "SELL"]),
                  st.integers(1, 30)),
    ),
    min_size=1,
    max_size=25,
)


def totals(core: SimulatorCore) -> tuple[float, float, float]:
    values = core.broker.values(ACCOUNT)
    return values["NetLiquidation"], values["RealizedPnL"], values["UnrealizedPnL"]


@settings(max_examples=60, deadline=None)
@given(steps)
def test_net_liquidation_moves_by_realized_plus_unrealized(flow: list[tuple[object, ...]]) -> None:
    core = SimulatorCore(seed=3)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    before = totals(core)
    next_id = 1
    for step in flow:
        if step[0] == "wait":
            gateway.advance(float(step[1]))  # type: ignore[arg-type]
        elif step[0] == "expire":
            # Past the SPXW expiry: its positions settle in cash (the options are then gone).
            gateway.advance(max(EXPIRY + 60.0 - gateway.now, 0.25))
        else:
            _, index, action, lots = step
            assert isinstance(index, int) and isinstance(lots, int) and isinstance(action, str)
            order = Order(action=action, total_quantity=LOTS[index] * lots, order_type="MKT")
            client.send(PlaceOrder(order_id=next_id, contract=CONTRACTS[index], order=order))
            next_id += 1
            gateway.advance(30.0)  # let market orders finish filling
        after = totals(core)
        assert abs((after[0] - before[0]) - ((after[1] - before[1]) + (after[2] - before[2]))) < 0.005
        values = core.broker.values(ACCOUNT)
        assert abs(values["AvailableFunds"] - (values["EquityWithLoanValue"] - values["InitMarginReq"])) < 0.005
        assert abs(values["ExcessLiquidity"] - (values["EquityWithLoanValue"] - values["MaintMarginReq"])) < 0.005
        before = after
    client.close()


prices = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("1000.00"), places=2)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([265598, 272093, 756733, 700000010]), st.integers(1, 5000), prices, prices,
       st.booleans(), st.integers(1, 5))
def test_a_round_trip_realizes_gross_minus_both_commissions(
    con_id: int, quantity: int, entry: Decimal, exit_: Decimal, long: bool, pieces: int,
) -> None:
    instrument = Universe(__import__("datetime").date(2024, 3, 11)).by_con_id[con_id]
    account = Account()
    size = Decimal(quantity)
    sign = 1 if long else -1
    opening = commission_of(instrument, size, float(entry))
    book_fill(account, instrument, size * sign, float(entry), opening)
    # Close in a few pieces: the realized P&L adds up the same.
    closing = 0.0
    left = size
    realized = 0.0
    for n in range(pieces):
        part = left if n == pieces - 1 else max(left // 2, Decimal(0))
        if part == 0:
            continue
        fee = commission_of(instrument, part, float(exit_))
        closing += fee
        result = book_fill(account, instrument, -part * sign, float(exit_), fee)
        assert result is not None
        realized += result
        left -= part
    gross = float((exit_ - entry) * size * sign) * instrument.multiplier
    assert abs(realized - (gross - opening - closing)) < 0.005
    assert abs(account.realized - realized) < 1e-6
    assert abs(account.cash - (1_000_000 + realized)) < 0.005
