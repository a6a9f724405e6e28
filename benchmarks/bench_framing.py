"""Framing and decoding throughput at 4 KiB and 256 KiB reads.

Feeds the same byte stream (a mixed tick stream at server version 176) to
:class:`ibwire.framing.FrameDecoder` alone and to :class:`ibwire.ClientProtocol`
(framing + decoding), in reads of 4 KiB and of 256 KiB, and prints messages per
second for each.  Linear framing keeps both read sizes at the same rate; a
decoder that re-slices its buffer per message slows down on large reads (shown
by the "re-slicing" row, a straightforward implementation of that pattern).

Run: ``python benchmarks/bench_framing.py [--messages N]``.
"""

from __future__ import annotations

import argparse
import struct
import time
from decimal import Decimal

from ibwire import ClientProtocol, ServerProtocol
from ibwire.framing import FrameDecoder
from ibwire.messages import TickGeneric, TickPrice, TickSize, TickString


def make_stream(count: int, version: int = 176) -> tuple[bytes, bytes]:
    """(handshake reply bytes, message stream bytes) with ``count`` messages."""
    client = ClientProtocol(1)
    server = ServerProtocol(max_version=version)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept()
    reply = server.data_to_send()
    samples = [
        TickPrice(req_id=1, tick_type=1, price=150.25, size=Decimal(300)),
        TickSize(req_id=1, tick_type=0, size=Decimal(300)),
        TickString(req_id=1, tick_type=45, value="1700069395"),
        TickGeneric(req_id=1, tick_type=49, value=0.0),
        TickPrice(req_id=2, tick_type=2, price=150.27, size=Decimal(100)),
    ]
    frames = []
    for sample in samples:
        server.send(sample)
        frames.append(server.data_to_send())
    body = b"".join(frames[i % len(frames)] for i in range(count))
    return reply, body


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def reslicing_framer(reads: list[bytes]) -> int:
    """The pattern the peers use: re-slice the remaining buffer after every message."""
    buf = b""
    count = 0
    for data in reads:
        buf += data
        while len(buf) >= 4:
            (size,) = struct.unpack(">I", buf[:4])
            if len(buf) - 4 < size:
                break
            _payload = buf[4 : 4 + size]
            buf = buf[4 + size :]
            count += 1
    return count


def framing_only(reads: list[bytes]) -> int:
    decoder = FrameDecoder()
    count = 0
    for data in reads:
        count += len(decoder.feed(data))
    return count


def full_decode(reply: bytes, reads: list[bytes]) -> int:
    client = ClientProtocol(1)
    client.connect()
    client.receive_data(reply)
    client.events_received()
    count = 0
    for data in reads:
        client.receive_data(data)
        count += len(client.events_received())
    return count


def measure(fn: object, *args: object, repeat: int = 7) -> float:
    best = float("inf")
    result = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return result / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    reply, body = make_stream(args.messages)
    print(f"{args.messages} messages, {len(body) / 1e6:.1f} MB, server version 176")
    print(f"{'contender':<28}{'4 KiB msg/s':>14}{'256 KiB msg/s':>16}{'256K/4K':>10}")
    for name, fn, extra in (
        ("ibwire framing", framing_only, ()),
        ("ibwire framing+decode", full_decode, (reply,)),
        ("re-slicing framing", reslicing_framer, ()),
    ):
        rates = []
        for size in (4096, 262144):
            reads = chunks(body, size)
            rates.append(measure(fn, *extra, reads))
        print(f"{name:<28}{rates[0]:>14,.0f}{rates[1]:>16,.0f}{rates[1] / rates[0]:>10.2f}")


if __name__ == "__main__":
    main()
