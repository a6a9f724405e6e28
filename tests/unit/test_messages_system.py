"""Byte-exact vectors for ibwire.messages.system, at every version band."""

from __future__ import annotations

import pytest

from ibwire.codec import INCOMING, OUTGOING, Codec
from ibwire.errors import UnsupportedByServerError
from ibwire.messages import Message, system
from ibwire.messages.system import (
    CurrentTime,
    CurrentTimeInMillis,
    ErrMsg,
    ManagedAccts,
    NextValidId,
    ReqCurrentTime,
    ReqCurrentTimeInMillis,
    ReqIds,
    ReqUserInfo,
    StartApi,
    UserInfo,
    VerifyAndAuthCompleted,
    VerifyAndAuthMessage,
    VerifyAndAuthMessageApi,
    VerifyAndAuthRequest,
    VerifyCompleted,
    VerifyMessage,
    VerifyMessageApi,
    VerifyRequest,
)

from ..vectors import real_records

FARM_OK = "Market data farm connection is OK:usfarm"

# (server version, wire fields, message): each decoded by a client AND encoded by a server.
INCOMING_VECTORS: list[tuple[int, list[str], Message]] = [
    # real capture pyfutures-v176 line 3
    (176, ["9", "1", "530"], NextValidId(order_id=530)),
    # real capture pyfutures-v176 line 2
    (176, ["15", "1", "DU7606863"], ManagedAccts(accounts_list="DU7606863")),
    # official layout (wrapper.py managedAccounts): a trailing comma is kept as sent
    (200, ["15", "1", "DU111,DU222,"], ManagedAccts(accounts_list="DU111,DU222,")),
    # official layout (decoder.py processErrorMsg, < 166: ver, id, code, text)
    (
        150,
        ["4", "2", "-1", "2104", FARM_OK],
        ErrMsg(req_id=-1, error_code=2104, error_string=FARM_OK),
    ),
    # real capture pyfutures-v176 line 5 (>= 166: advancedOrderRejectJson, here empty)
    (
        176,
        ["4", "2", "-1", "2104", FARM_OK, ""],
        ErrMsg(req_id=-1, error_code=2104, error_string=FARM_OK),
    ),
    # official layout (decoder.py processErrorMsg, >= 166) with a rejection JSON
    (
        176,
        ["4", "2", "12", "201", "Order rejected", '{"rejectCode":"1"}'],
        ErrMsg(
            req_id=12,
            error_code=201,
            error_string="Order rejected",
            advanced_order_reject_json='{"rejectCode":"1"}',
        ),
    ),
    # official layout (decoder.py processErrorMsg, >= 153: text unicode-escaped by the server)
    (
        176,
        ["4", "2", "12", "201", "Ordre refus\\u00e9", ""],
        ErrMsg(req_id=12, error_code=201, error_string="Ordre refusé"),
    ),
    # official layout (decoder.py processErrorMsg, < 153: text as it is)
    (
        150,
        ["4", "2", "12", "201", "Ordre refusé"],
        ErrMsg(req_id=12, error_code=201, error_string="Ordre refusé"),
    ),
    # official layout (decoder.py processErrorMsg, >= 194: no ver, errorTime in epoch ms)
    (
        194,
        ["4", "-1", "2104", FARM_OK, "", "1711300000123"],
        ErrMsg(req_id=-1, error_code=2104, error_string=FARM_OK, error_time=1711300000123),
    ),
    # official layout (decoder.py processErrorMsg, >= 194), at ibwire's top version
    (
        200,
        [
            "4",
            "7",
            "10089",
            "Requested market data requires additional subscription",
            "",
            "1711300000999",
        ],
        ErrMsg(
            req_id=7,
            error_code=10089,
            error_string="Requested market data requires additional subscription",
            error_time=1711300000999,
        ),
    ),
    # official layout (wrapper.py currentTime, one version field first)
    (176, ["49", "1", "1711300000"], CurrentTime(time=1711300000)),
    # official layout (decoder.py processCurrentTimeInMillis)
    (197, ["109", "1711300000123"], CurrentTimeInMillis(time_in_millis=1711300000123)),
    # official layout (decoder.py processUserInfo)
    (176, ["107", "5", ""], UserInfo(req_id=5, white_branding_id="")),
    (176, ["107", "5", "WB42"], UserInfo(req_id=5, white_branding_id="WB42")),
    # official layout (wrapper.py verifyMessageAPI, one version field first)
    (176, ["65", "1", "abc123"], VerifyMessageApi(api_data="abc123")),
    # Java EDecoder processVerifyCompletedMsg: isSuccessful is the text "true"/"false"
    (176, ["66", "1", "true", ""], VerifyCompleted(is_successful=True, error_text="")),
    (
        176,
        ["66", "1", "false", "Invalid key"],
        VerifyCompleted(is_successful=False, error_text="Invalid key"),
    ),
    # official layout (wrapper.py verifyAndAuthMessageAPI, one version field first)
    (
        176,
        ["69", "1", "abc123", "xyz"],
        VerifyAndAuthMessageApi(api_data="abc123", xyz_challenge="xyz"),
    ),
    # Java EDecoder processVerifyAndAuthCompletedMsg: text "true"/"false"
    (176, ["70", "1", "true", ""], VerifyAndAuthCompleted(is_successful=True, error_text="")),
]

