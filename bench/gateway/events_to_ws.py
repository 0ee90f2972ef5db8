"""Gateway fan-out benchmark: signed trap events in over UDP, ``trap`` messages out over WebSocket.

Starts the gateway as its own process (no services needed), connects N WebSocket clients,
sends signed trap events from a separate process at a fixed rate, and reports what each
client got, what the gateway dropped or reported as missed, its CPU per event, and the
latency from send to receipt (p50/p99).

    .venv/bin/python -m bench.gateway.events_to_ws --rate 1000 --seconds 5 --clients 10
    .venv/bin/python -m bench.gateway.events_to_ws --rate 20000 --seconds 5 --clients 1

Not a test: numbers depend on the machine and its load. There is no reference tool to
compare with here (snmptrapd has no WebSocket side); the trap daemon's benchmark compares
the receiving side with snmptrapd.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from services.common.events import EventSender
from tests.service.gateway_harness import SECRET, run_gateway, trap_record


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _send(target: tuple[str, int], rate: int, seconds: float, start_seq: int) -> None:
    """Runs in its own process: paced in 1 ms slices so the rate holds without a busy loop."""
    sender = EventSender(SECRET.encode(), "trapd", [target])
    total = int(rate * seconds)
    t0 = time.perf_counter()
    sent = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - t0) * rate) + 1)
        while sent < due:
            record = trap_record(start_seq + sent)
            record["sent_at"] = time.time()
            sender.send("trap", record)
            sent += 1
        time.sleep(0.001)
    sender.close()


async def _client(url: str, expected: int, ready: Any) -> dict[str, Any]:
    latencies: list[float] = []
    traps = 0
    missed = 0
    async with connect(url, max_size=None, max_queue=4096) as ws:
        json.loads(await ws.recv())  # full_state
        ready.set()
        while traps + missed < expected:
            try:
                raw = await asyncio.wait_for(ws.recv(), 10)
            except TimeoutError:
                break
            msg = json.loads(raw)
            if msg["type"] == "trap":
                traps += 1
                latencies.append(time.time() - msg["trap"]["sent_at"])
            elif msg["type"] == "missed":
                missed += msg["count"]
    return {"traps": traps, "missed": missed, "latencies": latencies}


async def _ping_probe(url: str, rtts: list[float], stop: asyncio.Event) -> None:
    """Is the gateway still responsive? A client that only pings, every 100 ms."""
    async with connect(url, max_size=None) as ws:
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] == "full_state":
                break
        while not stop.is_set():
            t0 = time.perf_counter()
            await ws.send("ping")
            while (await ws.recv()) != "pong":
                pass
            rtts.append(time.perf_counter() - t0)
            await asyncio.sleep(0.1)


def _client_proc(url: str, expected: int, ready: Any, out: Any) -> None:
    """Each client in its own process, so the receivers are not the bottleneck measured."""
    out.put(asyncio.run(_client(url, expected, ready)))


async def run(rate: int, seconds: float, clients: int, queue: int) -> None:
    expected = int(rate * seconds)
    ctx = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_gateway(Path(tmp), SNMPLAB_WS_CLIENT_QUEUE=str(queue)) as gw,
    ):
        token = gw.login()
        url = f"{gw.ws_base}/api/ws?token={token}"
        out = ctx.Queue()
        readies = [ctx.Event() for _ in range(clients)]
        procs = [ctx.Process(target=_client_proc, args=(url, expected, r, out)) for r in readies]
        for p in procs:
            p.start()
        loop = asyncio.get_running_loop()
        for r in readies:
            await loop.run_in_executor(None, r.wait, 60)
        stop_probe = asyncio.Event()
        rtts: list[float] = []
        probe = asyncio.create_task(_ping_probe(url, rtts, stop_probe))
        cpu0 = _cpu_seconds(gw.proc.pid)
        sender = ctx.Process(target=_send, args=(gw.events, rate, seconds, 1))
        t0 = time.perf_counter()
        sender.start()
        await loop.run_in_executor(None, sender.join)
        send_time = time.perf_counter() - t0
        results = [await loop.run_in_executor(None, out.get, True, seconds + 60) for _ in procs]
        cpu = _cpu_seconds(gw.proc.pid) - cpu0
        stop_probe.set()
        await probe
        for p in procs:
            p.join(5)
        counters = gw.counters()
    lat = sorted(x for r in results for x in r["latencies"])
    delivered = [r["traps"] for r in results]
    print(
        f"rate {rate}/s for {seconds}s ({expected} events, sent in {send_time:.2f}s), "
        f"{clients} clients, queue {queue}"
    )
    print(
        f"  gateway accepted {counters['events_by_type'].get('trap', 0)} trap events; "
        f"dropped {counters['events_dropped']}; received datagrams {counters['events_received']}; "
        f"kernel drops {counters['events_kernel_drops']}"
    )
    print(
        f"  delivered per client: min {min(delivered)} max {max(delivered)}; "
        f"missed reported: {[r['missed'] for r in results]}"
    )
    print(
        f"  gateway CPU {cpu:.2f}s = {cpu / max(expected, 1) * 1e6:.0f} µs per event "
        f"({cpu / max(expected * clients, 1) * 1e6:.1f} µs per delivered message)"
    )
    if rtts:
        rtts.sort()
        print(
            f"  ping->pong on another client during the run: p50 "
            f"{statistics.median(rtts) * 1000:.1f} ms, max {rtts[-1] * 1000:.1f} ms "
            f"({len(rtts)} pings)"
        )
    if lat:
        print(
            f"  latency send->receive p50 {statistics.median(lat) * 1000:.1f} ms, "
            f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--queue", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, args.clients, args.queue))


if __name__ == "__main__":
    main()
