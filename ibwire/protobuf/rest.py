"""The remaining families in protobuf form: FA, exercise and option calculations
(server version 211, ``PROTOBUF_REST_MESSAGES_1``); option parameters, soft dollar
tiers, family codes, matching symbols, SMART components, market rules, user info
(212, ``..._2``); ids, time, log level, verification, display groups, depth
exchanges (213, ``..._3``); and the contract data cancel (215).

Requests are written as the official ``client_utils.create*Proto`` functions
write them: ids unless they hold ``UNSET_INTEGER``, prices and volatilities
always (our classes have no unset value for them), text when not empty, flags
when true, the contract always.

Incoming absent fields read as the official decoder reads them: request ids -1
(``NO_VALID_ID``), other ints 0, text "" (a SMART component's exchange letter
" "), flags false.
"""

from __future__ import annotations

from typing import Final

from ..fields import UNSET_DOUBLE
from ..messages.account import (
    FamilyCode,
    FamilyCodes,
    ReceiveFa,
    ReplaceFa,
    ReplaceFaEnd,
    ReqFa,
    ReqFamilyCodes,
    ReqSoftDollarTiers,
    SoftDollarTiers,
)
from ..messages.common import SoftDollarTier
from ..messages.contracts import (
    CancelContractData,
    ContractDescription,
    MarketRule,
    PriceIncrement,
    ReqMarketRule,
    ReqMatchingSymbols,
    ReqSecDefOptParams,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    SymbolSamples,
)
from ..messages.display import (
    DisplayGroupList,
    DisplayGroupUpdated,
    QueryDisplayGroups,
    SubscribeToGroupEvents,
    UnsubscribeFromGroupEvents,
    UpdateDisplayGroup,
)
from ..messages.executions import ExerciseOptions
from ..messages.market_data import (
    CancelCalcImpliedVolat,
    CancelCalcOptionPrice,
    DepthMktDataDescription,
    MktDepthExchanges,
    ReqCalcImpliedVolat,
    ReqCalcOptionPrice,
    ReqMktDepthExchanges,
    ReqSmartComponents,
    SetServerLoglevel,
    SmartComponent,
    SmartComponents,
)
from ..messages.system import (
    CurrentTime,
    CurrentTimeInMillis,
    NextValidId,
    ReqCurrentTime,
    ReqCurrentTimeInMillis,
    ReqIds,
    ReqUserInfo,
    UserInfo,
    VerifyCompleted,
    VerifyMessage,
    VerifyMessageApi,
    VerifyRequest,
)
from ..versions import ServerVersion as V
from .forms import Form, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import CONTRACT, REQUEST_CONTRACT

__all__ = ["EXERCISE_OPTIONS", "SECURITY_DEFINITION_OPTION_PARAMETER", "SYMBOL_SAMPLES"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1


def _req_id(cls: type) -> ObjectMap:
    """The map of a request whose only field is its request id."""
    return ObjectMap(cls, [Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID)])


def _int(pb: str, attr: str) -> Link:
    """A request's int field, required by our class: absent reads as 0."""
    return Link(pb, attr, skip=UNSET_INTEGER, missing=0)


def _text(pb: str, attr: str) -> Link:
    """A request's text field: written when not empty, absent reads as ""."""
    return Link(pb, attr, skip="", missing="")


_REQ_ID: Final = Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID)
_ANSWER_ID: Final = Link("reqId", "req_id", missing=NO_VALID_ID)

# ---------------------------------------------------------------- 211: FA, options

REQ_FA: Final = ObjectMap(ReqFa, [_int("faDataType", "fa_data")])

REPLACE_FA: Final = ObjectMap(ReplaceFa, [
    Link("reqId", "req_id", skip=UNSET_INTEGER),
    _int("faDataType", "fa_data"),
    _text("xml", "cxml"),
])  # fmt: skip

