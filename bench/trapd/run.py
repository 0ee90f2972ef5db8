"""trapd against Net-SNMP snmptrapd, side by side in one run (bench only, not a test).

Method (as in shared/reference/perf-anchors.md): the receiver is pinned to CPU 1 and the
sender (``trapblast.py``, same packets for both) to CPU 0; rounds interleave the two
receivers at each rate. snmptrapd logs one line per trap (``-F "TRAP %b %v\\n"``, ``-n``)
and is counted by polling its log; trapd stores every trap in SQLite and pushes a signed
event per trap, counted as the events arrive at a UDP sink in this process. Loss is
1 - received/sent; CPU per trap is the receiver's user+system time (all threads, from
/proc) over the run divided by traps received.

Then latency, trap sent -> WebSocket message received, at 1,000 traps/s with 10 clients:
a real gateway (``python -m services.gateway``), trapd sending its events there, and
``wsclients.py`` timing every ``trap`` message against the send time each trap carries.

    .venv/bin/python bench/trapd/run.py                       # 1k, 5k, 20k/s + latency
    .venv/bin/python bench/trapd/run.py --rates 20000 --seconds 10 --rounds 3 --no-latency
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
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
HOST = "127.0.0.1"  # bench only: everything on loopback
SECRET = "bench-trapd-secret"
STAMP_OID = "1.3.6.1.4.1.99999.1.0"
V3_DEFAULT = "bench:SHA:bench-auth-1:AES:bench-priv-1"
V3_ENGINE = bytes.fromhex("80001f8805") + b"trapblast"  # as trapblast.py sends
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def udp_socket(port: int) -> tuple[int, int]:
    """``(bytes waiting in the receive queue, kernel drops)`` of the UDP socket on ``port``."""
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        parts = line.split()
        if int(parts[1].split(":")[1], 16) == port:
            return int(parts[4].split(":")[1], 16), int(parts[12])
    return 0, 0


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def taskset(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() else []


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


class EventSink:
    """Counts trapd's signed ``trap`` events (stands in for the gateway in loss runs);
    with ``stamps``, also the delay from each stamped trap's send time to its event."""

    def __init__(self, stamps: bool = False) -> None:
        self.stamps = stamps
        self.delays: list[int] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.traps = 0
        self._stop = False
        self.sock.settimeout(0.2)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if b'"type":"trap' in data[:200]:
                self.traps += 1
                if self.stamps:
                    now = time.time_ns() // 1000
                    for vb in json.loads(data)["data"]["varbinds"]:
                        if vb["oid"] == STAMP_OID:
                            self.delays.append(now - int(vb["raw"]))

    def close(self) -> None:
        self._stop = True
        self.sock.close()


