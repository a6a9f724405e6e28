"""A streaming gateway for the loopback benchmark, run as its own process.

``python benchmarks/_gateway.py --version 157 --messages N`` listens on
127.0.0.1 (an ephemeral port, printed as the first line of stdout) and serves
one client after another until stdin closes.  Per connection:

1. read ``API\\0`` and the hello, answer with the version and a time;
2. read the client's startApi, send nextValidId and managedAccounts;
3. wait for the client's next message (any): the signal to start;
4. ``flood`` mode: write the pre-encoded stream of ``N`` messages
   (:mod:`_stream`) as fast as the socket takes it;
   ``paced`` mode: write ``N`` messages one frame per ``send``, at ``--rate``
   messages per second on average; every ``--stamp-every``-th one is a TICK_STRING for
   request id 0 whose value is the send time (``CLOCK_MONOTONIC``, ns) so the
   client can measure the callback latency;
5. write a CURRENT_TIME message: the end of the stream (its callback stops the
   client's clock);
6. wait for the client to close.

Frames are written with ``TCP_NODELAY``, so a paced frame leaves at once.
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import threading
import time

from _stream import encode_pool, gateway_side, plan

_HEADER = struct.Struct(">I")
#: A TICK_STRING (46, version 6) for request id 0, tick type 45; the value follows.
STAMP_PREFIX = b"46\x006\x000\x0045\x00"
STAMP_REQ_ID = 0
#: CURRENT_TIME (49, version 1): sent after the stream, it marks its end.
END_PAYLOAD = b"49\x001\x001718112600\x00"


def now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def _recv_exact(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


def _recv_frame(sock: socket.socket) -> bytes:
    (size,) = _HEADER.unpack(_recv_exact(sock, 4))
    return _recv_exact(sock, size)


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


def _fields(*fields: str) -> bytes:
    return _frame(("\0".join(fields) + "\0").encode())


class Gateway:
    def __init__(self, version: int, messages: int, mode: str, rate: float, stamp_every: int) -> None:
        self.version = version
        self.messages = messages
        self.mode = mode
        self.rate = rate
        self.stamp_every = stamp_every
        pool, sequence = plan(messages)
        frames = encode_pool(pool, version)
        if mode == "flood":
            self.body = b"".join([frames[i] for i in sequence])
        else:
            self.frames = [frames[i] for i in sequence]
        _, _, self.ready = gateway_side(version)

    def serve(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if _recv_exact(sock, 4) != b"API\0":
            raise ConnectionError("not a TWS API client")
        _recv_frame(sock)  # the version range; this gateway answers with its own
        sock.sendall(_fields(str(self.version), "20240611 09:30:00 America/New_York"))
        _recv_frame(sock)  # startApi
        sock.sendall(self.ready)
        _recv_frame(sock)  # the start signal
        if self.mode == "flood":
            sock.sendall(self.body)
        else:
            self._paced(sock)
        sock.sendall(_frame(END_PAYLOAD))
        # Drain until the client closes.
        while sock.recv(65536):
            pass

    def _paced(self, sock: socket.socket) -> None:
        send = sock.sendall
        clock = now_ns
        interval = 1e9 / self.rate
        every = self.stamp_every
        start = clock()
        sleep = time.sleep
        for index, frame in enumerate(self.frames):
            # Sleep, never spin: a spinning gateway would take one of the two
            # cores the client needs.  A late wake-up sends the frames that are
            # due back to back; each stamp is taken just before its own send.
            ahead = start + int(index * interval) - clock()
            if ahead > 0:
                sleep(ahead / 1e9)
            if index % every == 0:
                payload = STAMP_PREFIX + str(clock()).encode() + b"\0"
                send(_HEADER.pack(len(payload)) + payload)
            else:
                send(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, default=157)
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--mode", choices=("flood", "paced"), default="flood")
    parser.add_argument("--rate", type=float, default=10_000.0)
    parser.add_argument("--stamp-every", type=int, default=5)
    args = parser.parse_args()
    gateway = Gateway(args.version, args.messages, args.mode, args.rate, args.stamp_every)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    # The parent closes stdin when it is done with this gateway; closing the
    # listener ends the accept loop.
    threading.Thread(target=_close_on_eof, args=(listener,), daemon=True).start()
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        with sock:
            try:
                gateway.serve(sock)
            except (ConnectionError, OSError) as exc:
                print(f"gateway: {exc}", file=sys.stderr, flush=True)


def _close_on_eof(listener: socket.socket) -> None:
    sys.stdin.read()
    listener.close()


if __name__ == "__main__":
    main()
