"""Drive the sans-I/O core with your own event loop (here: a plain ``selectors`` loop).

Usage::

    python examples/sansio_selectors.py --port 4002

:class:`~ibwire.ClientProtocol` does no I/O: feed it the bytes you read, send
the bytes it gives you, and handle the messages it decodes.  The same four calls
work inside any loop (Qt, trio, a game loop, a simulation with a fake clock).
There is no pacer here: the clients add that; code driving the core alone must
stay within IB's limits itself (see ``ibwire.pacing``).
"""

from __future__ import annotations

import argparse
import selectors
import socket
import time

from ibwire import ClientProtocol
from ibwire.events import ConnectAck, ConnectionClosed
from ibwire.messages import (
    Contract,
    ContractData,
    ContractDataEnd,
    CurrentTime,
    ErrMsg,
    ManagedAccts,
    NextValidId,
    ReqContractData,
    ReqCurrentTime,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=113)
    parser.add_argument("--timeout", type=float, default=10.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    protocol = ClientProtocol(args.client_id)
    protocol.connect()  # queues the hello; startApi follows the server's reply by itself
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    ready = {"accounts": False, "order_id": False}
    asked = done = False
    deadline = time.monotonic() + args.timeout
    try:
        while not done and time.monotonic() < deadline:
            # 1. Send what the core queued.
            data = protocol.data_to_send()
            if data:
                sock.sendall(data)
            # 2. Read what arrived, and feed it.
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                received = sock.recv(65536)
                if received:
                    protocol.receive_data(received)
                else:
                    protocol.receive_eof()
            # 3. Handle what the core decoded.
            for event in protocol.events_received():
                if isinstance(event, ConnectAck):
                    print(f"server version {event.server_version}, "
                          f"connection time {event.connection_time}")
                elif isinstance(event, ManagedAccts):
                    print(f"accounts: {event.accounts_list}")
                    ready["accounts"] = True
                elif isinstance(event, NextValidId):
                    print(f"next valid order id: {event.order_id}")
                    ready["order_id"] = True
                elif isinstance(event, CurrentTime):
                    print(f"server time: {event.time}")
                elif isinstance(event, ContractData):
                    details = event.contract_details
                    print(f"contract: {details.contract.symbol} con_id={details.contract.con_id} "
                          f"{details.long_name}")
                elif isinstance(event, ContractDataEnd):
                    done = True
                elif isinstance(event, ErrMsg):
                    print(f"TWS {event.error_code}: {event.error_string}")
                elif isinstance(event, ConnectionClosed):
                    print("the server closed the connection")
                    return 1
            # 4. Once ready (as TWS's own client does), ask our questions.
            if all(ready.values()) and not asked:
                protocol.send(ReqCurrentTime())
                protocol.send(ReqContractData(req_id=1, contract=Contract(
                    symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")))
                asked = True
    finally:
        selector.close()
        sock.close()
    return 0 if done else 1


if __name__ == "__main__":
    raise SystemExit(main())
