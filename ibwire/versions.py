"""Server versions: the capability thresholds of the TWS API.

Every field of every message is gated on the server version negotiated in the
handshake.  :class:`ServerVersion` names each threshold after the official
``MIN_SERVER_VER_*`` constant (prefix dropped); members that share a value are
aliases.

A connection negotiates within :data:`MIN_CLIENT_VERSION`..:data:`MAX_CLIENT_VERSION`
(100..226), the range the official client 10.51 advertises; ibwire advertises
the whole range by default.  From :data:`PROTOBUF_VERSION` (201) the framing
changes (raw 4-byte message ids) and message families move to protobuf at
their gates.  A client that must stay on the text protocol pins its maximum
(``max_version=200``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

__all__ = [
    "MAX_CLIENT_VERSION",
    "MIN_CLIENT_VERSION",
    "PROTOBUF_ID_OFFSET",
    "PROTOBUF_VERSION",
    "ServerVersion",
    "check_range",
    "is_supported",
]

#: Lowest version of the "v100+" handshake (length-prefixed messages).
MIN_CLIENT_VERSION: Final = 100
#: Highest version ibwire speaks, and the one the client advertises by default
#: (the official client 10.51 advertises ``v100..226``).  A connection can be
#: configured down to :data:`MIN_CLIENT_VERSION`; 200 is the last version of
#: the pure text protocol.
MAX_CLIENT_VERSION: Final = 226
#: From this version on message ids are raw 4-byte ints and bodies may be protobuf.
PROTOBUF_VERSION: Final = 201
#: From :data:`PROTOBUF_VERSION`, a raw message id above this carries the protobuf
#: body of message id - 200.
PROTOBUF_ID_OFFSET: Final = 200


class ServerVersion(IntEnum):
    """``MIN_SERVER_VER_*`` thresholds: a feature exists when the negotiated version
    is at least the member's value."""

    REAL_TIME_BARS = 34
    SCALE_ORDERS = 35
    SNAPSHOT_MKT_DATA = 35
    SSHORT_COMBO_LEGS = 35
    WHAT_IF_ORDERS = 36
    CONTRACT_CONID = 37
    PTA_ORDERS = 39
    FUNDAMENTAL_DATA = 40
    DELTA_NEUTRAL = 40
    CONTRACT_DATA_CHAIN = 40
    SCALE_ORDERS2 = 40
    ALGO_ORDERS = 41
    EXECUTION_DATA_CHAIN = 42
    NOT_HELD = 44
    SEC_ID_TYPE = 45
    PLACE_ORDER_CONID = 46
    REQ_MKT_DATA_CONID = 47
    REQ_CALC_IMPLIED_VOLAT = 49
    REQ_CALC_OPTION_PRICE = 50
    SSHORTX_OLD = 51
    SSHORTX = 52
    REQ_GLOBAL_CANCEL = 53
    HEDGE_ORDERS = 54
    REQ_MARKET_DATA_TYPE = 55
    OPT_OUT_SMART_ROUTING = 56
    SMART_COMBO_ROUTING_PARAMS = 57
    DELTA_NEUTRAL_CONID = 58
    SCALE_ORDERS3 = 60
    ORDER_COMBO_LEGS_PRICE = 61
    TRAILING_PERCENT = 62
    DELTA_NEUTRAL_OPEN_CLOSE = 66
    POSITIONS = 67
    ACCOUNT_SUMMARY = 67
    TRADING_CLASS = 68
    SCALE_TABLE = 69
    LINKING = 70
    ALGO_ID = 71
    OPTIONAL_CAPABILITIES = 72
    ORDER_SOLICITED = 73
    LINKING_AUTH = 74
    PRIMARYEXCH = 75
    RANDOMIZE_SIZE_AND_PRICE = 76
    FRACTIONAL_POSITIONS = 101
    PEGGED_TO_BENCHMARK = 102
    MODELS_SUPPORT = 103
    SEC_DEF_OPT_PARAMS_REQ = 104
    EXT_OPERATOR = 105
    SOFT_DOLLAR_TIER = 106
    REQ_FAMILY_CODES = 107
    REQ_MATCHING_SYMBOLS = 108
    PAST_LIMIT = 109
    MD_SIZE_MULTIPLIER = 110
    CASH_QTY = 111
    REQ_MKT_DEPTH_EXCHANGES = 112
    TICK_NEWS = 113
    REQ_SMART_COMPONENTS = 114
    REQ_NEWS_PROVIDERS = 115
    REQ_NEWS_ARTICLE = 116
    REQ_HISTORICAL_NEWS = 117
    REQ_HEAD_TIMESTAMP = 118
    REQ_HISTOGRAM = 119
    SERVICE_DATA_TYPE = 120
    AGG_GROUP = 121
    UNDERLYING_INFO = 122
    CANCEL_HEADTIMESTAMP = 123
    SYNT_REALTIME_BARS = 124
    CFD_REROUTE = 125
    MARKET_RULES = 126
    PNL = 127
    NEWS_QUERY_ORIGINS = 128
    UNREALIZED_PNL = 129
    HISTORICAL_TICKS = 130
    MARKET_CAP_PRICE = 131
    PRE_OPEN_BID_ASK = 132
    REAL_EXPIRATION_DATE = 134
    REALIZED_PNL = 135
    LAST_LIQUIDITY = 136
    TICK_BY_TICK = 137
    DECISION_MAKER = 138
    MIFID_EXECUTION = 139
    TICK_BY_TICK_IGNORE_SIZE = 140
    AUTO_PRICE_FOR_HEDGE = 141
    WHAT_IF_EXT_FIELDS = 142
    SCANNER_GENERIC_OPTS = 143
    API_BIND_ORDER = 144
    ORDER_CONTAINER = 145
    SMART_DEPTH = 146
    REMOVE_NULL_ALL_CASTING = 147
    D_PEG_ORDERS = 148
    MKT_DEPTH_PRIM_EXCHANGE = 149
    COMPLETED_ORDERS = 150
    PRICE_MGMT_ALGO = 151
    STOCK_TYPE = 152
    ENCODE_MSG_ASCII7 = 153
    SEND_ALL_FAMILY_CODES = 154
    NO_DEFAULT_OPEN_CLOSE = 155
    PRICE_BASED_VOLATILITY = 156
    REPLACE_FA_END = 157
    DURATION = 158
    MARKET_DATA_IN_SHARES = 159
    POST_TO_ATS = 160
    WSHE_CALENDAR = 161
    AUTO_CANCEL_PARENT = 162
    FRACTIONAL_SIZE_SUPPORT = 163
    SIZE_RULES = 164
    HISTORICAL_SCHEDULE = 165
    ADVANCED_ORDER_REJECT = 166
    USER_INFO = 167
    CRYPTO_AGGREGATED_TRADES = 168
    MANUAL_ORDER_TIME = 169
    PEGBEST_PEGMID_OFFSETS = 170
    WSH_EVENT_DATA_FILTERS = 171
    IPO_PRICES = 172
    WSH_EVENT_DATA_FILTERS_DATE = 173
    INSTRUMENT_TIMEZONE = 174
    HMDS_MARKET_DATA_IN_SHARES = 175
    BOND_ISSUERID = 176
    FA_PROFILE_DESUPPORT = 177
    PENDING_PRICE_REVISION = 178
    FUND_DATA_FIELDS = 179
    MANUAL_ORDER_TIME_EXERCISE_OPTIONS = 180
    OPEN_ORDER_AD_STRATEGY = 181
    LAST_TRADE_DATE = 182
    CUSTOMER_ACCOUNT = 183
    PROFESSIONAL_CUSTOMER = 184
    BOND_ACCRUED_INTEREST = 185
    INELIGIBILITY_REASONS = 186
    RFQ_FIELDS = 187
    BOND_TRADING_HOURS = 188
    INCLUDE_OVERNIGHT = 189
    UNDO_RFQ_FIELDS = 190
    PERM_ID_AS_LONG = 191
    CME_TAGGING_FIELDS = 192
    CME_TAGGING_FIELDS_IN_OPEN_ORDER = 193
    ERROR_TIME = 194
    FULL_ORDER_PREVIEW_FIELDS = 195
    HISTORICAL_DATA_END = 196
    CURRENT_TIME_IN_MILLIS = 197
    SUBMITTER = 198
    IMBALANCE_ONLY = 199
    PARAMETRIZED_DAYS_OF_EXECUTIONS = 200
    PROTOBUF = 201
    ZERO_STRIKE = 202
    PROTOBUF_PLACE_ORDER = 203
    PROTOBUF_COMPLETED_ORDER = 204
    PROTOBUF_CONTRACT_DATA = 205
    PROTOBUF_MARKET_DATA = 206
    PROTOBUF_ACCOUNTS_POSITIONS = 207
    PROTOBUF_HISTORICAL_DATA = 208
    PROTOBUF_NEWS_DATA = 209
    PROTOBUF_SCAN_DATA = 210
    PROTOBUF_REST_MESSAGES_1 = 211
    PROTOBUF_REST_MESSAGES_2 = 212
    PROTOBUF_REST_MESSAGES_3 = 213
    ADD_Z_SUFFIX_TO_UTC_DATE_TIME = 214
    CANCEL_CONTRACT_DATA = 215
    ADDITIONAL_ORDER_PARAMS_1 = 216
    ADDITIONAL_ORDER_PARAMS_2 = 217
    ATTACHED_ORDERS = 218
    CONFIG = 219
    MARKET_DATA_VOLUMES_IN_SHARES = 220
    UPDATE_CONFIG = 221
    FRACTIONAL_LAST_SIZE = 222
    HEDGE_MAX_SIZE = 223
    USE_PRECISION_FROM_SEC_DEF = 224
    ODD_LOT_BID_ASK_QUOTES = 225
    UNIFIED_VERSION_COND_ORDER_WITH_OVERNIGHT_PARAM = 226


def is_supported(version: int) -> bool:
    """Whether ``version`` lies in the range ibwire can negotiate (100..226)."""
    return MIN_CLIENT_VERSION <= version <= MAX_CLIENT_VERSION


def check_range(min_version: int, max_version: int) -> None:
    """Check a configured version range: within 100..226, and not empty.

    Raises:
        ValueError: a bound outside :data:`MIN_CLIENT_VERSION`..:data:`MAX_CLIENT_VERSION`,
            or ``min_version`` above ``max_version``.
    """
    if not MIN_CLIENT_VERSION <= min_version <= max_version <= MAX_CLIENT_VERSION:
        raise ValueError(
            f"version range {min_version}..{max_version} is not within "
            f"{MIN_CLIENT_VERSION}..{MAX_CLIENT_VERSION}"
        )
