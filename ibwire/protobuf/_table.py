"""The protobuf messages of the TWS API (ibapi 10.51, server version 226), as a table.

Format: see :func:`ibwire.protobuf.schema.parse_table`.  Kept in field-number
order, messages sorted by name.
"""

from __future__ import annotations

from typing import Final

__all__ = ["TABLE"]

TABLE: Final = """
AccountDataEnd
    1 accountName string
AccountDataRequest
    1 subscribe bool; 2 acctCode string
AccountSummary
    1 reqId int32; 2 account string; 3 tag string; 4 value string; 5 currency string
AccountSummaryEnd
    1 reqId int32
AccountSummaryRequest
    1 reqId int32; 2 group string; 3 tags string
AccountUpdateMulti
    1 reqId int32; 2 account string; 3 modelCode string; 4 key string; 5 value string
    6 currency string
AccountUpdateMultiEnd
    1 reqId int32
AccountUpdateTime
    1 timeStamp string
AccountUpdatesMultiRequest
    1 reqId int32; 2 account string; 3 modelCode string; 4 ledgerAndNLV bool
AccountValue
    1 key string; 2 value string; 3 currency string; 4 accountName string
AllOpenOrdersRequest
ApiConfig
    1 precautions ApiPrecautionsConfig; 2 settings ApiSettingsConfig
ApiPrecautionsConfig
    1 bypassOrderPrecautions bool; 2 bypassBondWarning bool
    3 bypassNegativeYieldConfirmation bool; 4 bypassCalledBondWarning bool
    5 bypassSameActionPairTradeWarning bool; 6 bypassFlaggedAccountsWarning bool
    7 bypassPriceBasedVolatilityWarning bool; 8 bypassRedirectOrderWarning bool
    9 bypassNoOverfillProtection bool; 10 bypassRouteMarketableToBBO bool
ApiSettingsConfig
    1 readOnlyApi bool; 2 totalQuantityForMutualFunds bool
    3 downloadOpenOrdersOnConnection bool; 4 includeVirtualFxPositions bool
    5 prepareDailyPnL bool; 6 sendStatusUpdatesForVolatilityOrders bool
    7 encodeApiMessages string; 8 socketPort int32; 9 useNegativeAutoRange bool
    10 createApiMessageLogFile bool; 11 includeMarketDataInLogFile bool
    12 exposeTradingScheduleToApi bool; 13 splitInsuredDepositFromCashBalance bool
    14 sendZeroPositionsForTodayOnly bool; 15 letApiAccountRequestsSwitchSubscription bool
    16 useAccountGroupsWithAllocationMethods bool; 17 loggingLevel string
    18 masterClientId int32; 19 bulkDataTimeout int32; 20 componentExchSeparator string
    21 showForexDataIn1_10Pips bool; 22 allowForexTradingIn1_10Pips bool
    23 roundAccountValuesToNearestWholeNumber bool; 24 sendMarketDataInLotsForUsStocks bool
    25 showAdvancedOrderRejectInUi bool; 26 rejectMessagesAboveMaxRate bool
    27 maintainConnectionOnIncorrectFields bool; 28 compatibilityModeNasdaqStocks bool
    29 sendInstrumentTimezone string; 30 sendForexDataInCompatibilityMode bool
    31 maintainAndResubmitOrdersOnReconnect bool; 32 historicalDataMaxSize int32
    33 autoReportNettingEventContractTrades bool; 34 optionExerciseRequestType string
    35 allowLocalhostOnly bool; 36 trustedIPs string*
AttachedOrders
    1 slOrderId int32; 2 slOrderType string; 3 ptOrderId int32; 4 ptOrderType string
AutoOpenOrdersRequest
    1 autoBind bool
CalculateImpliedVolatilityRequest
    1 reqId int32; 2 contract Contract; 3 optionPrice double; 4 underPrice double
    5 impliedVolatilityOptions map
CalculateOptionPriceRequest
    1 reqId int32; 2 contract Contract; 3 volatility double; 4 underPrice double
    5 optionPriceOptions map
CancelAccountSummary
    1 reqId int32
CancelAccountUpdatesMulti
    1 reqId int32
CancelCalculateImpliedVolatility
    1 reqId int32
CancelCalculateOptionPrice
    1 reqId int32
CancelContractData
    1 reqId int32
CancelHeadTimestamp
    1 reqId int32
CancelHistogramData
    1 reqId int32
CancelHistoricalData
    1 reqId int32
CancelHistoricalTicks
    1 reqId int32
CancelMarketData
    1 reqId int32
CancelMarketDepth
    1 reqId int32; 2 isSmartDepth bool
CancelNewsBulletins
CancelOrderRequest
    1 orderId int32; 2 orderCancel OrderCancel
CancelPnL
    1 reqId int32
CancelPnLSingle
    1 reqId int32
CancelPositions
CancelPositionsMulti
    1 reqId int32
CancelRealTimeBars
    1 reqId int32
CancelScannerSubscription
    1 reqId int32
CancelTickByTick
    1 reqId int32
CancelWshEventData
    1 reqId int32
CancelWshMetaData
    1 reqId int32
ComboLeg
    1 conId int32; 2 ratio int32; 3 action string; 4 exchange string; 5 openClose int32
    6 shortSalesSlot int32; 7 designatedLocation string; 8 exemptCode int32
    9 perLegPrice double
CommissionAndFeesReport
    1 execId string; 2 commissionAndFees double; 3 currency string; 4 realizedPNL double
    5 bondYield double; 6 yieldRedemptionDate string
CompletedOrder
    1 contract Contract; 2 order Order; 3 orderState OrderState
CompletedOrdersEnd
CompletedOrdersRequest
    1 apiOnly bool
ConfigRequest
    1 reqId int32
ConfigResponse
    1 reqId int32; 2 lockAndExit LockAndExitConfig; 3 messages MessageConfig*; 4 api ApiConfig
    5 orders OrdersConfig
Contract
    1 conId int32; 2 symbol string; 3 secType string; 4 lastTradeDateOrContractMonth string
    5 strike double; 6 right string; 7 multiplier double; 8 exchange string
    9 primaryExch string; 10 currency string; 11 localSymbol string; 12 tradingClass string
    13 secIdType string; 14 secId string; 15 description string; 16 issuerId string
    17 deltaNeutralContract DeltaNeutralContract; 18 includeExpired bool
    19 comboLegsDescrip string; 20 comboLegs ComboLeg*; 21 lastTradeDate string
ContractData
    1 reqId int32; 2 contract Contract; 3 contractDetails ContractDetails
ContractDataEnd
    1 reqId int32
ContractDataRequest
    1 reqId int32; 2 contract Contract
ContractDescription
    1 contract Contract; 2 derivativeSecTypes string*
ContractDetails
    1 marketName string; 2 minTick string; 3 orderTypes string; 4 validExchanges string
    5 priceMagnifier int32; 6 underConId int32; 7 longName string; 8 contractMonth string
    9 industry string; 10 category string; 11 subcategory string; 12 timeZoneId string
    13 tradingHours string; 14 liquidHours string; 15 evRule string; 16 evMultiplier double
    17 secIdList map; 18 aggGroup int32; 19 underSymbol string; 20 underSecType string
    21 marketRuleIds string; 22 realExpirationDate string; 23 stockType string
    24 minSize string; 25 sizeIncrement string; 26 suggestedSizeIncrement string
    27 fundName string; 28 fundFamily string; 29 fundType string; 30 fundFrontLoad string
    31 fundBackLoad string; 32 fundBackLoadTimeInterval string; 33 fundManagementFee string
    34 fundClosed bool; 35 fundClosedForNewInvestors bool; 36 fundClosedForNewMoney bool
    37 fundNotifyAmount string; 38 fundMinimumInitialPurchase string
    39 fundMinimumSubsequentPurchase string; 40 fundBlueSkyStates string
    41 fundBlueSkyTerritories string; 42 fundDistributionPolicyIndicator string
    43 fundAssetType string; 44 cusip string; 45 issueDate string; 46 ratings string
    47 bondType string; 48 coupon double; 49 couponType string; 50 convertible bool
    51 callable bool; 52 puttable bool; 53 descAppend string; 54 nextOptionDate string
    55 nextOptionType string; 56 nextOptionPartial bool; 57 bondNotes string
    58 ineligibilityReasonList IneligibilityReason*; 59 eventContract1 string
    60 eventContractDescription1 string; 61 eventContractDescription2 string
    62 minAlgoSize string; 63 lastPricePrecision string; 64 lastSizePrecision string
    65 settlementMethod string
CurrentTime
    1 currentTime int64
CurrentTimeInMillis
    1 currentTimeInMillis int64
CurrentTimeInMillisRequest
CurrentTimeRequest
DeltaNeutralContract
    1 conId int32; 2 delta double; 3 price double
DepthMarketDataDescription
    1 exchange string; 2 secType string; 3 listingExch string; 4 serviceDataType string
    5 aggGroup int32
DisplayGroupList
    1 reqId int32; 2 groups string
DisplayGroupUpdated
    1 reqId int32; 2 contractInfo string
ErrorMessage
    1 id int32; 2 errorTime int64; 3 errorCode int32; 4 errorMsg string
    5 advancedOrderRejectJson string
Execution
    1 orderId int32; 2 execId string; 3 time string; 4 acctNumber string; 5 exchange string
    6 side string; 7 shares string; 8 price double; 9 permId int64; 10 clientId int32
    11 isLiquidation bool; 12 cumQty string; 13 avgPrice double; 14 orderRef string
    15 evRule string; 16 evMultiplier double; 17 modelCode string; 18 lastLiquidity int32
    19 isPriceRevisionPending bool; 20 submitter string; 21 optExerciseOrLapseType int32
ExecutionDetails
    1 reqId int32; 2 contract Contract; 3 execution Execution
ExecutionDetailsEnd
    1 reqId int32
ExecutionFilter
    1 clientId int32; 2 acctCode string; 3 time string; 4 symbol string; 5 secType string
    6 exchange string; 7 side string; 8 lastNDays int32; 9 specificDates int32*
ExecutionRequest
    1 reqId int32; 2 executionFilter ExecutionFilter
ExerciseOptionsRequest
    1 orderId int32; 2 contract Contract; 3 exerciseAction int32; 4 exerciseQuantity int32
    5 account string; 6 override bool; 7 manualOrderTime string; 8 customerAccount string
    9 professionalCustomer bool
FAReplace
    1 reqId int32; 2 faDataType int32; 3 xml string
FARequest
    1 faDataType int32
FamilyCode
    1 accountId string; 2 familyCode string
FamilyCodes
    1 familyCodes FamilyCode*
FamilyCodesRequest
GlobalCancelRequest
    1 orderCancel OrderCancel
HeadTimestamp
    1 reqId int32; 2 headTimestamp string
HeadTimestampRequest
    1 reqId int32; 2 contract Contract; 3 useRTH bool; 4 whatToShow string; 5 formatDate int32
HistogramData
    1 reqId int32; 2 histogramDataEntries HistogramDataEntry*
HistogramDataEntry
    1 price double; 2 size string
HistogramDataRequest
    1 reqId int32; 2 contract Contract; 3 useRTH bool; 4 timePeriod string
HistoricalData
    1 reqId int32; 2 historicalDataBars HistoricalDataBar*
HistoricalDataBar
    1 date string; 2 open double; 3 high double; 4 low double; 5 close double; 6 volume string
    7 WAP string; 8 barCount int32
HistoricalDataEnd
    1 reqId int32; 2 startDateStr string; 3 endDateStr string
HistoricalDataRequest
    1 reqId int32; 2 contract Contract; 3 endDateTime string; 4 barSizeSetting string
    5 duration string; 6 useRTH bool; 7 whatToShow string; 8 formatDate int32
    9 keepUpToDate bool; 10 chartOptions map
HistoricalDataUpdate
    1 reqId int32; 2 historicalDataBar HistoricalDataBar
HistoricalNews
    1 reqId int32; 2 time string; 3 providerCode string; 4 articleId string; 5 headline string
HistoricalNewsEnd
    1 reqId int32; 2 hasMore bool
HistoricalNewsRequest
    1 reqId int32; 2 conId int32; 3 providerCodes string; 4 startDateTime string
    5 endDateTime string; 6 totalResults int32; 7 historicalNewsOptions map
HistoricalSchedule
    1 reqId int32; 2 startDateTime string; 3 endDateTime string; 4 timeZone string
    5 historicalSessions HistoricalSession*
HistoricalSession
    1 startDateTime string; 2 endDateTime string; 3 refDate string
HistoricalTick
    1 time int64; 2 price double; 3 size string
HistoricalTickBidAsk
    1 time int64; 2 tickAttribBidAsk TickAttribBidAsk; 3 priceBid double; 4 priceAsk double
    5 sizeBid string; 6 sizeAsk string
HistoricalTickLast
    1 time int64; 2 tickAttribLast TickAttribLast; 3 price double; 4 size string
    5 exchange string; 6 specialConditions string
HistoricalTicks
    1 reqId int32; 2 historicalTicks HistoricalTick*; 3 isDone bool
HistoricalTicksBidAsk
    1 reqId int32; 2 historicalTicksBidAsk HistoricalTickBidAsk*; 3 isDone bool
HistoricalTicksLast
    1 reqId int32; 2 historicalTicksLast HistoricalTickLast*; 3 isDone bool
HistoricalTicksRequest
    1 reqId int32; 2 contract Contract; 3 startDateTime string; 4 endDateTime string
    5 numberOfTicks int32; 6 whatToShow string; 7 useRTH bool; 8 ignoreSize bool
    9 miscOptions map
IdsRequest
    1 numIds int32
IneligibilityReason
    1 id string; 2 description string
LockAndExitConfig
    1 autoLogoffTime string; 2 autoLogoffPeriod string; 3 autoLogoffType string
ManagedAccounts
    1 accountsList string
ManagedAccountsRequest
MarketDataRequest
    1 reqId int32; 2 contract Contract; 3 genericTickList string; 4 snapshot bool
    5 regulatorySnapshot bool; 6 marketDataOptions map
MarketDataType
    1 reqId int32; 2 marketDataType int32
MarketDataTypeRequest
    1 marketDataType int32
MarketDepth
    1 reqId int32; 2 marketDepthData MarketDepthData
MarketDepthData
    1 position int32; 2 operation int32; 3 side int32; 4 price double; 5 size string
    6 marketMaker string; 7 isSmartDepth bool
MarketDepthExchanges
    1 depthMarketDataDescriptions DepthMarketDataDescription*
MarketDepthExchangesRequest
MarketDepthL2
    1 reqId int32; 2 marketDepthData MarketDepthData
MarketDepthRequest
    1 reqId int32; 2 contract Contract; 3 numRows int32; 4 isSmartDepth bool
    5 marketDepthOptions map
MarketRule
    1 marketRuleId int32; 2 priceIncrements PriceIncrement*
MarketRuleRequest
    1 marketRuleId int32
MatchingSymbolsRequest
    1 reqId int32; 2 pattern string
MessageConfig
    1 id int32; 2 title string; 3 message string; 4 defaultAction string; 5 enabled bool
NewsArticle
    1 reqId int32; 2 articleType int32; 3 articleText string
NewsArticleRequest
    1 reqId int32; 2 providerCode string; 3 articleId string; 4 newsArticleOptions map
NewsBulletin
    1 newsMsgId int32; 2 newsMsgType int32; 3 newsMessage string; 4 originatingExch string
NewsBulletinsRequest
    1 allMessages bool
NewsProvider
    1 providerCode string; 2 providerName string
NewsProviders
    1 newsProviders NewsProvider*
NewsProvidersRequest
NextValidId
    1 orderId int32
OpenOrder
    1 orderId int32; 2 contract Contract; 3 order Order; 4 orderState OrderState
OpenOrdersEnd
OpenOrdersRequest
Order
    1 clientId int32; 2 orderId int32; 3 permId int64; 4 parentId int32; 5 action string
    6 totalQuantity string; 7 displaySize int32; 8 orderType string; 9 lmtPrice double
    10 auxPrice double; 11 tif string; 12 account string; 13 settlingFirm string
    14 clearingAccount string; 15 clearingIntent string; 16 allOrNone bool; 17 blockOrder bool
    18 hidden bool; 19 outsideRth bool; 20 sweepToFill bool; 21 percentOffset double
    22 trailingPercent double; 23 trailStopPrice double; 24 minQty int32
    25 goodAfterTime string; 26 goodTillDate string; 27 ocaGroup string; 28 orderRef string
    29 rule80A string; 30 ocaType int32; 31 triggerMethod int32; 32 activeStartTime string
    33 activeStopTime string; 34 faGroup string; 35 faMethod string; 36 faPercentage string
    37 volatility double; 38 volatilityType int32; 39 continuousUpdate bool
    40 referencePriceType int32; 41 deltaNeutralOrderType string
    42 deltaNeutralAuxPrice double; 43 deltaNeutralConId int32; 44 deltaNeutralOpenClose string
    45 deltaNeutralShortSale bool; 46 deltaNeutralShortSaleSlot int32
    47 deltaNeutralDesignatedLocation string; 48 scaleInitLevelSize int32
    49 scaleSubsLevelSize int32; 50 scalePriceIncrement double; 51 scalePriceAdjustValue double
    52 scalePriceAdjustInterval int32; 53 scaleProfitOffset double; 54 scaleAutoReset bool
    55 scaleInitPosition int32; 56 scaleInitFillQty int32; 57 scaleRandomPercent bool
    58 scaleTable string; 59 hedgeType string; 60 hedgeParam string; 61 algoStrategy string
    62 algoParams map; 63 algoId string; 64 smartComboRoutingParams map; 65 whatIf bool
    66 transmit bool; 67 overridePercentageConstraints bool; 68 openClose string
    69 origin int32; 70 shortSaleSlot int32; 71 designatedLocation string; 72 exemptCode int32
    73 deltaNeutralSettlingFirm string; 74 deltaNeutralClearingAccount string
    75 deltaNeutralClearingIntent string; 76 discretionaryAmt double
    77 optOutSmartRouting bool; 78 startingPrice double; 79 stockRefPrice double
    80 delta double; 81 stockRangeLower double; 82 stockRangeUpper double; 83 notHeld bool
    84 orderMiscOptions map; 85 solicited bool; 86 randomizeSize bool; 87 randomizePrice bool
    88 referenceContractId int32; 89 peggedChangeAmount double
    90 isPeggedChangeAmountDecrease bool; 91 referenceChangeAmount double
    92 referenceExchangeId string; 93 adjustedOrderType string; 94 triggerPrice double
    95 adjustedStopPrice double; 96 adjustedStopLimitPrice double
    97 adjustedTrailingAmount double; 98 adjustableTrailingUnit int32; 99 lmtPriceOffset double
    100 conditions OrderCondition*; 101 conditionsCancelOrder bool
    102 conditionsIgnoreRth bool; 103 modelCode string; 104 extOperator string
    105 softDollarTier SoftDollarTier; 106 cashQty double; 107 mifid2DecisionMaker string
    108 mifid2DecisionAlgo string; 109 mifid2ExecutionTrader string
    110 mifid2ExecutionAlgo string; 111 dontUseAutoPriceForHedge bool; 112 isOmsContainer bool
    113 discretionaryUpToLimitPrice bool; 114 autoCancelDate string; 115 filledQuantity string
    116 refFuturesConId int32; 117 autoCancelParent bool; 118 shareholder string
    119 imbalanceOnly bool; 120 routeMarketableToBbo int32; 121 parentPermId int64
    122 usePriceMgmtAlgo int32; 123 duration int32; 124 postToAts int32
    125 advancedErrorOverride string; 126 manualOrderTime string; 127 minTradeQty int32
    128 minCompeteSize int32; 129 competeAgainstBestOffset double; 130 midOffsetAtWhole double
    131 midOffsetAtHalf double; 132 customerAccount string; 133 professionalCustomer bool
    134 bondAccruedInterest string; 135 includeOvernight bool; 136 manualOrderIndicator int32
    137 submitter string; 138 deactivate bool; 139 postOnly bool; 140 allowPreOpen bool
    141 ignoreOpenAuction bool; 142 seekPriceImprovement int32; 143 whatIfType int32
    144 hedgeMaxSize int32; 145 conditionsIncludeOvernight bool
OrderAllocation
    1 account string; 2 position string; 3 positionDesired string; 4 positionAfter string
    5 desiredAllocQty string; 6 allowedAllocQty string; 7 isMonetary bool
OrderBound
    1 permId int64; 2 clientId int32; 3 orderId int32
OrderCancel
    1 manualOrderCancelTime string; 2 extOperator string; 3 manualOrderIndicator int32
OrderCondition
    1 type int32; 2 isConjunctionConnection bool; 3 isMore bool; 4 conId int32
    5 exchange string; 6 symbol string; 7 secType string; 8 percent int32
    9 changePercent double; 10 price double; 11 triggerMethod int32; 12 time string
    13 volume int32
OrderState
    1 status string; 2 initMarginBefore double; 3 maintMarginBefore double
    4 equityWithLoanBefore double; 5 initMarginChange double; 6 maintMarginChange double
    7 equityWithLoanChange double; 8 initMarginAfter double; 9 maintMarginAfter double
    10 equityWithLoanAfter double; 11 commissionAndFees double; 12 minCommissionAndFees double
    13 maxCommissionAndFees double; 14 commissionAndFeesCurrency string
    15 marginCurrency string; 16 initMarginBeforeOutsideRTH double
    17 maintMarginBeforeOutsideRTH double; 18 equityWithLoanBeforeOutsideRTH double
    19 initMarginChangeOutsideRTH double; 20 maintMarginChangeOutsideRTH double
    21 equityWithLoanChangeOutsideRTH double; 22 initMarginAfterOutsideRTH double
    23 maintMarginAfterOutsideRTH double; 24 equityWithLoanAfterOutsideRTH double
    25 suggestedSize string; 26 rejectReason string; 27 orderAllocations OrderAllocation*
    28 warningText string; 29 completedTime string; 30 completedStatus string
OrderStatus
    1 orderId int32; 2 status string; 3 filled string; 4 remaining string
    5 avgFillPrice double; 6 permId int64; 7 parentId int32; 8 lastFillPrice double
    9 clientId int32; 10 whyHeld string; 11 mktCapPrice double
OrdersConfig
    1 smartRouting OrdersSmartRoutingConfig
OrdersSmartRoutingConfig
    1 seekPriceImprovement bool; 2 preOpenReroute bool; 3 doNotRouteToDarkPools bool
    4 defaultAlgorithm string
PlaceOrderRequest
    1 orderId int32; 2 contract Contract; 3 order Order; 4 attachedOrders AttachedOrders
PnL
    1 reqId int32; 2 dailyPnL double; 3 unrealizedPnL double; 4 realizedPnL double
PnLRequest
    1 reqId int32; 2 account string; 3 modelCode string
PnLSingle
    1 reqId int32; 2 position string; 3 dailyPnL double; 4 unrealizedPnL double
    5 realizedPnL double; 6 value double
PnLSingleRequest
    1 reqId int32; 2 account string; 3 modelCode string; 4 conId int32
PortfolioValue
    1 contract Contract; 2 position string; 3 marketPrice double; 4 marketValue double
    5 averageCost double; 6 unrealizedPNL double; 7 realizedPNL double; 8 accountName string
Position
    1 account string; 2 contract Contract; 3 position string; 4 avgCost double
PositionEnd
PositionMulti
    1 reqId int32; 2 account string; 3 contract Contract; 4 position string; 5 avgCost double
    6 modelCode string
PositionMultiEnd
    1 reqId int32
PositionsMultiRequest
    1 reqId int32; 2 account string; 3 modelCode string
PositionsRequest
PriceIncrement
    1 lowEdge double; 2 increment double
QueryDisplayGroupsRequest
    1 reqId int32
RealTimeBarTick
    1 reqId int32; 2 time int64; 3 open double; 4 high double; 5 low double; 6 close double
    7 volume string; 8 WAP string; 9 count int32
RealTimeBarsRequest
    1 reqId int32; 2 contract Contract; 3 barSize int32; 4 whatToShow string; 5 useRTH bool
    6 realTimeBarsOptions map
ReceiveFA
    1 faDataType int32; 2 xml string
ReplaceFAEnd
    1 reqId int32; 2 text string
RerouteMarketDataRequest
    1 reqId int32; 2 conId int32; 3 exchange string
RerouteMarketDepthRequest
    1 reqId int32; 2 conId int32; 3 exchange string
ScannerData
    1 reqId int32; 2 scannerDataElement ScannerDataElement*
ScannerDataElement
    1 rank int32; 2 contract Contract; 3 marketName string; 4 distance string
    5 benchmark string; 6 projection string; 7 comboKey string
ScannerParameters
    1 xml string
ScannerParametersRequest
ScannerSubscription
    1 numberOfRows int32; 2 instrument string; 3 locationCode string; 4 scanCode string
    5 abovePrice double; 6 belowPrice double; 7 aboveVolume int64; 8 marketCapAbove double
    9 marketCapBelow double; 10 moodyRatingAbove string; 11 moodyRatingBelow string
    12 spRatingAbove string; 13 spRatingBelow string; 14 maturityDateAbove string
    15 maturityDateBelow string; 16 couponRateAbove double; 17 couponRateBelow double
    18 excludeConvertible bool; 19 averageOptionVolumeAbove int64
    20 scannerSettingPairs string; 21 stockTypeFilter string
    22 scannerSubscriptionFilterOptions map; 23 scannerSubscriptionOptions map
ScannerSubscriptionRequest
    1 reqId int32; 2 scannerSubscription ScannerSubscription
SecDefOptParameter
    1 reqId int32; 2 exchange string; 3 underlyingConId int32; 4 tradingClass string
    5 multiplier string; 6 expirations string*; 7 strikes double*
SecDefOptParameterEnd
    1 reqId int32
SecDefOptParamsRequest
    1 reqId int32; 2 underlyingSymbol string; 3 futFopExchange string
    4 underlyingSecType string; 5 underlyingConId int32
SetServerLogLevelRequest
    1 logLevel int32
SmartComponent
    1 bitNumber int32; 2 exchange string; 3 exchangeLetter string
SmartComponents
    1 reqId int32; 2 smartComponents SmartComponent*
SmartComponentsRequest
    1 reqId int32; 2 bboExchange string
SoftDollarTier
    1 name string; 2 value string; 3 displayName string
SoftDollarTiers
    1 reqId int32; 2 softDollarTiers SoftDollarTier*
SoftDollarTiersRequest
    1 reqId int32
StartApiRequest
    1 clientId int32; 2 optionalCapabilities string
SubscribeToGroupEventsRequest
    1 reqId int32; 2 groupId int32
SymbolSamples
    1 reqId int32; 2 contractDescriptions ContractDescription*
TickAttribBidAsk
    1 bidPastLow bool; 2 askPastHigh bool
TickAttribLast
    1 pastLimit bool; 2 unreported bool
TickByTickData
    1 reqId int32; 2 tickType int32; 3 historicalTickLast HistoricalTickLast |tick
    4 historicalTickBidAsk HistoricalTickBidAsk |tick
    5 historicalTickMidPoint HistoricalTick |tick
TickByTickRequest
    1 reqId int32; 2 contract Contract; 3 tickType string; 4 numberOfTicks int32
    5 ignoreSize bool
TickGeneric
    1 reqId int32; 2 tickType int32; 3 value double
TickNews
    1 reqId int32; 2 timestamp int64; 3 providerCode string; 4 articleId string
    5 headline string; 6 extraData string
TickOptionComputation
    1 reqId int32; 2 tickType int32; 3 tickAttrib int32; 4 impliedVol double; 5 delta double
    6 optPrice double; 7 pvDividend double; 8 gamma double; 9 vega double; 10 theta double
    11 undPrice double
TickPrice
    1 reqId int32; 2 tickType int32; 3 price double; 4 size string; 5 attrMask int32
TickReqParams
    1 reqId int32; 2 minTick string; 3 bboExchange string; 4 snapshotPermissions int32
    5 lastPricePrecision string; 6 lastSizePrecision string
TickSize
    1 reqId int32; 2 tickType int32; 3 size string
TickSnapshotEnd
    1 reqId int32
TickString
    1 reqId int32; 2 tickType int32; 3 value string
UnsubscribeFromGroupEventsRequest
    1 reqId int32
UpdateConfigRequest
    1 reqId int32; 2 lockAndExit LockAndExitConfig; 3 messages MessageConfig*; 4 api ApiConfig
    5 orders OrdersConfig; 6 acceptedWarnings UpdateConfigWarning*
    7 resetAPIOrderSequence bool
UpdateConfigResponse
    1 reqId int32; 2 status string; 3 message string; 4 changedFields string*; 5 errors string*
    6 warnings UpdateConfigWarning*
UpdateConfigWarning
    1 messageId int32; 2 title string; 3 message string
UpdateDisplayGroupRequest
    1 reqId int32; 2 contractInfo string
UserInfo
    1 reqId int32; 2 whiteBrandingId string
UserInfoRequest
    1 reqId int32
VerifyCompleted
    1 isSuccessful bool; 2 errorText string
VerifyMessageApi
    1 apiData string
VerifyMessageRequest
    1 apiData string
VerifyRequest
    1 apiName string; 2 apiVersion string
WshEventData
    1 reqId int32; 2 dataJson string
WshEventDataRequest
    1 reqId int32; 2 conId int32; 3 filter string; 4 fillWatchlist bool; 5 fillPortfolio bool
    6 fillCompetitors bool; 7 startDate string; 8 endDate string; 9 totalLimit int32
WshMetaData
    1 reqId int32; 2 dataJson string
WshMetaDataRequest
    1 reqId int32
"""
