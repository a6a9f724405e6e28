"""A request is refused at a text version iff it is refused at a protobuf version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire import messages as m
from ibwire.errors import LocalProtocolError
from ibwire.messages import Contract, Order

from ..protobuf_forms import connected

#: Any text: printable ASCII mostly, control characters, NUL and non-ASCII too.
ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
    st.text(max_size=6),
)
ANY_FLOAT = st.floats(allow_subnormal=False)
ANY_DECIMAL = st.one_of(
    st.decimals(places=2, min_value=-(10**6), max_value=10**6),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")]),
)

CONTRACTS = st.builds(
    Contract,
    con_id=st.integers(0, 2**31 - 1),
    symbol=ANY_TEXT,
    sec_type=ANY_TEXT,
    strike=ANY_FLOAT,
    exchange=ANY_TEXT,
    currency=ANY_TEXT,
    local_symbol=ANY_TEXT,
    trading_class=ANY_TEXT,
)
ORDERS = st.builds(
    Order,
    action=ANY_TEXT,
    total_quantity=ANY_DECIMAL,
    order_type=ANY_TEXT,
    lmt_price=ANY_FLOAT,
    aux_price=ANY_FLOAT,
    tif=ANY_TEXT,
    order_ref=ANY_TEXT,
    account=ANY_TEXT,
)
REQUESTS = st.one_of(
    st.builds(m.PlaceOrder, order_id=st.integers(0, 2**31 - 1), contract=CONTRACTS, order=ORDERS),
    st.builds(
        m.ReqMktData,
        req_id=st.integers(0, 2**31 - 1),
        contract=CONTRACTS,
        generic_tick_list=ANY_TEXT,
    ),
    st.builds(m.ReqContractData, req_id=st.integers(0, 2**31 - 1), contract=CONTRACTS),
)


def _refused(version: int, request: Any) -> bool:
    client, _ = connected(version)
    try:
        client.send(request)
    except LocalProtocolError:
        assert client.data_to_send() == b""
        return True
    assert client.data_to_send()
    return False


@settings(max_examples=300, deadline=None)
@given(REQUESTS)
def test_refused_as_text_iff_refused_as_protobuf(request: Any) -> None:
    assert _refused(200, request) == _refused(226, request)
