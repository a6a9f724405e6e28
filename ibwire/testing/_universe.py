"""The simulator's instruments: a small, fixed universe and contract resolution.

AAPL and MSFT (NASDAQ) and SPY (ARCA) stocks routed through SMART, the
E-mini S&P 500 future on CME in its listed quarterly months, EUR.USD on IDEALPRO, a chain of AAPL
options (weekly and monthly expirations, calls and puts), and the S&P 500 index
(SPX, CBOE) with a chain of its cash-settled, European-style SPXW options, and
Bitcoin and Ether in US dollars on PAXOS (``CRYPTO``, fractional sizes).  Dates (future
expiry, option expirations) are derived from the simulator's clock, so the
universe looks current whatever time a test sets.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from ..messages import Contract, ContractDetails
from ._options import option_price

__all__ = ["CRYPTO_TIFS", "ORDER_TYPES", "Instrument", "Universe"]

_CONTINUOUS: Final = frozenset({"MKT", "LMT", "STP", "STP LMT", "TRAIL", "TRAIL LIMIT", "MIT", "LIT"})
#: The order types the simulator executes (``Order.order_type``), by security type:
#: market-on-close and limit-on-close where IB takes them (stocks and futures).
#: Contract details advertise these and no others (IB lists many more; listing
#: them would invite orders the simulator rejects); an order of another type is
#: rejected.
ORDER_TYPES: Final[dict[str, frozenset[str]]] = {
    "STK": _CONTINUOUS | {"MOC", "LOC"},
    "FUT": _CONTINUOUS | {"MOC", "LOC"},
    "OPT": _CONTINUOUS,
    "CASH": _CONTINUOUS,
    # IB takes market (IOC only, a buy in cash quantity), limit and stop-limit crypto orders.
    "CRYPTO": frozenset({"MKT", "LMT", "STP LMT"}),
}
#: The order attributes contract details list with the types, all honoured: DAY,
#: GTC, GTD and IOC time in force, OCA groups, what-if orders.
_ATTRIBUTES: Final = frozenset({"DAY", "GTC", "GTD", "IOC", "OCA", "WHATIF"})
#: The time in force values of crypto orders the simulator honours (no GTD, no OCA groups).
CRYPTO_TIFS: Final = frozenset({"DAY", "GTC", "IOC"})


def _order_types(sec_type: str) -> str:
    """The ``orderTypes`` text of contract details (``STP LMT`` is spelled ``STPLMT``,
    ``TRAIL LIMIT`` ``TRAILLMT``)."""
    types = ORDER_TYPES.get(sec_type, frozenset())
    spelled = {t.replace(" LIMIT", " LMT").replace(" ", "") for t in types}
    attributes = CRYPTO_TIFS | {"WHATIF"} if sec_type == "CRYPTO" else _ATTRIBUTES
    return ",".join(sorted(spelled | attributes)) if types else ""



@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument:
    """One tradable instrument of the simulator.

    Attributes:
        contract: the fully described contract (con_id, exchange SMART or the
            venue, primary exchange...).
        price: the starting price of its random walk.
        min_tick: the price increment.
        long_name: the description TWS shows.
        valid_exchanges: comma-separated venues accepted for it.
        order_types: comma-separated order types accepted for it.
        market_rule_id: the market rule of its price increments.
        time_zone: the exchange's time zone id.
        industry: the industry text of its contract details.
        category: the category text.
        head_timestamp: the earliest historical data, ``yyyymmdd-hh:mm:ss``.
        under_con_id: the underlying's con_id (options, futures).
        size_increment: the smallest order size step.
        min_size: the smallest order size (``None``: as the security type has it).
        suggested_size_increment: the size step TWS suggests (``None``: as the
            security type has it).
        volatility: the yearly volatility of its random walk.
        initial_margin: initial margin per contract (futures), USD.
        maint_margin: maintenance margin per contract (futures), USD.
        cash_settled: an option settled in cash at expiry (index options),
            European-style, expiring at 16:00 New York on its expiration date.
        series: the con_id whose random draws its price walk takes (0: its own);
            every month of a future takes its front month's, so the months
            move together, their starting prices apart by the carry.
    """

    contract: Contract
    price: float
    min_tick: float
    long_name: str
    valid_exchanges: str
    order_types: str
    market_rule_id: int
    time_zone: str
    industry: str = ""
    category: str = ""
    head_timestamp: str = "20040101-14:30:00"
    under_con_id: int = 0
    size_increment: Decimal = Decimal(1)
    min_size: Decimal | None = None
    suggested_size_increment: Decimal | None = None
    volatility: float = 0.25
    initial_margin: float = 0.0
    maint_margin: float = 0.0
    cash_settled: bool = False
    series: int = 0

    @property
    def con_id(self) -> int:
        """The contract id."""
        return self.contract.con_id

    @property
    def symbol(self) -> str:
        """The symbol."""
        return self.contract.symbol

    @property
    def sec_type(self) -> str:
        """The security type."""
        return self.contract.sec_type

    @property
    def multiplier(self) -> float:
        """The contract multiplier (1 when there is none)."""
        return float(self.contract.multiplier or 1)

    def details(self) -> ContractDetails:
        """The contract details TWS would send for it (the core adds the session hours)."""
        contract = self.contract
        month = contract.last_trade_date_or_contract_month[:6]
        return ContractDetails(
            contract=contract,
            market_name=contract.trading_class or contract.symbol,
            min_tick=self.min_tick,
            order_types=self.order_types,
            valid_exchanges=self.valid_exchanges,
            price_magnifier=1,
            under_con_id=self.under_con_id,
            long_name=self.long_name,
            contract_month=month,
            industry=self.industry,
            category=self.category,
            time_zone_id=self.time_zone,
            agg_group=1,
            under_symbol=contract.symbol if contract.sec_type in ("OPT", "FUT") else "",
            under_sec_type={"OPT": "IND" if self.cash_settled else "STK", "FUT": "IND"}.get(contract.sec_type, ""),
            market_rule_ids=",".join([str(self.market_rule_id)] * len(self.valid_exchanges.split(","))),
            real_expiration_date=contract.last_trade_date_or_contract_month,
            stock_type="COMMON" if contract.sec_type == "STK" and contract.symbol != "SPY" else (
                "ETF" if contract.symbol == "SPY" else ""
            ),
            min_size=self.min_size or (Decimal("0.0001") if contract.sec_type == "STK" else Decimal(1)),
            size_increment=self.size_increment if self.min_size else (
                Decimal("0.0001") if contract.sec_type == "STK" else Decimal(1)
            ),
            suggested_size_increment=self.suggested_size_increment or (
                Decimal(100) if contract.sec_type == "STK" else Decimal(1)
            ),
        )


def _third_friday(year: int, month: int) -> _dt.date:
    first = _dt.date(year, month, 1)
    offset = (4 - first.weekday()) % 7
    return first + _dt.timedelta(days=offset + 14)


def _next_fridays(today: _dt.date, count: int) -> list[_dt.date]:
    days = (4 - today.weekday()) % 7 or 7
    first = today + _dt.timedelta(days=days)
    return [first + _dt.timedelta(weeks=n) for n in range(count)]


_MONTH_CODES: Final = "FGHJKMNQUVXZ"

#: Stocks quoted and traded like AAPL and MSFT, without options, so that a table
#: of twenty large US stocks runs against the simulator: symbol, con_id, listing
#: exchange, starting price, long name, industry.
_MORE_STOCKS: Final = (
    ("AMZN", 3691937, "NASDAQ", 185.0, "AMAZON.COM INC", "Communications"),
    ("GOOGL", 208813719, "NASDAQ", 170.0, "ALPHABET INC-CL A", "Communications"),
    ("META", 107113386, "NASDAQ", 480.0, "META PLATFORMS INC-CLASS A", "Communications"),
    ("NVDA", 4815747, "NASDAQ", 120.0, "NVIDIA CORP", "Technology"),
    ("TSLA", 76792991, "NASDAQ", 180.0, "TESLA INC", "Consumer, Cyclical"),
    ("JPM", 1520593, "NYSE", 200.0, "JPMORGAN CHASE & CO", "Financial"),
    ("V", 49462172, "NYSE", 275.0, "VISA INC-CLASS A SHARES", "Financial"),
    ("JNJ", 8719, "NYSE", 150.0, "JOHNSON & JOHNSON", "Consumer, Non-cyclical"),
    ("WMT", 13824, "NASDAQ", 65.0, "WALMART INC", "Consumer, Cyclical"),
    ("PG", 13610, "NYSE", 165.0, "PROCTER & GAMBLE CO/THE", "Consumer, Non-cyclical"),
    ("MA", 62010578, "NYSE", 460.0, "MASTERCARD INC - A", "Financial"),
    ("HD", 5027, "NYSE", 350.0, "HOME DEPOT INC", "Consumer, Cyclical"),
    ("DIS", 6459, "NYSE", 105.0, "WALT DISNEY CO/THE", "Communications"),
    ("BAC", 10098, "NYSE", 38.0, "BANK OF AMERICA CORP", "Financial"),
    ("XOM", 13977, "NYSE", 115.0, "EXXON MOBIL CORP", "Energy"),
    ("KO", 8894, "NYSE", 62.0, "COCA-COLA CO/THE", "Consumer, Non-cyclical"),
    ("PEP", 11017, "NASDAQ", 170.0, "PEPSICO INC", "Consumer, Non-cyclical"),
)
_NEW_YORK: Final = ZoneInfo("America/New_York")
_CHICAGO: Final = ZoneInfo("America/Chicago")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Series:
    """A future listed in a cycle of contract months, as the exchange lists it."""

    symbol: str
    long_name: str
    exchange: str
    multiplier: str
    price: float
    min_tick: float
    market_rule_id: int
    under_con_id: int
    initial_margin: float
    maint_margin: float
    volatility: float
    #: The con_id of month ``m`` of year ``y`` is ``con_id_base + (y - 2000) * 100 + m``.
    con_id_base: int
    #: The contract months (March, June, September, December: CME's quarterly cycle).
    months: tuple[int, ...] = (3, 6, 9, 12)
    #: How many unexpired months are listed at once.
    listed: int = 4
    #: The carry of one cycle step, as a fraction of the price (a deferred month
    #: trades this much above the one before it).
    carry: float = 0.0025


#: The futures: E-mini S&P 500, its next four quarterlies listed on CME; each
#: expires on its last trade date, the third Friday of its month.
_FUTURES: Final = (
    _Series(
        symbol="ES", long_name="E-mini S&P 500", exchange="CME", multiplier="50", price=5200.0,
        min_tick=0.25, market_rule_id=67, under_con_id=11004968, initial_margin=15_180.0,
        maint_margin=13_800.0, volatility=0.15, con_id_base=495_500_000,
    ),
)
#: Expired months kept for ``includeExpired`` (IB keeps about two years of them),
#: and months built ahead of the listed ones, for a clock that runs for years.
_YEARS_BACK: Final = 2
_YEARS_AHEAD: Final = 5


def _future_months(today: _dt.date) -> list[Instrument]:
    """Every contract month of every future, from two years before ``today`` to five
    after; which of them are listed at a given time is :meth:`Universe.listing`'s call."""
    found: list[Instrument] = []
    for series in _FUTURES:
        expiries = [
            _third_friday(year, month)
            for year in range(today.year - _YEARS_BACK, today.year + _YEARS_AHEAD + 1)
            for month in series.months
        ]
        con_ids = [series.con_id_base + (day.year - 2000) * 100 + day.month for day in expiries]
        front = next(n for n, day in enumerate(expiries) if day >= today)
        # Every month walks with the front month's draws, ``carry`` apart per step.
        series_id = con_ids[front]
        for n, (expiry, con_id) in enumerate(zip(expiries, con_ids, strict=True)):
            basis = round(series.price * series.carry * (n - front) / series.min_tick) * series.min_tick
            found.append(Instrument(
                contract=Contract(
                    con_id=con_id, symbol=series.symbol, sec_type="FUT", strike=0.0,
                    last_trade_date_or_contract_month=expiry.strftime("%Y%m%d"),
                    multiplier=series.multiplier, exchange=series.exchange, currency="USD",
                    local_symbol=f"{series.symbol}{_MONTH_CODES[expiry.month - 1]}{expiry.year % 10}",
                    trading_class=series.symbol,
                ),
                price=series.price + basis, min_tick=series.min_tick, long_name=series.long_name,
                valid_exchanges=series.exchange, order_types=_order_types("FUT"),
                market_rule_id=series.market_rule_id, time_zone="US/Central",
                head_timestamp=(expiry - _dt.timedelta(days=365)).strftime("%Y%m%d-13:30:00"),
                under_con_id=series.under_con_id, volatility=series.volatility,
                initial_margin=series.initial_margin, maint_margin=series.maint_margin,
                series=series_id,
            ))
    return found


