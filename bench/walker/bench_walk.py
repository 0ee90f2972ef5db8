"""Full-tree bulk walk of Net-SNMP snmpd, side by side in one run:

  A  ``snmpbulkwalk -v2c -Cr25 -On``            (Net-SNMP, C)
  B  pysnmp 7 ``bulk_walk_cmd`` (max-rep 25)     (in its own process, MIB lookup off)
  C  the walker service: ``POST /walk`` bulkwalk r25, every row named from the MIB index
  (``--reps N``: max-repetitions N for all three instead of 25)
     (the first walk is reported on its own: later ones find the OIDs in its caches),
     once one request at a time (``parallel: 1``, like snmpbulkwalk) and once in segments
     walked side by side (``parallel: 4``)

Rounds interleave A, B, C. Each cell is OIDs/s (median, min-max); the ratios are the
result, since other jobs share the machine. The walker is timed from request to the last
byte of its JSON answer, so HTTP, rendering and name resolution are all inside.

    .venv/bin/python bench/walker/bench_walk.py --rounds 5 [--pin] [--mib-index FILE]

The MIB index is built with the gateway's compiler from ``build/standard-mibs`` (see
tools/standard-mibs/fetch.sh) unless ``--mib-index`` names a compiled ``index.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SECRET = "bench-secret"
ENV = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent"}

# --v3: the same walk as SNMPv3 authPriv (SHA-256 / AES-128) by all three clients.
V3_USER, V3_AUTH, V3_PRIV = "benchuser", "bench-auth-pass", "bench-priv-pass"
V3_NETSNMP = [
    "-v3",
    "-u",
    V3_USER,
    "-l",
    "authPriv",
    "-a",
    "SHA-256",
    "-A",
    V3_AUTH,
    "-x",
    "AES",
    "-X",
    V3_PRIV,
]
V3_API = {
    "version": "v3",
    "user": V3_USER,
    "auth_protocol": "SHA-256",
    "auth_key": V3_AUTH,
    "priv_protocol": "AES",
    "priv_key": V3_PRIV,
}

PYSNMP_WALK = r"""
import asyncio, sys, time
from pysnmp.hlapi.v3arch.asyncio import *
async def main(port, reps, v3):
    eng = SnmpEngine()
    auth = (UsmUserData("benchuser", "bench-auth-pass", "bench-priv-pass",
                        authProtocol=usmHMAC192SHA256AuthProtocol,
                        privProtocol=usmAesCfb128Protocol) if v3 else CommunityData("public"))
    target = await UdpTransportTarget.create(("127.0.0.1", port), timeout=2, retries=1)
    n = 0
    t0 = time.perf_counter()
    async for err, status, idx, vbs in bulk_walk_cmd(eng, auth, target,
            ContextData(), 0, reps, ObjectType(ObjectIdentity("1.3")), lookupMib=False,
            lexicographicMode=False):
        if err or status:
            print("error", err, status, file=sys.stderr); break
        n += len(vbs)
    print(n, time.perf_counter() - t0)
asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "v3"))
"""


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []


def start_snmpd(tmp: Path, cpu: int | None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port(socket.SOCK_DGRAM)
    conf = tmp / "snmpd.conf"
    conf.write_text(
        "rocommunity public 127.0.0.1\n"
        f"createUser {V3_USER} SHA-256 {V3_AUTH} AES {V3_PRIV}\nrouser {V3_USER} priv\n"
    )
    proc = subprocess.Popen(
        [
            *pin(cpu),
            "snmpd",
            "-f",
            "-Lf",
            str(tmp / "snmpd.log"),
            "-C",
            "-c",
            str(conf),
            "-p",
            str(tmp / "snmpd.pid"),
            f"udp:{HOST}:{port}",
        ],
        env={**ENV, "SNMP_PERSISTENT_DIR": str(tmp / "persist")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        r = subprocess.run(
            [
                "snmpget",
                "-v2c",
                "-c",
                "public",
                "-t",
                "0.2",
                "-r",
                "0",
                f"{HOST}:{port}",
                ".1.3.6.1.2.1.1.1.0",
            ],
            env=ENV,
            capture_output=True,
        )
        if r.returncode == 0:
            return proc, port
    raise SystemExit("snmpd did not start")


def build_index(tmp: Path, standard_dir: Path) -> Path:
    from services.gateway.mibs.compiler import compile_library

    out = tmp / "index.json"
    (tmp / "user-mibs").mkdir()
    summary = compile_library(
        str(tmp / "user-mibs"), str(standard_dir), str(ROOT / "build" / "mib-bench-cache"), str(out)
    )
    print(
        f"MIB index: {summary['nodes']} nodes, {summary['index_modules']} modules "
        f"({summary['seconds']} s)"
    )
    return out


def serve_index(path: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A stand-in for the gateway's ``/internal/mibs/index.json``."""
    body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/internal/mibs/index.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}"


