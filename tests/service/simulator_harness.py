"""Runs ``python -m services.simulator`` as a real process on free loopback ports.

The test plays the gateway: it owns the events socket the simulator sends to and checks
every datagram's signature with the shared secret.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from services.common.events import Event, decode_event
from services.common.internal_auth import HEADER

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SECRET = "simulator-test-secret"


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class EventsSink:
    """The gateway's end of the events channel."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.events: list[Event] = []

    def _recv(self, timeout: float) -> Event | None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65535)
        except TimeoutError:
            return None
        ev = decode_event(SECRET.encode(), data)
        self.events.append(ev)
        return ev

    def wait_for(
        self, pred: Callable[[Event], bool], timeout: float = 5.0, after: int = 0
    ) -> Event:
        for ev in self.events[after:]:
            if pred(ev):
                return ev
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ev = self._recv(left)
            if ev is not None and pred(ev):
                return ev
        raise TimeoutError(f"no matching event; got {[e.type for e in self.events]}")

    def close(self) -> None:
        self.sock.close()


class SimulatorProcess:
    def __init__(
        self, data_dir: Path, extra_env: dict[str, str] | None = None, snmp_port: int | None = None
    ) -> None:
        self.data_dir = data_dir
        self.snmp_port = snmp_port or free_port()
        self.control_port = free_port(socket.SOCK_STREAM)
        self.sink = EventsSink()
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "simulator.log"
        self.http = httpx.Client(
            base_url=f"http://{HOST}:{self.control_port}", headers={HEADER: SECRET}, timeout=10
        )

    @property
    def target(self) -> str:
        return f"{HOST}:{self.snmp_port}"

    def start(self) -> None:
        for _ in range(3):
            self._launch()
            # The agent's port was free when picked; another process may have taken it
            # since. Then pick another rather than fail the test.
            st = self.http.get("/simulator/status").json()
            if st["running"] or self.extra_env.get("SNMPLAB_SIMULATOR_AUTOSTART") == "0":
                return
            self.stop()
            self.snmp_port = free_port()
        raise RuntimeError(f"simulator agent did not start: {self.log_path.read_text()[-2000:]}")

    def _launch(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
        env.update(
            {
                "SNMPLAB_INTERNAL_SECRET": SECRET,
                "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{self.sink.port}",
                "SNMPLAB_SIMULATOR_CONTROL_HOST": HOST,
                "SNMPLAB_SIMULATOR_CONTROL_PORT": str(self.control_port),
                "SNMPLAB_SIMULATOR_SNMP_HOST": HOST,
                "SNMPLAB_SIMULATOR_SNMP_PORT": str(self.snmp_port),
                "SNMPLAB_SIMULATOR_DATA_DIR": str(self.data_dir),
                "SNMPLAB_GATEWAY_URL": f"http://{HOST}:{free_port(socket.SOCK_STREAM)}",
                "SNMPLAB_LOG_LEVEL": "WARNING",
            }
        )
        env.update(self.extra_env)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.simulator"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.log_path.read_text()[-2000:]}")
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError("simulator control API did not come up")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        self.http.close()
        self.sink.close()

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, **kw)


def netsnmp(*args: str, timeout: float = 20) -> str:
    """Run a Net-SNMP command line tool; returns stdout, raises with stderr on failure."""
    tool = args[0]
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is not installed (Debian package 'snmp')")
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def lines_by_oid(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if " = " in line:
            oid, _, value = line.partition(" = ")
            if value.startswith("No more variables left"):
                continue  # the end-of-view marker of a walk, not a value
            out[oid.strip()] = value
    return out
