"""The system family in protobuf form: startApi (server version 213,
``PROTOBUF_REST_MESSAGES_3``).

``client_utils.createStartApiRequestProto`` writes ``clientId`` unless it is
``UNSET_INTEGER`` (2147483647) and
``optionalCapabilities`` when not empty.
"""

from __future__ import annotations

from typing import Final

from ..messages.system import StartApi
from ..versions import ServerVersion
from .forms import mapped, register
from .mapper import Link, ObjectMap

__all__ = ["START_API"]

START_API: Final = ObjectMap(StartApi, [
    Link("clientId", "client_id", skip=2**31 - 1, missing=-1),
    Link("optionalCapabilities", "optional_capabilities", skip=""),
])  # fmt: skip


register(
    mapped(StartApi, "StartApiRequest", ServerVersion.PROTOBUF_REST_MESSAGES_3, START_API, incoming=False),
)