# (server version, wire fields, message): each encoded by a client AND decoded by a server.
OUTGOING_VECTORS: list[tuple[int, list[str], Message]] = [
    # real capture pyfutures-v176 line 270
    (176, ["71", "2", "12", ""], StartApi(client_id=12)),
    # official layout (client.py startApi, >= 72: optionalCapabilities)
    (100, ["71", "2", "0", "+PACEAPI"], StartApi(client_id=0, optional_capabilities="+PACEAPI")),
    # real capture pyfutures-v176 line 172
    (176, ["8", "1", "1"], ReqIds()),
    # official layout (client.py reqCurrentTime)
    (176, ["49", "1"], ReqCurrentTime()),
    # official layout (client.py reqCurrentTimeInMillis: the id alone, >= 197)
    (197, ["105"], ReqCurrentTimeInMillis()),
    # official layout (client.py reqUserInfo, >= 167)
    (167, ["104", "5"], ReqUserInfo(req_id=5)),
    # official layout (client.py verifyRequest)
    (176, ["65", "1", "MyApp", "1.0"], VerifyRequest(api_name="MyApp", api_version="1.0")),
    # official layout (client.py verifyMessage)
    (176, ["66", "1", "abc123"], VerifyMessage(api_data="abc123")),
    # official layout (client.py verifyAndAuthRequest)
    (
        176,
        ["72", "1", "MyApp", "1.0", "isvkey"],
        VerifyAndAuthRequest(api_name="MyApp", api_version="1.0", opaque_isv_key="isvkey"),
    ),
    # official layout (client.py verifyAndAuthMessage)
    (
        176,
        ["73", "1", "abc123", "response"],
        VerifyAndAuthMessage(api_data="abc123", xyz_response="response"),
    ),
]


def _label(vector: tuple[int, list[str], Message]) -> str:
    version, _, msg = vector
    return f"{type(msg).__name__}-v{version}"


@pytest.mark.parametrize("vector", INCOMING_VECTORS, ids=_label)
def test_incoming_vector(vector: tuple[int, list[str], Message]) -> None:
    version, fields, msg = vector
    assert Codec(version).decode(list(fields)) == msg
    assert Codec(version, server=True).encode(msg) == fields


@pytest.mark.parametrize("vector", OUTGOING_VECTORS, ids=_label)
def test_outgoing_vector(vector: tuple[int, list[str], Message]) -> None:
    version, fields, msg = vector
    assert Codec(version).encode(msg) == fields
    assert Codec(version, server=True).decode(list(fields)) == msg


def test_every_class_has_a_vector() -> None:
    covered = {type(v[2]) for v in (*INCOMING_VECTORS, *OUTGOING_VECTORS)}
    classes = {
        obj
        for name in system.__all__
        if isinstance(obj := getattr(system, name), type) and issubclass(obj, Message)
    }
    assert classes
    assert classes <= covered, sorted(c.__name__ for c in classes - covered)


