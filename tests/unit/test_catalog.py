"""The catalogue: one row per wire id, and the client's tables derived from it."""

from __future__ import annotations

import dataclasses
import importlib.util
import types

import pytest

from ibwire import _requests_gen, _session_gate, _session_routes, catalog, dispatch
from ibwire.catalog import ANSWERS, REQUESTS, Ids, Pacing, ReadOnly, snake_case
from ibwire.ids import IncomingId, OutgoingId
from ibwire.messages import (
    Contract,
    OpenOrder,
    Order,
    PlaceOrder,
    ReplaceFa,
    ReqAcctData,
    ReqAutoOpenOrders,
    ReqHistoricalData,
    ReqMktData,
)
from ibwire.pacing import PRIORITY_MSG_IDS

C = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
BARS: dict[str, object] = {
    "req_id": 1,
    "contract": C,
    "bar_size_setting": "1 min",
    "duration_str": "1 D",
    "what_to_show": "TRADES",
}


def test_one_row_per_id() -> None:
    assert [row.msg_id for row in catalog._REQUEST_ROWS] == list(OutgoingId)
    assert [row.msg_id for row in catalog._ANSWER_ROWS] == list(IncomingId)
    assert len(REQUESTS) == len(OutgoingId) and len(ANSWERS) == len(IncomingId)


def test_rows_name_their_message_class() -> None:
    for row in REQUESTS.values():
        cls = row.message_class
        if cls is not None:
            assert cls.MSG_ID == row.msg_id  # type: ignore[attr-defined]
    for answer in ANSWERS.values():
        cls = answer.message_class
        if cls is not None:
            assert cls.MSG_ID == answer.msg_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("official", "snake"),
    [
        ("reqMktData", "req_mkt_data"),
        ("reqPnLSingle", "req_pnl_single"),
        ("updateMktDepthL2", "update_mkt_depth_l2"),
        ("requestFA", "request_fa"),
        ("tickEFP", "tick_efp"),
        ("reqHeadTimeStamp", "req_head_time_stamp"),
    ],
)
def test_snake_case_of_official_names(official: str, snake: str) -> None:
    assert snake_case(official) == snake


def test_ids_match_the_message_fields() -> None:
    for row in REQUESTS.values():
        cls = row.message_class
        if cls is None:
            continue
        names = {f.name for f in dataclasses.fields(cls)}
        if row.ids is Ids.ALLOCATES:
            assert names & {"req_id", "ticker_id"}, row
        elif row.ids in (Ids.ALLOCATES_ORDER, Ids.REFERENCES_ORDER):
            assert "order_id" in names, row


def test_cancel_pairs_reference_their_request() -> None:
    for row in REQUESTS.values():
        if row.cancel is None or row.cancel == row.msg_id:
            continue
        cancel = REQUESTS[row.cancel]
        assert cancel.pacing is Pacing.PRIORITY, cancel
        assert cancel.ids in (Ids.REFERENCES, Ids.REFERENCES_ORDER, Ids.NONE), cancel


def test_the_pacers_priority_messages_are_the_catalogues() -> None:
    priority = {row.msg_id for row in REQUESTS.values() if row.pacing is Pacing.PRIORITY}
    assert priority == set(PRIORITY_MSG_IDS)
    assert catalog.PACING_CLASSES[OutgoingId.REQ_HISTORICAL_DATA] is Pacing.HISTORICAL


# ---------------------------------------------------------------------- derived tables


