"""Protobuf decode + dispatch per message: ibwire against the official client.

From server version 201 nearly every incoming message is a protobuf body behind a
4-byte raw id.  This benchmark builds real-shaped frames of eleven kinds at server
version 226 with ibwire's own server side (:class:`ibwire.ServerProtocol`), and
times, per kind:

* ibwire: the length-prefixed bytes cut into 64 KiB reads, through
  :meth:`ibwire.ClientProtocol.receive_data` / ``events_received`` (framing,
  raw id, protobuf decoding, the message object) and
  :class:`ibwire.dispatch.Dispatcher` to an :class:`ibwire.Wrapper` subclass whose
  callbacks count.  A second figure, "payloads", starts where the official side
  starts: the frames' payloads (raw id + body, framing done), as many per batch
  as a 64 KiB read holds, through the protocol's decode loop (the private
  ``_decode_frames`` that ``receive_data`` calls after framing), then the same
  dispatch;
* official (``ibapi-latest`` 10.x with the upb-backed ``protobuf``): the
  protobuf branch of ``EClient.run`` on each frame's payload (raw id cut off, the
  id minus 200, ``Decoder.processProtoBuf``) to an ``EWrapper`` subclass whose
  callbacks count.  Its framing and its reader queue are left out.  Two
  figures: with the ``*ProtoBuf`` callbacks (``tickPriceProtoBuf``...) as
  ``EWrapper`` ships them (they look up the log level on every message), as a
  user who overrides only the callbacks they use gets; and "lean", with those
  callbacks overridden to do nothing, the least its decode path can cost.

The official client imports as ``ibapi``: it runs in an interpreter of its own,
given with ``--python official=PATH``; that interpreter runs this script for its
side on the same frames (ibwire, stdlib-only, builds them there too) and hands
its figures back, all in one invocation.  Times are CPU time of the process
(``time.process_time``), best of ``--repeat`` runs, in microseconds per message.
Before any figure is printed, every callback count is checked against what the
frames hold, and ibwire's decoded messages are checked equal to the messages the
server side encoded.

Run: ``python benchmarks/bench_protobuf.py [--messages N] [--repeat R]
[--python official=PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

VERSION = 226
READ_SIZE = 65536
#: Frames per kind; the timed run cycles over them.
VARIANTS = 64
#: Bars per HistoricalData message.
BARS = 100

#: Kind -> (ibwire callback, official callback, official calls per message).
KINDS: dict[str, tuple[str, str, int]] = {
    "TickPrice": ("tick_price", "tickPrice", 1),
    "TickSize": ("tick_size", "tickSize", 1),
    "TickOptionComputation": ("tick_option_computation", "tickOptionComputation", 1),
    "OrderStatus": ("order_status", "orderStatus", 1),
    "ExecutionDetails": ("exec_details", "execDetails", 1),
    "ContractData": ("contract_details", "contractDetails", 1),
    "OpenOrder": ("open_order", "openOrder", 1),
    "HistoricalData": ("historical_data", "historicalData", BARS),
    "Position": ("position", "position", 1),
    "AccountValue": ("update_account_value", "updateAccountValue", 1),
    "ErrorMessage": ("error", "error", 1),
}


# ----------------------------------------------------------------------------- frames


def _contract(n: int) -> Any:
    from ibwire import messages as m

    return m.Contract(
        con_id=265598 + n,
        symbol="AAPL",
        sec_type="STK",
        exchange="SMART",
        primary_exchange="NASDAQ",
        currency="USD",
        local_symbol="AAPL",
        trading_class="NMS",
    )


def _option(n: int) -> Any:
    from ibwire import messages as m

    return m.Contract(
        con_id=712451338 + n,
        symbol="SPY",
        sec_type="OPT",
        last_trade_date_or_contract_month="20261218",
        strike=600.0 + n,
        right="C",
        multiplier="100",
        exchange="SMART",
        currency="USD",
        local_symbol=f"SPY   261218C00{600 + n}000",
        trading_class="SPY",
    )


def _messages(kind: str, n: int) -> Any:
    """Variant ``n`` of one kind: values that vary from frame to frame."""
    from ibwire import messages as m
    from ibwire.messages.ticktypes import TickType

    price = 187.25 + n / 100
    if kind == "TickPrice":
        return m.TickPrice(
            req_id=1000 + n % 8,
            tick_type=TickType((1, 2, 4, 9)[n % 4]),
            price=price,
            size=Decimal(100 * (n % 7 + 1)),
            attrib=m.TickAttrib(can_auto_execute=n % 4 != 3),
        )
    if kind == "TickSize":
        return m.TickSize(req_id=1000 + n % 8, tick_type=TickType((0, 3, 5, 8)[n % 4]),
                          size=Decimal(100 * (n + 1)))  # fmt: skip
    if kind == "TickOptionComputation":
        return m.TickOptionComputation(
            req_id=2000 + n % 8, tick_type=TickType(13), tick_attrib=0,
            implied_vol=0.1834 + n / 1e4, delta=0.5123 - n / 1e4, opt_price=12.45 + n / 100,
            pv_dividend=1.82, gamma=0.0123, vega=0.8834, theta=-0.0923, und_price=price,
        )  # fmt: skip
    if kind == "OrderStatus":
        return m.OrderStatus(
            order_id=10 + n, status="Submitted", filled=Decimal(n % 5 * 10),
            remaining=Decimal(100 - n % 5 * 10), avg_fill_price=price if n % 5 else 0.0,
            perm_id=1795349411 + n, parent_id=0, last_fill_price=price if n % 5 else 0.0,
            client_id=7, why_held="", mkt_cap_price=0.0,
        )  # fmt: skip
    if kind == "ExecutionDetails":
        return m.ExecutionData(
            req_id=-1,
            contract=_contract(n),
            execution=m.Execution(
                exec_id=f"0000e0d5.6575f1d2.01.{n:02d}", time="20261203 14:30:01 US/Eastern",
                acct_number="DU1234567", exchange="ISLAND", side="BOT", shares=Decimal(100),
                price=price, perm_id=1795349411 + n, client_id=7, order_id=10 + n,
                cum_qty=Decimal(100), avg_price=price, last_liquidity=2,
            ),
        )  # fmt: skip
    if kind == "ContractData":
        return m.ContractData(
            req_id=3000 + n,
            contract_details=m.ContractDetails(
                contract=_contract(n), market_name="NMS", min_tick=0.01,
                order_types="ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AON,AVGCOST,BASKET,BENCHPX,"
                "CASHQTY,COND,CONDORDER,DARKONLY,DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,"
                "DUR,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,"
                "MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,"
                "PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,"
                "SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,TRAILLMT,"
                "TRAILMIT,WHATIF",
                valid_exchanges="SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,NASDAQ,DRCTEDGE,BEX,"
                "BATS,EDGEA,BYX,IEX,EDGX,FOXRIVER,PEARL,NYSENAT,LTSE,MEMX,IBEOS,OVERNIGHT,"
                "TPLUS0,PSX",
                price_magnifier=1, under_con_id=0, long_name="APPLE INC",
                industry="Technology", category="Computers", subcategory="Computers",
                time_zone_id="US/Eastern",
                trading_hours="20261203:0400-20261203:2000;20261204:0400-20261204:2000;"
                "20261205:0400-20261205:2000;20261206:CLOSED;20261207:CLOSED",
                liquid_hours="20261203:0930-20261203:1600;20261204:0930-20261204:1600;"
                "20261205:0930-20261205:1600;20261206:CLOSED;20261207:CLOSED",
                sec_id_list=(m.TagValue(tag="ISIN", value="US0378331005"),),
                agg_group=1, market_rule_ids="26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26,26",
                stock_type="COMMON", min_size=Decimal("0.0001"),
                size_increment=Decimal("0.0001"), suggested_size_increment=Decimal(100),
            ),
        )  # fmt: skip
    if kind == "OpenOrder":
        return m.OpenOrder(
            order_id=10 + n,
            contract=_contract(n),
            order=m.Order(
                order_id=10 + n, client_id=7, perm_id=1795349411 + n, action="BUY",
                total_quantity=Decimal(100), order_type="LMT", lmt_price=price - 1,
                aux_price=0.0, tif="DAY", oca_type=3, account="DU1234567", open_close="",
                origin=0, exempt_code=-1, outside_rth=False, trigger_method=0,
                order_ref=f"strategy-{n}", transmit=True,
            ),
            order_state=m.OrderState(status="Submitted", commission_and_fees_currency="USD",
                                     margin_currency="USD"),
        )  # fmt: skip
    if kind == "HistoricalData":
        bars = tuple(
            m.BarData(
                date=f"{1764772200 + 60 * (n * BARS + i)}", open=price + i / 100,
                high=price + i / 100 + 0.2, low=price + i / 100 - 0.1, close=price + i / 100 + 0.1,
                volume=Decimal(1000 + i), wap=Decimal("187.312"), bar_count=42 + i,
            )  # fmt: skip
            for i in range(BARS)
        )
        return m.HistoricalData(req_id=4000 + n, bars=bars)
    if kind == "Position":
        return m.PositionData(account="DU1234567", contract=_option(n),
                              position=Decimal(n + 1), avg_cost=1245.5 + n)  # fmt: skip
    if kind == "AccountValue":
        return m.AcctValue(key=("NetLiquidation", "CashBalance", "BuyingPower")[n % 3],
                           val=f"{1000000 + n * 17.5:.2f}", currency="USD",
                           account_name="DU1234567")  # fmt: skip
    if kind == "ErrorMessage":
        return m.ErrMsg(req_id=3000 + n, error_code=200,
                        error_string="No security definition has been found for the request",
                        error_time=1764772200000 + n)  # fmt: skip
    raise KeyError(kind)


def _client() -> Any:
    """A client handshaken at :data:`VERSION` with the gateway side of
    ``_stream.gateway_side``, its start-up messages read."""
    from _stream import gateway_side

    from ibwire import ClientProtocol

    _, reply, startup = gateway_side(VERSION)
    client = ClientProtocol(7, max_version=VERSION)
    client.connect()
    client.receive_data(reply + startup)
    client.events_received()
    assert client.server_version == VERSION
    return client


def frames(kind: str) -> tuple[list[Any], list[bytes]]:
    """The messages of one kind and their frames (length prefix included)."""
    from _stream import gateway_side

    server, _, _ = gateway_side(VERSION)
    messages = [_messages(kind, n) for n in range(VARIANTS)]
    wire = []
    for message in messages:
        server.send(message)
        frame = server.data_to_send()
        assert int.from_bytes(frame[4:8], "big") > 200, f"{kind} did not go as protobuf"
        wire.append(frame)
    return messages, wire


# ----------------------------------------------------------------------------- sides


def _counting(base: type, names: dict[str, int], noop: list[str]) -> type:
    def counter(slot: int) -> Callable[..., None]:
        def callback(self: Any, *args: object) -> None:
            self.counts[slot] += 1

        return callback

    def nothing(self: Any, *args: object) -> None:
        pass

    namespace: dict[str, Any] = {name: nothing for name in noop}
    namespace.update({name: counter(slot) for name, slot in names.items()})
    return type(f"Counting{base.__name__}", (base,), namespace)


class IbwireSide:
    key = "ibwire"
    name = "ibwire"

    def __init__(self) -> None:
        from ibwire.dispatch import Dispatcher
        from ibwire.wrapper import Wrapper

        self.Dispatcher = Dispatcher
        callbacks = {ibwire: n for n, (ibwire, _, _) in enumerate(KINDS.values())}
        self.wrapper_cls = _counting(Wrapper, callbacks, [])
        self.payloads = False

    def prepare(self, kind: str, count: int) -> Any:
        messages, wire = frames(kind)
        data = b"".join(wire[n % VARIANTS] for n in range(count))
        reads: list[Any] = [data[i : i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]
        if self.payloads:
            payloads = [wire[n % VARIANTS][4:] for n in range(count)]
            per_read = max(1, count * READ_SIZE // len(data))
            reads = [payloads[i : i + per_read] for i in range(0, count, per_read)]
        client = _client()
        wrapper = self.wrapper_cls()
        wrapper.counts = [0] * len(KINDS)
        # Values first: what ibwire decodes is what the server side encoded.
        client.receive_data(b"".join(wire))
        decoded = client.events_received()
        if decoded != messages:
            wrong = next(i for i, (a, b) in enumerate(zip(decoded, messages, strict=False)) if a != b)
            raise SystemExit(f"ibwire decodes {kind} #{wrong} differently:\n{decoded[wrong]}\n"
                             f"!=\n{messages[wrong]}")  # fmt: skip
        return client, wrapper, self.Dispatcher(wrapper).dispatch_all, reads

    def run(self, state: Any) -> None:
        client, _, deliver, reads = state
        receive = client._decode_frames if self.payloads else client.receive_data
        take = client.events_received
        for data in reads:
            receive(data)
            deliver(take())

    def calls(self, state: Any, kind: str) -> int:
        return int(state[1].counts[list(KINDS).index(kind)])

    def expected(self, kind: str, count: int) -> int:
        return count


class OfficialSide:
    key = "official"
    name = "official"

    def __init__(self) -> None:
        import logging

        import ibapi
        import ibapi.decoder
        import ibapi.wrapper
        from google.protobuf.internal import api_implementation

        self.name = f"ibapi {ibapi.get_version_string()} ({api_implementation.Type()})"
        self.Decoder = ibapi.decoder.Decoder
        self.logger = logging.getLogger("ibapi.client")
        wrapper = ibapi.wrapper.EWrapper
        noop = [name for name in dir(wrapper) if name.endswith("ProtoBuf")]
        callbacks = {official: n for n, (_, official, _) in enumerate(KINDS.values())}
        self.wrapper_cls = _counting(wrapper, callbacks, [])
        self.lean_cls = _counting(wrapper, callbacks, noop)
        self.lean = False

    def prepare(self, kind: str, count: int) -> Any:
        _, wire = frames(kind)
        payloads = [wire[n % VARIANTS][4:] for n in range(count)]
        wrapper = (self.lean_cls if self.lean else self.wrapper_cls)()
        wrapper.counts = [0] * len(KINDS)
        return self.Decoder(wrapper, VERSION), wrapper, payloads

    def run(self, state: Any) -> None:
        decoder, _, payloads = state
        process = decoder.processProtoBuf
        logger = self.logger
        for text in payloads:
            # The protobuf branch of EClient.run.
            msg_id = int.from_bytes(text[:4], "big")
            text = text[4:]
            if msg_id > 200:
                msg_id -= 200
                logger.debug("msgId: %d, protobuf: %s", msg_id, text)
                process(text, msg_id)

    def calls(self, state: Any, kind: str) -> int:
        # processTickPriceMsgProtoBuf follows a bid/ask/last price with a
        # tickSize call: counted apart, under TickSize.
        return int(state[1].counts[list(KINDS).index(kind)])

    def expected(self, kind: str, count: int) -> int:
        return count * KINDS[kind][2]


def _measure(side: Any, kinds: list[str], count: int, repeat: int) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        best = None
        problem = None
        side.run(side.prepare(kind, min(count, 2000)))  # warm up
        for _ in range(repeat):
            state = side.prepare(kind, count)
            gc.collect()
            start = time.process_time()
            side.run(state)
            elapsed = time.process_time() - start
            calls, want = side.calls(state, kind), side.expected(kind, count)
            if calls != want:
                problem = f"{calls} callbacks, {want} expected"
                break
            best = elapsed if best is None else min(best, elapsed)
        if problem is not None or best is None:
            results[kind] = {"check": problem or "not run"}
        else:
            results[kind] = {"us": best / count * 1e6}
    return results


def _run_elsewhere(key: str, python: str, kinds: list[str], count: int, repeat: int) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = [python, str(Path(__file__).resolve()), "--only", key, "--json",
            "--messages", str(count), "--repeat", str(repeat), "--kinds", ",".join(kinds)]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:]
        return {"name": key, "results": {kind: {"missing": f"{python} failed: {tail}"} for kind in kinds}}
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def run(
    count: int = 20_000,
    repeat: int = 3,
    kinds: list[str] | None = None,
    pythons: dict[str, str] | None = None,
    only: set[str] | None = None,
) -> tuple[dict[str, str], dict[str, dict[str, dict[str, Any]]]]:
    """Side key -> display name, and kind -> side key -> {"us": ...} or {"check"/"missing": ...}."""
    kinds = kinds or list(KINDS)
    pythons = pythons or {}
    names: dict[str, str] = {}
    table: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in kinds}
    for cls in (IbwireSide, OfficialSide):
        key = cls.key
        if only is not None and key not in only:
            continue
        if key in pythons:
            report = _run_elsewhere(key, pythons[key], kinds, count, repeat)
            names[key] = report["name"]
            for kind, cell in report["results"].items():
                table[kind][key] = cell
            continue
        try:
            side = cls()
        except ImportError as exc:
            names[key] = key
            for kind in kinds:
                table[kind][key] = {"missing": f"not installed here ({exc}); use --python {key}=PATH"}
            continue
        names[key] = side.name
        for kind, cell in _measure(side, kinds, count, repeat).items():
            table[kind][key] = cell
        if isinstance(side, OfficialSide):
            side.lean = True
            for kind, cell in _measure(side, kinds, count, repeat).items():
                if "us" in cell and "us" in table[kind][key]:
                    table[kind][key]["lean_us"] = cell["us"]
        if isinstance(side, IbwireSide):
            side.payloads = True
            for kind, cell in _measure(side, kinds, count, repeat).items():
                if "us" in cell and "us" in table[kind][key]:
                    table[kind][key]["payloads_us"] = cell["us"]
    return names, table


def _cell(cell: dict[str, Any], what: str) -> str:
    if what in cell:
        return f"{cell[what]:.2f}"
    return "CHECK FAILED" if "check" in cell else "n/a"


def _ratio(theirs: float | None, mine: float | None) -> str:
    return f"{theirs / mine:.2f}" if mine and theirs else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="messages per kind per run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure (best kept)")
    parser.add_argument("--python", action="append", default=[], help="KEY=PATH: run that side there")
    parser.add_argument("--only", help="comma-separated sides (ibwire, official)")
    parser.add_argument("--kinds", help="comma-separated kinds (default: all)")
    parser.add_argument("--json", action="store_true", help="print one side's results as JSON")
    args = parser.parse_args()
    pythons = {}
    for item in args.python:
        key, sep, path = item.partition("=")
        if not sep:
            raise SystemExit(f"--python wants KEY=PATH, not {item!r}")
        pythons[key] = path
    kinds = args.kinds.split(",") if args.kinds else None
    only = set(args.only.split(",")) if args.only else None
    names, table = run(args.messages, args.repeat, kinds, pythons, only)
    if args.json:
        (key,) = names
        print(json.dumps({"name": names[key], "results": {k: row[key] for k, row in table.items()}}))
        return
    print(f"protobuf decode + dispatch at server version {VERSION}, {args.messages:,} messages "
          f"per kind, best of {args.repeat}, CPU microseconds per message")  # fmt: skip
    official = names.get("official", "official")
    print(f"ibwire: {names.get('ibwire', 'ibwire')}; official: {official}")
    print("ibwire: from bytes (framing included); payloads: from the payloads, as the official side")
    widths = (10, 10, 12, 10, 10, 10, 12)
    heads = ("ibwire", "official", "x official", "lean", "x lean", "payloads", "x official")
    print(f"{'kind':<24}" + "".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)))
    for kind, row in table.items():
        ours = row.get("ibwire", {})
        mine = ours.get("us")
        theirs = row.get("official", {})
        cells = [_cell(ours, "us"), _cell(theirs, "us"),
                 _ratio(theirs.get("us"), mine), _cell(theirs, "lean_us"),
                 _ratio(theirs.get("lean_us"), mine), _cell(ours, "payloads_us"),
                 _ratio(theirs.get("us"), ours.get("payloads_us"))]  # fmt: skip
        print(f"{kind:<24}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    for kind, row in table.items():
        for key, cell in row.items():
            for what in ("check", "missing"):
                if what in cell:
                    print(f"* {kind}, {key}: {cell[what]}")


if __name__ == "__main__":
    main()
