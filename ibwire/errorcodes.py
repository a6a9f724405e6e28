"""TWS error, warning and notice codes, as data.

TWS reports errors, warnings, farm-status notices and connectivity changes through
one message (``ERR_MSG``).  Which is which decides whether a request has failed,
so the classification lives here, in one table, not in ``if`` chains, and users
can override it (:class:`CodeTable`).

Classification (``protocol.md`` section 6):

* ``ERROR``: the request (or order) named by the message's id has failed and ends.
* ``WARNING``: something to know; the request goes on.
* ``INFO``: a notice (farm connected, order cancelled at your request); nothing failed.
* ``CONNECTIVITY``: the link between TWS and IB changed (1100-1102, 1300, farm
  broken/OK); front ends turn these into connectivity events.

Codes not in the table are classified by range: 1100-1300 connectivity,
2100-2199 warnings (IB reserves the range for them and adds new ones there),
everything else an error.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ._record import dataclass

__all__ = [
    "CODES",
    "DEPTH_HALTED",
    "DEPTH_RESET",
    "ORDER_BUSY",
    "ORDER_CANCELLED",
    "NO_SECURITY_DEFINITION",
    "ACCOUNT_UNSUBSCRIBED",
    "CodeInfo",
    "CodeTable",
    "Severity",
    "classify",
    "DEFAULT_TABLE",
]

#: "Market depth data has been HALTED. Please re-subscribe.": the book is over
#: until it is asked for again (the session clears it and asks again).
DEPTH_HALTED: Final = 316
#: "Market depth data has been reset. Please empty deep book contents before
#: applying any new entries.": TWS sends the whole book again (the session
#: clears it first).
DEPTH_RESET: Final = 317
#: "New account data requested; API client unsubscribed from account data": the
#: ``reqAccountUpdates`` stream was replaced by another (TWS serves one at a time).
ACCOUNT_UNSUBSCRIBED: Final = 2100
#: "Order cancelled": the one notice that ends an order TWS has acknowledged
#: (any other error about such an order refuses a change or a cancel of it, and
#: the order goes on until TWS reports a status that ends it).
ORDER_CANCELLED: Final = 202
#: "No security definition has been found for the request": no contract
#: matches a contract details request (``qualify`` raises ContractNotFoundError).
NO_SECURITY_DEFINITION: Final = 200
#: "Unable to modify this order as it is still being processed": a warning, but
#: the change it answers was not made (the order keeps its terms).
ORDER_BUSY: Final = 2102


class Severity(str, enum.Enum):
    """What an ``ERR_MSG`` code means for the request it names."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    CONNECTIVITY = "connectivity"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What ibwire knows about one code.

    Attributes:
        code: the TWS code.
        severity: how it is classified.
        meaning: a short description.
        ends_request: whether the request it names is over (errors; also 202,
            the order-cancelled notice, which ends the order's life).
        data_lost: connectivity restored with data lost: resubscribe (1101).
        link_down: a connectivity code after which the link (or farm) it names
            is down (1100, 1300, farm broken).
        keeps_order: an error about a *cancel* (135, 161, 10147, 10148): the
            order it names may well still be live, so it stays tracked.
        refuses_client: TWS refuses the client id and closes the socket (326).
    """

    code: int
    severity: Severity
    meaning: str
    ends_request: bool = False
    data_lost: bool = False
    link_down: bool = False
    keeps_order: bool = False
    refuses_client: bool = False


def _e(code: int, meaning: str, *, keeps_order: bool = False) -> CodeInfo:
    return CodeInfo(code, Severity.ERROR, meaning, ends_request=True, keeps_order=keeps_order)


def _w(code: int, meaning: str) -> CodeInfo:
    return CodeInfo(code, Severity.WARNING, meaning)


def _i(code: int, meaning: str, ends: bool = False) -> CodeInfo:
    return CodeInfo(code, Severity.INFO, meaning, ends_request=ends)


def _c(code: int, meaning: str, data_lost: bool = False, *, down: bool = False) -> CodeInfo:
    return CodeInfo(code, Severity.CONNECTIVITY, meaning, data_lost=data_lost, link_down=down)


_TABLE: Final = (
    _e(100, "Max rate of messages per second exceeded"),
    _e(101, "Max number of tickers reached"),
    _e(102, "Duplicate ticker id"),
    _e(103, "Duplicate order id"),
    _e(104, "Can't modify a filled order"),
    _e(105, "Order being modified does not match original order"),
    _e(110, "The price does not conform to the minimum price variation"),
    _e(135, "Can't find order with id", keeps_order=True),
    _e(161, "Cancel attempted when order is not in a cancellable state", keeps_order=True),
    _e(162, "Historical market data service error message"),
    _w(165, "Historical market data service query message"),
    _e(166, "HMDS expired contract violation"),
    _e(200, "No security definition has been found for the request"),
    _e(201, "Order rejected"),
    _i(202, "Order cancelled", ends=True),
    _e(203, "The security is not available or allowed for this account"),
    _w(300, "Can't find EId with ticker id"),
    _e(309, "Max number of market depth requests has been reached"),
    _w(310, "Can't find the subscribed market depth with ticker id"),
    _w(316, "Market depth data has been halted"),
    _w(317, "Market depth data has been reset"),
    _e(320, "Server error when reading an API client request"),
    _e(321, "Server error when validating an API client request"),
    _e(322, "Server error when processing an API client request"),
    CodeInfo(
        326,
        Severity.ERROR,
        "Unable to connect as the client id is already in use",
        ends_request=True,
        refuses_client=True,
    ),
    _e(354, "Requested market data is not subscribed"),
    _w(366, "No historical data query found for ticker id"),
    _e(386, "Duplicate ticker id for historical query"),
    _w(399, "Order message"),
    _w(404, "Shares for this order are not immediately available for short sale"),
    _e(420, "Invalid real-time query"),
    _e(430, "The fundamentals data for the security specified is not available"),
    _e(434, "The order size cannot be zero"),
    _e(501, "Already connected"),
    _e(502, "Couldn't connect to TWS"),
    _e(503, "The TWS is out of date and must be upgraded"),
    _e(504, "Not connected"),
    _e(505, "Fatal error: unknown message id"),
    _e(506, "Unsupported version"),
    _e(507, "Bad message length"),
    _e(508, "Bad message"),
    _e(579, "Invalid symbol in string"),
    _e(585, "FA Profile is not supported anymore"),
    _c(1100, "Connectivity between IB and TWS has been lost", down=True),
    _c(1101, "Connectivity restored, data lost: resubmit market data requests", data_lost=True),
    _c(1102, "Connectivity restored, data maintained"),
    _c(1300, "TWS socket port has been reset and this connection is being dropped", down=True),
    _w(2100, "New account data requested; API client unsubscribed from account data"),
    _w(2101, "Unable to subscribe to account as other clients subscribed to a different account"),
    _w(2102, "Unable to modify this order as it is still being processed"),
    _c(2103, "Market data farm connection is broken", down=True),
    _c(2104, "Market data farm connection is OK"),
    _c(2105, "Historical data farm connection is broken", down=True),
    _c(2106, "Historical data farm is connected"),
    _c(2107, "Historical data farm connection is inactive but available on demand"),
    _c(2108, "Market data farm connection is inactive but available on demand"),
    _w(2109, "Order event warning: attribute 'Outside Regular Trading Hours' is ignored"),
    _c(2110, "Connectivity between TWS and server is broken; it will be restored", down=True),
    _c(2119, "Market data farm is connecting"),
    _w(2137, "Cross side warning"),
    _c(2157, "Sec-def data farm connection is broken", down=True),
    _c(2158, "Sec-def data farm connection is OK"),
    _w(2168, "The eTradeOnly order attribute is not supported"),
    _w(2169, "The firmQuoteOnly order attribute is not supported"),
    _w(2176, "The API version does not support fractional share size rules"),
    _e(10089, "Requested market data requires additional subscription for API"),
    _w(10090, "Part of requested market data is not subscribed"),
    _w(10091, "Part of requested market data requires additional subscription for API"),
    _e(10147, "Order to cancel not found", keeps_order=True),
    _e(10148, "Order cannot be cancelled in its current state", keeps_order=True),
    _w(10167, "Requested market data is not subscribed; displaying delayed market data"),
    _e(10168, "Requested market data is not subscribed; delayed market data is not enabled"),
    _e(10186, "Requested market data is not subscribed; delayed market data is not enabled"),
    _e(10187, "Failed to request historical ticks: no market data permissions"),
    _e(10189, "Failed to request tick-by-tick data"),
    _e(10197, "No market data during competing live session"),
    _e(10225, "Bust event occurred; current subscription is deactivated"),
    # An order-preset notice: the order stays live (it must not be read as a cancel).
    _w(10349, "Order TIF was set to DAY based on order preset"),
)

#: The built-in table: code -> what it means.
CODES: Final[Mapping[int, CodeInfo]] = MappingProxyType({info.code: info for info in _TABLE})


def _by_range(code: int) -> CodeInfo:
    if 1100 <= code <= 1300:
        return CodeInfo(code, Severity.CONNECTIVITY, "connectivity notice")
    if 2100 <= code <= 2199:
        return CodeInfo(code, Severity.WARNING, "warning")
    return CodeInfo(code, Severity.ERROR, "error", ends_request=True)


class CodeTable:
    """The code table with user overrides.

    Args:
        overrides: codes to classify differently, e.g. ``{399: Severity.INFO}``,
            or full :class:`CodeInfo` entries.

    Example:
        >>> table = CodeTable({10349: Severity.INFO})
        >>> table.severity(10349)
        <Severity.INFO: 'info'>
    """

    def __init__(self, overrides: Mapping[int, Severity | CodeInfo] | None = None) -> None:
        entries = dict(CODES)
        for code, value in (overrides or {}).items():
            if isinstance(value, CodeInfo):
                entries[code] = value
            else:
                base = entries.get(code) or _by_range(code)
                entries[code] = CodeInfo(
                    code,
                    value,
                    base.meaning,
                    ends_request=value is Severity.ERROR or (base.ends_request and value is Severity.INFO),
                    data_lost=base.data_lost,
                    link_down=base.link_down,
                    keeps_order=base.keeps_order,
                    refuses_client=base.refuses_client,
                )
        self._entries = entries

    def info(self, code: int) -> CodeInfo:
        """What ``code`` means (by range when it is not in the table)."""
        found = self._entries.get(code)
        return found if found is not None else _by_range(code)

    def severity(self, code: int) -> Severity:
        """The severity of ``code``."""
        return self.info(code).severity

    def ends_request(self, code: int) -> bool:
        """Whether an error with ``code`` ends the request it names."""
        return self.info(code).ends_request


#: The table without overrides.
DEFAULT_TABLE: Final = CodeTable()


def classify(code: int) -> Severity:
    """The severity of ``code`` in the built-in table."""
    return DEFAULT_TABLE.severity(code)
