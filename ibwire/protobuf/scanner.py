"""Market scanners and PnL in protobuf form (server version 210,
``PROTOBUF_SCAN_DATA``).

Requests are written as the official ``client_utils.create*Proto`` functions
write them.  ``ScannerSubscriptionRequest`` nests the scan, and the scan holds
the two option maps that our :class:`~ibwire.messages.ReqScannerSubscription`
carries beside it as ``"tag=value;"`` text.

Incoming: one ``ScannerData`` carries the whole scan (the official decoder calls
``scannerData`` per element, then ``scannerDataEnd``); an element's
``contract`` and ``marketName`` fill its ``contract_details`` and its
``comboKey`` its ``legs_str``.  PnL values absent from the message are ``None``
(official: ``UNSET_DOUBLE`` / ``UNSET_DECIMAL``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

from ..fields import UNSET_DOUBLE
from ..messages.account import CancelPnl, CancelPnlSingle, Pnl, PnlSingle, ReqPnl, ReqPnlSingle
from ..messages.contracts import ContractDetails
from ..messages.scanner import (
    CancelScannerSubscription,
    ReqScannerParameters,
    ReqScannerSubscription,
    ScannerData,
    ScannerDataElement,
    ScannerParameters,
    ScannerSubscription,
)
from ..versions import ServerVersion
from .forms import Form, mapped, register
from .mapper import Conv, Link, ObjectMap, options_map, options_text
from .objects import CONTRACT
from .wire import PbDict

__all__ = ["PNL", "PNL_SINGLE", "SCANNER_SUBSCRIPTION"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1


def _req_id(cls: type) -> ObjectMap:
    """The map of a request whose only field is its request id."""
    return ObjectMap(cls, [Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID)])


# ---------------------------------------------------------------- scanner

SCANNER_SUBSCRIPTION: Final = ObjectMap(ScannerSubscription, [
    Link("numberOfRows", "number_of_rows", skip=UNSET_INTEGER),
    Link("instrument", "instrument", skip=""),
    Link("locationCode", "location_code", skip=""),
    Link("scanCode", "scan_code", skip=""),
    Link("abovePrice", "above_price", skip=UNSET_DOUBLE),
    Link("belowPrice", "below_price", skip=UNSET_DOUBLE),
    Link("aboveVolume", "above_volume", skip=UNSET_INTEGER),
    Link("marketCapAbove", "market_cap_above", skip=UNSET_DOUBLE),
    Link("marketCapBelow", "market_cap_below", skip=UNSET_DOUBLE),
    Link("moodyRatingAbove", "moody_rating_above", skip=""),
    Link("moodyRatingBelow", "moody_rating_below", skip=""),
    Link("spRatingAbove", "sp_rating_above", skip=""),
    Link("spRatingBelow", "sp_rating_below", skip=""),
    Link("maturityDateAbove", "maturity_date_above", skip=""),
    Link("maturityDateBelow", "maturity_date_below", skip=""),
    Link("couponRateAbove", "coupon_rate_above", skip=UNSET_DOUBLE),
    Link("couponRateBelow", "coupon_rate_below", skip=UNSET_DOUBLE),
    Link("excludeConvertible", "exclude_convertible", skip=False),
    Link("averageOptionVolumeAbove", "average_option_volume_above", skip=UNSET_INTEGER),
    Link("scannerSettingPairs", "scanner_setting_pairs", skip=""),
    Link("stockTypeFilter", "stock_type_filter", skip=""),
])  # fmt: skip

_SCAN_REQ_ID: Final = _req_id(CancelScannerSubscription)


def _scanner_request(decoded: PbDict, version: int) -> ReqScannerSubscription:
    values = cast("dict[str, Any]", decoded)
    req_id = values["reqId"]
    scan = values["scannerSubscription"] or {}
    return ReqScannerSubscription(
        req_id=NO_VALID_ID if req_id is None else req_id,
        subscription=SCANNER_SUBSCRIPTION.read(
            {link.pb: scan.get(link.pb) for link in SCANNER_SUBSCRIPTION.links}
        ),
        scanner_subscription_filter_options=options_text(
            scan.get("scannerSubscriptionFilterOptions") or {}
        ),
        scanner_subscription_options=options_text(scan.get("scannerSubscriptionOptions") or {}),
    )


def _scanner_request_values(message: Any, version: int) -> Mapping[str, Any]:
    request: ReqScannerSubscription = message
    scan = SCANNER_SUBSCRIPTION.write(request.subscription)
    if request.scanner_subscription_filter_options:
        scan["scannerSubscriptionFilterOptions"] = options_map(
            request.scanner_subscription_filter_options
        )
    if request.scanner_subscription_options:
        scan["scannerSubscriptionOptions"] = options_map(request.scanner_subscription_options)
    values = _SCAN_REQ_ID.write(request)
    values["scannerSubscription"] = scan
    return values


SCANNER_PARAMETERS: Final = ObjectMap(ScannerParameters, [
    Link("xml", "xml", missing=""),
])  # fmt: skip


def _element(decoded: PbDict) -> ScannerDataElement:
    values = cast("dict[str, Any]", decoded)
    contract = values["contract"]
    details = ContractDetails()
    if contract is not None:
        details = ContractDetails(
            contract=CONTRACT.read(contract), market_name=values["marketName"] or ""
        )
    return ScannerDataElement(
        rank=values["rank"] or 0,
        contract_details=details,
        distance=values["distance"] or "",
        benchmark=values["benchmark"] or "",
        projection=values["projection"] or "",
        legs_str=values["comboKey"] or "",
    )


def _element_values(element: ScannerDataElement) -> dict[str, Any]:
    details = element.contract_details
    values: dict[str, Any] = {"rank": element.rank, "contract": CONTRACT.write(details.contract)}
    for pb, value in (
        ("marketName", details.market_name),
        ("distance", element.distance),
        ("benchmark", element.benchmark),
        ("projection", element.projection),
        ("comboKey", element.legs_str),
    ):
        if value:
            values[pb] = value
    return values


def _scanner_data(decoded: PbDict, version: int) -> ScannerData:
    values = cast("dict[str, Any]", decoded)
    req_id = values["reqId"]
    return ScannerData(
        req_id=NO_VALID_ID if req_id is None else req_id,
        elements=tuple([_element(item) for item in values["scannerDataElement"]]),
    )


def _scanner_data_values(message: Any, version: int) -> Mapping[str, Any]:
    data: ScannerData = message
    return {
        "reqId": data.req_id,
        "scannerDataElement": [_element_values(item) for item in data.elements],
    }


# ---------------------------------------------------------------- PnL

REQ_PNL: Final = ObjectMap(ReqPnl, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("account", "account", skip="", missing=""),
    Link("modelCode", "model_code", skip=""),
])  # fmt: skip

REQ_PNL_SINGLE: Final = ObjectMap(ReqPnlSingle, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("account", "account", skip="", missing=""),
    Link("modelCode", "model_code", skip=""),
    Link("conId", "con_id", skip=UNSET_INTEGER, missing=0),
])  # fmt: skip

PNL: Final = ObjectMap(Pnl, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("dailyPnL", "daily_pnl"),
    Link("unrealizedPnL", "unrealized_pnl"),
    Link("realizedPnL", "realized_pnl"),
])  # fmt: skip

PNL_SINGLE: Final = ObjectMap(PnlSingle, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("position", "pos", Conv.DECIMAL, missing=None),
    Link("dailyPnL", "daily_pnl"),
    Link("unrealizedPnL", "unrealized_pnl"),
    Link("realizedPnL", "realized_pnl"),
    Link("value", "value"),
])  # fmt: skip

_SINCE: Final = ServerVersion.PROTOBUF_SCAN_DATA

register(
    mapped(ReqScannerParameters, "ScannerParametersRequest", _SINCE, ObjectMap(ReqScannerParameters, []), incoming=False),
    Form(ReqScannerSubscription, False, "ScannerSubscriptionRequest", _SINCE, _scanner_request, _scanner_request_values),
    mapped(CancelScannerSubscription, "CancelScannerSubscription", _SINCE, _SCAN_REQ_ID, incoming=False),
    mapped(ReqPnl, "PnLRequest", _SINCE, REQ_PNL, incoming=False),
    mapped(CancelPnl, "CancelPnL", _SINCE, _req_id(CancelPnl), incoming=False),
    mapped(ReqPnlSingle, "PnLSingleRequest", _SINCE, REQ_PNL_SINGLE, incoming=False),
    mapped(CancelPnlSingle, "CancelPnLSingle", _SINCE, _req_id(CancelPnlSingle), incoming=False),
    mapped(ScannerParameters, "ScannerParameters", _SINCE, SCANNER_PARAMETERS, incoming=True),
    Form(ScannerData, True, "ScannerData", _SINCE, _scanner_data, _scanner_data_values),
    mapped(Pnl, "PnL", _SINCE, PNL, incoming=True),
    mapped(PnlSingle, "PnLSingle", _SINCE, PNL_SINGLE, incoming=True),
)  # fmt: skip
