"""Every wire message of the TWS API text protocol, and the domain objects they carry.

Messages are grouped by domain in submodules and re-exported here.  Importing this
package registers every class in :data:`ibwire.codec.INCOMING` /
:data:`ibwire.codec.OUTGOING`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import (
    account,
    common,
    config,
    contracts,
    display,
    executions,
    historical,
    market_data,
    news,
    order,
    orders,
    scanner,
    system,
)
from ._base import INCOMING, OUTGOING, Message
from .account import *  # noqa: F403
from .common import *  # noqa: F403
from .config import *  # noqa: F403
from .contracts import *  # noqa: F403
from .display import *  # noqa: F403
from .executions import *  # noqa: F403
from .historical import *  # noqa: F403
from .market_data import *  # noqa: F403
from .news import *  # noqa: F403
from .order import *  # noqa: F403
from .orders import *  # noqa: F403
from .scanner import *  # noqa: F403
from .system import *  # noqa: F403

if TYPE_CHECKING:
    from . import ticktypes as ticktypes
    from .ticktypes import TickType as TickType

__all__ = ["INCOMING", "OUTGOING", "Message", "TickType"]
for _module in (
    account,
    common,
    config,
    contracts,
    display,
    executions,
    historical,
    market_data,
    news,
    order,
    orders,
    scanner,
    system,
):
    __all__ += _module.__all__
del _module


def __getattr__(name: str) -> Any:
    # The tick type enum is not needed to decode or send anything: it is
    # imported on first use (an enum of 90 members costs a millisecond at import).
    if name in ("TickType", "ticktypes"):
        module = importlib.import_module(f"{__name__}.ticktypes")
        value = module if name == "ticktypes" else module.TickType
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
