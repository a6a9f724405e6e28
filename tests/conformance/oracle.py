"""Running the official client as an oracle: captured request bytes, decoded callbacks.

Shared by the conformance tests of the market data, contract data and account
families.  Importing it skips the importing module when the ``conformance`` extra
is absent (through :mod:`.official_pb`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ibwire import ClientProtocol, ServerProtocol
from ibwire.messages import Message
from ibwire.messages.common import ComboLeg, Contract, DeltaNeutralContract
from ibwire.protobuf.catalogue import INCOMING

from .official_pb import CLASSES

assert CLASSES  # the official package is importable (else this module is skipped)

from ibapi.client import EClient  # noqa: E402
from ibapi.common import UNSET_DECIMAL  # noqa: E402
from ibapi.const import UNSET_DOUBLE  # noqa: E402
from ibapi.contract import ComboLeg as OfficialComboLeg  # noqa: E402
from ibapi.contract import Contract as OfficialContract  # noqa: E402
from ibapi.contract import DeltaNeutralContract as OfficialDeltaNeutral  # noqa: E402
from ibapi.decoder import Decoder  # noqa: E402
from ibapi.tag_value import TagValue  # noqa: E402
from ibapi.wrapper import EWrapper  # noqa: E402

VERSIONS = [200, 201, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 215, 217,
            219, 221, 223, 225, 226]


class FakeConnection:
    """A connection that keeps what the official ``EClient`` sends."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def isConnected(self) -> bool:  # noqa: N802 - the official interface
        return True

    def sendMsg(self, msg: bytes) -> None:  # noqa: N802
        self.sent.append(msg)


class Recorder(EWrapper):  # type: ignore[misc]
    """Records every plain EWrapper callback (the ``*ProtoBuf`` ones are ignored)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []


def _recording(name: str) -> Callable[..., None]:
    def record(self: Recorder, *args: Any) -> None:
        self.calls.append((name, args))

    return record


for _name in dir(EWrapper):
    if _name.startswith("_") or _name.endswith("ProtoBuf") or _name == "logAnswer":
        continue
    if callable(getattr(EWrapper, _name)):
        setattr(Recorder, _name, _recording(_name))


def _official_client(version: int) -> tuple[Any, Recorder]:
    """An official ``EClient`` connected at ``version`` to a :class:`FakeConnection`."""
    wrapper = Recorder()
    client = EClient(wrapper)
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.conn = FakeConnection()
    return client, wrapper


def official_bytes(version: int, call: Callable[[Any], None]) -> bytes:
    """The bytes the official ``EClient`` sends for ``call(client)`` at ``version``."""
    client, wrapper = _official_client(version)
    call(client)
    assert [c for c in wrapper.calls if c[0] == "error"] == []
    return b"".join(client.conn.sent)


def official_refusal(version: int, call: Callable[[Any], None]) -> str:
    """The error text the official ``EClient`` reports for ``call(client)`` at
    ``version`` when it refuses the request and sends nothing."""
    client, wrapper = _official_client(version)
    call(client)
    assert client.conn.sent == []
    ((_, args),) = [c for c in wrapper.calls if c[0] == "error"]
    return str(args[3])


def official_calls(
    version: int, data: bytes, wrapper: Any = None
) -> list[tuple[str, tuple[Any, ...]]]:
    """The callbacks the official ``Decoder`` makes for server frames ``data``, as
    recorded by ``wrapper`` (an EWrapper with a ``calls`` list; a :class:`Recorder`
    by default)."""
    if wrapper is None:
        wrapper = Recorder()
    decoder = Decoder(wrapper, version)
    while data:
        (size,) = struct.unpack(">I", data[:4])
        payload, data = data[4 : 4 + size], data[4 + size :]
        if version >= 201:
            msg_id, body = int.from_bytes(payload[:4], "big"), payload[4:]
        else:
            head, _, body = payload.partition(b"\0")
            msg_id = int(head)
        if msg_id > 200:
            decoder.processProtoBuf(body, msg_id - 200)
        else:
            decoder.interpret(tuple(body.split(b"\0")[:-1]), msg_id)
    calls: list[tuple[str, tuple[Any, ...]]] = wrapper.calls
    return calls


def tag_values(text: str) -> list[Any]:
    """An options text (``tag=value;`` pairs) as the official ``TagValue`` list."""
    pairs = []
    for item in text.split(";"):
        if item:
            tag, _, value = item.partition("=")
            pairs.append(TagValue(tag, value))
    return pairs


def connected(version: int) -> tuple[ClientProtocol, ServerProtocol]:
    """A client at most ``version`` handshaken with a server that read its startApi."""
    client = ClientProtocol(7, max_version=version)
    server = ServerProtocol(max_version=226)
    client.connect()
    server.receive_data(client.data_to_send())
    server.events_received()
    server.accept()
    client.receive_data(server.data_to_send())
    client.events_received()
    server.receive_data(client.data_to_send())  # startApi
    server.events_received()
    return client, server


def unset(value: Any) -> Any:
    """An official value with its "unset" markers as ``None``."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value == UNSET_DECIMAL:
        return None
    if isinstance(value, float) and value == UNSET_DOUBLE:
        return None
    return value


