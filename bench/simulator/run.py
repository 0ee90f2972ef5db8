"""Simulator benchmark, side by side in one run: Net-SNMP snmpd, snmpsim 1.2.2, snmplab.

All three serve the same tree: snmpd's own live tree, recorded once with snmpbulkwalk
and loaded into snmpsim and snmplab as ``.snmprec``. For each tool, interleaved by round
(A, B, C, A, B, C, ...), it measures saturated requests per second and agent CPU per
request for v2c GET sysDescr.0, GETNEXT system, GETBULK(25) system (32 requests in
flight), and OIDs per second of a full ``snmpbulkwalk -Cr25``. Agents are pinned to CPU 1
and clients to CPU 0 when the machine has two CPUs. Reports medians (min-max) and ratios
to snmpd. Not part of the test suite.

    .venv/bin/python bench/simulator/run.py --rounds 3 --duration 5

snmpsim runs from its own virtualenv (``--snmpsim-venv``, created on first use with the
system Python: as root it must drop privileges, and it cannot when its interpreter lives
under /root).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common.loadgen import run as loadgen  # noqa: E402
from services.simulator.exports.snmprec import to_snmprec  # noqa: E402
from services.simulator.imports.walkfile import parse_walk  # noqa: E402

HOST = "127.0.0.1"
OPS = [("get", "1.3.6.1.2.1.1.1.0"), ("getnext", "1.3.6.1.2.1.1"), ("getbulk", "1.3.6.1.2.1.1")]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pin(cpu: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)]
    return []


def answers(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(
            [
                "snmpget",
                "-v2c",
                "-c",
                "public",
                "-t",
                "0.5",
                "-r",
                "0",
                f"{HOST}:{port}",
                "1.3.6.1.2.1.1.1.0",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0 and "STRING" in done.stdout:
            return
        time.sleep(0.2)
    raise TimeoutError(f"no agent answering on {HOST}:{port}")


class Agents:
    def __init__(self, work: Path, venv: Path) -> None:
        self.work = work
        self.venv = venv
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.work / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            pin(1) + argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )

    def start_snmpd(self) -> None:
        port = free_port()
        conf = self.work / "snmpd.conf"
        conf.write_text(f"rocommunity public {HOST}\n")
        self._spawn("snmpd", ["snmpd", "-f", "-Lo", "-C", "-c", str(conf), f"udp:{HOST}:{port}"])
        self.ports["snmpd"] = port
        answers(port)

    def record(self) -> Path:
        out = subprocess.run(
            [
                "snmpbulkwalk",
                "-v2c",
                "-c",
                "public",
                "-Cr25",
                "-On",
                f"{HOST}:{self.ports['snmpd']}",
                ".1",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        records, report = parse_walk(out)
        data = self.work / "data"
        data.mkdir(exist_ok=True)
        path = data / "public.snmprec"
        path.write_text(to_snmprec(sorted(records, key=lambda r: r.oid)))
        print(f"recorded snmpd: {len(records)} OIDs ({report.skipped} lines skipped)")
        return path

    def start_snmpsim(self, snmprec: Path) -> None:
        exe = self.venv / "bin" / "snmpsim-command-responder"
        if not exe.exists():
            subprocess.run(["/usr/bin/python3", "-m", "venv", str(self.venv)], check=True)
            # snmpsim 1.2.2 imports pysmi without declaring it.
            pip = str(self.venv / "bin" / "pip")
            subprocess.run([pip, "install", "-q", "snmpsim==1.2.2", "pysmi==2.0.0"], check=True)
        port = free_port()
        cache = self.work / "simcache"
        cache.mkdir(exist_ok=True)
        os.chmod(cache, 0o777)
        for p in (self.work, snmprec.parent):
            os.chmod(p, 0o755)
        self._spawn(
            "snmpsim",
            [
                str(self.venv / "bin" / "python"),
                str(exe),
                f"--data-dir={snmprec.parent}",
                f"--cache-dir={cache}",
                f"--agent-udpv4-endpoint={HOST}:{port}",
                "--process-user=nobody",
                "--process-group=nogroup",
                "--log-level=error",
            ],
        )
        self.ports["snmpsim"] = port
        answers(port, timeout=180)

    def start_snmplab(self, snmprec: Path) -> None:
        port = free_port()
        data = self.work / "snmplab"
        shutil.rmtree(data, ignore_errors=True)
        (data / "profiles").mkdir(parents=True)
        shutil.copy(snmprec, data / "profiles" / "bench.snmprec")
        (data / "devices.json").write_text(
            json.dumps([{"name": "default", "profile": "bench", "community": "public"}])
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
        env.update(
            {
                "SNMPLAB_DEV_MODE": "1",
                "SNMPLAB_SIMULATOR_DATA_DIR": str(data),
                "SNMPLAB_SIMULATOR_SNMP_HOST": HOST,
                "SNMPLAB_SIMULATOR_SNMP_PORT": str(port),
                "SNMPLAB_SIMULATOR_CONTROL_HOST": HOST,
                "SNMPLAB_SIMULATOR_CONTROL_PORT": str(free_port()),
                "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{free_port()}",
                "SNMPLAB_LOG_LEVEL": "WARNING",
                "SNMPLAB_GATEWAY_URL": f"http://{HOST}:9",
            }
        )
        self._spawn("snmplab", [sys.executable, "-m", "services.simulator"], env=env)
        self.ports["snmplab"] = port
        answers(port)

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def agent_pid(self, name: str) -> int:
        """The PID doing the work (snmpsim forks a worker after dropping privileges)."""
        pid = self.procs[name].pid
        kids = Path(f"/proc/{pid}/task/{pid}/children")
        if name == "snmpsim" and kids.exists() and kids.read_text().split():
            return int(kids.read_text().split()[0])
        return pid  # taskset execs the agent in place


def walk(port: int) -> tuple[int, float]:
    t0 = time.monotonic()
    out = subprocess.run(
        [*pin(0), "snmpbulkwalk", "-v2c", "-c", "public", "-Cr25", "-On", f"{HOST}:{port}", ".1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    elapsed = time.monotonic() - t0
    n = sum(
        1 for line in out.splitlines() if line.startswith(".") and "No more variables" not in line
    )
    return n, elapsed


def measure(agents: Agents, name: str, duration: float) -> dict[str, Any]:
    port = agents.ports[name]
    pid = agents.agent_pid(name)
    out: dict[str, Any] = {}
    if pin(0):
        os.sched_setaffinity(0, {0})
    for op, oid in OPS:
        r = loadgen(f"{HOST}:{port}", op, oid, "public", 25, 32, duration, pid)
        out[op] = {
            "req_per_s": r["req_per_s"],
            "cpu_us": r["agent_cpu_us_per_req"],
            "cpu_share": r["agent_cpu_share"],
        }
    n, elapsed = walk(port)
    out["walk"] = {"oids": n, "seconds": elapsed, "oids_per_s": n / elapsed}
    return out


def med(xs: list[float]) -> str:
    return f"{statistics.median(xs):,.1f} ({min(xs):,.1f}-{max(xs):,.1f})"


def main() -> None:
    ap = argparse.ArgumentParser(description="snmpd vs snmpsim vs snmplab, one run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/snmplab-bench"))
    ap.add_argument("--snmpsim-venv", type=Path, default=Path("/tmp/snmplab-bench/snmpsim-venv"))
    ap.add_argument("--skip-snmpsim", action="store_true")
    ap.add_argument("--json", type=Path, help="write all measurements here")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    agents = Agents(a.work, a.snmpsim_venv)
    tools = ["snmpd", "snmpsim", "snmplab"] if not a.skip_snmpsim else ["snmpd", "snmplab"]
    results: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    try:
        agents.start_snmpd()
        snmprec = agents.record()
        if "snmpsim" in tools:
            agents.start_snmpsim(snmprec)
        agents.start_snmplab(snmprec)
        for rnd in range(a.rounds):
            for tool in tools:
                results[tool].append(measure(agents, tool, min(a.duration, 60)))
                print(f"round {rnd + 1} {tool}: {json.dumps(results[tool][-1])}", flush=True)
    finally:
        agents.stop()
    print()
    print("| metric | " + " | ".join(tools) + " | snmplab / snmpd |")
    print("|---" * (len(tools) + 2) + "|")
    for op, _ in OPS:
        for key, label in (("req_per_s", "req/s"), ("cpu_us", "agent CPU µs/req")):
            cells = [med([r[op][key] for r in results[t]]) for t in tools]
            ratio = statistics.median(r[op][key] for r in results["snmplab"]) / statistics.median(
                r[op][key] for r in results["snmpd"]
            )
            print(f"| {op} {label} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    cells = [med([r["walk"]["oids_per_s"] for r in results[t]]) for t in tools]
    ratio = statistics.median(
        r["walk"]["oids_per_s"] for r in results["snmplab"]
    ) / statistics.median(r["walk"]["oids_per_s"] for r in results["snmpd"])
    print("| snmpbulkwalk -Cr25 OIDs/s | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    print("\nOIDs per walk: " + ", ".join(f"{t} {results[t][0]['walk']['oids']}" for t in tools))
    with contextlib.suppress(OSError):
        print("load average during the run:", Path("/proc/loadavg").read_text().split()[:3])
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
