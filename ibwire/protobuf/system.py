"""The system family in protobuf form: errors (server version 201, ``PROTOBUF``)
and startApi (213, ``PROTOBUF_REST_MESSAGES_3``).

An error without ``id``, ``errorCode`` or ``errorMsg`` reads them as the official
decoder does (0, 0, ""); an absent ``errorTime`` is ``None`` (official: 0).

``client_utils.createStartApiRequestProto`` writes ``clientId`` unless it is
``UNSET_INTEGER`` (2147483647) and
``optionalCapabilities`` when not empty.
"""

from __future__ import annotations

from typing import Final

from ..messages.system import ErrMsg, StartApi
from ..versions import ServerVersion
from .forms import mapped, register
from .mapper import Link, ObjectMap

__all__ = ["ERR_MSG", "START_API"]

ERR_MSG: Final = ObjectMap(ErrMsg, [
    Link("id", "req_id", missing=0),
    Link("errorTime", "error_time"),
    Link("errorCode", "error_code", missing=0),
    Link("errorMsg", "error_string", missing=""),
    Link("advancedOrderRejectJson", "advanced_order_reject_json", skip=""),
])  # fmt: skip

START_API: Final = ObjectMap(StartApi, [
    Link("clientId", "client_id", skip=2**31 - 1, missing=-1),
    Link("optionalCapabilities", "optional_capabilities", skip=""),
])  # fmt: skip


register(
    mapped(ErrMsg, "ErrorMessage", ServerVersion.PROTOBUF, ERR_MSG, incoming=True),
    mapped(StartApi, "StartApiRequest", ServerVersion.PROTOBUF_REST_MESSAGES_3, START_API, incoming=False),
)
