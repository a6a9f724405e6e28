"""Market scanners: parameters, subscriptions and their results.

The ``TagValueList`` options of ``reqScannerSubscription`` travel as one
``"tag=value;"`` text field each; they are plain ``str`` fields here, as in the
other request modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from typing import Any, ClassVar

from ..fields import BOOL, ESC_STR, INT, OPT_FLOAT, OPT_INT, STR, format_float
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Custom, F, Message, Node, Struct, Ver, dataclass, message
from .common import UNSET_STRIKE_TEXT, Contract
from .contracts import ContractDetails

__all__ = [
    "CancelScannerSubscription",
    "ReqScannerParameters",
    "ReqScannerSubscription",
    "ScannerData",
    "ScannerDataElement",
    "ScannerParameters",
    "ScannerSubscription",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class ScannerSubscription:
    """The parameters of a market scan (the official ``ScannerSubscription``).

    Unset numeric filters are ``None`` and travel as empty fields.

    Attributes:
        number_of_rows: how many results; -1 (the official default) for TWS's default.
        instrument: the instrument type, e.g. ``STK``, ``FUT.US`` (see the
            scanner parameters XML).
        location_code: the market, e.g. ``STK.US.MAJOR``.
        scan_code: the scan, e.g. ``TOP_PERC_GAIN``.
        above_price: only prices above this.
        below_price: only prices below this.
        above_volume: only volumes above this.
        market_cap_above: only market capitalisations above this.
        market_cap_below: only market capitalisations below this.
        moody_rating_above: only Moody's ratings above this.
        moody_rating_below: only Moody's ratings below this.
        sp_rating_above: only S&P ratings above this.
        sp_rating_below: only S&P ratings below this.
        maturity_date_above: only maturities after this date.
        maturity_date_below: only maturities before this date.
        coupon_rate_above: only coupon rates above this.
        coupon_rate_below: only coupon rates below this.
        exclude_convertible: leave convertible bonds out.
        average_option_volume_above: only average option volumes above this.
        scanner_setting_pairs: settings, e.g. ``"Annual,true"``.
        stock_type_filter: ``ALL``, ``CORP``, ``ADR``, ``ETF``, ``REIT``, ``CEF``.
    """

    number_of_rows: int | None = -1
    instrument: str = ""
    location_code: str = ""
    scan_code: str = ""
    above_price: float | None = None
    below_price: float | None = None
    above_volume: int | None = None
    market_cap_above: float | None = None
    market_cap_below: float | None = None
    moody_rating_above: str = ""
    moody_rating_below: str = ""
    sp_rating_above: str = ""
    sp_rating_below: str = ""
    maturity_date_above: str = ""
    maturity_date_below: str = ""
    coupon_rate_above: float | None = None
    coupon_rate_below: float | None = None
    exclude_convertible: bool = False
    average_option_volume_above: int | None = None
    scanner_setting_pairs: str = ""
    stock_type_filter: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScannerDataElement:
    """One result of a market scan (the arguments of the official ``scannerData``).

    Attributes:
        rank: the result's rank, from 0.
        contract_details: the contract (``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike``, ``right``,
            ``exchange``, ``currency``, ``local_symbol``, ``trading_class``) and
            ``market_name``; the other fields keep their defaults.
        distance: per the scan.
        benchmark: per the scan.
        projection: per the scan.
        legs_str: the combo legs, for combo results.
    """

    rank: int = 0
    contract_details: ContractDetails = field(default_factory=ContractDetails)
    distance: str = ""
    benchmark: str = ""
    projection: str = ""
    legs_str: str = ""


# ------------------------------------------------------------------ incoming


@message(IncomingId.SCANNER_PARAMETERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ScannerParameters(Message):
    """``SCANNER_PARAMETERS`` (19), EWrapper ``scannerParameters``.

    Attributes:
        xml: the XML description of every scan (unescaped: the official client
            unicode-unescapes this message's text from server 153).
    """

    xml: str

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("xml", ESC_STR))


def _decode_elements(f: Sequence[str], i: int, version: int) -> tuple[Any, int]:
    count = int(f[i] or 0)
    i += 1
    items = []
    for _ in range(count):
        if i + 16 > len(f):
            raise IndexError("elements: list ends early")
        contract = Contract(
            con_id=int(f[i + 1] or 0),
            symbol=f[i + 2],
            sec_type=f[i + 3],
            last_trade_date_or_contract_month=f[i + 4],
            strike=float(f[i + 5] or 0),
            right=f[i + 6],
            exchange=f[i + 7],
            currency=f[i + 8],
            local_symbol=f[i + 9],
            trading_class=f[i + 11],
        )
        items.append(
            ScannerDataElement(
                rank=int(f[i] or 0),
                contract_details=ContractDetails(contract=contract, market_name=f[i + 10]),
                distance=f[i + 12],
                benchmark=f[i + 13],
                projection=f[i + 14],
                legs_str=f[i + 15],
            )
        )
        i += 16
    return tuple(items), i


def _encode_elements(value: Any, out: list[str], version: int) -> None:
    out.append(str(len(value)))
    for item in value:
        details = item.contract_details
        c = details.contract
        out.extend(
            (
                str(item.rank),
                str(c.con_id),
                c.symbol,
                c.sec_type,
                c.last_trade_date_or_contract_month,
                UNSET_STRIKE_TEXT if c.strike is None else format_float(c.strike),
                c.right,
                c.exchange,
                c.currency,
                c.local_symbol,
                details.market_name,
                c.trading_class,
                item.distance,
                item.benchmark,
                item.projection,
                item.legs_str,
            )
        )


@message(IncomingId.SCANNER_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ScannerData(Message):
    """``SCANNER_DATA`` (20), EWrapper ``scannerData`` (per element) then ``scannerDataEnd``.

    One message carries a whole scan result; the official client calls
    ``scannerData`` for each element and ``scannerDataEnd`` after the last.

    Attributes:
        req_id: the scanner subscription id.
        elements: the results, by rank.
    """

    req_id: int
    elements: tuple[ScannerDataElement, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT),
        # Each element interleaves contract fields with marketName (a
        # ContractDetails field) between localSymbol and tradingClass: a shape
        # Repeat/Struct cannot describe.
        Custom("elements", _decode_elements, _encode_elements),
    )


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.REQ_SCANNER_PARAMETERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqScannerParameters(Message):
    """``REQ_SCANNER_PARAMETERS`` (24), EClient ``reqScannerParameters``.

    Answered by :class:`ScannerParameters`.
    """

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_SCANNER_SUBSCRIPTION)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqScannerSubscription(Message):
    """``REQ_SCANNER_SUBSCRIPTION`` (22), EClient ``reqScannerSubscription``.

    Answered by :class:`ScannerData` until cancelled.

    Attributes:
        req_id: the subscription id the results will carry.
        subscription: the scan.
        scanner_subscription_filter_options: ``"tag=value;"`` filters as one text
            field, e.g. ``"priceAbove=10;"`` (server 143+; before, the official
            client refuses any).
        scanner_subscription_options: ``"tag=value;"`` options as one text field;
            IB reserves it, keep it empty (server 70+).
    """

    req_id: int
    subscription: ScannerSubscription
    scanner_subscription_filter_options: str = ""
    scanner_subscription_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        # From 143 (SCANNER_GENERIC_OPTS) the official client sends no version field.
        Ver(4, before=SV.SCANNER_GENERIC_OPTS),
        F("req_id", INT),
        Struct(
            "subscription",
            ScannerSubscription,
            (
                F("number_of_rows", OPT_INT),
                F("instrument", STR),
                F("location_code", STR),
                F("scan_code", STR),
                F("above_price", OPT_FLOAT),
                F("below_price", OPT_FLOAT),
                F("above_volume", OPT_INT),
                F("market_cap_above", OPT_FLOAT),
                F("market_cap_below", OPT_FLOAT),
                F("moody_rating_above", STR),
                F("moody_rating_below", STR),
                F("sp_rating_above", STR),
                F("sp_rating_below", STR),
                F("maturity_date_above", STR),
                F("maturity_date_below", STR),
                F("coupon_rate_above", OPT_FLOAT),
                F("coupon_rate_below", OPT_FLOAT),
                F("exclude_convertible", BOOL),
                F("average_option_volume_above", OPT_INT),
                F("scanner_setting_pairs", STR),
                F("stock_type_filter", STR),
            ),
        ),
        # The filter options precede the (older) subscription options on the wire.
        F("scanner_subscription_filter_options", STR, since=SV.SCANNER_GENERIC_OPTS),
        F("scanner_subscription_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_SCANNER_SUBSCRIPTION)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelScannerSubscription(Message):
    """``CANCEL_SCANNER_SUBSCRIPTION`` (23), EClient ``cancelScannerSubscription``.

    Attributes:
        req_id: the id of the subscription to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))