def official_contract(ours: Contract) -> Any:
    """Our contract as the official ``Contract``."""
    theirs = OfficialContract()
    for mine, name in CONTRACT_FIELDS.items():
        setattr(theirs, name, getattr(ours, mine))
    if ours.strike is None:
        theirs.strike = UNSET_DOUBLE
    theirs.comboLegs = [_official_leg(leg) for leg in ours.combo_legs]
    if ours.delta_neutral_contract is not None:
        theirs.deltaNeutralContract = _official_delta_neutral(ours.delta_neutral_contract)
    return theirs


def _official_leg(ours: ComboLeg) -> Any:
    leg = OfficialComboLeg()
    leg.conId = ours.con_id
    leg.ratio = ours.ratio
    leg.action = ours.action
    leg.exchange = ours.exchange
    leg.openClose = ours.open_close
    leg.shortSaleSlot = ours.short_sale_slot
    leg.designatedLocation = ours.designated_location
    leg.exemptCode = ours.exempt_code
    return leg


def _official_delta_neutral(ours: DeltaNeutralContract) -> Any:
    theirs = OfficialDeltaNeutral()
    theirs.conId = ours.con_id
    theirs.delta = ours.delta
    theirs.price = ours.price
    return theirs


#: Our contract attribute -> the official one.
CONTRACT_FIELDS = {
    "con_id": "conId", "symbol": "symbol", "sec_type": "secType",
    "last_trade_date_or_contract_month": "lastTradeDateOrContractMonth",
    "last_trade_date": "lastTradeDate", "strike": "strike",
    "right": "right", "multiplier": "multiplier", "exchange": "exchange",
    "primary_exchange": "primaryExchange", "currency": "currency",
    "local_symbol": "localSymbol", "trading_class": "tradingClass",
    "include_expired": "includeExpired", "sec_id_type": "secIdType", "sec_id": "secId",
    "description": "description", "issuer_id": "issuerId",
    "combo_legs_descrip": "comboLegsDescrip",
}  # fmt: skip


def assert_same_contract(theirs: Any, ours: Contract, fields: tuple[str, ...]) -> None:
    """The official decoded contract holds our values in ``fields``."""
    for mine in fields:
        assert unset(getattr(theirs, CONTRACT_FIELDS[mine])) == getattr(ours, mine), mine


def through_official(message: Message) -> object:
    """``message`` as our server side encodes it at 226, parsed and serialized again
    by the official pb2 class, then decoded by our client side."""
    _, server = connected(226)
    server.send(message)
    payload = server.data_to_send()[4:]
    raw_id = int.from_bytes(payload[:4], "big")
    official = CLASSES[INCOMING[raw_id - 200]]()  # type: ignore[index]
    official.ParseFromString(payload[4:])
    body = official.SerializeToString()
    client, _ = connected(226)
    client.receive_data(struct.pack(">II", len(body) + 4, raw_id) + body)
    (event,) = client.events_received()
    return event
