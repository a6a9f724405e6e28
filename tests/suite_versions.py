"""The server versions the version-parametrized suites run at (the ``server_version``
fixture of ``tests/conftest.py``): the last of the text protocol, and the newest of
the protobuf one, the client's default."""

from __future__ import annotations

SUITE_VERSIONS = (200, 226)
