"""The official client as an oracle for whole families of messages.

* :func:`official_request_bytes`: what the official ``EClient`` writes for one of
  our request messages (its method called with our values, the bytes captured
  from a fake connection);
* :func:`official_calls`: what the official ``Decoder`` makes of our bytes (every
  EWrapper call, recorded);
* :func:`same`: whether an official value (an object, a list, a set, an unset
  marker) holds the values of one of ours, field by field;
* :func:`strategy`: random instances of one of our message or domain classes.

Importing this module skips the importing test module without the
``conformance`` extra (see :mod:`tests.conformance.official_pb`).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ibwire import ClientProtocol, ServerProtocol
from ibwire.messages.common import ComboLeg, Contract, DeltaNeutralContract

from .official_pb import CLASSES

assert CLASSES

from ibapi import contract as official_contract  # noqa: E402
from ibapi.client import EClient  # noqa: E402
from ibapi.common import UNSET_DECIMAL, UNSET_INTEGER, WshEventData  # noqa: E402
from ibapi.const import UNSET_DOUBLE, UNSET_LONG  # noqa: E402
from ibapi.scanner import ScannerSubscription  # noqa: E402
from ibapi.tag_value import TagValue  # noqa: E402
from ibapi.wrapper import EWrapper  # noqa: E402

from .oracle import FakeConnection  # noqa: E402
from .oracle import official_calls as official_calls_with  # noqa: E402

_UNSET = (UNSET_DOUBLE, UNSET_DECIMAL, UNSET_INTEGER, UNSET_LONG)


def key(name: str) -> str:
    """A field name in a form common to IB's camelCase and our snake_case."""
    return name.replace("_", "").lower()


# ---------------------------------------------------------------- requests


class Recorder(EWrapper):  # type: ignore[misc]
    """Records every EWrapper call as ``(name, args)``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_") or name in ("calls", "logAnswer"):
            return object.__getattribute__(self, name)
        if callable(getattr(EWrapper, name, None)):
            calls = object.__getattribute__(self, "calls")

            def record(*args: Any) -> None:
                calls.append((name, args))

            return record
        return object.__getattribute__(self, name)


def official_object(value: Any, cls: type) -> Any:
    """One of our domain objects as the official class ``cls``: attributes by
    name, ``None`` as the official "unset" marker of the attribute's type."""
    target = cls()
    names = {key(name): name for name in vars(target)}
    for fld in dataclasses.fields(value):
        name = names.get(key(fld.name))
        if name is None:
            continue
        mine = getattr(value, fld.name)
        if mine is None:
            default = getattr(target, name)
            mine = UNSET_DOUBLE if isinstance(default, float) else UNSET_INTEGER
        setattr(target, name, mine)
    return target


def official_contract_of(contract: Contract) -> Any:
    result = official_object(contract, official_contract.Contract)
    result.comboLegs = [official_object(leg, official_contract.ComboLeg)
                        for leg in contract.combo_legs] or None
    dn = contract.delta_neutral_contract
    result.deltaNeutralContract = (
        None if dn is None else official_object(dn, official_contract.DeltaNeutralContract)
    )
    return result


def tag_values(text: str) -> list[Any]:
    out = []
    for item in text.split(";"):
        if item:
            tag, _, value = item.partition("=")
            out.append(TagValue(tag, value))
    return out


def _official_argument(param: str, value: Any) -> Any:
    if isinstance(value, Contract):
        return official_contract_of(value)
    if param.endswith("Options") or param == "chartOptions":
        return tag_values(value)
    if param == "subscription":
        return official_object(value, ScannerSubscription)
    if param == "wshEventData":
        return official_object(value, WshEventData)
    return value


#: Official parameter names that do not match our attribute names by :func:`key`.
ALIASES = {"useRth": "use_rth", "conid": "con_id", "reqId": "req_id"}


def official_request_bytes(version: int, method: str, message: Any,
                           build: Any = None) -> bytes:
    """The bytes the official ``EClient.<method>`` writes for ``message``.

    ``build(message)`` gives the positional arguments when the parameters do not
    pair with our attributes by name.
    """
    wrapper = Recorder()
    client = EClient(wrapper)
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.conn = FakeConnection()
    client.extraAuth = True
    function = getattr(client, method)
    if build is not None:
        args = build(message)
    else:
        attrs = {key(fld.name): fld.name for fld in dataclasses.fields(message)}
        args = []
        for param in list(inspect.signature(function).parameters):
            attr = ALIASES.get(param) or attrs.get(key(param))
            if attr is None or not hasattr(message, attr):
                attr = attrs[key(param)]
            args.append(_official_argument(param, getattr(message, attr)))
    function(*args)
    errors = [call for call in wrapper.calls if call[0] == "error"]
    assert errors == [], errors
    return b"".join(client.conn.sent)


def connected(version: int) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(7, max_version=version)
    server = ServerProtocol(max_version=226)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept()
    client.receive_data(server.data_to_send())
    client.events_received()
    client.data_to_send()  # startApi
    server.data_to_send()  # nothing yet
    return client, server


def our_request_bytes(version: int, message: Any) -> bytes:
    client, _ = connected(version)
    client.send(message)
    return client.data_to_send()


# ---------------------------------------------------------------- incoming


