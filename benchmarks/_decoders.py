"""The decode + dispatch contenders: bytes in, counted callbacks out.

Each contender reads the same socket reads (a list of ``bytes``) through its own
framing, its own decoder and its own dispatch to a wrapper whose callbacks only
count.  ``prepare`` builds a fresh client and feeds it the handshake and start-up
messages (not timed); ``run`` feeds the reads (timed); ``counts`` gives the
callbacks per message kind, compared with what the stream's manifest predicts
before any figure is printed.

* raw floor: the least pure Python can do - cut frames by offset and
  ``bytes.split`` each payload, no decoding, no dispatch;
* ibwire: :class:`ibwire.ClientProtocol` (``receive_data`` / ``events_received``)
  and :class:`ibwire.dispatch.Dispatcher` to an :class:`ibwire.Wrapper` subclass,
  each read fed as both clients feed it: in pieces of at most 16 KiB
  (:func:`ibwire.protocol.slices`), each piece's events dispatched before the
  next is decoded;
* ib_async 2.1.0: ``Connection.data_received`` -> ``Client._onSocketHasData``
  (its framing) -> ``Decoder.interpret`` -> a ``Wrapper`` subclass;
* ibapi 9.81: the loop of ``EReader.run`` (``comm.read_msg``) and the decode step
  of ``EClient.run`` (``comm.read_fields``, ``Decoder.interpret``) -> an
  ``EWrapper`` subclass.  The ``queue.Queue`` between the reader thread and the
  decoding thread is left out (it adds a lock round trip per message).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Sequence
from typing import Any

from _stream import Manifest, Stream

#: Kinds counted by every contender, in the manifest's vocabulary.
KINDS = (
    "tick_price",
    "tick_size",
    "tick_string",
    "tick_generic",
    "market_depth",
    "market_depth_l2",
    "tick_option_computation",
    "tick_by_tick",
    "real_time_bar",
    "order_status",
    "error",
)
_SLOT = {kind: index for index, kind in enumerate(KINDS)}


def _counter(slot: int) -> Callable[..., None]:
    def callback(self: Any, *args: object) -> None:
        self.counts[slot] += 1

    return callback


def _ignore(self: Any, *args: object) -> None:
    pass


def counting_class(base: type, callbacks: dict[str, str], ignored: Sequence[str] = ()) -> type:
    """A subclass of ``base`` whose ``callbacks`` (name -> kind) count into ``self.counts``."""
    namespace: dict[str, Any] = {name: _counter(_SLOT[kind]) for name, kind in callbacks.items()}
    namespace.update({name: _ignore for name in ignored})
    return type(f"Counting{base.__name__}", (base,), namespace)


def new_counts() -> list[int]:
    return [0] * len(KINDS)


def as_dict(counts: list[int]) -> dict[str, int]:
    return dict(zip(KINDS, counts, strict=True))


class Contender:
    """One library's decode path."""

    name = ""
    #: The column of the summary table: "floor", "ibwire", "ib_async" or "ibapi".
    key = ""
    #: Why the contender cannot run here (a peer not installed), or ``None``.
    missing: str | None = None
    #: Server versions its decoder speaks.
    max_version = 200

    def prepare(self, stream: Stream) -> Any:
        raise NotImplementedError

    def run(self, state: Any, reads: list[bytes]) -> None:
        raise NotImplementedError

    def counts(self, state: Any) -> dict[str, int]:
        raise NotImplementedError

    def expected(self, manifest: Manifest) -> dict[str, int]:
        return {kind: manifest.kinds.get(kind, 0) for kind in KINDS}

    def check(self, state: Any, manifest: Manifest) -> str | None:
        """``None`` when every message reached its callback, else what differs."""
        got = self.counts(state)
        want = self.expected(manifest)
        wrong = {k: (got.get(k, 0), want[k]) for k in want if got.get(k, 0) != want[k]}
        if not wrong:
            return None
        return ", ".join(f"{k}: {g} callbacks, {w} expected" for k, (g, w) in wrong.items())


# ----------------------------------------------------------------------------- raw floor

_unpack_from = struct.Struct(">I").unpack_from


