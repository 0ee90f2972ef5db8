"""Runs ``python -m services.trapd`` as a real process on free loopback ports, for tests.

The test plays the gateway: it owns the events socket the daemon sends to and checks
the signatures with the same secret.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.common.events import Event, decode_event
from services.common.internal_auth import HEADER

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SECRET = "trapd-test-secret"


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def free_udp_tcp_port() -> int:
    return free_port(socket.SOCK_DGRAM)


class EventsSink:
    """The gateway's side of the events channel: a UDP socket that verifies datagrams."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.events: list[Event] = []

    def wait_for(self, pred: Any, timeout: float = 5.0) -> Event:
        """The first event (already received or arriving) matching ``pred``."""
        for ev in self.events:
            if pred(ev):
                return ev
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching event; got {[e.type for e in self.events]}")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            ev = decode_event(SECRET.encode(), data)
            self.events.append(ev)
            if pred(ev):
                return ev

    def drain(self, timeout: float = 0.2) -> None:
        self.sock.settimeout(timeout)
        try:
            while True:
                self.events.append(decode_event(SECRET.encode(), self.sock.recv(65535)))
        except TimeoutError:
            return

    def close(self) -> None:
        self.sock.close()


@dataclass
class Trapd:
    proc: subprocess.Popen[bytes]
    control: str
    snmp_port: int
    data_dir: Path
    events: EventsSink
    env: dict[str, str] = field(default_factory=dict)
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.control, headers={HEADER: SECRET}, timeout=10)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.delete(path, **kw)

    def wait_traps(self, n: int, timeout: float = 10.0, **params: Any) -> list[dict[str, Any]]:
        """Wait until at least ``n`` stored traps match ``params``; newest first."""
        deadline = time.monotonic() + timeout
        while True:
            data: list[dict[str, Any]] = self.get(
                "/traps", params={"limit": 1000, **params}
            ).json()["data"]
            if len(data) >= n or time.monotonic() > deadline:
                return data
            time.sleep(0.02)

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_trapd(
    data_dir: Path, events: EventsSink, extra_env: dict[str, str] | None = None
) -> Trapd:
    control_port = free_port(socket.SOCK_STREAM)
    snmp_port = free_port(socket.SOCK_DGRAM)
    env = {
        **os.environ,
        "SNMPLAB_INTERNAL_SECRET": SECRET,
        "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{events.port}",
        "SNMPLAB_GATEWAY_URL": f"http://{HOST}:{free_port(socket.SOCK_STREAM)}",
        "SNMPLAB_TRAPD_CONTROL_HOST": HOST,
        "SNMPLAB_TRAPD_CONTROL_PORT": str(control_port),
        "SNMPLAB_TRAPD_SNMP_HOST": HOST,
        "SNMPLAB_TRAPD_SNMP_PORT": str(snmp_port),
        "SNMPLAB_TRAPD_DATA_DIR": str(data_dir),
        "SNMPLAB_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.trapd"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL
    )
    control = f"http://{HOST}:{control_port}"
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"trapd exited with {proc.returncode}")
        try:
            if httpx.get(control + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("trapd did not answer /health within 20 s")
        time.sleep(0.05)
    return Trapd(proc, control, int(env["SNMPLAB_TRAPD_SNMP_PORT"]), data_dir, events, env)


def run_tool(args: list[str], timeout: float = 15) -> subprocess.CompletedProcess[str]:
    """Run a Net-SNMP tool with no config files read (-Ci would differ per machine)."""
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SNMPCONFPATH": "/nonexistent", "MIBS": "", "MIBDIRS": "/nonexistent"},
        check=False,
    )


def trap_events(sink: EventsSink) -> Iterator[dict[str, Any]]:
    for ev in sink.events:
        if ev.type == "trap":
            yield ev.data


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)
