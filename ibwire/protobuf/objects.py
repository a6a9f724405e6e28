"""Protobuf maps of the domain objects that several families share.

Reading follows the official ``decoder_utils.decodeContract`` /
``decodeExecution``; ibwire also reads the contract fields the official decoder
leaves out (``secIdType``, ``secId``, ``includeExpired``), so nothing sent is lost.
Writing (the server side, and requests that carry these objects) leaves out the
class defaults.
"""

from __future__ import annotations

from typing import Final

from ..messages.common import ComboLeg, Contract, DeltaNeutralContract
from ..messages.executions import Execution
from .mapper import Conv, Link, ObjectMap

__all__ = [
    "COMBO_LEG",
    "CONTRACT",
    "DELTA_NEUTRAL_CONTRACT",
    "EXECUTION",
    "REQUEST_COMBO_LEG",
    "REQUEST_CONTRACT",
]

COMBO_LEG: Final = ObjectMap(ComboLeg, [
    Link("conId", "con_id", skip=0),
    Link("ratio", "ratio", skip=0),
    Link("action", "action", skip=""),
    Link("exchange", "exchange", skip=""),
    Link("openClose", "open_close", skip=0),
    Link("shortSalesSlot", "short_sale_slot", skip=0),
    Link("designatedLocation", "designated_location", skip=""),
    Link("exemptCode", "exempt_code", skip=-1),
])  # fmt: skip

DELTA_NEUTRAL_CONTRACT: Final = ObjectMap(DeltaNeutralContract, [
    Link("conId", "con_id"),
    Link("delta", "delta"),
    Link("price", "price"),
])  # fmt: skip

CONTRACT: Final = ObjectMap(Contract, [
    Link("conId", "con_id", skip=0),
    Link("symbol", "symbol", skip=""),
    Link("secType", "sec_type", skip=""),
    Link("lastTradeDateOrContractMonth", "last_trade_date_or_contract_month", skip=""),
    Link("strike", "strike"),
    Link("right", "right", skip=""),
    Link("multiplier", "multiplier", Conv.MULTIPLIER, skip=""),
    Link("exchange", "exchange", skip=""),
    Link("primaryExch", "primary_exchange", skip=""),
    Link("currency", "currency", skip=""),
    Link("localSymbol", "local_symbol", skip=""),
    Link("tradingClass", "trading_class", skip=""),
    Link("secIdType", "sec_id_type", skip=""),
    Link("secId", "sec_id", skip=""),
    Link("description", "description", skip=""),
    Link("issuerId", "issuer_id", skip=""),
    Link("deltaNeutralContract", "delta_neutral_contract", Conv.OBJECT, DELTA_NEUTRAL_CONTRACT),
    Link("includeExpired", "include_expired", skip=False),
    Link("comboLegsDescrip", "combo_legs_descrip", skip=""),
    Link("comboLegs", "combo_legs", Conv.OBJECTS, COMBO_LEG),
    Link("lastTradeDate", "last_trade_date", skip=""),
])  # fmt: skip

EXECUTION: Final = ObjectMap(Execution, [
    Link("orderId", "order_id"),
    Link("execId", "exec_id"),
    Link("time", "time"),
    Link("acctNumber", "acct_number"),
    Link("exchange", "exchange"),
    Link("side", "side"),
    Link("shares", "shares", Conv.DECIMAL),
    Link("price", "price"),
    Link("permId", "perm_id"),
    Link("clientId", "client_id"),
    Link("isLiquidation", "liquidation", Conv.FLAG),
    Link("cumQty", "cum_qty", Conv.DECIMAL),
    Link("avgPrice", "avg_price"),
    Link("orderRef", "order_ref"),
    Link("evRule", "ev_rule"),
    Link("evMultiplier", "ev_multiplier"),
    Link("modelCode", "model_code"),
    Link("lastLiquidity", "last_liquidity"),
    Link("isPriceRevisionPending", "pending_price_revision"),
    Link("submitter", "submitter"),
])  # fmt: skip


# ---------------------------------------------------------------- contracts in requests
#
# As ``client_utils.createContractProto`` writes a request's contract: the int
# fields unless they hold UNSET_INTEGER (so a con_id of 0 is written), text when
# not empty, the strike when set, the multiplier as a double, the legs and the
# delta-neutral contract when present; never ``lastTradeDate`` or a leg's price.

#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
_UNSET_INTEGER: Final = 2**31 - 1

REQUEST_COMBO_LEG: Final = ObjectMap(ComboLeg, [
    Link("conId", "con_id", skip=_UNSET_INTEGER),
    Link("ratio", "ratio", skip=_UNSET_INTEGER),
    Link("action", "action", skip=""),
    Link("exchange", "exchange", skip=""),
    Link("openClose", "open_close", skip=_UNSET_INTEGER),
    Link("shortSalesSlot", "short_sale_slot", skip=_UNSET_INTEGER),
    Link("designatedLocation", "designated_location", skip=""),
    Link("exemptCode", "exempt_code", skip=_UNSET_INTEGER),
])  # fmt: skip

REQUEST_CONTRACT: Final = ObjectMap(Contract, [
    Link("conId", "con_id", skip=_UNSET_INTEGER),
    Link("symbol", "symbol", skip=""),
    Link("secType", "sec_type", skip=""),
    Link("lastTradeDateOrContractMonth", "last_trade_date_or_contract_month", skip=""),
    Link("strike", "strike"),
    Link("right", "right", skip=""),
    Link("multiplier", "multiplier", Conv.MULTIPLIER, skip=""),
    Link("exchange", "exchange", skip=""),
    Link("primaryExch", "primary_exchange", skip=""),
    Link("currency", "currency", skip=""),
    Link("localSymbol", "local_symbol", skip=""),
    Link("tradingClass", "trading_class", skip=""),
    Link("secIdType", "sec_id_type", skip=""),
    Link("secId", "sec_id", skip=""),
    Link("includeExpired", "include_expired", skip=False),
    Link("comboLegsDescrip", "combo_legs_descrip", skip=""),
    Link("description", "description", skip=""),
    Link("issuerId", "issuer_id", skip=""),
    Link("comboLegs", "combo_legs", Conv.OBJECTS, REQUEST_COMBO_LEG),
    Link("deltaNeutralContract", "delta_neutral_contract", Conv.OBJECT, DELTA_NEUTRAL_CONTRACT),
])  # fmt: skip
