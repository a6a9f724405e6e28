"""System messages: handshake follow-ups, ids, time, errors, user info, verification, display groups."""

from __future__ import annotations

from typing import ClassVar, Final

from ..fields import ESC_STR, INT, LONG, OPT_LONG, STR, Kind
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import F, Message, Node, Ver, dataclass, message

__all__ = [
    "CurrentTime",
    "CurrentTimeInMillis",
    "ErrMsg",
    "ManagedAccts",
    "NextValidId",
    "ReqCurrentTime",
    "ReqCurrentTimeInMillis",
    "ReqIds",
    "ReqUserInfo",
    "StartApi",
    "UserInfo",
    "VerifyAndAuthCompleted",
    "VerifyAndAuthMessage",
    "VerifyAndAuthMessageApi",
    "VerifyAndAuthRequest",
    "VerifyCompleted",
    "VerifyMessage",
    "VerifyMessageApi",
    "VerifyRequest",
]

#: A boolean written as the text ``true`` / ``false``: the verification results.
#: The official Java decoder tests ``"true".equals(text)`` (anything else is false);
#: the Python client passes the text through untouched.
TEXT_BOOL: Final = Kind("bool-text", '({x} == "true")', '("true" if {v} else "false")', bool)


# ------------------------------------------------------------------ incoming


@message(IncomingId.NEXT_VALID_ID)
@dataclass(frozen=True, slots=True, kw_only=True)
class NextValidId(Message):
    """``NEXT_VALID_ID`` (9), EWrapper ``nextValidId``: the next usable order id.

    Attributes:
        order_id: the lowest order id this client may use now.
    """

    order_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("order_id", INT))


@message(IncomingId.MANAGED_ACCTS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedAccts(Message):
    """``MANAGED_ACCTS`` (15), EWrapper ``managedAccounts``.

    Attributes:
        accounts_list: the accounts, comma-separated as sent (may end with a comma).
    """

    accounts_list: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("accounts_list", STR))

    @property
    def accounts(self) -> tuple[str, ...]:
        """The account ids, without empty entries."""
        return tuple(a for a in self.accounts_list.split(",") if a)


@message(IncomingId.ERR_MSG)
@dataclass(frozen=True, slots=True, kw_only=True)
class ErrMsg(Message):
    """``ERR_MSG`` (4), EWrapper ``error``: an error, warning or notice from TWS.

    Attributes:
        req_id: the request or order id the message is about; -1 for none.
        error_code: the TWS code (see :mod:`ibwire.errorcodes`).
        error_string: the text, unescaped (server 153+ escapes non-ASCII).
        advanced_order_reject_json: JSON detail of an order rejection (server 166+);
            empty when absent.
        error_time: when TWS raised it, epoch milliseconds (server 194+); ``None``
            before.
    """

    req_id: int
    error_code: int
    error_string: str
    advanced_order_reject_json: str = ""
    error_time: int | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(2, before=SV.ERROR_TIME),
        F("req_id", INT),
        F("error_code", INT),
        F("error_string", ESC_STR),
        F("advanced_order_reject_json", ESC_STR, since=SV.ADVANCED_ORDER_REJECT),
        F("error_time", OPT_LONG, since=SV.ERROR_TIME),
    )


@message(IncomingId.CURRENT_TIME)
@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentTime(Message):
    """``CURRENT_TIME`` (49), EWrapper ``currentTime``.

    Attributes:
        time: the server's time, epoch seconds.
    """

    time: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("time", LONG))


@message(IncomingId.CURRENT_TIME_IN_MILLIS)
@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentTimeInMillis(Message):
    """``CURRENT_TIME_IN_MILLIS`` (109), EWrapper ``currentTimeInMillis`` (server 197+).

    Attributes:
        time_in_millis: the server's time, epoch milliseconds.
    """

    time_in_millis: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("time_in_millis", LONG),)


@message(IncomingId.USER_INFO)
@dataclass(frozen=True, slots=True, kw_only=True)
class UserInfo(Message):
    """``USER_INFO`` (107), EWrapper ``userInfo``: the answer to :class:`ReqUserInfo`.

    Attributes:
        req_id: the ``reqUserInfo`` request id.
        white_branding_id: the white-branding id of the user's broker, empty for IB.
    """

    req_id: int
    white_branding_id: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("white_branding_id", STR))


@message(IncomingId.VERIFY_MESSAGE_API)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyMessageApi(Message):
    """``VERIFY_MESSAGE_API`` (65), EWrapper ``verifyMessageAPI`` (IB-internal verification).

    Attributes:
        api_data: the server's verification data.
    """

    api_data: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("api_data", STR))