class Universe:
    """The instruments of the simulator, and how a request's contract finds them.

    Args:
        today: the date the expirations are counted from.
    """

    def __init__(self, today: _dt.date) -> None:
        self.today = today
        stocks = [
            Instrument(
                contract=Contract(
                    con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", strike=0.0,
                    primary_exchange="NASDAQ", currency="USD", local_symbol="AAPL",
                    trading_class="NMS",
                ),
                price=190.0, min_tick=0.01, long_name="APPLE INC",
                valid_exchanges="SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,BATS,IEX",
                order_types=_order_types("STK"), market_rule_id=26, time_zone="US/Eastern",
                industry="Technology", category="Computers", head_timestamp="19801212-14:30:00",
            ),
            Instrument(
                contract=Contract(
                    con_id=272093, symbol="MSFT", sec_type="STK", exchange="SMART", strike=0.0,
                    primary_exchange="NASDAQ", currency="USD", local_symbol="MSFT",
                    trading_class="NMS",
                ),
                price=410.0, min_tick=0.01, long_name="MICROSOFT CORP",
                valid_exchanges="SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,BATS,IEX",
                order_types=_order_types("STK"), market_rule_id=26, time_zone="US/Eastern",
                industry="Technology", category="Software", head_timestamp="19860313-14:30:00",
            ),
            Instrument(
                contract=Contract(
                    con_id=756733, symbol="SPY", sec_type="STK", exchange="SMART", strike=0.0,
                    primary_exchange="ARCA", currency="USD", local_symbol="SPY",
                    trading_class="SPY",
                ),
                price=520.0, min_tick=0.01, long_name="SPDR S&P 500 ETF TRUST",
                valid_exchanges="SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,BATS,IEX",
                order_types=_order_types("STK"), market_rule_id=26, time_zone="US/Eastern",
                industry="Funds", category="Equity Fund", head_timestamp="19930129-14:30:00",
                volatility=0.15,
            ),
        ]
        forex = Instrument(
            contract=Contract(
                con_id=12087792, symbol="EUR", sec_type="CASH", exchange="IDEALPRO", strike=0.0,
                currency="USD", local_symbol="EUR.USD", trading_class="EUR.USD",
            ),
            price=1.08, min_tick=0.00005, long_name="European Monetary Union Euro",
            valid_exchanges="IDEALPRO", order_types=_order_types("CASH"), market_rule_id=239,
            time_zone="US/Eastern", head_timestamp="20050301-13:30:00",
            size_increment=Decimal(1), volatility=0.07,
        )
        index = Instrument(
            contract=Contract(
                con_id=416904, symbol="SPX", sec_type="IND", exchange="CBOE", strike=0.0,
                currency="USD", local_symbol="SPX", trading_class="",
            ),
            price=5200.0, min_tick=0.01, long_name="S&P 500 Stock Index",
            valid_exchanges="CBOE", order_types=_order_types("IND"), market_rule_id=110,
            time_zone="US/Eastern", head_timestamp="19820420-14:30:00", volatility=0.15,
        )
        crypto = [
            Instrument(
                contract=Contract(
                    con_id=con_id, symbol=symbol, sec_type="CRYPTO", exchange="PAXOS", strike=0.0,
                    currency="USD", local_symbol=f"{symbol}.USD", trading_class=symbol,
                ),
                price=price, min_tick=tick, long_name=name, valid_exchanges="PAXOS",
                order_types=_order_types("CRYPTO"), market_rule_id=rule, time_zone="US/Eastern",
                head_timestamp="20210325-00:00:00", size_increment=Decimal("0.00000001"),
                min_size=minimum, suggested_size_increment=minimum, volatility=0.6,
            )
            for symbol, con_id, price, tick, name, rule, minimum in (
                ("BTC", 479624278, 65000.0, 0.25, "Bitcoin", 3344, Decimal("0.0001")),
                ("ETH", 495759171, 3500.0, 0.05, "Ethereum", 3345, Decimal("0.001")),
            )
        ]
        self.instruments: list[Instrument] = [*stocks, *_future_months(today), forex, index, *crypto]
        aapl = stocks[0]
        monthly = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
        self.option_expirations: list[_dt.date] = sorted(
            {*_next_fridays(today, 3), _third_friday(*monthly)}
        )
        self.option_strikes: list[float] = [float(s) for s in range(165, 220, 5)]
        con_id = 700000000
        for day in self.option_expirations:
            for strike in self.option_strikes:
                for right in ("C", "P"):
                    con_id += 1
                    local = f"AAPL  {day.strftime('%y%m%d')}{right}{int(strike * 1000):08d}"
                    self.instruments.append(
                        Instrument(
                            contract=Contract(
                                con_id=con_id, symbol="AAPL", sec_type="OPT",
                                last_trade_date_or_contract_month=day.strftime("%Y%m%d"),
                                strike=strike, right=right, multiplier="100", exchange="SMART",
                                currency="USD", local_symbol=local, trading_class="AAPL",
                            ),
                            price=round(max(option_price(aapl.price, strike, _years(today, day), right), 0.01), 2),
                            min_tick=0.01, long_name="APPLE INC",
                            valid_exchanges="SMART,AMEX,CBOE,PHLX,PSE,ISE,BOX,BATS,NASDAQOM,CBOE2,MIAX,GEMINI,EDGX,MERCURY,PEARL,EMERALD,MEMX,IBUSOPT",
                            order_types=_order_types("OPT"), market_rule_id=32, time_zone="US/Eastern",
                            under_con_id=aapl.con_id, head_timestamp=(day - _dt.timedelta(days=60)).strftime("%Y%m%d-14:30:00"),
                        )
                    )
        con_id = 710000000
        for day in self.option_expirations:
            for strike in (float(k) for k in range(4800, 5650, 50)):
                for right in ("C", "P"):
                    con_id += 1
                    local = f"SPXW  {day.strftime('%y%m%d')}{right}{int(strike * 1000):08d}"
                    self.instruments.append(
                        Instrument(
                            contract=Contract(
                                con_id=con_id, symbol="SPX", sec_type="OPT",
                                last_trade_date_or_contract_month=day.strftime("%Y%m%d"),
                                strike=strike, right=right, multiplier="100", exchange="SMART",
                                currency="USD", local_symbol=local, trading_class="SPXW",
                            ),
                            price=round(max(option_price(index.price, strike, _years(today, day), right), 0.05), 2),
                            min_tick=0.05, long_name="S&P 500 Stock Index",
                            valid_exchanges="SMART,CBOE", order_types=_order_types("OPT"), market_rule_id=110,
                            time_zone="US/Eastern", under_con_id=index.con_id, cash_settled=True,
                            head_timestamp=(day - _dt.timedelta(days=60)).strftime("%Y%m%d-14:30:00"),
                        )
                    )
        self.instruments.extend(
            Instrument(
                contract=Contract(
                    con_id=con_id, symbol=symbol, sec_type="STK", exchange="SMART", strike=0.0,
                    primary_exchange=primary, currency="USD", local_symbol=symbol,
                    trading_class="NMS" if primary == "NASDAQ" else symbol,
                ),
                price=price, min_tick=0.01, long_name=name,
                valid_exchanges="SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,BATS,IEX",
                order_types=_order_types("STK"), market_rule_id=26, time_zone="US/Eastern",
                industry=industry,
            )
            for symbol, con_id, primary, price, name, industry in _MORE_STOCKS
        )
        self.by_con_id: dict[int, Instrument] = {i.con_id: i for i in self.instruments}
        #: The expiry times of the options and futures, in order.
        self.expiries: list[float] = sorted({t for t in map(self.expiry_time, self.instruments) if t is not None})

    def underlying(self, instrument: Instrument) -> Instrument | None:
        """The underlying of an option (``None`` for other instruments)."""
        if instrument.sec_type != "OPT":
            return None
        return self.by_con_id.get(instrument.under_con_id)

    def years_to_expiry(self, instrument: Instrument, now: _dt.date) -> float:
        """Years from ``now`` to the instrument's expiry (options and futures)."""
        text = instrument.contract.last_trade_date_or_contract_month
        if not text:
            return 0.0
        expiry = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return _years(now, expiry)

    def expiry_time(self, instrument: Instrument) -> float | None:
        """When an option or a future stops trading and settles (epoch seconds);
        ``None`` for every other instrument.

        Options (AAPL's and the PM-settled SPXW) trade until 16:00 New York on
        their expiration date; E-mini futures until 08:30 Chicago on their last
        trade date (CME's rule), when their final settlement price is set.
        """
        text = instrument.contract.last_trade_date_or_contract_month
        if instrument.sec_type not in ("OPT", "FUT") or len(text) < 8:
            return None
        day = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if instrument.sec_type == "FUT":
            return _dt.datetime.combine(day, _dt.time(8, 30), _CHICAGO).timestamp()
        return _dt.datetime.combine(day, _dt.time(16, 0), _NEW_YORK).timestamp()

    def is_expired(self, instrument: Instrument, now: float) -> bool:
        """Whether an option or a future has expired at ``now``: its expiration (last
        trade) date is before the date of ``now`` in New York (options) or Chicago
        (futures); IB stops listing it the day after."""
        text = instrument.contract.last_trade_date_or_contract_month
        if instrument.sec_type not in ("OPT", "FUT") or len(text) < 8:
            return False
        zone = _CHICAGO if instrument.sec_type == "FUT" else _NEW_YORK
        return text[:8] < _dt.datetime.fromtimestamp(now, zone).strftime("%Y%m%d")

    def is_listed(self, instrument: Instrument, now: float) -> bool:
        """Whether the exchange has listed the instrument by ``now``: a future's month
        is, once it is among the next ``listed`` unexpired months of its series (or
        has expired); every other instrument always is."""
        if instrument.sec_type != "FUT":
            return True
        day = _dt.datetime.fromtimestamp(now, _CHICAGO).strftime("%Y%m%d")
        coming = sorted(
            i.contract.last_trade_date_or_contract_month for i in self.instruments
            if i.series == instrument.series and i.contract.last_trade_date_or_contract_month >= day
        )
        limit = next(s for s in _FUTURES if s.symbol == instrument.symbol).listed
        return instrument.contract.last_trade_date_or_contract_month <= coming[min(limit, len(coming)) - 1]

    def front(self, instrument: Instrument, now: float) -> Instrument:
        """The front month of a future's series at ``now``: the first unexpired one."""
        return min(
            (i for i in self.instruments if i.series == instrument.series and not self.is_expired(i, now)),
            key=lambda i: i.contract.last_trade_date_or_contract_month,
        )

    def resolve(self, query: Contract, now: float | None = None) -> list[Instrument]:
        """Every instrument the contract description matches (IB's loose matching).

        A set ``con_id`` decides alone (with the exchange, when given, among the
        valid ones).  Otherwise every field that is set must agree.

        With ``now``, as listed at ``now``: a future's months not listed yet
        match nothing, expired ones only with ``include_expired``, and a
        continuous future (``CONTFUT``) matches its front month.
        """
        if query.con_id:
            found = self.by_con_id.get(query.con_id)
            if found is None:
                return []
            if query.exchange and query.exchange not in found.valid_exchanges.split(","):
                return []
            matched = [found]
        elif query.sec_type.upper() == "CONTFUT":
            months = replace(query, sec_type="FUT", last_trade_date_or_contract_month="")
            matched = [i for i in self.instruments if _matches(i, months)]
            if now is not None:
                matched = list({self.front(i, now).con_id: self.front(i, now) for i in matched}.values())
            return matched
        else:
            matched = [i for i in self.instruments if _matches(i, query)]
        if now is None:
            return matched
        return [
            i for i in matched
            if self.is_listed(i, now)
            and (query.include_expired or i.sec_type != "FUT" or not self.is_expired(i, now))
        ]

    def options_of(self, underlying: Instrument) -> Iterable[Instrument]:
        """The options on ``underlying``."""
        return (i for i in self.instruments if i.under_con_id == underlying.con_id and i.sec_type == "OPT")

    def as_routed(self, instrument: Instrument, query: Contract) -> Contract:
        """The instrument's contract with the exchange the request asked for (and
        ``CONTFUT`` for a continuous future: IB answers with the front month's
        con_id and fields under that security type)."""
        contract = instrument.contract
        if query.exchange and query.exchange != contract.exchange:
            contract = replace(contract, exchange=query.exchange)
        if query.sec_type.upper() == "CONTFUT" and not query.con_id:
            contract = replace(contract, sec_type="CONTFUT")
        return contract