class Snmptrapd:
    name = "snmptrapd"

    def __init__(self, work: Path, v3: str | None = None) -> None:
        self.port = free_port()
        self.log = work / "snmptrapd.log"
        conf = work / "snmptrapd.conf"
        lines = ["disableAuthorization yes"]
        if v3:
            user, auth, apass, priv, ppass = v3.split(":")
            lines.append(f"createUser -e 0x{V3_ENGINE.hex()} {user} {auth} {apass} {priv} {ppass}")
        conf.write_text("\n".join(lines) + "\n")
        self.log.write_text("")
        self.proc = subprocess.Popen(
            [*taskset(1), "snmptrapd", "-f", "-n", "-C", "-c", str(conf), "-Lf", str(self.log),
             "-F", "TRAP %b %v\n", f"udp:{HOST}:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._fh = self.log.open("rb")
        self._count = 0
        self._drops0 = 0
        self.sent = 0
        time.sleep(0.5)  # snmptrapd has no readiness signal; its log is empty until traps

    @property
    def pid(self) -> int:
        return self.proc.pid

    def received(self) -> int:
        """Traps handled: those sent minus what the kernel dropped, once the socket queue is
        empty. (snmptrapd's log file is buffered, so its line count lags; it is checked
        against this when snmptrapd exits.)"""
        queued, drops = udp_socket(self.port)
        if queued:
            return -1
        return self.sent - (drops - self._drops0)

    def reset(self) -> None:
        self._drops0 = udp_socket(self.port)[1]
        self.sent = 0

    def lines(self) -> int:
        self._count += self._fh.read().count(b"TRAP ")
        return self._count

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        print(json.dumps({"snmptrapd_log_lines": self.lines()}), flush=True)
        self._fh.close()


class Trapd:
    name = "trapd"

    def __init__(
        self,
        work: Path,
        events_target: str,
        sink: EventSink | None,
        gateway: Gateway | None,
        control: int | None = None,
        v3: str | None = None,
    ) -> None:
        self.port = free_port()
        control = control or free_port(socket.SOCK_STREAM)
        self.url = f"http://{HOST}:{control}"
        self.sink = sink
        env = {
            **os.environ,
            "SNMPLAB_INTERNAL_SECRET": SECRET,
            "SNMPLAB_EVENTS_TARGETS": events_target,
            # MIB names from the gateway's index, as in production (numeric without one).
            "SNMPLAB_GATEWAY_URL": gateway.url if gateway else f"http://{HOST}:1",
            "SNMPLAB_TRAPD_CONTROL_HOST": HOST,
            "SNMPLAB_TRAPD_CONTROL_PORT": str(control),
            "SNMPLAB_TRAPD_SNMP_HOST": HOST,
            "SNMPLAB_TRAPD_SNMP_PORT": str(self.port),
            "SNMPLAB_TRAPD_DATA_DIR": str(work / "trapd"),
            "SNMPLAB_LOG_LEVEL": "WARNING",
        }
        self.proc = subprocess.Popen([*taskset(1), PY, "-m", "services.trapd"], cwd=ROOT, env=env)
        wait_http(self.url + "/health")
        self.http = httpx.Client(base_url=self.url, headers={"X-Snmplab-Internal": SECRET})
        if v3:
            user, auth, apass, priv, ppass = v3.split(":")
            self.http.post("/traps/users", json={
                "name": user, "auth_protocol": auth, "auth_passphrase": apass,
                "priv_protocol": priv, "priv_passphrase": ppass,
            }).raise_for_status()  # fmt: skip
            # The bench's packets are built once with a fixed engine time; a run longer
            # than the 150 s window would be refused as replays, so check no window here.
            self.http.patch("/traps/config", json={"v3_enforce_time_window": False})
        if gateway is not None and gateway.mib_nodes:
            deadline = time.monotonic() + 30
            while not self.http.get("/traps/status").json().get("mibs_loaded"):
                if time.monotonic() > deadline:
                    raise RuntimeError("trapd did not load the gateway's MIB index")
                time.sleep(0.1)
        self._base = 0
        self.sent = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.http.get("/stats").json()["traps"]
        return result

    def received(self) -> int:
        if self.sink is not None:
            return self.sink.traps - self._base
        return int(self.stats()["traps_stored"]) - self._base

    def reset(self) -> None:
        self._base = self.sink.traps if self.sink is not None else self.stats()["traps_stored"]

    def close(self) -> None:
        self.http.close()
        self.proc.terminate()
        self.proc.wait(timeout=20)


def blast(
    port: int, count: int, rate: float, stamp: bool = False, v3: str | None = None
) -> dict[str, Any]:
    cmd = [*taskset(0), PY, str(HERE / "trapblast.py"), f"{HOST}:{port}", "--count", str(count),
           "--rate", str(rate), "--json"] + (["--stamp"] if stamp else [])  # fmt: skip
    if v3:
        cmd += ["--v3", v3]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run_once(
    rx: Snmptrapd | Trapd, rate: float, seconds: float, v3: str | None = None
) -> dict[str, Any]:
    count = int(rate * seconds)
    rx.reset()
    cpu0 = cpu_seconds(rx.pid)
    sent = blast(rx.port, count, rate, v3=v3)
    rx.sent = sent["sent"]
    # Drained: everything arrived, or nothing new for 1.5 s.
    last, still = -1, time.monotonic()
    while True:
        n = rx.received()
        if n >= sent["sent"]:
            break
        if n != last:
            last, still = n, time.monotonic()
        elif time.monotonic() - still > 1.5:
            break
        time.sleep(0.01)
    cpu = cpu_seconds(rx.pid) - cpu0
    got = rx.received()
    return {
        "receiver": rx.name,
        "rate": rate,
        "sent": sent["sent"],
        "send_rate": round(sent["rate"]),
        "received": got,
        "loss_pct": round(100.0 * (1 - got / max(sent["sent"], 1)), 2),
        "cpu_us_per_trap": round(1e6 * cpu / max(got, 1), 1),
    }


def loss_and_cpu(
    work: Path,
    gw: Gateway | None,
    rates: list[float],
    seconds: list[float],
    rounds: int,
    v3: str | None = None,
) -> list[Any]:
    sink = EventSink()
    rxs: list[Snmptrapd | Trapd] = [
        Snmptrapd(work, v3),
        Trapd(work, f"{HOST}:{sink.port}", sink, gw, v3=v3),
    ]
    rows = []
    try:
        for rate, secs in zip(rates, seconds, strict=True):
            for r in range(rounds):
                for rx in rxs:  # interleaved: A, B, A, B, ...
                    row = run_once(rx, rate, secs, v3) | {"round": r + 1}
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        trapd = rxs[1]
        assert isinstance(trapd, Trapd)
        final = trapd.stats()
        print(json.dumps({"trapd_stats": {k: final[k] for k in (
            "datagrams_received", "traps_stored", "traps_pushed", "kernel_drops",
            "malformed_packets")}}), flush=True)  # fmt: skip
    finally:
        for rx in rxs:
            rx.close()
        sink.close()
    return rows


class Gateway:
    """A real gateway (``python -m services.gateway``): the MIB index for every trapd in the
    run, and the WebSocket fan-out for the latency run. trapd is registered later."""

    def __init__(self, work: Path) -> None:
        self.port = free_port(socket.SOCK_STREAM)
        self.events_port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.trapd_port = free_port(socket.SOCK_STREAM)  # where the latency run's trapd listens
        env = {
            **os.environ,
            "SNMPLAB_INTERNAL_SECRET": SECRET,
            "SNMPLAB_GATEWAY_HOST": HOST,
            "SNMPLAB_GATEWAY_PORT": str(self.port),
            "SNMPLAB_EVENTS_LISTEN": f"{HOST}:{self.events_port}",
            "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{self.events_port}",
            "SNMPLAB_GATEWAY_DATA_DIR": str(work / "gateway"),
            "SNMPLAB_TRAPD_URL": f"http://{HOST}:{self.trapd_port}",
            "SNMPLAB_SIMULATOR_URL": f"http://{HOST}:{free_port(socket.SOCK_STREAM)}",
            "SNMPLAB_WALKER_URL": f"http://{HOST}:{free_port(socket.SOCK_STREAM)}",
            "SNMPLAB_LOG_LEVEL": "WARNING",
        }
        # Its own session, so that stopping it also ends its MIB compiler's worker processes.
        self.proc = subprocess.Popen(
            [PY, "-m", "services.gateway"], cwd=ROOT, env=env, start_new_session=True
        )
        wait_http(self.url + "/api/health", 60)
        # The first MIB compile must be over before anything is measured: wait for the
        # index (503 while compiling), then for the gateway to go idle.
        hdr = {"X-Snmplab-Internal": SECRET}
        self.mib_nodes = 0
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            r = httpx.get(self.url + "/internal/mibs/index.json", headers=hdr, timeout=30)
            if r.status_code == 200:
                self.mib_nodes = len(r.json().get("nodes", []))
                if self.mib_nodes:
                    break
            time.sleep(0.5)
        for _ in range(60):
            c0 = cpu_seconds(self.proc.pid)
            time.sleep(0.5)
            if cpu_seconds(self.proc.pid) - c0 < 0.02:
                break

    def close(self) -> None:
        self.proc.terminate()  # the gateway first, so it stops its own worker pool
        self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # whatever of its session is left


def latency(work: Path, gw: Gateway, rate: float, seconds: float, clients: int) -> dict[str, Any]:
    trapd = Trapd(work / "lat", f"{HOST}:{gw.events_port}", None, gw, control=gw.trapd_port)
    try:
        token = httpx.post(
            gw.url + "/api/login", json={"username": "admin", "password": "admin123"}
        ).json()["token"]
        count = int(rate * seconds)
        ws = subprocess.Popen(
            [*taskset(0), PY, str(HERE / "wsclients.py"), f"ws://{HOST}:{gw.port}/api/ws",
             "--token", token, "--clients", str(clients), "--expect", str(count),
             "--timeout", str(seconds + 30)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert ws.stdout is not None
        line = ws.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"WebSocket clients did not connect: {line!r}")
        sent = blast(trapd.port, count, rate, stamp=True)
        result: dict[str, Any] = json.loads(ws.stdout.readline())
        ws.wait(timeout=60)
        return {"rate": rate, "sent": sent["sent"], **result}
    finally:
        trapd.close()


def pct(values: list[int], p: float) -> int:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] if s else -1


def event_latency(work: Path, gw: Gateway | None, rate: float, seconds: float) -> dict[str, Any]:
    """trapd's own share: trap sent -> its signed event datagram received (no gateway)."""
    sink = EventSink(stamps=True)
    trapd = Trapd(work / "evlat", f"{HOST}:{sink.port}", sink, gw)
    try:
        sent = blast(trapd.port, int(rate * seconds), rate, stamp=True)
        deadline = time.monotonic() + 10
        while sink.traps < sent["sent"] and time.monotonic() < deadline:
            time.sleep(0.01)
        return {"rate": rate, "sent": sent["sent"], "events": sink.traps,
                "p50_us": pct(sink.delays, 50), "p99_us": pct(sink.delays, 99)}  # fmt: skip
    finally:
        trapd.close()
        sink.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rates", default="1000,5000,20000")
    ap.add_argument("--seconds", default="5,5,10", help="per rate")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument(
        "--v3",
        nargs="?",
        const=V3_DEFAULT,
        help=f"loss/CPU runs with SNMPv3 authPriv traps (default user spec {V3_DEFAULT})",
    )
    ap.add_argument(
        "--no-gateway", action="store_true", help="no gateway: numeric names, no WS latency"
    )
    ap.add_argument("--latency-clients", type=int, default=10)
    ap.add_argument("--latency-seconds", type=float, default=5)
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    seconds = [float(s) for s in args.seconds.split(",")]
    if len(seconds) == 1:
        seconds *= len(rates)
    with tempfile.TemporaryDirectory(prefix="bench-trapd-") as tmp:
        work = Path(tmp)
        gw = None if args.no_gateway else Gateway(work)
        try:
            if gw is not None:
                print(json.dumps({"gateway_mib_index_nodes": gw.mib_nodes}), flush=True)
            rows = loss_and_cpu(work, gw, rates, seconds, args.rounds, args.v3)
            summary = []
            for rate in rates:
                for name in ("snmptrapd", "trapd"):
                    sel = [r for r in rows if r["rate"] == rate and r["receiver"] == name]
                    summary.append({
                        "receiver": name, "rate": rate,
                        "loss_pct_median": statistics.median(r["loss_pct"] for r in sel),
                        "cpu_us_per_trap_median": statistics.median(
                            r["cpu_us_per_trap"] for r in sel),
                        "cpu_us_per_trap_range": [min(r["cpu_us_per_trap"] for r in sel),
                                                  max(r["cpu_us_per_trap"] for r in sel)],
                    })  # fmt: skip
            print(json.dumps({"summary": summary}), flush=True)
            if not args.no_latency:
                ev = event_latency(work, gw, 1000.0, args.latency_seconds)
                print(json.dumps({"event_latency": ev}), flush=True)
                if gw is not None:
                    lat = latency(work, gw, 1000.0, args.latency_seconds, args.latency_clients)
                    print(json.dumps({"latency": lat}), flush=True)
        finally:
            if gw is not None:
                gw.close()


if __name__ == "__main__":
    main()
