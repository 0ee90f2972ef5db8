"""The shared index client against a live HTTP server: waits for the gateway, honours
503/Retry-After and ETags, swaps the index, and serves ``POST /mibs/changed``."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from services.common.internal_auth import HEADER
from services.common.mibs.client import MibIndexClient, MibIndexFollower, mibs_changed_router
from services.common.mibs.index import FORMAT

SECRET = b"client-test-secret"


def doc(name: str) -> bytes:
    node = {"oid": "1.3.6.1.4.1.424242.1", "module": "T-MIB", "name": name, "kind": "scalar"}
    return json.dumps({"format": FORMAT, "modules": {"T-MIB": {}}, "nodes": [node]}).encode()


class FakeGateway:
    """Serves index.json like the gateway: 503 until ready, then 200/304 by ETag."""

    def __init__(self) -> None:
        self.ready = False
        self.version = 1
        self.requests: list[tuple[str | None, str | None]] = []
        app = FastAPI()

        @app.get("/internal/mibs/index.json")
        async def index(request: Request) -> Response:
            self.requests.append(
                (request.headers.get(HEADER), request.headers.get("if-none-match"))
            )
            if not self.ready:
                return Response(status_code=503, headers={"Retry-After": "1"})
            etag = f'"v{self.version}"'
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            return Response(doc(f"thing{self.version}"), headers={"ETag": etag})

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.app = app
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    gw = FakeGateway()
    yield gw
    gw.stop()


async def wait_for(cond: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_follower_waits_for_the_gateway_then_follows_changes(gateway: FakeGateway) -> None:
    follower = MibIndexFollower(MibIndexClient(gateway.url, SECRET, timeout=2), refresh=60)
    swaps: list[str | None] = []
    follower.add_listener(lambda idx: swaps.append(idx.etag))
    follower.start()
    try:
        await wait_for(lambda: follower.errors >= 2)  # nothing listens yet
        assert not follower.loaded and len(follower.index) == 0
        gateway.start()
        await wait_for(lambda: follower.errors >= 3 and gateway.requests)  # 503 while compiling
        assert not follower.loaded
        gateway.ready = True
        assert await follower.wait_loaded(timeout=20)
        assert follower.index.name("1.3.6.1.4.1.424242.1.0") == "T-MIB::thing1.0"
        assert gateway.requests[-1][0] == SECRET.decode()  # the internal secret is sent

        # The change notice, through the router a service mounts on its control app.
        app = FastAPI()
        app.include_router(mibs_changed_router(follower))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as svc:
            same = await svc.post("/mibs/changed", json={"etag": "v1"})
            assert same.json() == {"status": "current", "etag": "v1"}
            gateway.version = 2
            r = await svc.post("/mibs/changed", json={"etag": "v2"})
            assert r.json()["status"] == "refetching"
        await wait_for(lambda: follower.etag == "v2")
        assert follower.index.name("1.3.6.1.4.1.424242.1.0") == "T-MIB::thing2.0"
        assert swaps == ["v1", "v2"]
        # A refetch with an unchanged ETag is a 304 and no swap.
        assert await follower.refresh_now() is None
        assert gateway.requests[-1][1] == '"v2"' and swaps == ["v1", "v2"]
    finally:
        await follower.stop()
