"""Display groups: linking the API to TWS's color-grouped windows.

TWS identifies a display group by a small integer (1 to 7, one per color).  A
client lists the groups (:class:`QueryDisplayGroups` -> :class:`DisplayGroupList`),
subscribes to one (:class:`SubscribeToGroupEvents` -> :class:`DisplayGroupUpdated`
whenever the group's contract changes) and may set the group's contract itself
(:class:`UpdateDisplayGroup`).

Contract info text, both ways: ``none`` for an empty selection,
``<conId>@<exchange>`` for a single contract (``8314@SMART``), ``combo`` for a combo.
"""

from __future__ import annotations

from typing import ClassVar

from ..fields import INT, STR
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import F, Message, Node, Ver, dataclass, message

__all__ = [
    "DisplayGroupList",
    "DisplayGroupUpdated",
    "QueryDisplayGroups",
    "SubscribeToGroupEvents",
    "UnsubscribeFromGroupEvents",
    "UpdateDisplayGroup",
]


# ------------------------------------------------------------------ incoming


@message(IncomingId.DISPLAY_GROUP_LIST)
@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayGroupList(Message):
    """``DISPLAY_GROUP_LIST`` (67), EWrapper ``displayGroupList``.

    Attributes:
        req_id: the ``queryDisplayGroups`` request id.
        groups: the visible group ids separated by ``|``, most used first
            (e.g. ``"4|1|2|5|3|6|7"``); fixed for the TWS session.
    """

    req_id: int
    groups: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("groups", STR))

    @property
    def group_ids(self) -> tuple[int, ...]:
        """The group ids as integers, in the order sent."""
        return tuple(int(g) for g in self.groups.split("|") if g)


@message(IncomingId.DISPLAY_GROUP_UPDATED)
@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayGroupUpdated(Message):
    """``DISPLAY_GROUP_UPDATED`` (68), EWrapper ``displayGroupUpdated``.

    Sent once after ``subscribeToGroupEvents`` and again whenever the group's
    selected contract changes.

    Attributes:
        req_id: the ``subscribeToGroupEvents`` request id.
        contract_info: the selected contract (see the module docstring).
    """

    req_id: int
    contract_info: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("contract_info", STR))


# ------------------------------------------------------------------ outgoing
#
# The official client refuses all four requests below MIN_SERVER_VER_LINKING (70).


@message(OutgoingId.QUERY_DISPLAY_GROUPS, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class QueryDisplayGroups(Message):
    """``QUERY_DISPLAY_GROUPS`` (67), EClient ``queryDisplayGroups``.

    Answered by :class:`DisplayGroupList`.

    Attributes:
        req_id: the request id the answer will carry.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.SUBSCRIBE_TO_GROUP_EVENTS, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeToGroupEvents(Message):
    """``SUBSCRIBE_TO_GROUP_EVENTS`` (68), EClient ``subscribeToGroupEvents``.

    Answered by :class:`DisplayGroupUpdated` messages.

    Attributes:
        req_id: the request id the updates will carry.
        group_id: the display group, 1 to 7.
    """

    req_id: int
    group_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("group_id", INT))


@message(OutgoingId.UPDATE_DISPLAY_GROUP, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateDisplayGroup(Message):
    """``UPDATE_DISPLAY_GROUP`` (69), EClient ``updateDisplayGroup``: set a group's contract.

    Attributes:
        req_id: the ``subscribeToGroupEvents`` request id of the group.
        contract_info: the contract to select (see the module docstring).
    """

    req_id: int
    contract_info: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("contract_info", STR))


@message(OutgoingId.UNSUBSCRIBE_FROM_GROUP_EVENTS, min_version=SV.LINKING)
@dataclass(frozen=True, slots=True, kw_only=True)
class UnsubscribeFromGroupEvents(Message):
    """``UNSUBSCRIBE_FROM_GROUP_EVENTS`` (70), EClient ``unsubscribeFromGroupEvents``.

    Attributes:
        req_id: the ``subscribeToGroupEvents`` request id to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))