def test_verify_completed_reads_only_true_as_success() -> None:
    # Java's decoder tests "true".equals(text): any other text is a failure.
    msg = Codec(176).decode(["66", "1", "1", ""])
    assert msg == VerifyCompleted(is_successful=False, error_text="")


def test_err_msg_escapes_only_from_153() -> None:
    msg = ErrMsg(req_id=1, error_code=2, error_string="é")
    assert Codec(153, server=True).encode(msg)[4] == "\\u00e9"
    assert Codec(152, server=True).encode(msg)[4] == "é"


def test_err_msg_fields_absent_before_their_version_are_refused() -> None:
    server = Codec(165, server=True)
    with pytest.raises(UnsupportedByServerError):
        server.encode(
            ErrMsg(req_id=1, error_code=2, error_string="x", advanced_order_reject_json="{}")
        )
    with pytest.raises(UnsupportedByServerError):
        Codec(193, server=True).encode(
            ErrMsg(req_id=1, error_code=2, error_string="x", error_time=1)
        )


@pytest.mark.parametrize(
    ("msg", "required"),
    [
        (ReqUserInfo(req_id=5), 167),
        (ReqCurrentTimeInMillis(), 197),
        (VerifyRequest(api_name="a", api_version="1"), 70),
        (VerifyMessage(api_data="a"), 70),
        (VerifyAndAuthRequest(api_name="a", api_version="1", opaque_isv_key="k"), 70),
        (VerifyAndAuthMessage(api_data="a", xyz_response="r"), 70),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Message) else str(v),
)
def test_request_below_its_min_version_is_refused(msg: Message, required: int) -> None:
    with pytest.raises(UnsupportedByServerError) as info:
        Codec(required - 1).encode(msg)
    assert info.value.required == required
    assert Codec(required).encode(msg)[0] == str(msg.MSG_ID)


def test_start_api_capabilities_need_72() -> None:
    with pytest.raises(UnsupportedByServerError):
        Codec(71).encode(StartApi(client_id=1, optional_capabilities="+PACEAPI"))
    assert Codec(71).encode(StartApi(client_id=1)) == ["71", "2", "1"]


# ------------------------------------------------------------------ real traffic

_IN_IDS = {str(i) for i, cls in INCOMING.items() if cls.__module__ == system.__name__}
_OUT_IDS = {str(i) for i, cls in OUTGOING.items() if cls.__module__ == system.__name__}


def test_real_incoming_records_decode_and_re_encode() -> None:
    client, server = Codec(176), Codec(176, server=True)
    records = [
        r for r in real_records()
        if r.direction == "in" and not r.is_handshake_reply and r.fields[0] in _IN_IDS
    ]  # fmt: skip
    for record in records:
        fields = list(record.fields)
        msg = client.decode(fields)
        assert server.encode(msg) == fields, record.source
    seen = {r.fields[0] for r in records}
    # pyfutures-v176 holds errors, next valid ids and managed accounts.
    assert {"4", "9", "15"} <= seen


def test_real_err_msg_records_are_typed() -> None:
    client = Codec(176)
    errors = [
        client.decode(list(r.fields))
        for r in real_records()
        if r.direction == "in" and r.fields[0] == "4"
    ]
    assert errors
    assert all(isinstance(e, ErrMsg) and e.error_time is None for e in errors)
    assert any(e.error_code == 2104 for e in errors if isinstance(e, ErrMsg))


def test_real_outgoing_records_round_trip() -> None:
    client, server = Codec(176), Codec(176, server=True)
    records = [
        r for r in real_records()
        if r.direction == "out" and not r.is_hello and r.fields[0] in _OUT_IDS
    ]  # fmt: skip
    for record in records:
        fields = list(record.fields)
        assert client.encode(server.decode(fields)) == fields, record.source
    # reqIds (8) and startApi (71) are in pyfutures-v176.
    assert {"8", "71"} <= {r.fields[0] for r in records}