class RawFloor(Contender):
    """Framing by offset and ``bytes.split``: the ceiling of any pure-Python decoder."""

    name = "raw floor"
    key = "floor"

    def prepare(self, stream: Stream) -> Any:
        return [0]

    def run(self, state: Any, reads: list[bytes]) -> None:
        tail = b""
        count = 0
        for data in reads:
            buffer = tail + data if tail else data
            end = len(buffer)
            pos = 0
            while end - pos >= 4:
                (size,) = _unpack_from(buffer, pos)
                stop = pos + 4 + size
                if stop > end:
                    break
                buffer[pos + 4 : stop].split(b"\0")
                count += 1
                pos = stop
            tail = buffer[pos:]
        state[0] += count

    def counts(self, state: Any) -> dict[str, int]:
        return {"messages": state[0]}

    def expected(self, manifest: Manifest) -> dict[str, int]:
        return {"messages": manifest.messages}


# ----------------------------------------------------------------------------- ibwire

IBWIRE_CALLBACKS = {
    "tick_price": "tick_price",
    "tick_size": "tick_size",
    "tick_string": "tick_string",
    "tick_generic": "tick_generic",
    "update_mkt_depth": "market_depth",
    "update_mkt_depth_l2": "market_depth_l2",
    "tick_option_computation": "tick_option_computation",
    "tick_by_tick": "tick_by_tick",
    "realtime_bar": "real_time_bar",
    "order_status": "order_status",
    "error": "error",
    # The client session turns farm notices (2104, 2106, 2158...) into
    # Connectivity events; the core alone delivers them as errors.
    "connectivity": "error",
}


class Ibwire(Contender):
    """ClientProtocol, then the front ends' dispatcher (or a type-keyed table)."""

    name = "ibwire"
    key = "ibwire"

    def __init__(self) -> None:
        import ibwire

        self.ibwire = ibwire
        try:
            from ibwire.dispatch import Dispatcher
            from ibwire.wrapper import Wrapper
        except ImportError:
            self.dispatch_kind = "type(event) -> bound method table"
            self.Dispatcher = None
            base: type = object
        else:
            self.dispatch_kind = "ibwire.dispatch.Dispatcher -> ibwire.Wrapper"
            self.Dispatcher = Dispatcher
            base = Wrapper
        self.wrapper_cls = counting_class(base, IBWIRE_CALLBACKS)
        try:
            from ibwire.protocol import slices
        except ImportError:
            self.slices: Callable[[bytes], Any] = lambda data: (data,)
        else:
            self.slices = slices

    def _deliver(self, wrapper: Any) -> Callable[[list[object]], None]:
        if self.Dispatcher is not None:
            return self.Dispatcher(wrapper).dispatch_all  # type: ignore[no-any-return]
        from ibwire import messages as m

        table = {
            m.TickPrice: wrapper.tick_price,
            m.TickSize: wrapper.tick_size,
            m.TickString: wrapper.tick_string,
            m.TickGeneric: wrapper.tick_generic,
            m.MarketDepth: wrapper.update_mkt_depth,
            m.MarketDepthL2: wrapper.update_mkt_depth_l2,
            m.TickOptionComputation: wrapper.tick_option_computation,
            m.TickByTick: wrapper.tick_by_tick,
            m.RealTimeBars: wrapper.realtime_bar,
            m.OrderStatus: wrapper.order_status,
            m.ErrMsg: wrapper.error,
        }
        get = table.get

        def deliver(events: list[object]) -> None:
            for event in events:
                method = get(type(event))
                if method is not None:
                    method(event)

        return deliver

    def prepare(self, stream: Stream) -> Any:
        client = self.ibwire.ClientProtocol(0)
        client.connect()
        client.data_to_send()
        wrapper = self.wrapper_cls()
        wrapper.counts = new_counts()
        deliver = self._deliver(wrapper)
        client.receive_data(stream.preamble)
        deliver(client.events_received())
        assert client.server_version == stream.version
        return client, wrapper, deliver

    def run(self, state: Any, reads: list[bytes]) -> None:
        client, _, deliver = state
        receive = client.receive_data
        take = client.events_received
        slices = self.slices
        for data in reads:
            for piece in slices(data):
                receive(piece)
                deliver(take())

    def counts(self, state: Any) -> dict[str, int]:
        return as_dict(state[1].counts)