@message(IncomingId.VERIFY_COMPLETED)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyCompleted(Message):
    """``VERIFY_COMPLETED`` (66), EWrapper ``verifyCompleted`` (IB-internal verification).

    Attributes:
        is_successful: the verification passed (``true`` on the wire).
        error_text: why it failed; empty on success.
    """

    is_successful: bool
    error_text: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("is_successful", TEXT_BOOL), F("error_text", STR))


@message(IncomingId.VERIFY_AND_AUTH_MESSAGE_API)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAndAuthMessageApi(Message):
    """``VERIFY_AND_AUTH_MESSAGE_API`` (69), EWrapper ``verifyAndAuthMessageAPI``.

    IB-internal verification with authentication.

    Attributes:
        api_data: the server's verification data.
        xyz_challenge: the authentication challenge (``xyzChallange`` in the
            official Python wrapper, ``xyzChallenge`` in Java).
    """

    api_data: str
    xyz_challenge: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("api_data", STR), F("xyz_challenge", STR))


@message(IncomingId.VERIFY_AND_AUTH_COMPLETED)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAndAuthCompleted(Message):
    """``VERIFY_AND_AUTH_COMPLETED`` (70), EWrapper ``verifyAndAuthCompleted``.

    Attributes:
        is_successful: the verification passed (``true`` on the wire).
        error_text: why it failed; empty on success.
    """

    is_successful: bool
    error_text: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("is_successful", TEXT_BOOL), F("error_text", STR))


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.START_API)
@dataclass(frozen=True, slots=True, kw_only=True)
class StartApi(Message):
    """``START_API`` (71), EClient ``startApi``: the first message after the handshake.

    Attributes:
        client_id: the client id of this connection.
        optional_capabilities: capabilities text, usually empty (server 72+).
    """

    client_id: int
    optional_capabilities: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(2),
        F("client_id", INT),
        F("optional_capabilities", STR, since=SV.OPTIONAL_CAPABILITIES),
    )


@message(OutgoingId.REQ_IDS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqIds(Message):
    """``REQ_IDS`` (8), EClient ``reqIds``: ask for a fresh ``nextValidId``.

    Attributes:
        num_ids: deprecated by TWS; 1 is fine.
    """

    num_ids: int = 1

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("num_ids", INT))


@message(OutgoingId.REQ_CURRENT_TIME)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqCurrentTime(Message):
    """``REQ_CURRENT_TIME`` (49), EClient ``reqCurrentTime``; answered by :class:`CurrentTime`."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_CURRENT_TIME_IN_MILLIS, min_version=SV.CURRENT_TIME_IN_MILLIS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqCurrentTimeInMillis(Message):
    """``REQ_CURRENT_TIME_IN_MILLIS`` (105), EClient ``reqCurrentTimeInMillis`` (server 197+)."""

    WIRE: ClassVar[tuple[Node, ...]] = ()


@message(OutgoingId.REQ_USER_INFO, min_version=SV.USER_INFO)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqUserInfo(Message):
    """``REQ_USER_INFO`` (104), EClient ``reqUserInfo`` (server 167+); answered by :class:`UserInfo`.

    Attributes:
        req_id: the request id the answer will carry.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.VERIFY_REQUEST, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyRequest(Message):
    """``VERIFY_REQUEST`` (65), EClient ``verifyRequest`` (IB-internal verification).

    The official client sends it only when the connection asked for extra
    authentication at connect time.

    Attributes:
        api_name: the application's name.
        api_version: the application's version.
    """

    api_name: str
    api_version: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("api_name", STR), F("api_version", STR))


@message(OutgoingId.VERIFY_MESSAGE, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyMessage(Message):
    """``VERIFY_MESSAGE`` (66), EClient ``verifyMessage`` (IB-internal verification).

    Attributes:
        api_data: the client's answer to :class:`VerifyMessageApi`.
    """

    api_data: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("api_data", STR))


@message(OutgoingId.VERIFY_AND_AUTH_REQUEST, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAndAuthRequest(Message):
    """``VERIFY_AND_AUTH_REQUEST`` (72), EClient ``verifyAndAuthRequest``.

    IB-internal verification with authentication; like :class:`VerifyRequest`,
    sent only when extra authentication was asked for at connect time.

    Attributes:
        api_name: the application's name.
        api_version: the application's version.
        opaque_isv_key: the vendor's key.
    """

    api_name: str
    api_version: str
    opaque_isv_key: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("api_name", STR),
        F("api_version", STR),
        F("opaque_isv_key", STR),
    )


@message(OutgoingId.VERIFY_AND_AUTH_MESSAGE, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyAndAuthMessage(Message):
    """``VERIFY_AND_AUTH_MESSAGE`` (73), EClient ``verifyAndAuthMessage``.

    Attributes:
        api_data: the client's verification data.
        xyz_response: the answer to the challenge of :class:`VerifyAndAuthMessageApi`.
    """

    api_data: str
    xyz_response: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("api_data", STR), F("xyz_response", STR))