def _load_fresh(module: str) -> types.ModuleType:
    """Execute a module of the package again, apart from the one already imported."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    fresh = importlib.util.spec_from_file_location(module, spec.origin)
    assert fresh is not None and fresh.loader is not None
    loaded = importlib.util.module_from_spec(fresh)
    fresh.loader.exec_module(loaded)
    return loaded


def test_the_pacers_tables_derive_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    # Change the catalogue, build the pacer's tables again: they follow it.  A table
    # written out by hand in the pacing package would not change.
    rows = dict(REQUESTS)
    rows[OutgoingId.REQ_NEWS_ARTICLE] = dataclasses.replace(
        rows[OutgoingId.REQ_NEWS_ARTICLE], cancel=OutgoingId.REQ_NEWS_PROVIDERS
    )
    classes = dict(catalog.PACING_CLASSES)
    classes[OutgoingId.REQ_NEWS_PROVIDERS] = Pacing.PRIORITY
    classes[OutgoingId.REQ_SCANNER_PARAMETERS] = Pacing.HISTORICAL
    del classes[OutgoingId.REQ_MKT_DEPTH]
    monkeypatch.setattr(catalog, "REQUESTS", rows)
    monkeypatch.setattr(catalog, "PACING_CLASSES", classes)
    config = _load_fresh("ibwire.pacing._config")
    tables = _load_fresh("ibwire.pacing._tables")
    assert OutgoingId.REQ_NEWS_PROVIDERS in config.PRIORITY_MSG_IDS
    assert tables.CANCEL_TARGET[OutgoingId.REQ_NEWS_PROVIDERS] == OutgoingId.REQ_NEWS_ARTICLE
    assert tables.KIND_BY_ID[OutgoingId.REQ_SCANNER_PARAMETERS] == tables.HISTORICAL
    assert tables.KIND_BY_ID[OutgoingId.REQ_MKT_DEPTH] == tables.TARGET  # no longer a budget
    # And the tables in use are the catalogue's as it stands.
    from ibwire.pacing import _tables

    pairs = {r.cancel: r.msg_id for r in REQUESTS.values() if r.cancel not in (None, r.msg_id)}
    assert dict(_tables.CANCEL_TARGET) == pairs



def test_dispatch_names_derive_from_the_catalogue() -> None:
    assert dict(dispatch.CALLBACK_NAMES) == {
        row.msg_id: row.callback for row in ANSWERS.values() if row.callback
    }
    assert dict(dispatch.REQUEST_METHOD_NAMES) == {
        row.msg_id: row.method for row in REQUESTS.values() if row.method
    }


def test_generated_request_methods_allocate_what_the_catalogue_says() -> None:
    source = _requests_gen.generate()
    for cls, name in dispatch.REQUEST_METHODS.items():
        row = REQUESTS[OutgoingId(cls.MSG_ID)]  # type: ignore[attr-defined]
        head = source.split(f"    def {name}(", 1)[1].split('"""', 1)[0]
        allocates = "_id: int | None = None" in head
        assert allocates == (row.ids in (Ids.ALLOCATES, Ids.ALLOCATES_ORDER)), name


def test_session_tables_derive_from_the_catalogue() -> None:
    streams = {r.msg_id: r.cancel for r in REQUESTS.values() if r.stream and r.cancel}
    assert dict(_session_routes._STREAMS) == streams
    assert _session_routes._SETTINGS == {r.msg_id for r in REQUESTS.values() if r.setting}
    assert dict(_session_routes._CONSTANT_KEYS) == {
        r.msg_id: r.key for r in REQUESTS.values() if r.key is not None
    }
    assert set(_session_gate.READ_ONLY_GATE) == {
        r.msg_id for r in REQUESTS.values() if r.read_only is not ReadOnly.ALLOW
    }
    routed = {r.message_class for r in ANSWERS.values() if r.message_class is not None}
    assert set(_session_routes._ROUTES) == routed


def test_stream_rules_and_routes() -> None:
    assert _session_routes._is_stream(ReqMktData(req_id=1, contract=C))
    assert not _session_routes._is_stream(ReqMktData(req_id=1, contract=C, snapshot=True))
    assert not _session_routes._is_stream(ReqHistoricalData(**BARS))
    assert _session_routes._is_stream(ReqHistoricalData(**BARS, keep_up_to_date=True))
    assert not _session_routes._is_stream(ReqAcctData(subscribe=False))
    route = _session_routes._route_for(OpenOrder)
    assert route(OpenOrder(order_id=7)) == (7, catalog.OPEN_ORDERS)


def test_the_read_only_gate_reads_the_catalogue() -> None:
    refused = _session_gate.refused_when_read_only
    assert refused(ReplaceFa(req_id=1, fa_data=1, cxml=""))
    assert refused(ReqAutoOpenOrders(auto_bind=True))
    assert not refused(ReqAutoOpenOrders(auto_bind=False))
    assert refused(PlaceOrder(order_id=1, contract=Contract(), order=Order()))
    assert not refused(PlaceOrder(order_id=1, contract=Contract(), order=Order(what_if=True)))
    assert not refused(ReqMktData(req_id=1, contract=C))


def test_helpers_end_where_the_catalogue_says() -> None:
    from ibwire.messages import ContractDataEnd, CurrentTime, OpenOrderEnd

    assert _session_routes.end_of(OutgoingId.REQ_CONTRACT_DATA) == {ContractDataEnd}
    assert _session_routes.end_of(OutgoingId.REQ_CURRENT_TIME) == {CurrentTime}
    assert _session_routes.end_of(OutgoingId.REQ_OPEN_ORDERS) == {OpenOrderEnd}
    with pytest.raises(KeyError):
        _session_routes.end_of(OutgoingId.REQ_MKT_DEPTH)
