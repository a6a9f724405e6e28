"""One API for both clients: the asyncio flavour is generated from the threaded one."""

from __future__ import annotations

import inspect
from pathlib import Path

import ibwire
from ibwire import _api_gen
from ibwire.asyncio import Client as AsyncClient
from ibwire.sync import Client as SyncClient


def test_the_asyncio_api_is_fresh() -> None:
    """Regenerate with ``python -m ibwire._api_gen`` when this fails."""
    path = Path(ibwire.__file__).parent / "_api_async.py"
    assert path.read_text(encoding="utf-8") == _api_gen.generate()


def _public(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }


def test_both_clients_offer_the_same_calls_with_the_same_signatures() -> None:
    sync, asyncio_ = _public(SyncClient), _public(AsyncClient)
    assert set(sync) == set(asyncio_)
    for name, member in sync.items():
        other = asyncio_[name]
        if isinstance(member, property):
            assert isinstance(other, property), name
            continue
        assert inspect.signature(member) == inspect.signature(other), name  # type: ignore[arg-type]
        assert inspect.getdoc(member) == inspect.getdoc(other) or name in {
            "connect",
            "disconnect",
        }, name


def test_helpers_are_coroutines_only_in_the_asyncio_client() -> None:
    for name in ("contract_details", "historical_bars", "current_time", "what_if"):
        assert not inspect.iscoroutinefunction(getattr(SyncClient, name))
        assert inspect.iscoroutinefunction(getattr(AsyncClient, name))
    assert not inspect.iscoroutinefunction(AsyncClient.market_data)