def _years(today: _dt.date, expiry: _dt.date) -> float:
    return max((expiry - today).days, 0) / 365.0 + 1 / 365.0


def _right(text: str) -> str:
    return {"CALL": "C", "PUT": "P"}.get(text.upper(), text.upper())


def _matches(instrument: Instrument, query: Contract) -> bool:
    contract = instrument.contract
    if not query.symbol and not query.local_symbol:
        return False
    if query.symbol and query.symbol.upper() != contract.symbol:
        return False
    if query.sec_type and query.sec_type.upper() != contract.sec_type:
        return False
    if query.exchange and query.exchange.upper() not in instrument.valid_exchanges.split(","):
        return False
    if query.primary_exchange and query.primary_exchange.upper() not in (
        contract.primary_exchange,
        contract.exchange,
    ):
        return False
    if query.currency and query.currency.upper() != contract.currency:
        return False
    expiry = query.last_trade_date_or_contract_month
    if expiry and not contract.last_trade_date_or_contract_month.startswith(expiry[:8]):
        return False
    if query.strike is not None and query.strike != 0 and abs(query.strike - (contract.strike or 0)) > 1e-9:
        return False
    if query.right and query.right not in ("?", "0") and _right(query.right) != contract.right:
        return False
    if query.multiplier and contract.multiplier and float(query.multiplier) != float(contract.multiplier):
        return False
    if query.local_symbol and query.local_symbol != contract.local_symbol:
        return False
    return not (query.trading_class and query.trading_class != contract.trading_class)
