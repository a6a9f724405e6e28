"""ibwire.pacing: which errors end a request is read from ibwire.errorcodes.

The pacer keeps no list of its own: it asks its :class:`~ibwire.errorcodes.CodeTable`,
the one the session classifies errors with, user overrides included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from ibwire.errorcodes import DEFAULT_TABLE, CodeTable, Severity
from ibwire.ids import IncomingId, OutgoingId
from ibwire.pacing import NON_TERMINAL_ERROR_CODES, Pacer, PacingConfig


@dataclass(frozen=True, slots=True)
class ReqMktData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqMktDepth:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DEPTH
    req_id: int


@dataclass(frozen=True, slots=True)
class ErrMsg:
    MSG_ID: ClassVar[int] = IncomingId.ERR_MSG
    req_id: int
    error_code: int
    error_string: str = ""


# The codes on which the pacer's old private list and the code table disagreed.
# The table says each of them leaves the request alive.
DISAGREEING = [300, 310, 316, 366, 10349, 1100, 1101, 1102, 1300]


def lines_after(code: int, table: CodeTable | None = None) -> int:
    pacer: Pacer[ReqMktData | ReqMktDepth] = Pacer(PacingConfig(), code_table=table)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqMktDepth(2), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(ErrMsg(1, code), 0.1)
    pacer.on_incoming(ErrMsg(2, code), 0.1)
    return pacer.stats.market_data_lines_in_use


@pytest.mark.parametrize("code", DISAGREEING)
def test_the_table_decides_codes_that_leave_a_request_alive(code: int) -> None:
    assert not DEFAULT_TABLE.ends_request(code)
    assert lines_after(code) == 2


@pytest.mark.parametrize("code", [101, 200, 354, 10089, 10197, 202, 99999])
def test_the_table_decides_codes_that_end_a_request(code: int) -> None:
    assert DEFAULT_TABLE.ends_request(code)
    assert lines_after(code) == 0


@pytest.mark.parametrize("code", DISAGREEING)
def test_a_users_override_reaches_the_pacer(code: int) -> None:
    table = CodeTable({code: Severity.ERROR})
    assert lines_after(code, table) == 0


def test_an_override_can_keep_a_request_alive() -> None:
    table = CodeTable({354: Severity.WARNING})
    assert lines_after(354, table) == 2


def test_the_table_can_be_set_after_construction() -> None:
    pacer: Pacer[ReqMktData] = Pacer()
    assert pacer.code_table is DEFAULT_TABLE
    pacer.code_table = CodeTable({300: Severity.ERROR})
    pacer.submit(ReqMktData(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(ErrMsg(1, 300), 0.1)
    assert pacer.stats.market_data_lines_in_use == 0


def test_non_terminal_codes_are_derived_from_the_table() -> None:
    assert set(DISAGREEING) <= NON_TERMINAL_ERROR_CODES
    assert all(not DEFAULT_TABLE.ends_request(code) for code in NON_TERMINAL_ERROR_CODES)
    assert 200 not in NON_TERMINAL_ERROR_CODES
