"""Starts the gateway as its own process for service tests, plus small stand-in control APIs.

The stand-ins answer only what the gateway pulls (status, stats, the trap list), so a
gateway test does not depend on the real services; the end-to-end suite uses those.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, HTTPException

from services.common.control_app import make_control_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = "gateway-test-secret-0123456789"
LOOPBACK = "127.0.0.1"


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@dataclass
class GatewayProc:
    proc: subprocess.Popen[bytes]
    base: str
    ws_base: str
    events: tuple[str, int]
    data_dir: Path
    log_path: Path

    def login(self, username: str = "admin", password: str = "admin123") -> str:
        r = httpx.post(f"{self.base}/api/login", json={"username": username, "password": password})
        r.raise_for_status()
        return str(r.json()["token"])

    def counters(self) -> dict[str, Any]:
        r = httpx.get(f"{self.base}/api/health", params={"detail": 1})
        r.raise_for_status()
        return dict(r.json()["gateway"])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def run_gateway(tmp_path: Path, **env_extra: str) -> Iterator[GatewayProc]:
    port = free_tcp_port()
    data_dir = tmp_path / "gateway-data"
    env = {
        **os.environ,
        "SNMPLAB_INTERNAL_SECRET": SECRET,
        "SNMPLAB_GATEWAY_HOST": LOOPBACK,
        "SNMPLAB_GATEWAY_PORT": str(port),
        "SNMPLAB_EVENTS_LISTEN": f"{LOOPBACK}:0",
        "SNMPLAB_GATEWAY_DATA_DIR": str(data_dir),
        # Nothing listens here unless a test starts a stand-in: services show as down.
        "SNMPLAB_SIMULATOR_URL": f"http://{LOOPBACK}:{free_tcp_port()}",
        "SNMPLAB_TRAPD_URL": f"http://{LOOPBACK}:{free_tcp_port()}",
        "SNMPLAB_WALKER_URL": f"http://{LOOPBACK}:{free_tcp_port()}",
        "SNMPLAB_WEB_DIR": "",
        # No standard MIBs: the library starts empty at once (MIB tests cover compiling).
        "SNMPLAB_MIB_STANDARD_DIR": str(tmp_path / "no-standard-mibs"),
        "SNMPLAB_LOG_LEVEL": "WARNING",
        **env_extra,
    }
    env.pop("SNMPLAB_DEV_MODE", None)
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.gateway"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    base = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {log_path.read_text()}")
            try:
                r = httpx.get(f"{base}/api/health", params={"detail": 1}, timeout=1)
                if r.status_code == 200:
                    listen = r.json()["gateway"]["events_listen"]
                    host, _, ev_port = listen.rpartition(":")
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gateway did not start: {log_path.read_text()}")
            time.sleep(0.05)
        yield GatewayProc(
            proc, base, f"ws://{LOOPBACK}:{port}", (host, int(ev_port)), data_dir, log_path
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class StandIn:
    """A control API answering like a service would; its state is plain data the test sets."""

    name: str
    app: FastAPI
    url: str = ""
    status: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    traps: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)


def make_standin(name: str) -> StandIn:
    app = make_control_app(name, SECRET.encode())
    stand = StandIn(name, app)

    @app.get("/simulator/status")
    async def sim_status() -> dict[str, Any]:
        stand.calls.append(("GET", "/simulator/status", None))
        return stand.status

    @app.get("/traps/status")
    async def traps_status() -> dict[str, Any]:
        return stand.status

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        return stand.stats

    @app.delete("/stats")
    async def reset() -> dict[str, str]:
        stand.calls.append(("DELETE", "/stats", None))
        return {"status": "reset"}

    @app.get("/traps")
    async def traps(after_seq: int | None = None, limit: int = 50) -> dict[str, Any]:
        limit = min(limit, 1000)
        if after_seq is None:
            rows = sorted(stand.traps, key=lambda t: -t["seq"])[:limit]
        else:
            rows = sorted((t for t in stand.traps if t["seq"] > after_seq), key=lambda t: t["seq"])[
                :limit
            ]
        return {"data": rows}

    @app.get("/traps/{seq}")
    async def one_trap(seq: int) -> dict[str, Any]:
        for t in stand.traps:
            if t["seq"] == seq:
                return t
        raise HTTPException(404, "no such trap")

    @app.post("/simulator/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return {"got": body}

    @app.post("/mibs/changed")
    async def mibs_changed(body: dict[str, Any]) -> dict[str, str]:
        stand.calls.append(("POST", "/mibs/changed", body))
        return {"status": "ok"}

    @app.put("/simulator/config")
    async def sim_config(body: dict[str, Any]) -> dict[str, Any]:
        stand.calls.append(("PUT", "/simulator/config", body))
        return {"status": "saved"}

    return stand


@contextmanager
def serve_standin(stand: StandIn) -> Iterator[StandIn]:
    port = free_tcp_port()
    server = uvicorn.Server(
        uvicorn.Config(stand.app, host=LOOPBACK, port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("stand-in did not start")
        time.sleep(0.02)
    stand.url = f"http://{LOOPBACK}:{port}"
    try:
        yield stand
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def trap_record(seq: int, trap_type: str = "linkDown") -> dict[str, Any]:
    return {
        "seq": seq,
        "timestamp": 1739890234.123 + seq,
        "time_str": "2026-02-18 21:30:34",
        "source": "192.0.2.10:52341",
        "trap_type": trap_type,
        "resolved": True,
        "varbinds": [
            {
                "oid": "1.3.6.1.2.1.2.2.1.1.1",
                "name": "IF-MIB::ifIndex.1",
                "value": "1",
                "resolved": True,
            }
        ],
    }


async def recv_json(ws: Any, timeout: float = 5.0) -> Any:
    import json

    raw = await asyncio.wait_for(ws.recv(), timeout)
    return raw if raw == "pong" else json.loads(raw)


async def recv_until(ws: Any, type_: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise TimeoutError(f"no {type_} message")
        msg = await recv_json(ws, left)
        if isinstance(msg, dict) and msg.get("type") == type_:
            return msg
