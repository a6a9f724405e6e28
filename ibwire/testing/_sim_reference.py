"""The simulator's reference and research requests.

Historical ticks, histograms, scanner subscriptions (a few standard scan codes
over the stock universe), news (three providers, a small deterministic set of
headlines and articles per stock and day), SMART components, depth exchanges,
matching symbols, family codes, soft-dollar tiers and the FA requests of a
single (non-advisor) account.
"""

from __future__ import annotations

import datetime as _dt
import math
import random
from decimal import Decimal
from typing import Any, Final

from ..messages import (
    ContractDescription,
    DepthMktDataDescription,
    FamilyCode,
    FamilyCodes,
    HistogramData,
    HistogramEntry,
    HistoricalNews,
    HistoricalNewsEnd,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    MktDepthExchanges,
    NewsArticle,
    ReceiveFa,
    ReplaceFaEnd,
    ScannerData,
    ScannerDataElement,
    SmartComponent,
    SmartComponents,
    SoftDollarTiers,
    SymbolSamples,
    TickAttribBidAsk,
    TickAttribLast,
)
from ._market import day_bars, format_time, parse_end
from ._sessions import Phase, phase
from ._sim_base import CoreBase, _Client, _Stream
from ._universe import Instrument

__all__ = ["SCAN_CODES", "ReferenceHandlers"]

#: The scan codes the simulator's scanner answers, over its stocks.
SCAN_CODES: Final = ("TOP_PERC_GAIN", "TOP_PERC_LOSE", "MOST_ACTIVE", "HOT_BY_VOLUME", "HIGH_OPEN_GAP", "LOW_OPEN_GAP")
#: Seconds between two updates of a scanner subscription (IB: about 30).
SCAN_INTERVAL: Final = 30.0
_MAX_TICKS: Final = 1000
_SMART_COMPONENTS: Final = (
    (0, "NYSE", "N"), (1, "ARCA", "P"), (2, "NASDAQ", "Q"), (3, "BATS", "Z"), (4, "IEX", "V"), (5, "EDGX", "K"),
)
_DEPTH_EXCHANGES: Final = (
    ("NASDAQ", "STK", "NASDAQ", "Deep2", 1), ("ARCA", "STK", "ARCA", "Deep2", 1),
    ("BATS", "STK", "BATS", "Deep", 1), ("CME", "FUT", "", "Deep", 2), ("IDEALPRO", "CASH", "", "Deep", 4),
)
_HEADLINES: Final = (
    "{name} shares move ahead of the open",
    "Analyst reiterates rating on {name}",
    "{name}: options activity picks up",
    "{name} in focus as sector rotates",
)
_FA_XML: Final = {
    1: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListOfGroups/>\n",
    2: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListOfAllocationProfiles/>\n",
}


def _news_time(text: str, now: float) -> float | None:
    """The epoch time of a historical news bound: IB's ``yyyy-MM-dd HH:mm:ss.0`` (UTC),
    or the ``endDateTime`` forms of historical data; empty is ``now``."""
    text = text.strip()
    try:
        return _dt.datetime.strptime(text.removesuffix(".0"), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=_dt.timezone.utc).timestamp()
    except ValueError:
        return parse_end(text, now)


