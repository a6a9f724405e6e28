"""Order status, executions, commissions, and the simple order requests."""

from __future__ import annotations

__all__: list[str] = []
