"""MIB library benchmarks: compile time per module, browser search, resolver throughput.

    .venv/bin/python bench/mibs/run.py [--rounds 3] [--json out.json]

Reports, side by side with Net-SNMP where it has an equivalent (perf-anchors row 4):

1. Cold compile of the anchor set (IF-MIB, SNMPv2-MIB, NET-SNMP-TC, IANAifType-MIB,
   NET-SNMP-MIB) in a fresh process with an empty cache, against ``snmptranslate -Tp``
   parsing the same files; then the warm reload (everything cached).
2. Compile time per module, in one process: the default standard set and every module
   in the standard cache, cold.
3. Browser search over an index of 100 loaded modules, through HTTP on the real router
   (target: under 50 ms), and in-process.
4. Resolver throughput (OID -> name, value rendering) against the 100,000 var-binds/s a
   trap receiver at 20,000 traps/s x 5 var-binds needs.

A benchmark, never a pass/fail test: it prints numbers and ratios.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.common.mibs.index import MibIndex  # noqa: E402
from services.gateway.mibs import compiler  # noqa: E402

STANDARD = ROOT / "build" / "standard-mibs"
ANCHOR = ["IF-MIB", "SNMPv2-MIB", "NET-SNMP-TC", "IANAifType-MIB", "NET-SNMP-MIB"]


def med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def ensure_standard() -> None:
    if not (STANDARD / ".complete").is_file():
        subprocess.run(
            ["bash", str(ROOT / "tools/standard-mibs/fetch.sh"), str(STANDARD)], check=True
        )


def cold_compile_fresh_process(modules: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        args = (f"{tmp}/user", str(STANDARD), f"{tmp}/cache", f"{tmp}/i.json", modules)
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from services.gateway.mibs.compiler import compile_library\n"
            f"compile_library(*{args!r})\n"
        )
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.monotonic() - t


def snmptranslate_parse(modules: list[str]) -> float | None:
    try:
        t = time.monotonic()
        subprocess.run(
            ["snmptranslate", "-M", str(STANDARD / "modules"), "-m", ":".join(modules), "-Tp"],
            check=True,
            capture_output=True,
        )
        return time.monotonic() - t
    except (OSError, subprocess.CalledProcessError):
        return None


def bench_anchor(rounds: int, out: dict[str, Any]) -> None:
    ours = [cold_compile_fresh_process(ANCHOR) for _ in range(rounds)]
    theirs = [x for x in (snmptranslate_parse(ANCHOR) for _ in range(rounds)) if x is not None]
    with tempfile.TemporaryDirectory() as tmp:
        compiler.compile_library(f"{tmp}/u", str(STANDARD), f"{tmp}/c", f"{tmp}/i.json", ANCHOR)
        warm = []
        for _ in range(rounds):
            t = time.monotonic()
            compiler.compile_library(f"{tmp}/u", str(STANDARD), f"{tmp}/c", f"{tmp}/i.json", ANCHOR)
            warm.append(time.monotonic() - t)
    print("\n1. anchor set (5 modules + deps), wall seconds, median (min-max)")
    print(f"   snmplab cold, fresh process (pysmi -> JSON + index): {med(ours)}")
    if theirs:
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"   snmptranslate -Tp (parse + print, no codegen):      {med(theirs)}")
        print(f"   ratio snmplab cold / snmptranslate: {ratio:.0f}x")
    print(f"   snmplab warm reload (all cached, in-process):         {med(warm)}")
    out["anchor"] = {"cold_fresh_process_s": ours, "snmptranslate_s": theirs, "warm_s": warm}


def bench_per_module(out: dict[str, Any]) -> None:
    print("\n2. cold compile per module (in one process, parser built once)")
    catalog = compiler.catalog_standard(STANDARD)
    sets = {"default set": list(compiler.DEFAULT_STANDARD_MODULES), "all standard": sorted(catalog)}
    compiler.smi_parser()  # one-off grammar build, reported separately
    for label, modules in sets.items():
        with tempfile.TemporaryDirectory() as tmp:
            t = time.monotonic()
            summary = compiler.compile_library(
                f"{tmp}/u", str(STANDARD), f"{tmp}/c", f"{tmp}/i.json", modules
            )
            dt = time.monotonic() - t
        n = max(summary["compiled"], 1)
        print(
            f"   {label}: {summary['compiled']} modules compiled in {dt:.2f} s "
            f"= {1000 * dt / n:.1f} ms/module; index {summary['nodes']} nodes"
        )
        out[f"per_module_{label}"] = {"modules": summary["compiled"], "seconds": dt}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_search(rounds: int, out: dict[str, Any]) -> None:
    import httpx
    import uvicorn
    from fastapi import FastAPI

    from services.gateway.config import GatewaySettings
    from services.gateway.mibs import create_library

    names = [m for m in sorted(compiler.catalog_standard(STANDARD))]
    # 100 modules that compile cleanly, the default set first.
    chosen = list(compiler.DEFAULT_STANDARD_MODULES)
    with tempfile.TemporaryDirectory() as tmp:
        probe = compiler.compile_library(
            f"{tmp}/u", str(STANDARD), str(ROOT / "build/mib-bench-cache"), f"{tmp}/i.json", names
        )
        ok = [m["name"] for m in probe["modules"] if m["status"] == "loaded"]
        chosen += [m for m in ok if m not in chosen]
        chosen = chosen[:100]
        settings = GatewaySettings(
            gateway_data_dir=Path(tmp) / "gw",
            mib_standard_dir=STANDARD,
            mib_cache_dir=ROOT / "build" / "mib-bench-cache",
            mib_standard_modules=",".join(chosen),
            internal_secret="bench",
        )

        async def publish(_m: dict[str, Any]) -> None:
            return None

        library = create_library(settings, publish)
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(_app: FastAPI):  # type: ignore[no-untyped-def]
            await library.start()
            yield
            await library.stop()

        app = FastAPI(lifespan=lifespan)
        app.include_router(library.public_router, prefix="/api/mibs")
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=120) as c:
                deadline = time.monotonic() + 300
                while True:
                    try:
                        if c.get("/api/mibs/status").json()["ready"]:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit("library never became ready")
                    time.sleep(0.1)
                status = c.get("/api/mibs/status").json()
                c.get("/api/mibs/browse/search", params={"query": "warmup"})
                queries = [
                    "ifOperStatus",
                    "status",
                    "1.3.6.1.2.1.2",
                    "octets",
                    "temperature",
                    "operational state",
                    "e",
                ]
                print(
                    f"\n3. browser search over {status['index']['modules']} loaded modules "
                    f"({status['index']['nodes']} nodes), HTTP round trip, ms"
                )
                res: dict[str, Any] = {}
                for q in queries:
                    if len(q) < 2:
                        continue
                    times = []
                    for _ in range(max(rounds * 10, 20)):
                        t = time.monotonic()
                        r = c.get("/api/mibs/browse/search", params={"query": q, "limit": 100})
                        times.append((time.monotonic() - t) * 1000)
                    n = r.json()["count"]
                    times.sort()
                    p95 = times[int(len(times) * 0.95) - 1]
                    print(
                        f"   {q!r:24} results {n:4}  median {statistics.median(times):6.1f}  "
                        f"p95 {p95:6.1f}  (target < 50)"
                    )
                    res[q] = {"median_ms": statistics.median(times), "p95_ms": p95}
                out["search_http"] = res
        finally:
            server.should_exit = True
            thread.join(timeout=30)


def bench_resolver(out: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        summary = compiler.compile_library(
            f"{tmp}/u", str(STANDARD), str(ROOT / "build/mib-bench-cache"), f"{tmp}/i.json"
        )
        body = Path(f"{tmp}/i.json").read_bytes()
    t = time.monotonic()
    idx = MibIndex.from_json(body, summary["etag"])
    load = time.monotonic() - t
    oids = [(1, 3, 6, 1, 2, 1, 2, 2, 1, c, i) for c in range(1, 23) for i in range(1, 200)]
    oids += [(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, c, i) for c in range(1, 20) for i in range(1, 200)]
    t = time.monotonic()
    for o in oids:
        idx.resolve(o)
    cold = len(oids) / (time.monotonic() - t)
    n = 0
    t = time.monotonic()
    while time.monotonic() - t < 1.0:
        for o in oids[:1000]:
            idx.resolve(o)
        n += 1000
    warm = n / (time.monotonic() - t)
    n = 0
    t = time.monotonic()
    while time.monotonic() - t < 1.0:
        for i in range(1000):
            idx.format_value(oids[i % 199 + 7 * 199], "Integer32", 2)
        n += 1000
    fmt = n / (time.monotonic() - t)
    print(f"\n4. resolver: index of {len(idx)} nodes loaded in {1000 * load:.0f} ms")
    print(f"   OID -> name, first sight (decodes the INDEX): {cold:,.0f}/s")
    print(f"   OID -> name, cached:                           {warm:,.0f}/s")
    print(f"   value rendering (enum label):                  {fmt:,.0f}/s")
    print("   needed by trapd at 20,000 traps/s x 5 var-binds: 100,000/s")
    out["resolver"] = {
        "load_ms": 1000 * load,
        "cold_per_s": cold,
        "cached_per_s": warm,
        "format_per_s": fmt,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip", default="", help="comma list of: anchor,per-module,search,resolver")
    args = ap.parse_args()
    ensure_standard()
    skip = set(args.skip.split(","))
    out: dict[str, Any] = {}
    if "anchor" not in skip:
        bench_anchor(args.rounds, out)
    if "per-module" not in skip:
        bench_per_module(out)
    if "search" not in skip:
        bench_search(args.rounds, out)
    if "resolver" not in skip:
        bench_resolver(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