class ReferenceHandlers(CoreBase):
    """The simulator's reference and research requests."""

    # ------------------------------------------------------------ historical ticks

    def _on_ReqHistoricalTicks(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        what = message.what_to_show.upper()
        if what not in ("TRADES", "BID_ASK", "MIDPOINT"):
            self._validation(client, req_id, "bT", f"Invalid what to show: {message.what_to_show}")
            return
        if bool(message.start_date_time) == bool(message.end_date_time):
            self._validation(client, req_id, "bT", "Exactly one of start and end date/time must be set")
            return
        if not 0 < message.number_of_ticks <= _MAX_TICKS:
            self._validation(client, req_id, "bT", f"The number of ticks must be between 1 and {_MAX_TICKS}")
            return
        instrument = self._resolve(client, req_id, message.contract, history=True)
        if instrument is None:
            return
        forward = bool(message.start_date_time)
        anchor = parse_end(message.start_date_time or message.end_date_time, now)
        if anchor is None:
            self._validation(client, req_id, "bT", "Invalid date/time")
            return
        seconds = self._tick_seconds(instrument, int(anchor), min(int(now), int(anchor) + 7 * 86400) if forward else None,
                                     message.number_of_ticks, bool(message.use_rth))
        self._send_ticks(client, req_id, instrument, what, seconds)

    def _send_ticks(self, client: _Client, req_id: int, instrument: Instrument, what: str, seconds: list[int]) -> None:
        """One HistoricalTicks, HistoricalTicksBidAsk or HistoricalTicksLast (by ``what``) of ``seconds``, done."""
        quotes = [(t, self.walks.historical_quote(instrument, t)) for t in seconds]
        if what == "TRADES":
            exchange = instrument.contract.primary_exchange or instrument.contract.exchange
            self._send(client, HistoricalTicksLast(req_id=req_id, done=True, ticks=tuple(
                HistoricalTickLast(time=t, tick_attrib_last=TickAttribLast(), price=q.last, size=q.last_size,
                                   exchange=exchange, special_conditions="") for t, q in quotes
            )))
        elif what == "BID_ASK":
            self._send(client, HistoricalTicksBidAsk(req_id=req_id, done=True, ticks=tuple(
                HistoricalTickBidAsk(time=t, tick_attrib_bid_ask=TickAttribBidAsk(), price_bid=q.bid,
                                     price_ask=q.ask, size_bid=q.bid_size, size_ask=q.ask_size) for t, q in quotes
            )))
        else:
            self._send(client, HistoricalTicks(req_id=req_id, done=True, ticks=tuple(
                HistoricalTick(time=t, price=round((q.bid + q.ask) / 2, 6), size=Decimal(0)) for t, q in quotes
            )))

    def _tick_seconds(self, instrument: Instrument, anchor: int, until: int | None, count: int, rth: bool) -> list[int]:
        """Up to ``count`` trading seconds from ``anchor`` forward (to ``until``) or back."""
        found: list[int] = []
        step = 1 if until is not None else -1
        t = anchor if until is not None else anchor - 1
        limit = until if until is not None else anchor - 7 * 86400
        while len(found) < count and (t < limit if step > 0 else t > limit):
            moment = phase(instrument, float(t), holidays=self.holidays)
            if moment is Phase.CLOSED or (rth and moment is not Phase.REGULAR):
                t += 600 * step  # skip closed time in strides
                continue
            found.append(t)
            t += 7 * step  # a tick every few seconds
        return found if step > 0 else found[::-1]

    # ------------------------------------------------------------ histograms

    def _on_ReqHistogramData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.ticker_id
        instrument = self._resolve(client, req_id, message.contract, history=True)
        if instrument is None:
            return
        number, _, unit = message.time_period.strip().partition(" ")
        days = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}.get(unit.lower())
        if not number.isdigit() or days is None:
            self._validation(client, req_id, "bH", f"Invalid time period: {message.time_period}")
            return
        start = int(now) - int(number) * days * 86400
        counts: dict[float, Decimal] = {}
        tick = instrument.min_tick * 10
        for t in range(start, int(now), 300):
            moment = phase(instrument, float(t), holidays=self.holidays)
            if moment is Phase.CLOSED or (message.use_rth and moment is not Phase.REGULAR):
                continue
            quote = self.walks.historical_quote(instrument, t)
            bucket = round(math.floor(quote.last / tick) * tick, 6)
            counts[bucket] = counts.get(bucket, Decimal(0)) + quote.last_size
        items = tuple(HistogramEntry(price=price, size=size) for price, size in sorted(counts.items()))
        self._send(client, HistogramData(req_id=req_id, items=items))

    def _on_CancelHistogramData(self, client: _Client, message: Any, now: float) -> None:
        pass  # answered at once: nothing to cancel

    # ------------------------------------------------------------ scanner

    def _on_ReqScannerSubscription(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        subscription = message.subscription
        code = subscription.scan_code.upper()
        if code not in SCAN_CODES:
            self._validation(client, req_id, "bS", f"Invalid scan code: {subscription.scan_code}")
            return
        if subscription.instrument and subscription.instrument.upper() != "STK":
            self._validation(client, req_id, "bS", f"Invalid instrument: {subscription.instrument}")
            return
        stocks = [i for i in self.universe.instruments if i.sec_type == "STK"]
        stream = _Stream("scan", req_id, stocks[0], now + SCAN_INTERVAL, SCAN_INTERVAL, {"subscription": subscription})
        client.streams[("scan", req_id)] = stream
        self._scan(client, stream, now)

    def _scan(self, client: _Client, stream: _Stream, now: float) -> None:
        subscription = stream.params["subscription"]
        code = subscription.scan_code.upper()
        rows = []
        for instrument in (i for i in self.universe.instruments if i.sec_type == "STK"):
            price = self.walks.mid(instrument, now)
            if subscription.above_price is not None and price <= subscription.above_price:
                continue
            if subscription.below_price is not None and price >= subscription.below_price:
                continue
            days = day_bars(self.walks, instrument, now, sessions=self.sessions, holidays=self.holidays)
            if days is None:
                continue
            today = days[1]
            change = price / today.open - 1
            volume = float(today.volume or 0)
            score = {"TOP_PERC_GAIN": -change, "TOP_PERC_LOSE": change, "HIGH_OPEN_GAP": -change,
                     "LOW_OPEN_GAP": change}.get(code, -volume)
            rows.append((score, instrument))
        rows.sort(key=lambda row: (row[0], row[1].con_id))
        limit = subscription.number_of_rows if subscription.number_of_rows and subscription.number_of_rows > 0 else 50
        elements = tuple(
            ScannerDataElement(rank=rank, contract_details=instrument.details())
            for rank, (_, instrument) in enumerate(rows[:limit])
        )
        self._send(client, ScannerData(req_id=stream.req_id, elements=elements))

    def _on_CancelScannerSubscription(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("scan", message.req_id), None)

    # ------------------------------------------------------------ news

    def _news(self, instrument: Instrument, day: _dt.date, providers: tuple[str, ...]) -> list[tuple[int, str, str, str]]:
        """The day's articles of a stock: (epoch, provider, article id, headline)."""
        rng = random.Random(f"{self.seed}|news|{instrument.con_id}|{day.isoformat()}")
        out: list[tuple[int, str, str, str]] = []
        for number, provider in enumerate(("BRFG", "BRFUPDN", "DJNL")):
            # Every provider draws, wanted or not, so that an article is the same whatever was asked.
            when = _dt.datetime.combine(day, _dt.time(12, 0), _dt.timezone.utc).timestamp() + rng.randint(0, 8 * 3600)
            headline = _HEADLINES[rng.randrange(len(_HEADLINES))].format(name=instrument.long_name.title())
            if provider in providers:
                out.append((int(when), provider, f"{provider}${instrument.con_id}.{day:%Y%m%d}.{number}", headline))
        return out

    def _on_ReqHistoricalNews(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        instrument = self.universe.by_con_id.get(message.con_id)
        if instrument is None:
            self._error(client, req_id, 200)
            return
        providers = tuple(p.strip().upper() for p in message.provider_codes.split("+") if p.strip())
        end = _news_time(message.end_date_time, now)
        start = _news_time(message.start_date_time, now) if message.start_date_time.strip() else None
        if end is None or (message.start_date_time.strip() and start is None):
            self._validation(client, req_id, "bN", "Invalid date/time: use yyyy-MM-dd HH:mm:ss.0")
            return
        begin = start if start is not None else end - 30 * 86400
        items: list[tuple[int, str, str, str]] = []
        day = _dt.datetime.fromtimestamp(end, _dt.timezone.utc).date()
        while len(items) <= message.total_results and day >= _dt.datetime.fromtimestamp(begin, _dt.timezone.utc).date():
            items += [item for item in sorted(self._news(instrument, day, providers), reverse=True) if begin <= item[0] <= end]
            day -= _dt.timedelta(days=1)
        for when, provider, article, headline in items[: message.total_results]:
            text = _dt.datetime.fromtimestamp(when, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.0")
            self._send(client, HistoricalNews(request_id=req_id, time=text, provider_code=provider, article_id=article,
                                              headline=headline))
        self._send(client, HistoricalNewsEnd(request_id=req_id, has_more=len(items) > message.total_results))

    def _on_ReqNewsBulletins(self, client: _Client, message: Any, now: float) -> None:
        """A subscription the Gateway takes without a word and answers only when IB
        posts a bulletin; the simulator has none to post."""

    def _on_CancelNewsBulletins(self, client: _Client, message: Any, now: float) -> None:
        """Taken without a word, as the subscription was."""

    def _on_ReqNewsArticle(self, client: _Client, message: Any, now: float) -> None:
        provider, _, rest = message.article_id.partition("$")
        parts = rest.split(".")
        instrument = self.universe.by_con_id.get(int(parts[0])) if parts[0].isdigit() else None
        if instrument is None or provider != message.provider_code or len(parts) != 3:
            self._validation(client, message.req_id, "bN", f"Invalid article id: {message.article_id}")
            return
        day = _dt.datetime.strptime(parts[1], "%Y%m%d").date()
        found = [item for item in self._news(instrument, day, (provider,)) if item[2] == message.article_id]
        if not found:
            self._validation(client, message.req_id, "bN", f"Invalid article id: {message.article_id}")
            return
        when, _, _, headline = found[0]
        body = (f"{headline}\n\n{format_time(when)}. A simulated article from the ibwire simulator about "
                f"{instrument.long_name}; it carries no information.")
        self._send(client, NewsArticle(request_id=message.req_id, article_type=0, article_text=body))

    # ------------------------------------------------------------ research without a subscription

    def _on_ReqFundamentalData(self, client: _Client, message: Any, now: float) -> None:
        """A paper account without IB's fundamentals entitlement: 10358 on the request's id."""
        self._error(client, message.req_id, 10358)

    def _on_CancelFundamentalData(self, client: _Client, message: Any, now: float) -> None:
        """Nothing to cancel: the request was refused."""

    def _on_ReqWshMetaData(self, client: _Client, message: Any, now: float) -> None:
        """Without the Wall Street Horizon subscription: 10276 on the request's id."""
        self._error(client, message.req_id, 10276)

    def _on_ReqWshEventData(self, client: _Client, message: Any, now: float) -> None:
        """Refused like the metadata request (10276)."""
        self._error(client, message.req_id, 10276)

    def _on_CancelWshMetaData(self, client: _Client, message: Any, now: float) -> None:
        """Nothing to cancel: the request was refused."""

    def _on_CancelWshEventData(self, client: _Client, message: Any, now: float) -> None:
        """Nothing to cancel: the request was refused."""

    # ------------------------------------------------------------ small reference requests

    def _on_ReqSmartComponents(self, client: _Client, message: Any, now: float) -> None:
        components = tuple(SmartComponent(bit_number=b, exchange=e, exchange_letter=x) for b, e, x in _SMART_COMPONENTS)
        self._send(client, SmartComponents(req_id=message.req_id, smart_component_map=components))

    def _on_ReqMktDepthExchanges(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, MktDepthExchanges(depth_mkt_data_descriptions=tuple(
            DepthMktDataDescription(exchange=e, sec_type=t, listing_exch=listing, service_data_type=kind, agg_group=group)
            for e, t, listing, kind, group in _DEPTH_EXCHANGES
        )))

    def _on_ReqMatchingSymbols(self, client: _Client, message: Any, now: float) -> None:
        pattern = message.pattern.upper()
        found = [
            i for i in self.universe.instruments
            if i.sec_type in ("STK", "CASH") and (i.symbol.startswith(pattern) or pattern in i.long_name.upper())
        ]
        descriptions = tuple(
            ContractDescription(contract=i.contract, derivative_sec_types=("OPT",) if i.symbol == "AAPL" else ())
            for i in found[:16]
        )
        self._send(client, SymbolSamples(req_id=message.req_id, contract_descriptions=descriptions))

    def _on_ReqFamilyCodes(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, FamilyCodes(family_codes=tuple(FamilyCode(account_id=a, family_code_str="") for a in self.accounts)))

    def _on_ReqSoftDollarTiers(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, SoftDollarTiers(req_id=message.req_id, tiers=()))

    # ------------------------------------------------------------ FA, single account

    def _on_ReqFa(self, client: _Client, message: Any, now: float) -> None:
        fa_data = int(message.fa_data)
        if fa_data == 3:
            aliases = "".join(
                f"<AccountAlias><account>{a}</account><alias>{a}</alias></AccountAlias>" for a in self.accounts
            )
            xml = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListOfAccountAliases>{aliases}</ListOfAccountAliases>\n"
        elif fa_data in _FA_XML:
            xml = _FA_XML[fa_data]
        else:
            self._validation(client, -1, "bF", f"Invalid FA data type: {fa_data}")
            return
        self._send(client, ReceiveFa(fa_data=fa_data, cxml=xml))

    def _on_ReplaceFa(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, ReplaceFaEnd(req_id=message.req_id, text=""))
