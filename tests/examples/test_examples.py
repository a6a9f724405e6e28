"""Every script in ``examples/`` runs against the simulator and exits 0.

Scripts are found with a glob, so a new example is tested without touching this
file: it is run with ``--host 127.0.0.1 --port <simulator>`` plus the arguments
below (if any), in-process, and must return 0 and print something.  Streaming
examples get a ``--limit`` so they stop on data, not on time; their
``--duration`` is only the bound, scaled by ``IBWIRE_TEST_TIMEOUT_SCALE``.

The simulator runs on a clock ten times faster than real time, so 5-second
real-time bars arrive every half second.
"""

from __future__ import annotations

import os
import re
import runpy
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ibwire.sync import Client
from ibwire.testing import SimulatedGateway

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
SCALE = float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
BOUND = str(10.0 * SCALE)  # the longest a streaming example may run
SPEED = 10.0

# Extra arguments per script, and a pattern its output must contain.
ARGS: dict[str, list[str]] = {
    "stream_quotes.py": ["AAPL", "MSFT", "--limit", "6", "--duration", BOUND],
    "market_depth.py": ["--rows", "3", "--limit", "1", "--duration", BOUND],
    "real_time_bars.py": ["--limit", "2", "--duration", BOUND],
    "tick_by_tick.py": ["--limit", "3", "--duration", BOUND],
    "positions_pnl.py": ["--limit", "2", "--duration", BOUND],
    "asyncio_streaming.py": ["AAPL", "MSFT", "--limit", "2", "--duration", BOUND],
    # Follows until both exits are done or half the bound passes (then cancels the rest).
    "bracket_order.py": ["--duration", str(5.0 * SCALE)],
    "option_chain.py": ["--strikes", "2", "--duration", "0.5"],
    "quote_table.py": ["--updates", "3"],  # its twenty default symbols
    "option_greeks.py": ["--strikes", "2"],
    "follow_order.py": ["--quantity", "10"],
}
EXPECTED: dict[str, str] = {
    "connect_account.py": r"server version \d+.*\naccounts: DU0000001",
    "stream_quotes.py": r"AAPL +bid +\d+\.\d\d .*\n(.*\n)*MSFT +bid",
    "market_depth.py": r"bid size +bid \| ask +ask size *\n +\d+ +\d+\.\d\d \| \d+\.\d\d",
    "historical_bars_csv.py": r"date,open,high,low,close,volume,wap,bar_count\n\d{8} ",
    "real_time_bars.py": r"(\d\d:\d\d:\d\d UTC +open [\d.]+ .*\n){2}2 bar\(s\)",
    "tick_by_tick.py": r"(\d\d:\d\d:\d\d UTC +trade \d+ @ [\d.]+.*\n){3}3 tick\(s\)",
    "bracket_order.py": r"#\d+ entry +new -> Submitted(.*\n)*.*entry +Submitted -> Filled",
    "what_if.py": r"initial margin +[\d,]+\.\d\d +[\d,]+\.\d\d",
    "cancel_by_criteria.py": r"-> \[\d+, \d+\]\n.*Cancelled\n.*Cancelled\n(.*\n)*still tracked: \[\]",
    "positions_pnl.py": r"account +daily +[-+][\d,.]+ .*\n",
    "option_chain.py": r"expirations, +\d+ strikes(.*\n)+ +\d+\.\d\d +C +\d+\.\d\d",
    "asyncio_streaming.py": r"2 of 2 stream\(s\) reached their limit",
    "quote_table.py": r"AAPL +bid +\d+\.\d\d +ask +\d+\.\d\d(.*\n)*SPY +bid",
    "option_greeks.py": r"( *\d+\.\d\d [CP] +bid +\d+\.\d\d .*delta [-+]\d\.\d+.*\n){4}",
    "follow_order.py": r"fill 10 @ \d+\.\d\d +commission \d(.*\n)*Filled: 10 at \d+\.\d\d",
    "portfolio_report.py": r"DU0000001 NetLiquidation +[\d.]+ USD",
    "history_pandas.py": r"daily: 2\d\d bars(.*\n)+1 min: \d{3,} bars",
}
# Text that must not appear beside the expected output (a bracket whose entry filled
# is not reported as unfilled).
ABSENT: dict[str, str] = {
    "bracket_order.py": "did not fill",
}


def test_every_example_is_configured_or_runs_plain() -> None:
    assert SCRIPTS, "no examples found"
    names = {path.name for path in SCRIPTS}
    assert set(ARGS) <= names and set(EXPECTED) <= names and set(ABSENT) <= names


@pytest.fixture(scope="module")
def gateway() -> Iterator[SimulatedGateway]:
    wall, start = time.time(), time.monotonic()
    clock: Callable[[], float] = lambda: wall + (time.monotonic() - start) * SPEED  # noqa: E731
    with SimulatedGateway(seed=0, port=0, clock=clock) as sim:
        yield sim


# The reads of the account state the client follows from connect: right after
# connecting it may not have arrived yet, so an example waits with synced() first.
ACCOUNT_READS = ("positions", "portfolio", "account_values", "account_value", "pnl")


@pytest.fixture
def reads_after_synced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the threaded client's account reads fail unless synced() returned True."""
    synced_clients: set[int] = set()
    original_synced = Client.synced

    def synced(self: Client, timeout: float | None = None) -> bool:
        done = original_synced(self, timeout)
        if done:
            synced_clients.add(id(self))
        return done

    def guarded(name: str) -> Callable[..., Any]:
        original = getattr(Client, name)

        def read(self: Client, *args: Any, **kwargs: Any) -> Any:
            assert id(self) in synced_clients, f"{name}() read before synced() returned True"
            return original(self, *args, **kwargs)

        return read

    monkeypatch.setattr(Client, "synced", synced)
    for name in ACCOUNT_READS:
        monkeypatch.setattr(Client, name, guarded(name))


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.name for path in SCRIPTS])
@pytest.mark.usefixtures("reads_after_synced")
def test_example(
    script: Path, gateway: SimulatedGateway, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    namespace = runpy.run_path(str(script), run_name="ibwire_example")
    main = namespace["main"]
    argv = ["--host", "127.0.0.1", "--port", str(gateway.port), *ARGS.get(script.name, [])]
    if script.name == "historical_bars_csv.py":
        argv += ["-o", str(tmp_path / "bars.csv")]
    started = time.monotonic()
    status = main(argv)
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    if script.name == "historical_bars_csv.py":
        out = (tmp_path / "bars.csv").read_text()
    assert status == 0, out
    assert out.strip(), f"{script.name} printed nothing"
    pattern = EXPECTED.get(script.name)
    if pattern is not None:
        assert re.search(pattern, out), f"{script.name} output:\n{out}"
    absent = ABSENT.get(script.name)
    assert absent is None or absent not in out, f"{script.name} output:\n{out}"
    # Streaming examples stop on their --limit, long before their --duration.
    assert elapsed < float(BOUND), f"{script.name} took {elapsed:.1f}s"


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.name for path in SCRIPTS])
def test_example_shape(script: Path) -> None:
    """Each script is copyable: a docstring, --host/--port/--client-id, a main(argv)."""
    text = script.read_text()
    assert text.startswith('"""'), "starts with a docstring saying how to run it"
    for option in ("--host", "--port", "--client-id"):
        assert f'"{option}"' in text, f"{script.name} lacks {option}"
    assert 'default="127.0.0.1"' in text and "default=4002" in text
    assert "def main(argv: list[str] | None = None) -> int:" in text
    assert 'if __name__ == "__main__":' in text