def start_walker(tmp: Path, gateway: str, cpu: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port(socket.SOCK_STREAM)
    env = {
        **os.environ,
        "SNMPLAB_INTERNAL_SECRET": SECRET,
        "SNMPLAB_WALKER_CONTROL_HOST": HOST,
        "SNMPLAB_WALKER_CONTROL_PORT": str(port),
        "SNMPLAB_WALKER_DATA_DIR": str(tmp / "w"),
        "SNMPLAB_GATEWAY_URL": gateway,
        "SNMPLAB_LOG_LEVEL": "WARNING",
        "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{free_port(socket.SOCK_DGRAM)}",
    }
    proc = subprocess.Popen([*pin(cpu), sys.executable, "-m", "services.walker"], env=env, cwd=ROOT)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            st = httpx.get(url + "/mibs/status", headers={"X-Snmplab-Internal": SECRET}).json()
            if st["loaded"]:
                return proc, url
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise SystemExit("walker did not start or did not load the MIB index")


def run_snmpbulkwalk(port: int, cpu: int | None, v3: bool) -> tuple[int, float]:
    creds = V3_NETSNMP if v3 else ["-v2c", "-c", "public"]
    t0 = time.perf_counter()
    out = subprocess.run(
        [*pin(cpu), "snmpbulkwalk", *creds, f"-Cr{REPS}", "-On", f"{HOST}:{port}", ".1"],
        env=ENV,
        capture_output=True,
        check=True,
    )
    dt = time.perf_counter() - t0
    lines = out.stdout.decode("utf-8", "replace").splitlines()
    n = sum(1 for ln in lines if ln.startswith(".") and "No more variables" not in ln)
    return n, dt


def run_pysnmp(port: int, cpu: int | None, v3: bool) -> tuple[int, float]:
    out = subprocess.run(
        [*pin(cpu), sys.executable, "-c", PYSNMP_WALK, str(port), str(REPS), "v3" if v3 else "v2c"],
        capture_output=True,
        check=True,
        text=True,
    )
    n, dt = out.stdout.split()
    return int(n), float(dt)


def process_cpu(pid: int) -> float:
    """Seconds of CPU used so far by every thread of ``pid`` (0.0 where /proc has none)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(OSError, ValueError, IndexError):  # a thread that ended
            total += int(stat.read_text().split()[0])  # nanoseconds on a CPU
    return total / 1e9


def run_walker(
    client: httpx.Client, port: int, parallel: int, v3: bool
) -> tuple[int, float, float]:
    cpu0 = process_cpu(WALKER_PID[0]) if WALKER_PID else 0.0
    t0 = time.perf_counter()
    r = client.post(
        "/walk",
        json={
            "target": HOST,
            "port": port,
            "oid": ".1",
            "save": False,
            "operation": "bulkwalk",
            "max_repetitions": REPS,
            "max_oids": 0,
            "parallel": parallel,
            **(V3_API if v3 else {}),
        },
    )
    r.read()
    dt = time.perf_counter() - t0  # to the last byte; parsing the JSON is the client's cost
    body = r.json()
    assert body["status"] == "complete", body.get("message")
    named = sum(1 for v in body["varbinds"] if "::" in v["name"])
    OVERHEAD.append(dt - body["seconds"])
    if WALKER_PID and parallel == 1:
        CPU_PER_OID.append((process_cpu(WALKER_PID[0]) - cpu0) / max(1, body["count"]))
    return body["count"], dt, named / max(1, body["count"])


# Per walker call: seconds outside the walk itself (HTTP, rendering what was left, JSON).
OVERHEAD: list[float] = []
# The walker service's pid, and its CPU seconds per OID in each parallel-1 walk.
WALKER_PID: list[int] = []
CPU_PER_OID: list[float] = []
# max-repetitions of every tool's GETBULK (--reps)
REPS = 25


def summary(rates: list[float]) -> str:
    return f"{statistics.median(rates):>9,.0f} ({min(rates):,.0f}-{max(rates):,.0f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pin", action="store_true", help="agent on CPU 1, clients on CPU 0")
    ap.add_argument("--mib-index", type=Path, help="a compiled index.json to use")
    ap.add_argument("--standard-mibs", type=Path, default=ROOT / "build" / "standard-mibs")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    ap.add_argument("--parallel", type=int, default=4, help="segments for the second walker run")
    ap.add_argument("--no-pysnmp", action="store_true", help="skip pysnmp (quicker rounds)")
    ap.add_argument("--reps", type=int, default=25, help="max-repetitions for all tools")
    ap.add_argument("--v3", action="store_true", help="SNMPv3 authPriv (SHA-256/AES) walks")
    args = ap.parse_args()
    global REPS
    REPS = args.reps
    agent_cpu, client_cpu = (1, 0) if args.pin else (None, None)
    tmp = Path(tempfile.mkdtemp(prefix="walker-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        index = args.mib_index or build_index(tmp, args.standard_mibs)
        server, gateway = serve_index(index)
        snmpd, port = start_snmpd(tmp, agent_cpu)
        procs.append(snmpd)
        walker, url = start_walker(tmp, gateway, client_cpu)
        procs.append(walker)
        WALKER_PID.append(walker.pid)
        walkers = {"walker": 1, f"walker p{args.parallel}": args.parallel}
        rates: dict[str, list[float]] = {"snmpbulkwalk": []}
        if not args.no_pysnmp:
            rates["pysnmp"] = []
        rates.update({k: [] for k in walkers})
        counts: dict[str, list[int]] = {k: [] for k in rates}
        named = 0.0
        with httpx.Client(base_url=url, headers={"X-Snmplab-Internal": SECRET}, timeout=60) as c:
            # The first walk meets every OID for the first time (names, decoded OIDs and
            # rendering decisions are then cached per OID); later rounds re-walk the device.
            n, dt = run_snmpbulkwalk(port, client_cpu, args.v3)
            cold_ref = n / dt
            n, dt, _ = run_walker(c, port, 1, args.v3)
            cold = n / dt
            print(
                f"first walk (cold caches): walker {cold:,.0f}/s, snmpbulkwalk {cold_ref:,.0f}/s"
                f" -> {cold / cold_ref:.2f}"
            )
            run_walker(c, port, args.parallel, args.v3)
            for i in range(args.rounds):
                n, dt = run_snmpbulkwalk(port, client_cpu, args.v3)
                rates["snmpbulkwalk"].append(n / dt)
                counts["snmpbulkwalk"].append(n)
                if not args.no_pysnmp:
                    n, dt = run_pysnmp(port, client_cpu, args.v3)
                    rates["pysnmp"].append(n / dt)
                    counts["pysnmp"].append(n)
                for k, p in walkers.items():
                    n, dt, named = run_walker(c, port, p, args.v3)
                    rates[k].append(n / dt)
                    counts[k].append(n)
                print(
                    f"round {i + 1}: "
                    + "  ".join(f"{k} {rates[k][-1]:,.0f}/s ({counts[k][-1]} OIDs)" for k in rates)
                )
        server.shutdown()
        print(f"\nOIDs/s, median (min-max) of {args.rounds} rounds; walker rows named: {named:.0%}")
        for k in rates:
            print(f"  {k:13s} {summary(rates[k])}")
        med = {k: statistics.median(v) for k, v in rates.items()}
        for k in walkers:
            # Per-round ratios too: the tools of one round ran back to back, so their ratio
            # is less exposed to the machine's load than a ratio of medians.
            per_round = [w / b for w, b in zip(rates[k], rates["snmpbulkwalk"], strict=True)]
            print(
                f"  {k} / snmpbulkwalk = {med[k] / med['snmpbulkwalk']:.2f} "
                f"(median of per-round ratios {statistics.median(per_round):.2f})"
            )
            if "pysnmp" in med:
                print(f"  {k} / pysnmp       = {med[k] / med['pysnmp']:.2f}")
        if CPU_PER_OID:
            print(
                "  walker service CPU per OID (all its threads, parallel 1, first walk "
                f"included): median {statistics.median(CPU_PER_OID) * 1e6:.2f} us"
            )
        print(
            f"  walker time outside the walk loop (HTTP, JSON, final rendering): median "
            f"{statistics.median(OVERHEAD) * 1e3:.1f} ms; load average {os.getloadavg()[0]:.2f}"
        )
        if args.json:
            print(json.dumps({"rates": rates, "counts": counts, "median": med}))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
