"""Cost of keeping tickers current through the whole client path (``python benchmarks/bench_live_client.py``).

The stream of ``bench_ticker.py`` (20 stocks and 4 options: quotes with sizes,
trades, volumes, timestamp and RT_VOLUME strings, generics, option
computations), encoded as a gateway sends it at server version 176 (which both
libraries speak) and cut into socket reads of 10 messages, is fed from bytes
two ways, side by side in one run:

* ibwire: :meth:`ibwire._session.Session.receive_data` on a ready session with
  a live ticker per request (``client.ticker``): framing, decoding, the one
  incoming loop, which hands each tick to its ticker (the
  :class:`~ibwire.live.Ticker` method of the message's class, the ticker by
  request id), then :meth:`~ibwire._session.Session.take_updated_tickers` and
  ``events_to_dispatch`` per read (what the threaded client's reader does,
  without the socket and its lock);
* ib_async 2.1.0: ``Client._onSocketHasData`` per read on a client marked
  ready with a ticker per request (``startTicker``): its framing, its decoder,
  its wrapper's tick handlers updating its ``Ticker``, and
  ``tcpDataArrived`` / ``tcpDataProcessed`` around each read (the pending
  tickers event, no listener).

A third row feeds ibwire the same stream encoded at server version 226, the
default maximum, where the ticks travel in protobuf form (ib_async does not
speak it; its ratio is against ib_async's path at 176).

A fourth row is a floor, not a client: the least work that turns these bytes
into typed messages applied to tickers, in one flat loop with no session, no
protocol object, no error boundary and no batch bookkeeping (the framing's
``split``, one ``bytes.split`` per frame, the generated decoder by id, the
ticker method by class, the ticker by request id, the read's set of updated
tickers).  It shows what any design built on typed messages pays per message
before the session does anything.

Every side is checked to end in the same bid/ask/last/volume for every ticker
before any figure is printed.  Figures are the best of several runs, the sides
taking turns (on a shared machine all see the same load).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stream import frame_of, gateway_side  # noqa: E402
from bench_ticker import READ, contracts, side_by_side  # noqa: E402

from ibwire._session import Session  # noqa: E402

VERSION = 176
#: The default maximum: ticks in protobuf form.
PROTOBUF = 226


def encoded_reads(stream: list[Any], version: int = VERSION) -> tuple[bytes, list[bytes]]:
    """The handshake and start-up bytes, then the stream's reads as the gateway writes them."""
    server, reply, startup = gateway_side(version)
    frames = [frame_of(server, message) for message in stream]
    reads = [b"".join(frames[i : i + READ]) for i in range(0, len(frames), READ)]
    return reply + startup, reads


def ibwire_runner(
    stream: list[Any], version: int = VERSION
) -> tuple[Callable[[], None], Callable[[], dict[int, Any]]]:
    hello, reads = encoded_reads(stream, version)
    holder: dict[str, Any] = {}

    def run() -> None:
        now = 1_700_000_000.0
        session = Session(
            0, heartbeat_interval=None, request_id_start=1,
            min_version=version, max_version=version,
        )
        session.start(now, 10.0)
        session.actions()
        session.transport_opened(now)
        session.data_to_send()
        session.receive_data(hello, now)
        session.data_to_send()
        tickers = {}
        for req_id, contract in contracts().items():
            tickers[req_id] = session.ticker(contract, now)
        session.data_to_send()
        session.events_to_dispatch()
        holder["tickers"] = tickers
        receive = session.receive_data
        take = session.take_updated_tickers
        dispatch = session.events_to_dispatch
        for read in reads:
            now += 0.001
            receive(read, now)
            take()
            dispatch()

    def state() -> dict[int, Any]:
        return {
            r: (t.bid, t.ask, t.last, None if t.volume is None else float(t.volume))
            for r, t in holder["tickers"].items()
        }

    return run, state


def floor_runner(stream: list[Any]) -> tuple[Callable[[], None], Callable[[], dict[int, Any]]]:
    from ibwire.codec import Codec
    from ibwire.framing import FrameDecoder
    from ibwire.live import Ticker
    from ibwire.live.ticker import APPLIERS

    hello, reads = encoded_reads(stream)
    decoders = Codec(VERSION).raw_table
    holder: dict[str, Any] = {}

    def run() -> None:
        framing = FrameDecoder()
        framing.split(hello)
        tickers = {req_id: Ticker(contract) for req_id, contract in contracts().items()}
        holder["tickers"] = tickers
        split = framing.split
        get_decoder = decoders.__getitem__
        get_ticker = tickers.get
        appliers = APPLIERS
        now = 1_700_000_000.0
        for read in reads:
            now += 0.001
            updated = set()
            frames, _ = split(read)
            for payload in frames:
                fields = payload.split(b"\0")
                fields.pop()
                message = get_decoder(fields[0])(fields)
                ticker = get_ticker(message.req_id)
                if appliers[type(message)](ticker, message, now):
                    updated.add(ticker)

    def state() -> dict[int, Any]:
        return {
            r: (t.bid, t.ask, t.last, None if t.volume is None else float(t.volume))
            for r, t in holder["tickers"].items()
        }

    return run, state


def ib_async_runner(stream: list[Any]) -> tuple[Callable[[], None], Callable[[], dict[int, Any]]]:
    import ib_async

    _, reads = encoded_reads(stream)
    holder: dict[str, Any] = {}

    def run() -> None:
        ib = ib_async.IB()
        client, wrapper = ib.client, ib.wrapper
        client._serverVersion = VERSION
        client.decoder.serverVersion = VERSION
        client._apiReady = True
        for req_id, contract in contracts().items():
            theirs = ib_async.Contract(
                conId=contract.con_id, symbol=contract.symbol, secType=contract.sec_type
            )
            wrapper.startTicker(req_id, theirs, "mktData")
        holder["wrapper"] = wrapper
        on_data = client._onSocketHasData
        for read in reads:
            on_data(read)

    def state() -> dict[int, Any]:
        def clean(value: float) -> float | None:
            return None if value != value or value == -1 else value

        return {
            r: (clean(t.bid), clean(t.ask), clean(t.last), clean(t.volume))
            for r, t in holder["wrapper"].reqId2Ticker.items()
        }

    return run, state


def main(argv: list[str] | None = None) -> None:
    side_by_side(
        argv,
        __doc__.splitlines()[0],
        ("ibwire bytes -> Session -> Ticker", ibwire_runner),
        ("ib_async 2.1.0 bytes -> Ticker", ib_async_runner),
        f"{{messages:,}} messages, reads of {{read}}, server version {VERSION}, best of {{repeat}}",
        extra=[
            (f"ibwire at {PROTOBUF} (protobuf ticks)", lambda s: ibwire_runner(s, PROTOBUF)),
            ("floor: typed messages, no session", floor_runner),
        ],
    )


if __name__ == "__main__":
    main()
