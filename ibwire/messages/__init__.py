"""Every wire message of the TWS API text protocol, and the domain objects they carry.

Messages are grouped by domain in submodules and re-exported here.  Importing this
package registers every class in :data:`ibwire.codec.INCOMING` /
:data:`ibwire.codec.OUTGOING`.
"""

from __future__ import annotations

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
    ticktypes,
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
from .ticktypes import *  # noqa: F403

__all__ = ["INCOMING", "OUTGOING", "Message"]
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
    ticktypes,
):
    __all__ += _module.__all__
del _module