EXERCISE_OPTIONS: Final = ObjectMap(ExerciseOptions, [
    Link("orderId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    _int("exerciseAction", "exercise_action"),
    _int("exerciseQuantity", "exercise_quantity"),
    Link("account", "account", skip=""),
    Link("override", "override", Conv.FLAG, skip=0),
    Link("manualOrderTime", "manual_order_time", skip=""),
    Link("customerAccount", "customer_account", skip=""),
    Link("professionalCustomer", "professional_customer", skip=False),
])  # fmt: skip

REQ_CALC_IMPLIED_VOLAT: Final = ObjectMap(ReqCalcImpliedVolat, [
    _REQ_ID,
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("optionPrice", "option_price", skip=UNSET_DOUBLE, missing=0.0),
    Link("underPrice", "under_price", skip=UNSET_DOUBLE, missing=0.0),
    Link("impliedVolatilityOptions", "impl_vol_options", Conv.OPTIONS),
])  # fmt: skip

REQ_CALC_OPTION_PRICE: Final = ObjectMap(ReqCalcOptionPrice, [
    _REQ_ID,
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("volatility", "volatility", skip=UNSET_DOUBLE, missing=0.0),
    Link("underPrice", "under_price", skip=UNSET_DOUBLE, missing=0.0),
    Link("optionPriceOptions", "opt_prc_options", Conv.OPTIONS),
])  # fmt: skip

RECEIVE_FA: Final = ObjectMap(ReceiveFa, [
    Link("faDataType", "fa_data", missing=0),
    Link("xml", "cxml", missing=""),
])  # fmt: skip

REPLACE_FA_END: Final = ObjectMap(ReplaceFaEnd, [_ANSWER_ID, Link("text", "text")])

# ---------------------------------------------------------------- 212: reference data

REQ_SEC_DEF_OPT_PARAMS: Final = ObjectMap(ReqSecDefOptParams, [
    _REQ_ID,
    _text("underlyingSymbol", "underlying_symbol"),
    Link("futFopExchange", "fut_fop_exchange", skip=""),
    _text("underlyingSecType", "underlying_sec_type"),
    _int("underlyingConId", "underlying_con_id"),
])  # fmt: skip

SECURITY_DEFINITION_OPTION_PARAMETER: Final = ObjectMap(SecurityDefinitionOptionParameter, [
    _ANSWER_ID,
    Link("exchange", "exchange"),
    Link("underlyingConId", "underlying_con_id"),
    Link("tradingClass", "trading_class"),
    Link("multiplier", "multiplier"),
    Link("expirations", "expirations", Conv.TUPLE),
    Link("strikes", "strikes", Conv.TUPLE),
])  # fmt: skip

SOFT_DOLLAR_TIER: Final = ObjectMap(SoftDollarTier, [
    Link("name", "name"),
    Link("value", "value"),
    Link("displayName", "display_name"),
])  # fmt: skip

SOFT_DOLLAR_TIERS: Final = ObjectMap(SoftDollarTiers, [
    _ANSWER_ID,
    Link("softDollarTiers", "tiers", Conv.OBJECTS, SOFT_DOLLAR_TIER),
])  # fmt: skip

FAMILY_CODE: Final = ObjectMap(FamilyCode, [
    Link("accountId", "account_id"),
    Link("familyCode", "family_code_str"),
])  # fmt: skip

FAMILY_CODES: Final = ObjectMap(FamilyCodes, [
    Link("familyCodes", "family_codes", Conv.OBJECTS, FAMILY_CODE),
])  # fmt: skip

CONTRACT_DESCRIPTION: Final = ObjectMap(ContractDescription, [
    Link("contract", "contract", Conv.OBJECT, CONTRACT),
    Link("derivativeSecTypes", "derivative_sec_types", Conv.TUPLE),
])  # fmt: skip

SYMBOL_SAMPLES: Final = ObjectMap(SymbolSamples, [
    _ANSWER_ID,
    Link("contractDescriptions", "contract_descriptions", Conv.OBJECTS, CONTRACT_DESCRIPTION),
])  # fmt: skip

SMART_COMPONENT: Final = ObjectMap(SmartComponent, [
    Link("bitNumber", "bit_number"),
    Link("exchange", "exchange"),
    # The official decoder reads an absent letter as a space.
    Link("exchangeLetter", "exchange_letter", missing=" "),
])  # fmt: skip

SMART_COMPONENTS: Final = ObjectMap(SmartComponents, [
    _ANSWER_ID,
    Link("smartComponents", "smart_component_map", Conv.OBJECTS, SMART_COMPONENT),
])  # fmt: skip

PRICE_INCREMENT: Final = ObjectMap(PriceIncrement, [
    Link("lowEdge", "low_edge"),
    Link("increment", "increment"),
])  # fmt: skip

MARKET_RULE: Final = ObjectMap(MarketRule, [
    Link("marketRuleId", "market_rule_id", missing=0),
    Link("priceIncrements", "price_increments", Conv.OBJECTS, PRICE_INCREMENT),
])  # fmt: skip

USER_INFO: Final = ObjectMap(UserInfo, [
    _ANSWER_ID,
    Link("whiteBrandingId", "white_branding_id", missing=""),
])  # fmt: skip

# ---------------------------------------------------------------- 213: system

DEPTH_MKT_DATA_DESCRIPTION: Final = ObjectMap(DepthMktDataDescription, [
    Link("exchange", "exchange"),
    Link("secType", "sec_type"),
    Link("listingExch", "listing_exch"),
    Link("serviceDataType", "service_data_type"),
    Link("aggGroup", "agg_group"),
])  # fmt: skip

MKT_DEPTH_EXCHANGES: Final = ObjectMap(MktDepthExchanges, [
    Link(
        "depthMarketDataDescriptions", "depth_mkt_data_descriptions", Conv.OBJECTS,
        DEPTH_MKT_DATA_DESCRIPTION,
    ),
])  # fmt: skip

_R1: Final = V.PROTOBUF_REST_MESSAGES_1
_R2: Final = V.PROTOBUF_REST_MESSAGES_2
_R3: Final = V.PROTOBUF_REST_MESSAGES_3


def _empty(cls: type, name: str, since: int) -> Form:
    """A request without fields."""
    return mapped(cls, name, since, ObjectMap(cls, []), incoming=False)


def _out(cls: type, name: str, since: int, links: list[Link]) -> Form:
    return mapped(cls, name, since, ObjectMap(cls, links), incoming=False)


def _in(cls: type, name: str, since: int, links: list[Link]) -> Form:
    return mapped(cls, name, since, ObjectMap(cls, links), incoming=True)


register(
    # 211
    mapped(ReqFa, "FARequest", _R1, REQ_FA, incoming=False),
    mapped(ReplaceFa, "FAReplace", _R1, REPLACE_FA, incoming=False),
    mapped(ExerciseOptions, "ExerciseOptionsRequest", _R1, EXERCISE_OPTIONS, incoming=False),
    mapped(ReqCalcImpliedVolat, "CalculateImpliedVolatilityRequest", _R1, REQ_CALC_IMPLIED_VOLAT, incoming=False),
    mapped(CancelCalcImpliedVolat, "CancelCalculateImpliedVolatility", _R1, _req_id(CancelCalcImpliedVolat), incoming=False),
    mapped(ReqCalcOptionPrice, "CalculateOptionPriceRequest", _R1, REQ_CALC_OPTION_PRICE, incoming=False),
    mapped(CancelCalcOptionPrice, "CancelCalculateOptionPrice", _R1, _req_id(CancelCalcOptionPrice), incoming=False),
    mapped(ReceiveFa, "ReceiveFA", _R1, RECEIVE_FA, incoming=True),
    mapped(ReplaceFaEnd, "ReplaceFAEnd", _R1, REPLACE_FA_END, incoming=True),
    # 212
    mapped(ReqSecDefOptParams, "SecDefOptParamsRequest", _R2, REQ_SEC_DEF_OPT_PARAMS, incoming=False),
    mapped(ReqSoftDollarTiers, "SoftDollarTiersRequest", _R2, _req_id(ReqSoftDollarTiers), incoming=False),
    _empty(ReqFamilyCodes, "FamilyCodesRequest", _R2),
    _out(ReqMatchingSymbols, "MatchingSymbolsRequest", _R2, [_REQ_ID, _text("pattern", "pattern")]),
    _out(ReqSmartComponents, "SmartComponentsRequest", _R2, [_REQ_ID, _text("bboExchange", "bbo_exchange")]),
    _out(ReqMarketRule, "MarketRuleRequest", _R2, [_int("marketRuleId", "market_rule_id")]),
    mapped(ReqUserInfo, "UserInfoRequest", _R2, _req_id(ReqUserInfo), incoming=False),
    mapped(SecurityDefinitionOptionParameter, "SecDefOptParameter", _R2, SECURITY_DEFINITION_OPTION_PARAMETER, incoming=True),
    _in(SecurityDefinitionOptionParameterEnd, "SecDefOptParameterEnd", _R2, [_ANSWER_ID]),
    mapped(SoftDollarTiers, "SoftDollarTiers", _R2, SOFT_DOLLAR_TIERS, incoming=True),
    mapped(FamilyCodes, "FamilyCodes", _R2, FAMILY_CODES, incoming=True),
    mapped(SymbolSamples, "SymbolSamples", _R2, SYMBOL_SAMPLES, incoming=True),
    mapped(SmartComponents, "SmartComponents", _R2, SMART_COMPONENTS, incoming=True),
    mapped(MarketRule, "MarketRule", _R2, MARKET_RULE, incoming=True),
    mapped(UserInfo, "UserInfo", _R2, USER_INFO, incoming=True),
    # 213
    _out(ReqIds, "IdsRequest", _R3, [Link("numIds", "num_ids", skip=UNSET_INTEGER)]),
    _empty(ReqCurrentTime, "CurrentTimeRequest", _R3),
    _empty(ReqCurrentTimeInMillis, "CurrentTimeInMillisRequest", _R3),
    _out(SetServerLoglevel, "SetServerLogLevelRequest", _R3, [_int("logLevel", "log_level")]),
    _out(VerifyRequest, "VerifyRequest", _R3, [_text("apiName", "api_name"), _text("apiVersion", "api_version")]),
    _out(VerifyMessage, "VerifyMessageRequest", _R3, [_text("apiData", "api_data")]),
    mapped(QueryDisplayGroups, "QueryDisplayGroupsRequest", _R3, _req_id(QueryDisplayGroups), incoming=False),
    _out(SubscribeToGroupEvents, "SubscribeToGroupEventsRequest", _R3, [_REQ_ID, _int("groupId", "group_id")]),
    _out(UpdateDisplayGroup, "UpdateDisplayGroupRequest", _R3, [_REQ_ID, _text("contractInfo", "contract_info")]),
    mapped(UnsubscribeFromGroupEvents, "UnsubscribeFromGroupEventsRequest", _R3, _req_id(UnsubscribeFromGroupEvents), incoming=False),
    _empty(ReqMktDepthExchanges, "MarketDepthExchangesRequest", _R3),
    _in(NextValidId, "NextValidId", _R3, [Link("orderId", "order_id", missing=0)]),
    _in(CurrentTime, "CurrentTime", _R3, [Link("currentTime", "time", missing=0)]),
    _in(CurrentTimeInMillis, "CurrentTimeInMillis", _R3, [Link("currentTimeInMillis", "time_in_millis", missing=0)]),
    _in(VerifyMessageApi, "VerifyMessageApi", _R3, [Link("apiData", "api_data", missing="")]),
    _in(VerifyCompleted, "VerifyCompleted", _R3, [
        Link("isSuccessful", "is_successful", missing=False),
        Link("errorText", "error_text", missing=""),
    ]),
    _in(DisplayGroupList, "DisplayGroupList", _R3, [_ANSWER_ID, Link("groups", "groups", missing="")]),
    _in(DisplayGroupUpdated, "DisplayGroupUpdated", _R3, [_ANSWER_ID, Link("contractInfo", "contract_info", missing="")]),
    mapped(MktDepthExchanges, "MarketDepthExchanges", _R3, MKT_DEPTH_EXCHANGES, incoming=True),
    # 215
    mapped(CancelContractData, "CancelContractData", V.CANCEL_CONTRACT_DATA, _req_id(CancelContractData), incoming=False),
)  # fmt: skip
