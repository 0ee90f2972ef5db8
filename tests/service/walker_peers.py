"""Peers for the walker's service tests: Net-SNMP ``snmpd`` and the walker as processes.

Each helper starts its process on a free loopback port with its own config and data dir,
waits until it answers (never a fixed sleep), and stops it at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
SECRET = "walker-test-secret"
NETSNMP_ENV = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent"}

# Values every service test can rely on, whatever the host's live tree says.
STATIC_OVERRIDES = """
view lab included .1.3.6.1.2.1.1
view lab included .1.3.6.1.4.1.99999
override .1.3.6.1.4.1.99999.1.0 integer -42
override .1.3.6.1.4.1.99999.2.0 unsigned 4000000000
override .1.3.6.1.4.1.99999.3.0 counter 123456
override .1.3.6.1.4.1.99999.5.0 octet_str "hello \\"world\\""
override .1.3.6.1.4.1.99999.7.0 object_id .1.3.6.1.4.1.8072
override .1.3.6.1.4.1.99999.8.0 timeticks 123456
override .1.3.6.1.4.1.99999.9.0 octet_str "é"
override -rw .1.3.6.1.4.1.99999.10.0 integer 7
"""


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def need(tool: str) -> str:
    path = shutil.which(tool) or (
        f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None
    )
    if path is None:
        import pytest

        pytest.skip(f"{tool} is not installed (Debian packages snmp, snmpd, snmptrapd)")
    return path


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Agent:
    host: str
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def netsnmp(tool: str, *args: str, timeout: float = 30) -> str:
    """Run a Net-SNMP command-line tool (argument list, no shell) and return stdout."""
    out = subprocess.run(
        [need(tool), *args], capture_output=True, env=NETSNMP_ENV, timeout=timeout, check=True
    )
    return out.stdout.decode("utf-8", "replace")


@contextlib.contextmanager
def run_snmpd(tmp: Path, conf: str, host: str = LOOPBACK) -> Iterator[Agent]:
    """``snmpd`` on a free UDP port of ``host``, with only ``conf`` as configuration."""
    snmpd = need("snmpd")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "snmpd.conf").write_text(conf)
    port = free_port()
    listen = f"udp6:[{host}]:{port}" if ":" in host else f"udp:{host}:{port}"
    env = {**NETSNMP_ENV, "SNMP_PERSISTENT_DIR": str(tmp / "persist")}
    proc = subprocess.Popen(
        [
            snmpd,
            "-f",
            "-Lf",
            str(tmp / "snmpd.log"),
            "-C",
            "-c",
            str(tmp / "snmpd.conf"),
            "-p",
            str(tmp / "snmpd.pid"),
            listen,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    agent = Agent(host, port, proc)
    try:
        _wait_snmpd(agent, tmp)
        yield agent
    finally:
        stop(proc)


def _wait_snmpd(agent: Agent, tmp: Path) -> None:
    target = f"udp6:[{agent.host}]:{agent.port}" if ":" in agent.host else agent.address
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if agent.proc.poll() is not None:
            log = (tmp / "snmpd.log").read_text() if (tmp / "snmpd.log").exists() else ""
            raise RuntimeError(f"snmpd exited: {log[-2000:]}")
        probe = subprocess.run(
            [
                need("snmpget"),
                "-v2c",
                "-c",
                "public",
                "-t",
                "0.3",
                "-r",
                "0",
                target,
                ".1.3.6.1.2.1.1.1.0",
            ],
            capture_output=True,
            env=NETSNMP_ENV,
            timeout=10,
        )
        if probe.returncode == 0:
            return
    raise RuntimeError("snmpd did not answer within 20 s")


def parse_netsnmp_walk(text: str) -> list[str]:
    """``snmpwalk -On`` output as one string per var-bind (continuation lines joined),
    without the end-of-MIB notice."""
    items: list[str] = []
    for line in text.splitlines():
        if line == "End of MIB":  # snmpwalk -v1's notice
            continue
        if line.startswith("."):
            items.append(line)
        elif items:
            items[-1] += "\n" + line
    return [i for i in items if "No more variables left in this MIB View" not in i]


@dataclass
class Walker:
    url: str
    proc: subprocess.Popen[bytes]
    data_dir: Path
    events_port: int

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"X-Snmplab-Internal": SECRET}, timeout=timeout
        )


@contextlib.contextmanager
def run_walker(tmp: Path, events_port: int | None = None, **env: str) -> Iterator[Walker]:
    """``python -m services.walker`` on a free port, with its own data dir."""
    port = free_port(socket.SOCK_STREAM)
    events_port = events_port or free_port()
    data_dir = tmp / "walker-data"
    full_env = {
        **os.environ,
        "SNMPLAB_INTERNAL_SECRET": SECRET,
        "SNMPLAB_WALKER_CONTROL_HOST": LOOPBACK,
        "SNMPLAB_WALKER_CONTROL_PORT": str(port),
        "SNMPLAB_WALKER_DATA_DIR": str(data_dir),
        "SNMPLAB_EVENTS_TARGETS": f"{LOOPBACK}:{events_port}",
        "SNMPLAB_GATEWAY_URL": f"http://{LOOPBACK}:{free_port(socket.SOCK_STREAM)}",
        **env,
    }
    log = open(tmp / "walker.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.walker"],
        env=full_env,
        stdout=log,
        stderr=log,
        cwd=Path(__file__).resolve().parents[2],
    )
    url = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError((tmp / "walker.log").read_text()[-3000:])
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("walker did not start within 30 s")
            time.sleep(0.05)
        yield Walker(url, proc, data_dir, events_port)
    finally:
        stop(proc)
        log.close()


@contextlib.contextmanager
def serve_mib_index(nodes: list[dict[str, object]]) -> Iterator[str]:
    """A stand-in for the gateway's ``GET /internal/mibs/index.json``; yields its base URL."""
    import http.server
    import json
    import threading

    from services.common.mibs.index import FORMAT

    body = json.dumps({"format": FORMAT, "modules": {}, "nodes": nodes}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/internal/mibs/index.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("ETag", '"test-index"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
