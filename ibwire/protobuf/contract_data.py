"""The contract data family in protobuf form (server version 205,
``PROTOBUF_CONTRACT_DATA``).

================  ====================  =================
class             protobuf message      direction
================  ====================  =================
ReqContractData   ContractDataRequest   client -> server
ContractData      ContractData          server -> client
BondContractData  ContractData          server -> client
ContractDataEnd   ContractDataEnd       server -> client
================  ====================  =================

The request is written as ``client_utils.createContractDataRequestProto`` writes
it: ``reqId`` unless ``UNSET_INTEGER``, the contract always.

``ContractData`` carries the contract and its details side by side; ibwire keeps
the contract in :attr:`ContractDetails.contract
<ibwire.messages.contracts.ContractDetails.contract>`, as the text form does.
Its expiry text stays whole in the contract (the official decoder splits it into
``lastTradeDateOrContractMonth`` or, for bonds, ``maturity``, and
``lastTradeTime``: here the properties ``maturity`` and ``last_trade_time``).
An absent details message reads as empty (the official decoder then makes no
callback).  As there, a bond's expiry text in three parts (``date-time-zone``)
sets its ``time_zone_id``.  Details fields absent from the frame keep their defaults, which are
the official ones; the fields that exist only in protobuf form (event contract
texts, ``minAlgoSize``, the precisions, ``settlementMethod``) are ``None``.
From server 224 (``USE_PRECISION_FROM_SEC_DEF``) the server may fill the two
precisions; they need nothing more here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._record import builder, field_names
from ..messages.contracts import (
    BondContractData,
    ContractData,
    ContractDataEnd,
    ContractDetails,
    ReqContractData,
    _split_expiry,
)
from ..versions import ServerVersion
from .forms import Form, built, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import CONTRACT, CONTRACT_DETAILS, REQUEST_CONTRACT
from .wire import PbDict

__all__ = ["CONTRACT_DATA_END", "REQ_CONTRACT_DATA"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1

_SINCE: Final = ServerVersion.PROTOBUF_CONTRACT_DATA

REQ_CONTRACT_DATA: Final = ObjectMap(ReqContractData, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
])  # fmt: skip

CONTRACT_DATA_END: Final = ObjectMap(ContractDataEnd, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
])  # fmt: skip


def _details_form(cls: type[ContractData] | type[BondContractData]) -> Form:
    read_contract = CONTRACT.read
    write_contract = CONTRACT.write
    read_details = CONTRACT_DETAILS.read
    write_details = CONTRACT_DETAILS.write
    set_contract = vars(ContractDetails)["contract"].__set__
    set_time_zone = vars(ContractDetails)["time_zone_id"].__set__
    bond = cls is BondContractData
    new = object.__new__
    twin: Any = builder(cls)
    # build() stores every field of the builder twin.
    assert field_names(cls) == ("req_id", "contract_details"), field_names(cls)
    empty_details: PbDict = {link.pb: None for link in CONTRACT_DETAILS.links}
    empty_details.update(secIdList={}, ineligibilityReasonList=[])
    empty_contract: PbDict = {link.pb: None for link in CONTRACT.links}
    empty_contract.update(comboLegs=[])

    def build(req_id: int | None, contract: Any, details: Any) -> Any:
        if details is None:
            details = read_details(empty_details)
        if contract is None:
            contract = read_contract(empty_contract)
        set_contract(details, contract)
        if bond:
            # As the official decoder's setLastTradeDate: a bond's expiry text in
            # three parts names its time zone, over the details' own field.
            parts = _split_expiry(contract.last_trade_date_or_contract_month)
            if len(parts) > 2:
                set_time_zone(details, parts[2])
        # Built as the mapped forms build (ibwire._record.builder): no keyword __init__.
        message = new(twin)
        message.req_id = NO_VALID_ID if req_id is None else req_id
        message.contract_details = details
        message.__class__ = cls
        return message

    def from_message(message: Any, version: int) -> Mapping[str, Any]:
        details = message.contract_details
        return {
            "reqId": message.req_id,
            "contract": write_contract(details.contract),
            "contractDetails": write_details(details),
        }

    return built(cls, "ContractData", _SINCE, build, from_message,
                 nested={"contract": CONTRACT, "contractDetails": CONTRACT_DETAILS})  # fmt: skip


register(
    mapped(ReqContractData, "ContractDataRequest", _SINCE, REQ_CONTRACT_DATA, incoming=False),
    _details_form(ContractData),
    _details_form(BondContractData),
    mapped(ContractDataEnd, "ContractDataEnd", _SINCE, CONTRACT_DATA_END, incoming=True),
)
