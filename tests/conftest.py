"""Test-wide settings."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import InMemoryExampleDatabase

from .suite_versions import SUITE_VERSIONS

if os.environ.get("CI"):
    # Instead of Hypothesis's own "ci" profile, which sets ``database=None`` (so
    # derandomized): with no database, every lookup of it walks the whole chain of
    # derived settings, a RecursionError after about a thousand parametrized tests
    # in one module.  An in-memory database is cached; examples stay random, as in
    # local runs, and a failure prints its reproduction blob.
    settings.register_profile(
        "ci",
        print_blob=True,
        database=InMemoryExampleDatabase(),
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("ci")


@pytest.fixture(params=SUITE_VERSIONS, ids=lambda version: f"v{version}")
def server_version(request: pytest.FixtureRequest) -> int:
    """The negotiated server version a parametrized suite runs at (200 and 226)."""
    version: int = request.param
    return version
