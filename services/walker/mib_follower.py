"""Keeps the walker's names current: fetches the gateway's compiled MIB index.

At start, on ``POST /mibs/changed`` and every 60 s, ``GET /internal/mibs/index.json`` with
``If-None-Match``; a new index replaces the old one in one assignment, so a walk in
progress keeps the index it started with. Until the gateway answers, names are numeric.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import httpx

from services.common.internal_auth import internal_client
from services.common.mibs.index import MibIndex
from services.walker.names import Names

log = logging.getLogger(__name__)

REFRESH_S = 60.0
INDEX_PATH = "/internal/mibs/index.json"


class MibFollower:
    def __init__(self, gateway_url: str, secret: bytes, names: Names) -> None:
        self.names = names
        self.etag: str | None = None
        self.loads = 0
        self.errors = 0
        self.last_error: str | None = None
        self._client = internal_client(gateway_url, secret, timeout=10.0)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def notify(self, etag: str | None) -> None:
        if etag is None or etag != self.etag:
            self._wake.set()

    async def fetch(self) -> bool:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        r = await self._client.get(INDEX_PATH, headers=headers)
        if r.status_code == 304:
            return False
        r.raise_for_status()
        index = await asyncio.to_thread(MibIndex.from_json, r.content, r.headers.get("ETag"))
        self.names.resolver = index
        self.etag = index.etag
        self.loads += 1
        return True

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self.fetch()
                delay = REFRESH_S
            except (httpx.HTTPError, ValueError) as exc:  # the gateway may not be up yet
                self.errors += 1
                self.last_error = str(exc) or type(exc).__name__
                delay = REFRESH_S if self.names.resolver is not None else min(delay * 2, 10.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    def status(self) -> dict[str, Any]:
        index = self.names.resolver
        return {
            "loaded": index is not None,
            "nodes": len(index) if index is not None else 0,
            "etag": self.etag,
            "loads": self.loads,
            "errors": self.errors,
            "last_error": self.last_error,
        }
