"""The simulator core and its front ends: gateway rules, contracts, faults, determinism, sockets.

Market data and history, orders, and account requests have their own files,
mirroring the handler modules (``test_testing_sim_market.py`` and the others).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import pytest

from ibwire.contracts import ContFuture, Future, resolve_contract
from ibwire.errors import AmbiguousContractError
from ibwire.events import ConnectAck, ConnectionClosed
from ibwire.ids import OutgoingId
from ibwire.messages import (
    Contract,
    ContractData,
    ContractDataEnd,
    ContractDetails,
    CurrentTime,
    ErrMsg,
    HistoricalData,
    ManagedAccts,
    MarketRule,
    Message,
    NewsProviders,
    NextValidId,
    PlaceOrder,
    ReqContractData,
    ReqCurrentTime,
    ReqIds,
    ReqManagedAccts,
    ReqMarketRule,
    ReqMktData,
    ReqMktDepth,
    ReqNewsProviders,
    ReqScannerParameters,
    ReqSecDefOptParams,
    ReqUserInfo,
    ScannerParameters,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    TickPrice,
    UserInfo,
)
from ibwire.pacing import Pacer, PacingConfig
from ibwire.protocol import ClientProtocol
from ibwire.testing import (
    DropClients,
    NightlyReset,
    SimulatedGateway,
    SimulatorCore,
    SystemNotice,
    WireClient,
)
from ibwire.testing.memory import InMemoryClient, InMemoryGateway
from tests.simkit import AAPL, ES, EURUSD, MSFT, T0, TIMEOUT, errors, history, of, order, ready, sim

# ------------------------------------------------------------------ connection rules


def test_connect_sequence(server_version: int) -> None:
    gateway = sim(server_version=server_version, accounts=("DU1111111", "DU2222222"))
    client = gateway.connect(3)
    events = client.take()
    assert events[0] == ConnectAck(server_version=server_version, connection_time="20240311 14:40:00 GMT")
    assert events[1] == ManagedAccts(accounts_list="DU1111111,DU2222222")
    assert events[2] == NextValidId(order_id=1)
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(-1, 2104), (-1, 2106), (-1, 2158)]
    assert errors(events)[0].error_time == int(T0 * 1000)
    old = gateway.connect(4, max_version=176)
    assert old.events[0] == ConnectAck(server_version=176, connection_time="20240311 14:40:00 GMT")
    assert errors(old.events)[0].error_time is None  # no error time before 194
    assert gateway.core.client_ids() == [3, 4]  # type: ignore[attr-defined]


def test_a_client_asking_226_gets_226_by_default() -> None:
    # The official client (ibapi 10.51) asks for v100..226; the simulator answers at its maximum,
    # with the connect sequence in its protobuf forms, as a real Gateway does.
    gateway = sim()
    client = gateway.connect(5, max_version=226)
    events = client.take()
    assert events[0] == ConnectAck(server_version=226, connection_time="20240311 14:40:00 GMT")
    assert events[1:3] == [ManagedAccts(accounts_list="DU0000001"), NextValidId(order_id=1)]
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(-1, 2104), (-1, 2106), (-1, 2158)]
    assert sim(server_version=200).connect(6, max_version=226).events[0].server_version == 200  # type: ignore[attr-defined]


def test_no_common_version_closes() -> None:
    gateway = sim(server_version=150)
    client = gateway.connect(1, min_version=160)
    assert client.closed and not any(isinstance(e, ConnectAck) for e in client.events)


def test_rate_limit_error_100_then_disconnect(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(*[ReqCurrentTime()] * 60)
    events = client.take()
    assert len(of(events, CurrentTime)) == 50
    (error,) = errors(events)
    assert (error.req_id, error.error_code) == (-1, 100)
    assert error.error_string == "Max rate of messages per second has been exceeded:max=50 rec=51 (1)"
    assert events.index(error) == 50 and isinstance(events[-1], ConnectionClosed)
    assert client.closed


def test_rate_limit_is_a_sliding_second(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(*[ReqCurrentTime()] * 50)
    gateway.advance(1.0)
    client.send(*[ReqCurrentTime()] * 50)
    assert not client.closed and len(of(client.events, CurrentTime)) == 100


def window_pacer(gateway: InMemoryGateway) -> InMemoryClient:
    """The pacer before the token bucket: 45 at once, 45 more a second later.

    startApi was not counted, so it and the first burst share a second.
    """
    client = gateway.connect(1)
    client.send(*[ReqCurrentTime()] * 45)
    gateway.advance(1.0)
    client.send(*[ReqCurrentTime()] * 45)
    gateway.advance(0.5)
    return client


def test_arrival_jitter_catches_the_window_pacer(server_version: int) -> None:
    # Counted on arrival, the window pacer's two bursts fall in two seconds ...
    exact = window_pacer(sim(server_version=server_version))
    assert not exact.closed and len(of(exact.events, CurrentTime)) == 90
    # ... but a gateway that reads the first burst a few milliseconds late sees
    # more than 50 in one second: error 100, then the connection is closed.
    for seed in range(5):
        late = window_pacer(InMemoryGateway(SimulatorCore(server_version=server_version, seed=seed, arrival_jitter=0.1), now=T0))
        assert late.closed and len(errors(late.events, 100)) == 1


def test_arrival_jitter_is_survived_by_the_token_bucket(server_version: int) -> None:
    for seed in range(5):
        gateway = InMemoryGateway(SimulatorCore(server_version=server_version, seed=seed, arrival_jitter=0.1), now=T0)
        pacer: Pacer[Message] = Pacer(PacingConfig())
        client = gateway.connect(1)
        pacer.on_connect(gateway.now, server_version=200)
        for _ in range(300):
            pacer.submit(ReqCurrentTime(), gateway.now)
        while pacer.queued:
            client.send(*pacer.poll(gateway.now))
            deadline = pacer.next_deadline()
            if deadline is not None:
                gateway.advance(max(deadline - gateway.now, 0.0))
        gateway.advance(0.5)
        assert not client.closed and errors(client.events, 100) == []
        assert len(of(client.events, CurrentTime)) == 300


def test_arrival_jitter_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="arrival_jitter"):
        SimulatorCore(arrival_jitter=-0.1)


def test_paceapi_queues_instead_of_disconnecting(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway, connect_options="+PACEAPI")
    client.send(*[ReqCurrentTime()] * 60)
    assert len(of(client.take(), CurrentTime)) == 50
    gateway.advance(1.0)
    assert len(of(client.take(), CurrentTime)) == 10
    assert not client.closed and errors(client.events, 100) == []


def test_client_id_in_use(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    first = ready(gateway, 5)
    second = gateway.connect(5)
    assert [(e.req_id, e.error_code) for e in errors(second.events)] == [(-1, 326)]
    assert "client id is already in use" in errors(second.events)[0].error_string
    assert second.closed and not of(second.events, NextValidId)
    assert not first.closed
    other = gateway.connect(6)
    assert of(other.events, NextValidId)
    first.close()
    again = gateway.connect(5)
    assert of(again.events, NextValidId) and not again.closed


def test_requests_before_start_api_are_ignored_and_malformed_ones_get_320(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send_bytes(b"\x00\x00\x00\x0549\x00x\x00")  # a reqCurrentTime with a bad version... still decodes
    client.send_bytes(b"\x00\x00\x00\x04" + b"777\x00")
    assert errors(client.take(), 320)


def test_unsupported_requests_get_an_answer(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    del gateway.core._handlers[OutgoingId.REQ_USER_INFO]  # type: ignore[attr-defined]  # stands for one not modelled
    client.send(ReqUserInfo(req_id=3))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (3, 321)
    assert "ReqUserInfo is not supported by the ibwire simulator" in error.error_string
    assert gateway.core.unhandled == ["ReqUserInfo"]  # type: ignore[attr-defined]


def test_requests_are_dispatched_by_the_catalogue(server_version: int) -> None:
    from ibwire.catalog import REQUESTS
    from ibwire.testing.simulator import _handlers_by_id

    core = SimulatorCore(server_version=server_version, seed=7)
    handlers = core._handlers
    for msg_id, handler in handlers.items():
        cls = REQUESTS[OutgoingId(msg_id)].message_class
        assert cls is not None and handler.__name__ == "_on_" + cls.__name__
    assert handlers[OutgoingId.REQ_MKT_DATA] == core._on_ReqMktData

    class Stray:
        def _on_ReqMktData(self) -> None: ...
        def _on_ReqMarketData(self) -> None: ...  # no such request: a typo

    with pytest.raises(LookupError, match="ReqMarketData"):
        _handlers_by_id(Stray())


def test_simple_requests(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqCurrentTime(), ReqManagedAccts(), ReqUserInfo(req_id=4), ReqMarketRule(market_rule_id=26),
                ReqNewsProviders(), ReqScannerParameters(), ReqIds())
    events = client.take()
    assert of(events, CurrentTime) == [CurrentTime(time=int(T0 + 1.5))]
    assert of(events, ManagedAccts) and of(events, UserInfo) == [UserInfo(req_id=4, white_branding_id="")]
    (rule,) = of(events, MarketRule)
    assert rule.price_increments[0].increment == 0.01  # type: ignore[attr-defined]
    assert of(events, NewsProviders) and "<ScanParameterResponse>" in of(events, ScannerParameters)[0].xml  # type: ignore[attr-defined]
    assert of(events, NextValidId) == [NextValidId(order_id=1)]


# ------------------------------------------------------------------ contracts


def test_contract_details(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqContractData(req_id=1, contract=AAPL), ReqContractData(req_id=2, contract=Contract(symbol="ZZZZ", sec_type="STK")))
    events = client.take()
    (data,) = of(events, ContractData)
    details = data.contract_details  # type: ignore[attr-defined]
    assert (details.contract.con_id, details.contract.primary_exchange, details.long_name) == (265598, "NASDAQ", "APPLE INC")
    assert of(events, ContractDataEnd) == [ContractDataEnd(req_id=1)]
    assert [(e.req_id, e.error_code, e.error_string) for e in errors(events)] == [
        (2, 200, "No security definition has been found for the request")
    ]
    client.send(ReqContractData(req_id=3, contract=Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD", right="C")))
    calls = of(client.take(), ContractData)
    assert len(calls) > 20 and all(c.contract_details.contract.right == "C" for c in calls)  # type: ignore[attr-defined]
    for contract in (ES, EURUSD, Contract(con_id=756733, exchange="ARCA")):
        client.send(ReqContractData(req_id=9, contract=contract))
        assert len(of(client.take(), ContractData)) == 1


def test_option_chain(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqSecDefOptParams(req_id=5, underlying_symbol="AAPL", fut_fop_exchange="", underlying_sec_type="STK", underlying_con_id=265598))
    events = client.take()
    params = of(events, SecurityDefinitionOptionParameter)
    assert [p.exchange for p in params] == ["SMART", "CBOE"]  # type: ignore[attr-defined]
    assert params[0].multiplier == "100" and len(params[0].expirations) >= 3 and 190.0 in params[0].strikes  # type: ignore[attr-defined]
    assert of(events, SecurityDefinitionOptionParameterEnd)


def test_expired_options_leave_the_chain_and_the_contract_details(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    chain = ReqSecDefOptParams(req_id=1, underlying_symbol="AAPL", fut_fop_exchange="", underlying_sec_type="STK",
                               underlying_con_id=265598)
    client.send(chain)
    (before, _) = of(client.take(), SecurityDefinitionOptionParameter)
    assert before.expirations[0] == "20240315"  # type: ignore[attr-defined]
    gateway.advance(8 * 86400.0)  # Tuesday 19 March: the options of 15 March have expired
    client.take()
    query = Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD")
    client.send(chain, ReqContractData(req_id=2, contract=query),
                ReqContractData(req_id=3, contract=Contract(symbol="AAPL", sec_type="OPT", include_expired=True,
                                                            last_trade_date_or_contract_month="20240315")),
                ReqContractData(req_id=4, contract=Contract(symbol="AAPL", sec_type="OPT",
                                                            last_trade_date_or_contract_month="20240315")))
    events = client.take()
    for params in of(events, SecurityDefinitionOptionParameter):
        assert params.expirations == before.expirations[1:]  # type: ignore[attr-defined]
    offered = {d.contract_details.contract.last_trade_date_or_contract_month  # type: ignore[attr-defined]
               for d in of(events, ContractData) if d.req_id == 2}  # type: ignore[attr-defined]
    assert offered == set(before.expirations[1:])  # type: ignore[attr-defined]
    # includeExpired still finds them; without it they are not defined.
    assert len([d for d in of(events, ContractData) if d.req_id == 3]) == 2 * len(before.strikes)  # type: ignore[attr-defined]
    assert [e.req_id for e in errors(events, 200)] == [4]


def _details_of(events: list[object], req_id: int) -> list[ContractDetails]:
    return [d.contract_details for d in of(events, ContractData) if d.req_id == req_id]  # type: ignore[attr-defined]


def test_a_bare_future_lists_every_month_and_qualifies_to_none(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    bare = Future("ES", exchange="CME")
    client.send(ReqContractData(req_id=1, contract=bare))
    details = _details_of(client.take(), 1)
    assert [d.contract.local_symbol for d in details] == ["ESH4", "ESM4", "ESU4", "ESZ4"]
    assert [d.contract_month for d in details] == ["202403", "202406", "202409", "202412"]
    with pytest.raises(AmbiguousContractError) as caught:
        resolve_contract(bare, details)
    assert len(caught.value.candidates) == 4
    assert resolve_contract(Future("ES", "202406", "CME"), details).local_symbol == "ESM4"
    # Market data needs one contract: a bare future is ambiguous.
    client.send(ReqMktData(req_id=2, contract=bare))
    assert "ambiguous" in errors(client.take(), 200)[0].error_string


def test_futures_roll_and_include_expired_finds_the_old_months(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    gateway.advance(8 * 86400.0)  # Tuesday 19 March: ESH4 expired on Friday 15 March
    client.take()
    client.send(ReqContractData(req_id=1, contract=Future("ES", exchange="CME")),
                ReqContractData(req_id=2, contract=Future("ES", "202403", "CME")),
                ReqContractData(req_id=3, contract=Future("ES", "202403", "CME", include_expired=True)),
                ReqContractData(req_id=4, contract=Future("ES", "202506", "CME")))
    events = client.take()
    assert [d.contract.local_symbol for d in _details_of(events, 1)] == ["ESM4", "ESU4", "ESZ4", "ESH5"]
    assert [d.contract.last_trade_date_or_contract_month for d in _details_of(events, 3)] == ["20240315"]
    assert [e.req_id for e in errors(events, 200)] == [2, 4]
    # History of the expired month takes includeExpired too.
    expired = Future("ES", "202403", "CME", include_expired=True)
    client.send(history(5, Future("ES", "202403", "CME"), end="20240314 12:00:00 UTC"),
                history(6, expired, end="20240314 12:00:00 UTC"))
    events = client.take()
    assert [e.req_id for e in errors(events, 200)] == [5]
    assert [e.req_id for e in of(events, HistoricalData)] == [6]


def test_include_expired_finds_an_expired_month_for_history_only(server_version: int) -> None:
    """IB: includeExpired serves contract details and history; no quotes, no orders."""
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    gateway.advance(8 * 86400.0)  # ESH4 expired on Friday 15 March
    client.take()
    expired = Future("ES", "202403", "CME", include_expired=True)
    client.send(ReqMktData(req_id=1, contract=expired),
                PlaceOrder(order_id=5, contract=expired, order=order("BUY", 1, "MKT")),
                history(2, expired, end="20240314 12:00:00 UTC"))
    gateway.advance(1.0)
    events = client.take()
    assert sorted(e.req_id for e in errors(events, 200)) == [1, 5]
    assert [e.req_id for e in of(events, HistoricalData)] == [2]


def test_a_continuous_future_is_the_front_month_for_details_and_data(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    continuous = ContFuture("ES", "CME")
    client.send(ReqContractData(req_id=1, contract=continuous), history(2, continuous))
    events = client.take()
    (details,) = _details_of(events, 1)
    front = gateway.core.universe.resolve(ES)[0]  # type: ignore[attr-defined]
    assert (details.contract.sec_type, details.contract.con_id, details.contract.local_symbol) == ("CONTFUT", front.con_id, "ESH4")
    assert resolve_contract(continuous, [details]).con_id == front.con_id
    (bars,) = of(events, HistoricalData)
    client.send(history(3, ES))
    assert of(client.take(), HistoricalData)[0].bars == bars.bars  # type: ignore[attr-defined]
    gateway.advance(8 * 86400.0)
    client.take()
    client.send(ReqContractData(req_id=4, contract=continuous))
    assert [d.contract.local_symbol for d in _details_of(client.take(), 4)] == ["ESM4"]


# ------------------------------------------------------------------ faults and determinism


def test_scheduled_faults(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    core: SimulatorCore = gateway.core  # type: ignore[assignment]
    one = ready(gateway, 1)
    two = ready(gateway, 2)
    one.send(ReqMktData(req_id=1, contract=AAPL))
    core.schedule(gateway.now + 1, SystemNotice(1100))
    core.schedule(gateway.now + 5, SystemNotice(1102))
    gateway.advance(4.0)
    assert [e.error_code for e in errors(one.take())] == [1100]
    assert of(one.events[-1:], TickPrice) == []  # streams pause while IB is unreachable
    gateway.advance(2.0)
    events = one.take()
    assert errors(events, 1102) and of(events, TickPrice)
    core.schedule(gateway.now, SystemNotice(1101))
    gateway.advance(3.0)
    events = one.take()
    assert errors(events, 1101) and of(events, TickPrice) == []  # data lost: resubscribe
    for code in (2103, 2105, 2157, 2104, 2106, 2158):
        core.schedule(gateway.now, SystemNotice(code))
    gateway.advance(0.0)
    assert [e.error_code for e in errors(two.take())][-6:] == [1100, 1102, 1101, 2103, 2105, 2157, 2104, 2106, 2158][-6:]
    core.schedule(gateway.now, DropClients(2))
    gateway.advance(0.0)
    assert two.closed and not one.closed
    core.schedule(gateway.now + 1, NightlyReset(down_for=30))
    gateway.advance(1.0)
    assert one.closed
    assert not core.is_accepting(gateway.now + 29)
    assert core.is_accepting(gateway.now + 31)


def script(gateway: InMemoryGateway) -> list[object]:
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=AAPL), ReqMktDepth(req_id=2, contract=EURUSD, num_rows=2, is_smart_depth=False),
                history(3), PlaceOrder(order_id=1, contract=MSFT, order=order("BUY", 5, "MKT")))
    gateway.advance(10.0)
    return list(client.events)


def test_same_seed_same_conversation(server_version: int) -> None:
    first = script(sim(server_version=server_version))
    assert script(sim(server_version=server_version)) == first
    other = script(InMemoryGateway(SimulatorCore(server_version=server_version, seed=8), now=T0))
    assert other != first


# ------------------------------------------------------------------ front ends


def test_threaded_gateway_serves_several_clients(server_version: int) -> None:
    with SimulatedGateway(server_version=server_version, seed=1, accounts=("DU1234567",)) as gateway:
        assert gateway.port
        with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as one, \
                WireClient("127.0.0.1", gateway.port, 2, timeout=TIMEOUT) as two:
            one.connect()
            two.connect()
            assert sorted(gateway.client_ids()) == [1, 2]
            one.send(ReqCurrentTime())
            two.send(ReqContractData(req_id=1, contract=AAPL))
            one.wait_for(CurrentTime)
            two.wait_for(ContractDataEnd)
            with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as clash:
                clash.connect(wait_ready=False)
                assert clash.wait_for(ErrMsg).error_code == 326
                clash.wait_closed()
            gateway.drop_clients(2)
            two.wait_closed()
            gateway.farm_burst((2103, 2104))
            assert one.wait_for(ErrMsg, lambda e: e.error_code == 2103)
            assert one.wait_for(ErrMsg, lambda e: e.error_code == 2104)


def test_threaded_gateway_enforces_the_message_rate(server_version: int) -> None:
    with SimulatedGateway(server_version=server_version, seed=1) as gateway:
        with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as client:
            client.connect()
            client.send_many([ReqCurrentTime()] * 60)
            error = client.wait_for(ErrMsg, lambda e: e.error_code == 100)
            client.wait_closed()
    assert error.req_id == -1
    # startApi counts too while it is less than a second old
    assert len([e for e in client.events if isinstance(e, CurrentTime)]) in (49, 50)
    assert isinstance(client.events[-1], ConnectionClosed)


def test_threaded_gateway_refuses_during_a_reset_with_a_fake_clock(server_version: int) -> None:
    now = [T0]
    with SimulatedGateway(server_version=server_version, seed=1, clock=lambda: now[0]) as gateway:
        port = gateway.port
        with WireClient("127.0.0.1", port, 1, timeout=TIMEOUT) as client:
            client.connect()
            gateway.nightly_reset(down_for=60)
            client.wait_closed()
        with pytest.raises(OSError):
            _connect_until_refused(port)
        now[0] += 61
        with WireClient("127.0.0.1", port, 1, timeout=TIMEOUT) as client:
            _retry(client.connect)
            assert of(client.events, NextValidId)


def _connect_until_refused(port: int) -> None:
    """The listener closes shortly after the reset: connect until that happens."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):
            pass
        time.sleep(0.01)


def _retry(action: Callable[[], object]) -> None:
    """Run ``action`` until the reopened listener accepts."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            action()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_asyncio_gateway_serves(server_version: int) -> None:
    async def main() -> list[object]:
        async with SimulatedGateway(server_version=server_version, seed=2) as gateway:
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            client = ClientProtocol(7)
            client.connect()
            writer.write(client.data_to_send())
            events: list[object] = []
            asked = False
            while not any(isinstance(e, CurrentTime) for e in events):
                data = await asyncio.wait_for(reader.read(65536), TIMEOUT)
                assert data
                client.receive_data(data)
                events += client.events_received()
                if not asked and any(isinstance(e, NextValidId) for e in events):
                    client.send(ReqCurrentTime())
                    asked = True
                out = client.data_to_send()
                if out:
                    writer.write(out)
            writer.close()
            return events

    events = asyncio.run(main())
    assert any(isinstance(e, ManagedAccts) for e in events)