# ----------------------------------------------------------------------------- ib_async

IB_ASYNC_CALLBACKS = {
    "priceSizeTick": "tick_price",
    "tickSize": "tick_size",
    "tickString": "tick_string",
    "tickGeneric": "tick_generic",
    "updateMktDepth": "market_depth",
    "updateMktDepthL2": "market_depth_l2",
    "tickOptionComputation": "tick_option_computation",
    "tickByTickAllLast": "tick_by_tick",
    "tickByTickBidAsk": "tick_by_tick",
    "tickByTickMidPoint": "tick_by_tick",
    "realtimeBar": "real_time_bar",
    "orderStatus": "order_status",
    "error": "error",
}
IB_ASYNC_IGNORED = (
    "connectAck",
    "nextValidId",
    "managedAccounts",
    "tcpDataArrived",
    "tcpDataProcessed",
)


class IbAsync(Contender):
    """ib_async's Client (framing in ``_onSocketHasData``) and Decoder."""

    name = "ib_async"
    key = "ib_async"
    max_version = 178

    def __init__(self) -> None:
        try:
            import ib_async
            import ib_async.client
            import ib_async.wrapper
        except ImportError as exc:
            self.missing = f"ib_async not installed ({exc})"
            return
        self.name = f"ib_async {ib_async.__version__}"
        self.max_version = ib_async.client.Client.MaxClientVersion
        self.Client = ib_async.client.Client
        # The real Wrapper keeps tickers and trades; the counting subclass
        # replaces every callback the stream reaches, so nothing else runs.
        self.wrapper_cls = counting_class(
            ib_async.wrapper.Wrapper, IB_ASYNC_CALLBACKS, IB_ASYNC_IGNORED
        )
        # Decoding errors are logged by ib_async; keep them visible but quiet.
        logging.getLogger("ib_async").setLevel(logging.ERROR)

    def prepare(self, stream: Stream) -> Any:
        wrapper = object.__new__(self.wrapper_cls)
        wrapper.counts = new_counts()
        client = self.Client(wrapper)
        client.connState = client.CONNECTING
        client.conn.data_received(stream.preamble)
        assert client.serverVersion() == stream.version and client.isReady()
        return client, wrapper

    def run(self, state: Any, reads: list[bytes]) -> None:
        data_received = state[0].conn.data_received
        for data in reads:
            data_received(data)

    def counts(self, state: Any) -> dict[str, int]:
        return as_dict(state[1].counts)


# ----------------------------------------------------------------------------- ibapi

IBAPI_CALLBACKS = {
    "tickPrice": "tick_price",
    "tickSize": "tick_size",
    "tickString": "tick_string",
    "tickGeneric": "tick_generic",
    "updateMktDepth": "market_depth",
    "updateMktDepthL2": "market_depth_l2",
    "tickOptionComputation": "tick_option_computation",
    "tickByTickAllLast": "tick_by_tick",
    "tickByTickBidAsk": "tick_by_tick",
    "tickByTickMidPoint": "tick_by_tick",
    "realtimeBar": "real_time_bar",
    "orderStatus": "order_status",
    "error": "error",
}
IBAPI_IGNORED = ("nextValidId", "managedAccounts", "connectAck")


