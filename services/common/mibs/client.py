"""Fetch the gateway's compiled MIB index and keep it current, for every service.

Simplest use, in a service's lifespan (the follower retries until the gateway answers,
on its own asyncio task, so SNMP sockets are never held up)::

    from services.common.mibs.client import MibIndexFollower, mibs_changed_router

    follower = MibIndexFollower.from_settings(settings)   # SNMPLAB_GATEWAY_URL + secret
    follower.start()                                      # inside the running loop
    app.include_router(mibs_changed_router(follower))     # POST /mibs/changed {"etag"}
    ...
    follower.index.name(oid)        # always the latest MibIndex (empty until loaded)
    follower.add_listener(cb)       # cb(index) after each swap, e.g. to clear caches
    await follower.stop()

Lower level: :class:`MibIndexClient` does one conditional GET (``If-None-Match``) and
returns a new :class:`MibIndex` or None when unchanged. Parsing a large index runs in a
thread. The index object is swapped with one assignment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from services.common.config import CommonSettings
from services.common.internal_auth import HEADER
from services.common.mibs.index import MibIndex

log = logging.getLogger(__name__)

INDEX_PATH = "/internal/mibs/index.json"
REFRESH_S = 60.0


class MibIndexUnavailable(RuntimeError):
    """The gateway did not hand out an index (not up yet, compiling, or an error)."""


class MibIndexClient:
    def __init__(
        self,
        gateway_url: str,
        secret: bytes,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        self.etag: str | None = None
        self.index: MibIndex = MibIndex.empty()
        self._http = httpx.AsyncClient(
            base_url=self.gateway_url,
            headers={HEADER: secret.decode()},
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: CommonSettings, **kwargs: Any) -> MibIndexClient:
        return cls(settings.gateway_url, settings.secret_bytes(), **kwargs)

    async def fetch(self) -> MibIndex | None:
        """A new index when the gateway has one we lack; None when ours is current."""
        headers = {"If-None-Match": f'"{self.etag}"'} if self.etag else {}
        try:
            resp = await self._http.get(INDEX_PATH, headers=headers)
        except httpx.HTTPError as exc:
            raise MibIndexUnavailable(f"gateway {self.gateway_url} unreachable: {exc}") from exc
        if resp.status_code == 304:
            return None
        if resp.status_code != 200:
            raise MibIndexUnavailable(f"gateway answered {resp.status_code}: {resp.text[:200]}")
        etag = resp.headers.get("etag", "").strip('"') or None
        body = resp.content
        index = await asyncio.to_thread(MibIndex.from_json, body, etag)
        self.index = index
        self.etag = etag
        return index

    async def aclose(self) -> None:
        await self._http.aclose()


class MibIndexFollower:
    """Keeps :attr:`index` equal to the gateway's, refetching on notice and every minute."""

    def __init__(self, client: MibIndexClient, refresh: float = REFRESH_S) -> None:
        self.client = client
        self.refresh = refresh
        self.loads = 0
        self.errors = 0
        self.last_error: str | None = None
        self._listeners: list[Callable[[MibIndex], Any]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._loaded: asyncio.Event | None = None

    @classmethod
    def from_settings(cls, settings: CommonSettings, **kwargs: Any) -> MibIndexFollower:
        return cls(MibIndexClient.from_settings(settings, **kwargs))

    @property
    def index(self) -> MibIndex:
        return self.client.index

    @property
    def etag(self) -> str | None:
        return self.client.etag

    @property
    def loaded(self) -> bool:
        return self.loads > 0

    def add_listener(self, fn: Callable[[MibIndex], Any]) -> None:
        self._listeners.append(fn)

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._loaded = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="mib-index-follower")

    def notify(self, etag: str | None = None) -> bool:
        """A change notice; True when a refetch was scheduled."""
        if etag is not None and etag == self.client.etag:
            return False
        if self._wake is not None:
            self._wake.set()
        return True

    async def wait_loaded(self, timeout: float | None = None) -> bool:
        if self._loaded is None:
            return False
        try:
            await asyncio.wait_for(self._loaded.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def refresh_now(self) -> MibIndex | None:
        index = await self.client.fetch()
        if index is not None:
            self._swapped(index)
        return index

    def _swapped(self, index: MibIndex) -> None:
        self.loads += 1
        if self._loaded is not None:
            self._loaded.set()
        for fn in self._listeners:
            try:
                fn(index)
            except Exception:
                log.exception("MIB index listener failed")

    async def _run(self) -> None:
        assert self._wake is not None
        delay = 0.25
        while True:
            self._wake.clear()
            try:
                await self.refresh_now()
                self.last_error = None
                delay = self.refresh
            except Exception as exc:  # the gateway may be starting or compiling
                self.errors += 1
                self.last_error = str(exc)
                delay = self.refresh if self.loaded else min(max(delay * 2, 0.25), 5.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.client.aclose()

    def snapshot(self) -> dict[str, Any]:
        return {
            "mib_index_etag": self.client.etag,
            "mib_index_loads": self.loads,
            "mib_index_errors": self.errors,
            "mib_index_last_error": self.last_error,
            "mib_index_nodes": len(self.client.index),
        }


class MibsChanged(BaseModel):
    etag: str | None = None


def mibs_changed_router(target: MibIndexFollower | Callable[[str | None], Any]) -> APIRouter:
    """``POST /mibs/changed`` for a control app: the gateway's change notice."""
    router = APIRouter()

    @router.post("/mibs/changed")
    async def mibs_changed(body: MibsChanged | None = None) -> dict[str, Any]:
        etag = body.etag if body is not None else None
        if isinstance(target, MibIndexFollower):
            scheduled = target.notify(etag)
        else:
            scheduled = bool(target(etag)) or True
        return {"status": "refetching" if scheduled else "current", "etag": etag}

    return router
