"""The byte stream every decode benchmark reads, and its manifest.

A *mix* of market-data traffic, as a gateway sends it to a client watching a few
dozen instruments: mostly tick price / size / string / generic, some market
depth, option computations, tick-by-tick, real-time bars, order status and
error (farm status) messages.  Messages are encoded by
:class:`ibwire.ServerProtocol` (the gateway side), so every contender reads
exactly the bytes a gateway of that version writes.

A pool of distinct frames (random values, fixed seed) is encoded once per
server version; the stream is a seeded random sequence of pool entries, the
same sequence at every version.  The :class:`Manifest` says how many messages of
each kind the stream holds: a contender's figure is printed only when its
callback counts match it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ibwire import ClientProtocol, ServerProtocol
from ibwire.messages import (
    ErrMsg,
    ManagedAccts,
    MarketDepth,
    MarketDepthL2,
    Message,
    NextValidId,
    OrderStatus,
    RealTimeBars,
    TickAttrib,
    TickAttribBidAsk,
    TickAttribLast,
    TickByTick,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickSize,
    TickString,
)

#: Message kind -> share of the stream (per thousand).
MIX: dict[str, int] = {
    "tick_price": 300,
    "tick_size": 300,
    "tick_string": 80,
    "tick_generic": 50,
    "market_depth": 80,
    "market_depth_l2": 40,
    "tick_option_computation": 40,
    "tick_by_tick": 60,
    "real_time_bar": 20,
    "order_status": 15,
    "error": 15,
}

#: Tick types of a TICK_PRICE after which the official decoders also call
#: ``tickSize`` (bid, ask, last and their delayed variants).
PRICE_TICKS_WITH_SIZE = frozenset({1, 2, 4, 66, 67, 68})

POOL_SIZE = 4096
SEED = 20240611


@dataclass(frozen=True)
class Manifest:
    """What a stream holds."""

    #: Messages in the timed part of the stream.
    messages: int
    #: Message kind -> count.
    kinds: dict[str, int]
    #: TICK_PRICE messages whose tick type is in :data:`PRICE_TICKS_WITH_SIZE`.
    price_with_size: int
    #: TICK_BY_TICK messages by tick type (1 last, 2 all-last, 3 bid/ask, 4 midpoint).
    tick_by_tick: dict[int, int]


@dataclass(frozen=True)
class Stream:
    """Encoded bytes at one server version."""

    version: int
    #: The handshake reply and the start-up messages (nextValidId,
    #: managedAccounts), read before the clock starts.
    preamble: bytes
    #: The timed part: length-prefixed frames, back to back.
    body: bytes
    manifest: Manifest

    def reads(self, size: int) -> list[bytes]:
        """The body cut into socket reads of ``size`` bytes."""
        body = self.body
        return [body[i : i + size] for i in range(0, len(body), size)]


def _price(rng: random.Random) -> float:
    return round(rng.uniform(10.0, 500.0), 2)


def _size(rng: random.Random) -> Decimal:
    return Decimal(rng.choice((1, 2, 5, 100, 200, 300, 500, 1000, 2500)))


def _sample(kind: str, rng: random.Random) -> Message:
    req_id = rng.randrange(1, 60)
    if kind == "tick_price":
        tick_type = rng.choice((1, 2, 4, 6, 7, 9, 14, 66, 67))
        return TickPrice(
            req_id=req_id,
            tick_type=tick_type,
            price=_price(rng),
            size=_size(rng) if tick_type in PRICE_TICKS_WITH_SIZE else None,
            attrib=TickAttrib(can_auto_execute=tick_type in (1, 2), past_limit=False),
        )
    if kind == "tick_size":
        return TickSize(req_id=req_id, tick_type=rng.choice((0, 3, 5, 8, 69, 70)), size=_size(rng))
    if kind == "tick_string":
        if rng.random() < 0.5:
            return TickString(req_id=req_id, tick_type=45, value=str(rng.randrange(1_700_000_000, 1_800_000_000)))
        value = f"{_price(rng)};{rng.randrange(1, 900)};{rng.randrange(1_700_000_000_000, 1_800_000_000_000)};{rng.randrange(1000, 9_000_000)};{_price(rng)};true"
        return TickString(req_id=req_id, tick_type=48, value=value)
    if kind == "tick_generic":
        return TickGeneric(req_id=req_id, tick_type=rng.choice((23, 24, 49, 54)), value=round(rng.uniform(0, 1), 4))
    if kind == "market_depth":
        return MarketDepth(
            req_id=req_id,
            position=rng.randrange(0, 10),
            operation=rng.choice((0, 1, 1, 1, 2)),
            side=rng.randrange(0, 2),
            price=_price(rng),
            size=_size(rng),
        )
    if kind == "market_depth_l2":
        return MarketDepthL2(
            req_id=req_id,
            position=rng.randrange(0, 10),
            market_maker=rng.choice(("NSDQ", "ARCA", "BATS", "IEX", "EDGX")),
            operation=rng.choice((0, 1, 1, 1, 2)),
            side=rng.randrange(0, 2),
            price=_price(rng),
            size=_size(rng),
            is_smart_depth=True,
        )
    if kind == "tick_option_computation":
        return TickOptionComputation(
            req_id=req_id,
            tick_type=rng.choice((10, 11, 12, 13)),
            tick_attrib=rng.randrange(0, 2),
            implied_vol=round(rng.uniform(0.1, 0.9), 6),
            delta=round(rng.uniform(-1, 1), 6),
            opt_price=round(rng.uniform(0.05, 40), 4),
            pv_dividend=round(rng.uniform(0, 2), 6),
            gamma=round(rng.uniform(0, 0.1), 6),
            vega=round(rng.uniform(0, 0.5), 6),
            theta=round(rng.uniform(-0.5, 0), 6),
            und_price=_price(rng),
        )
    if kind == "tick_by_tick":
        tick_type = rng.choice((1, 2, 2, 3, 3, 4))
        time = rng.randrange(1_700_000_000, 1_800_000_000)
        if tick_type in (1, 2):
            return TickByTick(
                req_id=req_id,
                tick_type=tick_type,
                time=time,
                price=_price(rng),
                size=_size(rng),
                tick_attrib_last=TickAttribLast(past_limit=False, unreported=rng.random() < 0.1),
                exchange=rng.choice(("NASDAQ", "ARCA", "NYSE", "BATS")),
                special_conditions=rng.choice(("", "   I", "  T")),
            )
        if tick_type == 3:
            bid = _price(rng)
            return TickByTick(
                req_id=req_id,
                tick_type=3,
                time=time,
                bid_price=bid,
                ask_price=round(bid + 0.01, 2),
                bid_size=_size(rng),
                ask_size=_size(rng),
                tick_attrib_bid_ask=TickAttribBidAsk(),
            )
        return TickByTick(req_id=req_id, tick_type=4, time=time, mid_point=_price(rng))
    if kind == "real_time_bar":
        low = _price(rng)
        return RealTimeBars(
            req_id=req_id,
            time=rng.randrange(1_700_000_000, 1_800_000_000),
            open=round(low + 0.1, 2),
            high=round(low + 0.3, 2),
            low=low,
            close=round(low + 0.2, 2),
            volume=Decimal(rng.randrange(100, 100_000)),
            wap=Decimal(str(round(low + 0.15, 4))),
            count=rng.randrange(1, 500),
        )
    if kind == "order_status":
        filled = rng.randrange(0, 1000)
        return OrderStatus(
            order_id=rng.randrange(1, 10_000),
            status=rng.choice(("Submitted", "PreSubmitted", "Filled")),
            filled=Decimal(filled),
            remaining=Decimal(1000 - filled),
            avg_fill_price=_price(rng),
            perm_id=rng.randrange(1, 2**31 - 1),
            parent_id=0,
            last_fill_price=_price(rng),
            client_id=1,
            why_held="",
            mkt_cap_price=0.0,
        )
    if kind == "error":
        code, text = rng.choice(
            (
                (2104, "Market data farm connection is OK:usfarm"),
                (2106, "HMDS data farm connection is OK:ushmds"),
                (10167, "Requested market data is not subscribed. Displaying delayed market data."),
                (2158, "Sec-def data farm connection is OK:secdefnj"),
            )
        )
        return ErrMsg(req_id=-1 if code < 10000 else req_id, error_code=code, error_string=text)
    raise ValueError(kind)


def gateway_side(version: int) -> tuple[ServerProtocol, bytes, bytes]:
    """A connected gateway-side protocol, its handshake reply and its start-up messages."""
    client = ClientProtocol(0, min_version=version, max_version=version)
    server = ServerProtocol(max_version=version)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept(version, "20240611 09:30:00 America/New_York")
    reply = server.data_to_send()
    server.send(NextValidId(order_id=1))
    server.send(ManagedAccts(accounts_list="DU1234567"))
    return server, reply, server.data_to_send()


def frame_of(server: ServerProtocol, message: Message) -> bytes:
    """The frame ``server`` writes for ``message``."""
    server.send(message)
    return server.data_to_send()


def encode_pool(pool: list[tuple[str, Message]], version: int) -> list[bytes]:
    """The frame of every pool entry at ``version``."""
    server, _, _ = gateway_side(version)
    return [frame_of(server, message) for _, message in pool]


def plan(count: int, seed: int = SEED) -> tuple[list[tuple[str, Message]], list[int]]:
    """The pool of (kind, message) and the sequence of pool indexes (``count`` long)."""
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    # Every kind appears in the pool; the rest of the pool follows the weights.
    pool_kinds = kinds + rng.choices(kinds, weights, k=POOL_SIZE - len(kinds))
    pool = [(kind, _sample(kind, rng)) for kind in pool_kinds]
    sequence = list(range(len(kinds))) + rng.choices(range(POOL_SIZE), k=max(0, count - len(kinds)))
    return pool, sequence[:count]


def manifest_of(pool: list[tuple[str, Message]], sequence: list[int]) -> Manifest:
    uses = Counter(sequence)
    kinds: Counter[str] = Counter()
    price_with_size = 0
    tick_by_tick: Counter[int] = Counter()
    for index, used in uses.items():
        kind, message = pool[index]
        kinds[kind] += used
        if isinstance(message, TickPrice) and message.tick_type in PRICE_TICKS_WITH_SIZE:
            price_with_size += used
        if isinstance(message, TickByTick):
            tick_by_tick[message.tick_type] += used
    return Manifest(
        messages=len(sequence),
        kinds=dict(kinds),
        price_with_size=price_with_size,
        tick_by_tick=dict(tick_by_tick),
    )


def make_stream(count: int, version: int, seed: int = SEED) -> Stream:
    """The stream of ``count`` messages at server ``version``."""
    return make_streams(count, (version,), seed)[version]


def make_streams(count: int, versions: tuple[int, ...], seed: int = SEED) -> dict[int, Stream]:
    """One stream per version, all with the same message sequence."""
    pool, sequence = plan(count, seed)
    manifest = manifest_of(pool, sequence)
    streams = {}
    for version in versions:
        _, reply, ready = gateway_side(version)
        frames = encode_pool(pool, version)
        body = b"".join([frames[i] for i in sequence])
        streams[version] = Stream(version, reply + ready, body, manifest)
    return streams


def paced_manifest(count: int, stamp_every: int, seed: int = SEED) -> Manifest:
    """The manifest of a paced stream: every ``stamp_every``-th message is a time stamp
    (a TICK_STRING) in place of the planned one."""
    pool, sequence = plan(count, seed)
    kept = manifest_of(pool, [entry for i, entry in enumerate(sequence) if i % stamp_every])
    kinds = dict(kept.kinds)
    kinds["tick_string"] = kinds.get("tick_string", 0) + len(range(0, count, stamp_every))
    return Manifest(count, kinds, kept.price_with_size, kept.tick_by_tick)
