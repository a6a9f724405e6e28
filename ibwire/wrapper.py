"""The :class:`Wrapper`: one method per incoming message, named after the official EWrapper.

Subclass :class:`Wrapper` and override the callbacks you need; the others do
nothing.  Each message callback is the snake_case of the official EWrapper name
(``tickPrice`` -> :meth:`Wrapper.tick_price`) and takes the typed message as its
only argument.  :data:`ibwire.dispatch.CALLBACKS` is the table from message class
to callback name.

Besides wire messages, a wrapper receives the client's own events:

* :meth:`Wrapper.connect_ack` - the handshake is done;
* :meth:`Wrapper.connection_closed` - the connection ended (once per connection);
* :meth:`Wrapper.connectivity` - a :class:`Connectivity` notice: TWS lost or
  regained its link to IB (1100, 1101, 1102, 1300) or a data farm changed state
  (2103-2110, 2119, 2157, 2158).  These codes are not errors and never reach
  :meth:`Wrapper.error`;
* :meth:`Wrapper.reconnecting` / :meth:`Wrapper.reconnected` - the automatic
  reconnect is waiting / is done (subscriptions re-sent, fills re-synced);
* :meth:`Wrapper.malformed_message` / :meth:`Wrapper.unknown_message` - a frame
  could not be decoded, or carries an id this version does not know; the stream
  goes on;
* :meth:`Wrapper.pacing` - the pacer throttled, released or backed off.

Callbacks run on the client's reader (the thread of :class:`ibwire.sync.Client`,
the event loop of :class:`ibwire.asyncio.Client`).  An exception raised in a
callback is logged and never stops the stream: see :mod:`ibwire.dispatch`.

A method of a subclass that is a callback's name spelled another way (the
official camelCase ``tickPrice``, its ``tickPriceProtoBuf`` form, ``TickPrice``,
``real_time_bar`` for :meth:`Wrapper.realtime_bar`) would never be called: the
class statement warns (:class:`UserWarning`) and names the callback to define.
It warns too of a callback defined with ``async def``: callbacks are called, not
awaited, so its body would never run.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from .events import (
    ConnectAck,
    Connectivity,
    MalformedMessage,
    Reconnected,
    Reconnecting,
    UnknownMessage,
)
from .messages import (
    AccountSummary,
    AccountSummaryEnd,
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    BondContractData,
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    ConfigResponse,
    ContractData,
    ContractDataEnd,
    CurrentTime,
    CurrentTimeInMillis,
    DeltaNeutralValidation,
    DisplayGroupList,
    DisplayGroupUpdated,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    FamilyCodes,
    FundamentalData,
    HeadTimestamp,
    HistogramData,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    HistoricalNews,
    HistoricalNewsEnd,
    HistoricalSchedule,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    ManagedAccts,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    MarketRule,
    MktDepthExchanges,
    NewsArticle,
    NewsBulletins,
    NewsProviders,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    OrderBound,
    OrderStatus,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
    PositionMultiEnd,
    RealTimeBars,
    ReceiveFa,
    ReplaceFaEnd,
    RerouteMktDataReq,
    RerouteMktDepthReq,
    ScannerData,
    ScannerParameters,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    SmartComponents,
    SoftDollarTiers,
    SymbolSamples,
    TickByTick,
    TickEfp,
    TickGeneric,
    TickNews,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
    UpdateConfigResponse,
    UserInfo,
    VerifyAndAuthCompleted,
    VerifyAndAuthMessageApi,
    VerifyCompleted,
    VerifyMessageApi,
    WshEventData,
    WshMetaData,
)
from .pacing import PacingEvent

__all__ = ["Connectivity", "Reconnected", "Reconnecting", "Wrapper"]

#: Spelling key (lower case, no underscores, no ``ProtoBuf`` ending) -> callback name;
#: built at the first subclass.
_SPELLINGS: dict[str, str] = {}


def _spelling(name: str) -> str:
    key = name.lower().replace("_", "")
    return key[: -len("protobuf")] if key.endswith("protobuf") else key


def _spellings() -> dict[str, str]:
    if not _SPELLINGS:
        from .catalog import ANSWERS

        table = {_spelling(name): name for name in vars(Wrapper) if not name.startswith("_")}
        for row in ANSWERS.values():
            if row.callback:
                table[_spelling(row.ewrapper)] = row.callback
        # The official client has three callbacks for the one TICK_BY_TICK message.
        for name in ("tickByTickBidAsk", "tickByTickMidPoint"):
            table[_spelling(name)] = "tick_by_tick"
        _SPELLINGS.update(table)
    return _SPELLINGS


class Wrapper:
    """Receives messages and events from a client; every callback does nothing by default.

    Override what you need.  Message callbacks are named after the official
    EWrapper (snake_case) and take the typed message.

    Example:
        >>> from ibwire.wrapper import Wrapper
        >>> class Printer(Wrapper):
        ...     def tick_price(self, message):
        ...         print(message.req_id, message.tick_type, message.price)
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Warn about methods that spell a callback's name another way (never called)
        and about callbacks defined with ``async def`` (never awaited)."""
        super().__init_subclass__(**kwargs)
        spellings = _spellings()
        for name, value in vars(cls).items():
            if name.startswith("_") or not callable(value):
                continue
            if hasattr(Wrapper, name):
                if inspect.iscoroutinefunction(value):
                    warnings.warn(
                        f"{cls.__qualname__}.{name} is a coroutine function: callbacks are "
                        f"called, not awaited, so its body never runs; define it with def "
                        f"(on the asyncio client's loop it may start a task with "
                        f"asyncio.create_task)",
                        UserWarning,
                        stacklevel=2,
                    )
                continue
            callback = spellings.get(_spelling(name))
            if callback is not None:
                warnings.warn(
                    f"{cls.__qualname__}.{name} is never called: the Wrapper callback is "
                    f"{callback} (the snake_case of the official EWrapper name, taking "
                    f"the typed message)",
                    UserWarning,
                    stacklevel=2,
                )

    # ------------------------------------------------------------------ connection events

    def connect_ack(self, event: ConnectAck) -> None:
        """EWrapper ``connectAck``: the handshake is done; startApi is on its way.

        Args:
            event: the negotiated server version and the server's time.
        """

    def connection_closed(self) -> None:
        """EWrapper ``connectionClosed``: the connection ended (called once per connection)."""

    def connectivity(self, event: Connectivity) -> None:
        """TWS's link to IB or a data farm changed state (1100-1300, farm codes).

        Args:
            event: the notice.
        """

    def reconnecting(self, event: Reconnecting) -> None:
        """The connection is lost and an automatic reconnect is scheduled.

        Args:
            event: the attempt number, delay and reason.
        """

    def reconnected(self, event: Reconnected) -> None:
        """An automatic reconnect succeeded; subscriptions and orders are restored.

        Args:
            event: what was restored.
        """

    def malformed_message(self, event: MalformedMessage) -> None:
        """A frame could not be decoded; the stream goes on with the next one.

        Args:
            event: the evidence (message id, field index and name, raw fields).
        """

    def unknown_message(self, event: UnknownMessage) -> None:
        """A message with an id this version of ibwire does not know (a newer gateway).

        Args:
            event: the id and raw fields.
        """

    def pacing(self, event: PacingEvent) -> None:
        """The pacer throttled, released, withdrew or backed off (see :mod:`ibwire.pacing`).

        Args:
            event: the pacing event.
        """

    # ------------------------------------------------------------------ messages

    def tick_price(self, message: TickPrice) -> None:
        """EWrapper ``tickPrice``: a price tick of a market data subscription.

        Args:
            message: the :class:`~ibwire.messages.TickPrice` (``TICK_PRICE``).
        """

    def tick_size(self, message: TickSize) -> None:
        """EWrapper ``tickSize``: a size tick of a market data subscription.

        Args:
            message: the :class:`~ibwire.messages.TickSize` (``TICK_SIZE``).
        """

    def order_status(self, message: OrderStatus) -> None:
        """EWrapper ``orderStatus``: an order's status changed (may repeat unchanged).

        Args:
            message: the :class:`~ibwire.messages.OrderStatus` (``ORDER_STATUS``).
        """

    def error(self, message: ErrMsg) -> None:
        """EWrapper ``error``: an error, warning or notice from TWS (connectivity codes go to
        :meth:`connectivity` instead).

        Args:
            message: the :class:`~ibwire.messages.ErrMsg` (``ERR_MSG``).
        """

    def open_order(self, message: OpenOrder) -> None:
        """EWrapper ``openOrder``: an open order, or the answer to a what-if order.

        Args:
            message: the :class:`~ibwire.messages.OpenOrder` (``OPEN_ORDER``).
        """

    def update_account_value(self, message: AcctValue) -> None:
        """EWrapper ``updateAccountValue``: one account value of an account updates subscription.

        Args:
            message: the :class:`~ibwire.messages.AcctValue` (``ACCT_VALUE``).
        """

    def update_portfolio(self, message: PortfolioValue) -> None:
        """EWrapper ``updatePortfolio``: one portfolio position of an account updates subscription.

        Args:
            message: the :class:`~ibwire.messages.PortfolioValue` (``PORTFOLIO_VALUE``).
        """

    def update_account_time(self, message: AcctUpdateTime) -> None:
        """EWrapper ``updateAccountTime``: the time of the last account update.

        Args:
            message: the :class:`~ibwire.messages.AcctUpdateTime` (``ACCT_UPDATE_TIME``).
        """

    def next_valid_id(self, message: NextValidId) -> None:
        """EWrapper ``nextValidId``: the next usable order id (the client's allocator is already
        synced with it).

        Args:
            message: the :class:`~ibwire.messages.NextValidId` (``NEXT_VALID_ID``).
        """

    def contract_details(self, message: ContractData) -> None:
        """EWrapper ``contractDetails``: one contract of a contract details answer.

        Args:
            message: the :class:`~ibwire.messages.ContractData` (``CONTRACT_DATA``).
        """

    def exec_details(self, message: ExecutionData) -> None:
        """EWrapper ``execDetails``: one fill (delivered once per execution id, across reconnects).

        Args:
            message: the :class:`~ibwire.messages.ExecutionData` (``EXECUTION_DATA``).
        """

    def update_mkt_depth(self, message: MarketDepth) -> None:
        """EWrapper ``updateMktDepth``: a row of a level-one order book changed.

        Args:
            message: the :class:`~ibwire.messages.MarketDepth` (``MARKET_DEPTH``).
        """

    def update_mkt_depth_l2(self, message: MarketDepthL2) -> None:
        """EWrapper ``updateMktDepthL2``: a row of a level-two order book changed.

        Args:
            message: the :class:`~ibwire.messages.MarketDepthL2` (``MARKET_DEPTH_L2``).
        """

    def update_news_bulletin(self, message: NewsBulletins) -> None:
        """EWrapper ``updateNewsBulletin``: a news bulletin.

        Args:
            message: the :class:`~ibwire.messages.NewsBulletins` (``NEWS_BULLETINS``).
        """

    def managed_accounts(self, message: ManagedAccts) -> None:
        """EWrapper ``managedAccounts``: the accounts this login manages.

        Args:
            message: the :class:`~ibwire.messages.ManagedAccts` (``MANAGED_ACCTS``).
        """

    def receive_fa(self, message: ReceiveFa) -> None:
        """EWrapper ``receiveFA``: financial advisor configuration XML.

        Args:
            message: the :class:`~ibwire.messages.ReceiveFa` (``RECEIVE_FA``).
        """

    def historical_data(self, message: HistoricalData) -> None:
        """EWrapper ``historicalData``: the bars of a historical data answer.

        Args:
            message: the :class:`~ibwire.messages.HistoricalData` (``HISTORICAL_DATA``).
        """

    def bond_contract_details(self, message: BondContractData) -> None:
        """EWrapper ``bondContractDetails``: one bond of a contract details answer.

        Args:
            message: the :class:`~ibwire.messages.BondContractData` (``BOND_CONTRACT_DATA``).
        """

    def scanner_parameters(self, message: ScannerParameters) -> None:
        """EWrapper ``scannerParameters``: the scanner parameters XML.

        Args:
            message: the :class:`~ibwire.messages.ScannerParameters` (``SCANNER_PARAMETERS``).
        """

    def scanner_data(self, message: ScannerData) -> None:
        """EWrapper ``scannerData``: the rows of a scanner subscription.

        Args:
            message: the :class:`~ibwire.messages.ScannerData` (``SCANNER_DATA``).
        """

    def tick_option_computation(self, message: TickOptionComputation) -> None:
        """EWrapper ``tickOptionComputation``: option greeks and model values.

        Args:
            message: the :class:`~ibwire.messages.TickOptionComputation` (``TICK_OPTION_COMPUTATION``).
        """

    def tick_generic(self, message: TickGeneric) -> None:
        """EWrapper ``tickGeneric``: a generic numeric tick.

        Args:
            message: the :class:`~ibwire.messages.TickGeneric` (``TICK_GENERIC``).
        """

    def tick_string(self, message: TickString) -> None:
        """EWrapper ``tickString``: a text tick.

        Args:
            message: the :class:`~ibwire.messages.TickString` (``TICK_STRING``).
        """

    def tick_efp(self, message: TickEfp) -> None:
        """EWrapper ``tickEFP``: an exchange-for-physical quote.

        Args:
            message: the :class:`~ibwire.messages.TickEfp` (``TICK_EFP``).
        """

    def current_time(self, message: CurrentTime) -> None:
        """EWrapper ``currentTime``: the server's time (also the answer to the idle heartbeat).

        Args:
            message: the :class:`~ibwire.messages.CurrentTime` (``CURRENT_TIME``).
        """

    def realtime_bar(self, message: RealTimeBars) -> None:
        """EWrapper ``realtimeBar``: one 5-second real-time bar.

        Args:
            message: the :class:`~ibwire.messages.RealTimeBars` (``REAL_TIME_BARS``).
        """

    def fundamental_data(self, message: FundamentalData) -> None:
        """EWrapper ``fundamentalData``: a fundamental data report.

        Args:
            message: the :class:`~ibwire.messages.FundamentalData` (``FUNDAMENTAL_DATA``).
        """

    def contract_details_end(self, message: ContractDataEnd) -> None:
        """EWrapper ``contractDetailsEnd``: the end of a contract details answer.

        Args:
            message: the :class:`~ibwire.messages.ContractDataEnd` (``CONTRACT_DATA_END``).
        """

    def open_order_end(self, message: OpenOrderEnd) -> None:
        """EWrapper ``openOrderEnd``: the end of an open orders download.

        Args:
            message: the :class:`~ibwire.messages.OpenOrderEnd` (``OPEN_ORDER_END``).
        """

    def account_download_end(self, message: AcctDownloadEnd) -> None:
        """EWrapper ``accountDownloadEnd``: the end of an account updates download.

        Args:
            message: the :class:`~ibwire.messages.AcctDownloadEnd` (``ACCT_DOWNLOAD_END``).
        """

    def exec_details_end(self, message: ExecutionDataEnd) -> None:
        """EWrapper ``execDetailsEnd``: the end of an executions answer.

        Args:
            message: the :class:`~ibwire.messages.ExecutionDataEnd` (``EXECUTION_DATA_END``).
        """

    def delta_neutral_validation(self, message: DeltaNeutralValidation) -> None:
        """EWrapper ``deltaNeutralValidation``: a delta-neutral hedge was validated.

        Args:
            message: the :class:`~ibwire.messages.DeltaNeutralValidation` (``DELTA_NEUTRAL_VALIDATION``).
        """

    def tick_snapshot_end(self, message: TickSnapshotEnd) -> None:
        """EWrapper ``tickSnapshotEnd``: a market data snapshot is complete.

        Args:
            message: the :class:`~ibwire.messages.TickSnapshotEnd` (``TICK_SNAPSHOT_END``).
        """

    def market_data_type(self, message: MarketDataType) -> None:
        """EWrapper ``marketDataType``: the market data type (live, frozen, delayed) of a
        subscription.

        Args:
            message: the :class:`~ibwire.messages.MarketDataType` (``MARKET_DATA_TYPE``).
        """

    def commission_and_fees_report(self, message: CommissionAndFeesReport) -> None:
        """EWrapper ``commissionAndFeesReport``: the commission of a fill (delivered once per
        execution id).

        Args:
            message: the :class:`~ibwire.messages.CommissionAndFeesReport` (``COMMISSION_AND_FEES_REPORT``).
        """

    def position(self, message: PositionData) -> None:
        """EWrapper ``position``: one position of one account.

        Args:
            message: the :class:`~ibwire.messages.PositionData` (``POSITION_DATA``).
        """

    def position_end(self, message: PositionEnd) -> None:
        """EWrapper ``positionEnd``: the end of the first batch of positions.

        Args:
            message: the :class:`~ibwire.messages.PositionEnd` (``POSITION_END``).
        """

    def account_summary(self, message: AccountSummary) -> None:
        """EWrapper ``accountSummary``: one tag of an account summary.

        Args:
            message: the :class:`~ibwire.messages.AccountSummary` (``ACCOUNT_SUMMARY``).
        """

    def account_summary_end(self, message: AccountSummaryEnd) -> None:
        """EWrapper ``accountSummaryEnd``: the end of an account summary.

        Args:
            message: the :class:`~ibwire.messages.AccountSummaryEnd` (``ACCOUNT_SUMMARY_END``).
        """

    def verify_message_api(self, message: VerifyMessageApi) -> None:
        """EWrapper ``verifyMessageAPI``: IB-internal verification data.

        Args:
            message: the :class:`~ibwire.messages.VerifyMessageApi` (``VERIFY_MESSAGE_API``).
        """

    def verify_completed(self, message: VerifyCompleted) -> None:
        """EWrapper ``verifyCompleted``: IB-internal verification result.

        Args:
            message: the :class:`~ibwire.messages.VerifyCompleted` (``VERIFY_COMPLETED``).
        """

    def display_group_list(self, message: DisplayGroupList) -> None:
        """EWrapper ``displayGroupList``: the display groups of TWS.

        Args:
            message: the :class:`~ibwire.messages.DisplayGroupList` (``DISPLAY_GROUP_LIST``).
        """

    def display_group_updated(self, message: DisplayGroupUpdated) -> None:
        """EWrapper ``displayGroupUpdated``: a display group's contract changed.

        Args:
            message: the :class:`~ibwire.messages.DisplayGroupUpdated` (``DISPLAY_GROUP_UPDATED``).
        """

    def verify_and_auth_message_api(self, message: VerifyAndAuthMessageApi) -> None:
        """EWrapper ``verifyAndAuthMessageAPI``: IB-internal verification challenge.

        Args:
            message: the :class:`~ibwire.messages.VerifyAndAuthMessageApi` (``VERIFY_AND_AUTH_MESSAGE_API``).
        """

    def verify_and_auth_completed(self, message: VerifyAndAuthCompleted) -> None:
        """EWrapper ``verifyAndAuthCompleted``: IB-internal verification result.

        Args:
            message: the :class:`~ibwire.messages.VerifyAndAuthCompleted` (``VERIFY_AND_AUTH_COMPLETED``).
        """

    def position_multi(self, message: PositionMulti) -> None:
        """EWrapper ``positionMulti``: one position of an account or model.

        Args:
            message: the :class:`~ibwire.messages.PositionMulti` (``POSITION_MULTI``).
        """

    def position_multi_end(self, message: PositionMultiEnd) -> None:
        """EWrapper ``positionMultiEnd``: the end of a positions-multi download.

        Args:
            message: the :class:`~ibwire.messages.PositionMultiEnd` (``POSITION_MULTI_END``).
        """

    def account_update_multi(self, message: AccountUpdateMulti) -> None:
        """EWrapper ``accountUpdateMulti``: one account value of an account or model.

        Args:
            message: the :class:`~ibwire.messages.AccountUpdateMulti` (``ACCOUNT_UPDATE_MULTI``).
        """

    def account_update_multi_end(self, message: AccountUpdateMultiEnd) -> None:
        """EWrapper ``accountUpdateMultiEnd``: the end of an account-updates-multi download.

        Args:
            message: the :class:`~ibwire.messages.AccountUpdateMultiEnd` (``ACCOUNT_UPDATE_MULTI_END``).
        """

    def security_definition_option_parameter(
        self, message: SecurityDefinitionOptionParameter
    ) -> None:
        """EWrapper ``securityDefinitionOptionParameter``: the option chain of one exchange.

        Args:
            message: the :class:`~ibwire.messages.SecurityDefinitionOptionParameter` (``SECURITY_DEFINITION_OPTION_PARAMETER``).
        """

    def security_definition_option_parameter_end(
        self, message: SecurityDefinitionOptionParameterEnd
    ) -> None:
        """EWrapper ``securityDefinitionOptionParameterEnd``: the end of an option chain answer.

        Args:
            message: the :class:`~ibwire.messages.SecurityDefinitionOptionParameterEnd` (``SECURITY_DEFINITION_OPTION_PARAMETER_END``).
        """

    def soft_dollar_tiers(self, message: SoftDollarTiers) -> None:
        """EWrapper ``softDollarTiers``: the soft dollar tiers.

        Args:
            message: the :class:`~ibwire.messages.SoftDollarTiers` (``SOFT_DOLLAR_TIERS``).
        """

    def family_codes(self, message: FamilyCodes) -> None:
        """EWrapper ``familyCodes``: the family codes of the accounts.

        Args:
            message: the :class:`~ibwire.messages.FamilyCodes` (``FAMILY_CODES``).
        """

    def symbol_samples(self, message: SymbolSamples) -> None:
        """EWrapper ``symbolSamples``: the contracts matching a symbol search.

        Args:
            message: the :class:`~ibwire.messages.SymbolSamples` (``SYMBOL_SAMPLES``).
        """

    def mkt_depth_exchanges(self, message: MktDepthExchanges) -> None:
        """EWrapper ``mktDepthExchanges``: the exchanges offering market depth.

        Args:
            message: the :class:`~ibwire.messages.MktDepthExchanges` (``MKT_DEPTH_EXCHANGES``).
        """

    def tick_req_params(self, message: TickReqParams) -> None:
        """EWrapper ``tickReqParams``: the parameters of a market data subscription.

        Args:
            message: the :class:`~ibwire.messages.TickReqParams` (``TICK_REQ_PARAMS``).
        """

    def smart_components(self, message: SmartComponents) -> None:
        """EWrapper ``smartComponents``: the exchanges of a SMART routing group.

        Args:
            message: the :class:`~ibwire.messages.SmartComponents` (``SMART_COMPONENTS``).
        """

    def news_article(self, message: NewsArticle) -> None:
        """EWrapper ``newsArticle``: the body of a news article.

        Args:
            message: the :class:`~ibwire.messages.NewsArticle` (``NEWS_ARTICLE``).
        """

    def tick_news(self, message: TickNews) -> None:
        """EWrapper ``tickNews``: a news headline tick.

        Args:
            message: the :class:`~ibwire.messages.TickNews` (``TICK_NEWS``).
        """

    def news_providers(self, message: NewsProviders) -> None:
        """EWrapper ``newsProviders``: the subscribed news providers.

        Args:
            message: the :class:`~ibwire.messages.NewsProviders` (``NEWS_PROVIDERS``).
        """

    def historical_news(self, message: HistoricalNews) -> None:
        """EWrapper ``historicalNews``: one historical headline.

        Args:
            message: the :class:`~ibwire.messages.HistoricalNews` (``HISTORICAL_NEWS``).
        """

    def historical_news_end(self, message: HistoricalNewsEnd) -> None:
        """EWrapper ``historicalNewsEnd``: the end of a historical news answer.

        Args:
            message: the :class:`~ibwire.messages.HistoricalNewsEnd` (``HISTORICAL_NEWS_END``).
        """

    def head_timestamp(self, message: HeadTimestamp) -> None:
        """EWrapper ``headTimestamp``: the earliest date with data.

        Args:
            message: the :class:`~ibwire.messages.HeadTimestamp` (``HEAD_TIMESTAMP``).
        """

    def histogram_data(self, message: HistogramData) -> None:
        """EWrapper ``histogramData``: a price histogram.

        Args:
            message: the :class:`~ibwire.messages.HistogramData` (``HISTOGRAM_DATA``).
        """

    def historical_data_update(self, message: HistoricalDataUpdate) -> None:
        """EWrapper ``historicalDataUpdate``: the bar being built by a keep-up-to-date historical
        request.

        Args:
            message: the :class:`~ibwire.messages.HistoricalDataUpdate` (``HISTORICAL_DATA_UPDATE``).
        """

    def reroute_mkt_data_req(self, message: RerouteMktDataReq) -> None:
        """EWrapper ``rerouteMktDataReq``: a market data request was rerouted.

        Args:
            message: the :class:`~ibwire.messages.RerouteMktDataReq` (``REROUTE_MKT_DATA_REQ``).
        """

    def reroute_mkt_depth_req(self, message: RerouteMktDepthReq) -> None:
        """EWrapper ``rerouteMktDepthReq``: a market depth request was rerouted.

        Args:
            message: the :class:`~ibwire.messages.RerouteMktDepthReq` (``REROUTE_MKT_DEPTH_REQ``).
        """

    def market_rule(self, message: MarketRule) -> None:
        """EWrapper ``marketRule``: the price increments of a market rule.

        Args:
            message: the :class:`~ibwire.messages.MarketRule` (``MARKET_RULE``).
        """

    def pnl(self, message: Pnl) -> None:
        """EWrapper ``pnl``: the profit and loss of an account or model.

        Args:
            message: the :class:`~ibwire.messages.Pnl` (``PNL``).
        """

    def pnl_single(self, message: PnlSingle) -> None:
        """EWrapper ``pnlSingle``: the profit and loss of one position.

        Args:
            message: the :class:`~ibwire.messages.PnlSingle` (``PNL_SINGLE``).
        """

    def historical_ticks(self, message: HistoricalTicks) -> None:
        """EWrapper ``historicalTicks``: historical midpoint ticks.

        Args:
            message: the :class:`~ibwire.messages.HistoricalTicks` (``HISTORICAL_TICKS``).
        """

    def historical_ticks_bid_ask(self, message: HistoricalTicksBidAsk) -> None:
        """EWrapper ``historicalTicksBidAsk``: historical bid/ask ticks.

        Args:
            message: the :class:`~ibwire.messages.HistoricalTicksBidAsk` (``HISTORICAL_TICKS_BID_ASK``).
        """

    def historical_ticks_last(self, message: HistoricalTicksLast) -> None:
        """EWrapper ``historicalTicksLast``: historical trade ticks.

        Args:
            message: the :class:`~ibwire.messages.HistoricalTicksLast` (``HISTORICAL_TICKS_LAST``).
        """

    def tick_by_tick(self, message: TickByTick) -> None:
        """EWrapper ``tickByTickAllLast`` / ``tickByTickBidAsk`` / ``tickByTickMidPoint``: one
        tick-by-tick tick (one message class for the official three callbacks).

        Args:
            message: the :class:`~ibwire.messages.TickByTick` (``TICK_BY_TICK``).
        """

    def order_bound(self, message: OrderBound) -> None:
        """EWrapper ``orderBound``: a TWS order was bound to an API order id.

        Args:
            message: the :class:`~ibwire.messages.OrderBound` (``ORDER_BOUND``).
        """

    def completed_order(self, message: CompletedOrder) -> None:
        """EWrapper ``completedOrder``: one completed order.

        Args:
            message: the :class:`~ibwire.messages.CompletedOrder` (``COMPLETED_ORDER``).
        """

    def completed_orders_end(self, message: CompletedOrdersEnd) -> None:
        """EWrapper ``completedOrdersEnd``: the end of a completed orders download.

        Args:
            message: the :class:`~ibwire.messages.CompletedOrdersEnd` (``COMPLETED_ORDERS_END``).
        """

    def replace_fa_end(self, message: ReplaceFaEnd) -> None:
        """EWrapper ``replaceFAEnd``: a financial advisor configuration was replaced.

        Args:
            message: the :class:`~ibwire.messages.ReplaceFaEnd` (``REPLACE_FA_END``).
        """

    def wsh_meta_data(self, message: WshMetaData) -> None:
        """EWrapper ``wshMetaData``: Wall Street Horizon metadata.

        Args:
            message: the :class:`~ibwire.messages.WshMetaData` (``WSH_META_DATA``).
        """

    def wsh_event_data(self, message: WshEventData) -> None:
        """EWrapper ``wshEventData``: Wall Street Horizon event data.

        Args:
            message: the :class:`~ibwire.messages.WshEventData` (``WSH_EVENT_DATA``).
        """

    def historical_schedule(self, message: HistoricalSchedule) -> None:
        """EWrapper ``historicalSchedule``: a trading schedule.

        Args:
            message: the :class:`~ibwire.messages.HistoricalSchedule` (``HISTORICAL_SCHEDULE``).
        """

    def user_info(self, message: UserInfo) -> None:
        """EWrapper ``userInfo``: the white-branding id of the user.

        Args:
            message: the :class:`~ibwire.messages.UserInfo` (``USER_INFO``).
        """

    def historical_data_end(self, message: HistoricalDataEnd) -> None:
        """EWrapper ``historicalDataEnd``: the end of a historical data answer (server 196+).

        Args:
            message: the :class:`~ibwire.messages.HistoricalDataEnd` (``HISTORICAL_DATA_END``).
        """

    def current_time_in_millis(self, message: CurrentTimeInMillis) -> None:
        """EWrapper ``currentTimeInMillis``: the server's time in milliseconds.

        Args:
            message: the :class:`~ibwire.messages.CurrentTimeInMillis` (``CURRENT_TIME_IN_MILLIS``).
        """

    def config_response(self, message: ConfigResponse) -> None:
        """EWrapper ``configResponseProtoBuf``: the Gateway's API configuration (server 219+).

        Args:
            message: the :class:`~ibwire.messages.ConfigResponse` (``CONFIG_RESPONSE``).
        """

    def update_config_response(self, message: UpdateConfigResponse) -> None:
        """EWrapper ``updateConfigResponseProtoBuf``: the outcome of a configuration
        change (server 221+).

        Args:
            message: the :class:`~ibwire.messages.UpdateConfigResponse`
                (``UPDATE_CONFIG_RESPONSE``).
        """
