"""N WebSocket clients of the gateway that time every ``trap`` message (bench only).

Each trap from ``trapblast.py --stamp`` carries its send time (µs since the epoch) as a
Counter64 var-bind; the latency of one delivery is receive time minus that stamp, on the
same machine clock. Prints one JSON object with the per-client counts and the latencies'
p50/p99 in µs.

    python bench/trapd/wsclients.py ws://127.0.0.1:8000/api/ws --token T --clients 10 \\
        --expect 5000 --timeout 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import websockets

STAMP_OID = "1.3.6.1.4.1.99999.1.0"


async def client(url: str, lat: list[int], counts: list[int], idx: int,
                 ready: asyncio.Event, expect: int, done_at: list[float]) -> None:  # fmt: skip
    async with websockets.connect(url, max_size=2**24) as ws:
        first = json.loads(await ws.recv())
        assert first["type"] == "full_state", first
        counts[idx] = 0
        ready.set()
        async for raw in ws:
            now = time.time_ns() // 1000
            if '"type":"trap"' not in raw and '"type": "trap"' not in raw:
                continue
            msg = json.loads(raw)
            if msg.get("type") != "trap":
                continue
            for vb in msg["trap"]["varbinds"]:
                if vb["oid"] == STAMP_OID:
                    lat.append(now - int(vb["raw"]))
                    break
            counts[idx] += 1
            if counts[idx] >= expect:
                done_at[idx] = time.monotonic()
                return


def pct(values: list[int], p: float) -> int:
    if not values:
        return -1
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    url = f"{args.url}?token={args.token}"
    lat: list[int] = []
    counts = [-1] * args.clients
    done_at = [0.0] * args.clients
    readies = [asyncio.Event() for _ in range(args.clients)]
    tasks = [
        asyncio.create_task(client(url, lat, counts, i, readies[i], args.expect, done_at))
        for i in range(args.clients)
    ]
    await asyncio.gather(*(r.wait() for r in readies))
    print("READY", flush=True)  # the runner starts the sender on this line
    _done, pending = await asyncio.wait(tasks, timeout=args.timeout)
    for t in pending:
        t.cancel()
    return {
        "clients": args.clients,
        "received": counts,
        "latencies": len(lat),
        "p50_us": pct(lat, 50),
        "p99_us": pct(lat, 99),
        "max_us": max(lat) if lat else -1,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--token", required=True)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--expect", type=int, required=True, help="trap messages per client")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(main_async(args))), flush=True)


if __name__ == "__main__":
    main()