class Ibapi(Contender):
    """The official client's reader loop and Decoder (ibapi 9.81, as on PyPI)."""

    name = "ibapi"
    key = "ibapi"
    max_version = 157
    #: The major version this contender measures (``ibapi.get_version_string()``).
    series = "9."

    def __init__(self) -> None:
        try:
            import ibapi
            import ibapi.comm
            import ibapi.decoder
            import ibapi.reader
            import ibapi.server_versions
            import ibapi.wrapper
        except ImportError as exc:
            self.missing = f"ibapi not installed ({exc})"
            return
        found = ibapi.get_version_string()
        if not found.startswith(self.series):
            self.missing = f"ibapi {found} installed here, not {self.series}x"
            return
        self.name = f"ibapi {found}"
        self.max_version = ibapi.server_versions.MAX_CLIENT_VER
        self.comm = ibapi.comm
        self.Decoder = ibapi.decoder.Decoder
        self.reader_logger = ibapi.reader.logger
        self.client_logger = logging.getLogger("ibapi.client")
        self.wrapper_cls = counting_class(ibapi.wrapper.EWrapper, IBAPI_CALLBACKS, IBAPI_IGNORED)

    def expected(self, manifest: Manifest) -> dict[str, int]:
        want = super().expected(manifest)
        # processTickPriceMsg follows a bid/ask/last price with a tickSize call.
        want["tick_size"] += manifest.price_with_size
        return want

    def prepare(self, stream: Stream) -> Any:
        wrapper = self.wrapper_cls()
        wrapper.counts = new_counts()
        decoder = self.Decoder(wrapper, stream.version)
        buf = stream.preamble
        first = True
        while buf:
            _, msg, buf = self.comm.read_msg(buf)
            if first:  # EClient.connect reads the version reply itself
                first = False
                continue
            decoder.interpret(self.comm.read_fields(msg))
        return decoder, wrapper

    def run(self, state: Any, reads: list[bytes]) -> None:
        interpret = state[0].interpret
        read_msg = self.comm.read_msg
        read_fields = self.comm.read_fields
        logger = self.reader_logger
        client_logger = self.client_logger
        # The body of EReader.run, with the socket read replaced by the list.
        buf = b""
        for data in reads:
            logger.debug("reader loop, recvd size %d", len(data))
            buf += data
            while len(buf) > 0:
                (size, msg, buf) = read_msg(buf)
                logger.debug("size:%d msg.size:%d msg:|%s| buf:%s|", size, len(msg), buf, "|")
                if msg:
                    # The decode step of EClient.run.
                    fields = read_fields(msg)
                    client_logger.debug("fields %s", fields)
                    interpret(fields)
                else:
                    logger.debug("more incoming packet(s) are needed ")
                    break

    def counts(self, state: Any) -> dict[str, int]:
        return as_dict(state[1].counts)


class Official(Ibapi):
    """The current official client (ibapi 10.x), text protocol path (servers below 201).

    ``EReader.run`` then the text branch of ``EClient.run``: the message id is cut
    off the payload first, then ``comm.read_fields`` and ``Decoder.interpret``.
    """

    name = "official"
    key = "official"
    series = "10."

    def __init__(self) -> None:
        super().__init__()
        if not self.missing:
            import ibapi.const

            self.max_msg_len = ibapi.const.MAX_MSG_LEN
            # Below server 201 (protobuf), the text path.
            self.max_version = min(self.max_version, 200)

    def prepare(self, stream: Stream) -> Any:
        wrapper = self.wrapper_cls()
        wrapper.counts = new_counts()
        decoder = self.Decoder(wrapper, stream.version)
        buf = stream.preamble
        first = True
        while buf:
            _, msg, buf = self.comm.read_msg(buf)
            if first:  # EClient.connect reads the version reply itself
                first = False
                continue
            cut = msg.index(b"\0")
            decoder.interpret(self.comm.read_fields(msg[cut + 1 :]), int(msg[:cut]))
        return decoder, wrapper

    def run(self, state: Any, reads: list[bytes]) -> None:
        interpret = state[0].interpret
        read_msg = self.comm.read_msg
        read_fields = self.comm.read_fields
        logger = self.reader_logger
        client_logger = self.client_logger
        max_msg_len = self.max_msg_len
        buf = b""
        for data in reads:
            logger.debug("reader loop, recvd size %d", len(data))
            buf += data
            while len(buf) > 0:
                (size, msg, buf) = read_msg(buf)
                logger.debug("size:%d msg.size:%d msg:|%s| buf:%s|", size, len(msg), buf, "|")
                if msg:
                    # The text branch of EClient.run (the queue left out).
                    if len(msg) > max_msg_len:
                        raise ValueError("message too long")
                    msg_id = int(msg[: msg.index(b"\0")])
                    text = msg[msg.index(b"\0") + 1 :]
                    fields = read_fields(text)
                    client_logger.debug("msgId: %d, fields: %s", msg_id, fields)
                    interpret(fields, msg_id)
                else:
                    logger.debug("more incoming packet(s) are needed ")
                    break


def contenders() -> list[Contender]:
    """Every contender, the floor first."""
    return [RawFloor(), Ibwire(), IbAsync(), Ibapi(), Official()]
