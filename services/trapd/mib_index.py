"""Keeps trapd's names current: follows the gateway's MIB index via the shared client.

Loading happens on the asyncio side; the result is handed to :class:`Naming` in one
assignment, so a MIB reload never pauses a listener or the pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from typing import Any

from services.trapd.config import TrapdSettings
from services.trapd.naming import Naming

log = logging.getLogger(__name__)

REFRESH_S = 60.0


class MibIndexFollower:
    def __init__(self, settings: TrapdSettings, naming: Naming) -> None:
        self.settings = settings
        self.naming = naming
        self.etag: str | None = None
        self.loads = 0
        self.errors = 0
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: Any = None

    def start(self) -> None:
        self._client = self._make_client()
        if self._client is not None:
            self._task = asyncio.create_task(self._run())

    def _make_client(self) -> Any:
        """The shared MIB client, if that package provides one yet."""
        try:
            mod = importlib.import_module("services.common.mibs.client")
        except ImportError:
            log.info("trapd: no shared MIB client yet; var-binds stay unresolved")
            return None
        factory = getattr(mod, "MibIndexClient", None)
        if factory is None:
            return None
        return factory.from_settings(self.settings)

    def notify(self, etag: str | None) -> None:
        if etag is None or etag != self.etag:
            self._wake.set()

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                index = await self._client.fetch()
                if index is not None:
                    self.naming.set_index(index)
                    self.etag = getattr(self._client, "etag", None)
                    self.loads += 1
                delay = REFRESH_S
            except Exception as exc:  # the gateway may not be up yet
                self.errors += 1
                self.last_error = str(exc)
                delay = min(max(delay * 2, 0.5), 10.0) if not self.naming.loaded else REFRESH_S
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        close = getattr(self._client, "aclose", None)
        if close is not None:
            await close()

    def status(self) -> dict[str, Any]:
        return {
            "loaded": self.naming.loaded,
            "etag": self.etag,
            "loads": self.loads,
            "errors": self.errors,
            "last_error": self.last_error,
        }
