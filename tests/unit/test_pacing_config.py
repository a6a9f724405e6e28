"""ibwire.pacing._config: the configuration and IB's documented values."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from ibwire.ids import OutgoingId
from ibwire.pacing import (
    PACEAPI_CONNECT_OPTION,
    PRIORITY_MSG_IDS,
    PacingConfig,
    depth_limit_for_lines,
)

# --------------------------------------------------------------------------------------
# Configuration


def test_default_config_is_ibs_documented_values() -> None:
    cfg = PacingConfig()
    assert cfg.effective_rate_limit == 45
    assert cfg.historical_identical_interval == 15.0
    assert (cfg.historical_same_contract_limit, cfg.historical_same_contract_window) == (5, 2.0)
    assert (cfg.historical_window_limit, cfg.historical_window) == (60, 600.0)
    assert cfg.historical_bid_ask_weight == 2
    assert cfg.historical_max_open == 50
    assert cfg.market_data_lines == 100
    assert cfg.market_depth_limit == 3
    assert cfg.tick_by_tick_limit == 3
    assert cfg.tick_by_tick_instrument_interval == 15.0
    assert cfg.connect_options == ""


def test_server_paced_turns_off_only_the_global_rule() -> None:
    cfg = PacingConfig(server_paced=True)
    assert cfg.effective_rate_limit is None
    assert cfg.connect_options == PACEAPI_CONNECT_OPTION == "+PACEAPI"
    assert cfg.historical_identical_interval == 15.0
    assert cfg.market_data_lines == 100


@pytest.mark.parametrize(
    ("lines", "allowance"),
    [(0, 3), (100, 3), (399, 3), (400, 4), (499, 4), (500, 5), (5999, 59), (6000, 60), (10**6, 60)],
)
def test_depth_allowance_formula(lines: int, allowance: int) -> None:
    assert depth_limit_for_lines(lines) == allowance


def test_config_for_market_data_lines_derives_depth_and_tick_by_tick() -> None:
    cfg = PacingConfig.for_market_data_lines(500)
    assert (cfg.market_data_lines, cfg.market_depth_limit, cfg.tick_by_tick_limit) == (500, 5, 5)


@pytest.mark.parametrize(
    "bad",
    [
        {"max_messages_per_second": 0},
        {"rate_safety_margin": 50},
        {"rate_safety_margin": -1},
        {"historical_identical_interval": 0.0},
        {"historical_window_limit": 0},
        {"market_data_lines": -1},
        {"rate_backoff_factor": 0.0},
        {"rate_backoff_factor": 1.5},
        {"historical_bid_ask_weight": 0},
        {"burst": 0},
        {"arrival_jitter": -0.01},
    ],
)
def test_config_rejects_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="PacingConfig"):
        PacingConfig(**bad)  # type: ignore[arg-type]


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PacingConfig().market_data_lines = 5  # type: ignore[misc]


def test_priority_ids() -> None:
    assert OutgoingId.CANCEL_MKT_DATA in PRIORITY_MSG_IDS
    assert OutgoingId.CANCEL_ORDER in PRIORITY_MSG_IDS
    assert OutgoingId.REQ_GLOBAL_CANCEL in PRIORITY_MSG_IDS
    assert OutgoingId.CANCEL_HISTORICAL_TICKS in PRIORITY_MSG_IDS
    assert OutgoingId.REQ_MKT_DATA not in PRIORITY_MSG_IDS
    assert OutgoingId.PLACE_ORDER not in PRIORITY_MSG_IDS


def test_package_does_no_io() -> None:
    import ibwire.pacing

    folder = Path(ibwire.pacing.__file__).parent
    modules = sorted(folder.glob("*.py"))
    assert {p.name for p in modules} >= {"__init__.py", "_config.py", "_pacer.py", "_rules.py"}
    for path in modules:
        tree = ast.parse(path.read_text())
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
        banned = {"socket", "threading", "asyncio", "selectors", "time", "logging"}
        assert not imported & banned, path.name


def test_no_module_over_1000_lines_and_no_class_over_600() -> None:
    import ibwire.pacing

    for path in Path(ibwire.pacing.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert text.count("\n") <= 1000, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                assert node.end_lineno - node.lineno + 1 <= 600, (path.name, node.name)


def test_budget_errors_live_in_errors_and_in_its_drawn_tree() -> None:
    import ibwire.errors
    import ibwire.pacing

    tree = ibwire.errors.__doc__ or ""
    for name in (
        "BudgetExceededError",
        "MarketDataLinesExceededError",
        "MarketDepthLimitExceededError",
        "TickByTickLimitExceededError",
    ):
        cls = getattr(ibwire.errors, name)
        assert cls.__module__ == "ibwire.errors"
        assert name in ibwire.errors.__all__
        assert getattr(ibwire.pacing, name) is cls  # still importable from pacing
        assert f"── {name}" in tree
    assert issubclass(ibwire.errors.BudgetExceededError, ibwire.errors.PacingError)