def official_calls(version: int, data: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """Every EWrapper call the official decoder makes of our frames."""
    calls = official_calls_with(version, data, Recorder())
    # The ...ProtoBuf callbacks hand over the raw protobuf object: not values.
    return [call for call in calls
            if not call[0].endswith("ProtoBuf") or call[0].startswith(("config", "updateConfig"))]


def our_frames(version: int, *messages: Any) -> bytes:
    _, server = connected(version)
    for message in messages:
        server.send(message)
    return server.data_to_send()


def same(theirs: Any, mine: Any, path: str = "") -> None:
    """Assert that the official ``theirs`` holds the values of our ``mine``."""
    if mine is None:
        assert theirs is None or theirs in _UNSET or _is_empty_proto(theirs), (path, theirs)
        return
    if dataclasses.is_dataclass(mine):
        if hasattr(theirs, "DESCRIPTOR"):
            fields = {key(f.name): f.name for f in theirs.DESCRIPTOR.fields}
        else:
            fields = {key(name): name for name in vars(theirs)}
        for fld in dataclasses.fields(mine):
            if isinstance(theirs, official_contract.Contract) and fld.name in NOT_DECODED:
                continue
            name = fields.get(key(fld.name)) or fields.get(key(OBJECT_ALIASES.get(fld.name, "")))
            if name is None:
                # Every value of ours must be checked, unless the official
                # object has no such field at all.
                assert fld.name in NOT_IN_OFFICIAL, (path, fld.name, sorted(fields))
                continue
            value = getattr(theirs, name)
            if hasattr(theirs, "DESCRIPTOR"):
                spec = theirs.DESCRIPTOR.fields_by_name[name]
                if not spec.is_repeated and not theirs.HasField(name):
                    value = None
            same(value, getattr(mine, fld.name), f"{path}.{fld.name}")
        return
    if isinstance(mine, tuple):
        if isinstance(theirs, (set, frozenset)):
            assert theirs == set(mine), (path, theirs, mine)
            return
        theirs = list(theirs or ())
        assert len(theirs) == len(mine), (path, theirs, mine)
        for index, (one, other) in enumerate(zip(theirs, mine, strict=True)):
            same(one, other, f"{path}[{index}]")
        return
    if isinstance(mine, bool) and isinstance(theirs, str):
        assert theirs == ("true" if mine else "false"), (path, theirs, mine)
        return
    assert theirs == mine, (path, theirs, mine)


#: Our attribute -> the official attribute, where the names differ.
OBJECT_ALIASES = {"value": "val", "family_code_str": "familyCodeStr"}
#: Our attributes the official objects do not have.
NOT_IN_OFFICIAL = frozenset({"last_trade_date"})
#: Contract fields the official decoder does not read (``decodeContract``).
NOT_DECODED = frozenset({"sec_id_type", "sec_id", "include_expired"})


def _is_empty_proto(value: Any) -> bool:
    return hasattr(value, "ListFields") and not value.ListFields()


def same_call(call: tuple[str, tuple[Any, ...]], name: str, mine: Any,
              aliases: dict[str, str] | None = None) -> None:
    """Assert that one official call is ``name`` with our message's values,
    parameters paired with attributes by name."""
    assert call[0] == name, call
    params = list(inspect.signature(getattr(EWrapper, name)).parameters)[1:]
    attrs = {key(fld.name): fld.name for fld in dataclasses.fields(mine)}
    for param, value in zip(params, call[1], strict=True):
        attr = (aliases or {}).get(param) or attrs.get(key(param).rstrip("_"))
        if attr is None:
            continue
        same(value, getattr(mine, attr), f"{name}.{param}")


# ---------------------------------------------------------------- strategies

text = st.text(st.characters(min_codepoint=33, max_codepoint=126,
                             exclude_characters=";=\\"), max_size=6)
int32 = st.integers(-(2**31), 2**31 - 2)
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
decimals = st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4,
                       allow_nan=False)
# At most one option: with several, upb (the official runtime) writes a map's
# entries in its hash table's order, which no other writer reproduces; the
# entries themselves are checked in test_several_options_arrive_whole.
options = st.lists(st.tuples(st.sampled_from(["a", "b", "xyz"]), text), max_size=1,
                   unique_by=lambda item: item[0]).map(
    lambda items: "".join(f"{tag}={value};" for tag, value in items))

legs = st.builds(ComboLeg, con_id=int32, ratio=int32, action=text, exchange=text,
                 open_close=int32, short_sale_slot=int32, designated_location=text,
                 exempt_code=int32)
contracts = st.builds(
    Contract, con_id=int32, symbol=text, sec_type=text, last_trade_date_or_contract_month=text,
    strike=st.none() | finite, right=text, multiplier=st.sampled_from(["", "1", "100", "0.5"]),
    exchange=text, primary_exchange=text, currency=text, local_symbol=text,
    trading_class=text, include_expired=st.booleans(), sec_id_type=text, sec_id=text,
    description=text, issuer_id=text,
    delta_neutral_contract=st.none() | st.builds(DeltaNeutralContract, con_id=int32,
                                                 delta=finite, price=finite),
)


_strategies: dict[type, st.SearchStrategy[Any]] = {}


def strategy(cls: type, overrides: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Random instances of a dataclass, from its fields' types."""
    if not overrides:
        if cls not in _strategies:
            _strategies[cls] = _strategy(cls, None)
        return _strategies[cls]
    return _strategy(cls, overrides)


def _strategy(cls: type, overrides: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for fld in dataclasses.fields(cls):
        if overrides and fld.name in overrides:
            fields[fld.name] = overrides[fld.name]
        elif fld.name.endswith("options"):
            fields[fld.name] = options
        else:
            fields[fld.name] = _for_type(hints[fld.name])
    return st.builds(cls, **fields)


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is int:
        return int32
    if tp is str:
        return text
    if tp is bool:
        return st.booleans()
    if tp is float:
        return finite
    if tp is Decimal:
        return decimals
    if tp is Contract:
        return contracts
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        others = [arg for arg in args if arg is not type(None)]
        return st.none() | _for_type(others[0])
    if origin is tuple:
        return st.lists(_for_type(args[0]), max_size=2).map(tuple)
    if dataclasses.is_dataclass(tp):
        return strategy(tp)
    raise TypeError(tp)
