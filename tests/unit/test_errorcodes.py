from __future__ import annotations

import pytest

from ibwire.errorcodes import CODES, CodeInfo, CodeTable, Severity, classify


@pytest.mark.parametrize("code", [2104, 2106, 2158, 2107, 2108])
def test_farm_status_is_not_an_error(code: int) -> None:
    assert classify(code) is Severity.CONNECTIVITY
    assert not CodeTable().ends_request(code)


def test_10349_does_not_cancel() -> None:
    assert classify(10349) is Severity.WARNING
    assert not CodeTable().ends_request(10349)


def test_errors_end_their_request() -> None:
    table = CodeTable()
    for code in (162, 200, 321, 354, 103, 420):
        assert table.severity(code) is Severity.ERROR
        assert table.ends_request(code)


def test_cancelled_notice_ends_the_order() -> None:
    assert classify(202) is Severity.INFO
    assert CodeTable().ends_request(202)


def test_1101_means_data_lost() -> None:
    assert CODES[1101].data_lost
    assert not CODES[1102].data_lost
    assert classify(1100) is Severity.CONNECTIVITY


def test_unknown_codes_by_range() -> None:
    assert classify(2199) is Severity.WARNING
    assert classify(1250) is Severity.CONNECTIVITY
    assert classify(99999) is Severity.ERROR
    assert CodeTable().ends_request(99999)


def test_user_overrides() -> None:
    table = CodeTable(
        {399: Severity.INFO, 2137: Severity.ERROR, 77: CodeInfo(77, Severity.INFO, "mine")}
    )
    assert table.severity(399) is Severity.INFO
    assert not table.ends_request(399)
    assert table.ends_request(2137)
    assert table.info(77).meaning == "mine"
    assert classify(399) is Severity.WARNING  # the built-in table is untouched
