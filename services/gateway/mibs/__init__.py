"""The MIB library: the gateway's store of MIB modules, their compiled index and browser.

The gateway application uses only this interface (the MIB work lives behind it):

- ``create_library(settings, publish)`` builds the library; ``publish(message)`` sends a
  WebSocket message (e.g. ``{"type": "mibs", "mibs": {...}}``) to every client.
- ``library.public_router`` is mounted at ``/api/mibs`` behind user authentication
  (manager routes and the browser under ``/api/mibs/browse/``).
- ``library.internal_router`` is mounted at ``/internal/mibs`` behind the internal secret
  (``GET /internal/mibs/index.json`` with an ETag, for the services; 503 + Retry-After
  until the first compile is done).
- ``library.notify_services``: set by the gateway to ``async (etag) -> {service: "ok" |
  "unreachable" | "HTTP nnn"}``; the library awaits it after every change so each service
  calls ``POST /mibs/changed`` -> refetches the index (failures are tolerated: services
  also refetch every 60 s).
- ``await library.start()`` / ``await library.stop()`` from the gateway's lifespan. ``start``
  returns at once; the first compile runs in a worker process (``library.ready`` is an
  ``asyncio.Event`` set when an index is available).
- ``library.stats()`` is the contract's ``mibs`` stats section; ``library.summary()`` is
  ``{"loaded", "failed", "total", "traps_available"}`` for ``full_state``.
- ``library.reset_stats()`` zeroes ``reload_count``/``upload_count``/``delete_count``
  (for ``DELETE /api/stats``).
- ``library.index`` is the current :class:`services.common.mibs.index.MibIndex`.

Settings (``GatewaySettings``, env ``SNMPLAB_*``): ``mib_standard_dir`` (where
``tools/standard-mibs/fetch.sh`` put the standard modules), ``mib_standard_modules``,
``mib_cache_dir``, ``mib_max_file_bytes``, ``mib_max_batch_bytes``, ``mib_max_batch_files``,
``mib_auto_fetch``, ``mib_remote_sources``. Files live in ``<gateway_data_dir>/mibs/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.common.mibs.index import MibIndex
from services.gateway.config import GatewaySettings
from services.gateway.mibs.library import LibraryCore, NotifyServices, Publish

__all__ = ["MibLibrary", "Publish", "create_library"]


class MibLibrary:
    def __init__(self, settings: GatewaySettings, publish: Publish) -> None:
        from services.gateway.mibs.browse import build_browse_router
        from services.gateway.mibs.routes import build_internal_router, build_public_router

        self.settings = settings
        self.publish = publish
        self.core = LibraryCore(settings, publish)
        self.public_router = build_public_router(self.core)
        self.public_router.include_router(build_browse_router(self.core), prefix="/browse")
        self.internal_router = build_internal_router(self.core)

    @property
    def notify_services(self) -> NotifyServices | None:
        return self.core.notify_services

    @notify_services.setter
    def notify_services(self, fn: Callable[[str], Awaitable[dict[str, str]]] | None) -> None:
        self.core.notify_services = fn

    @property
    def ready(self) -> Any:
        return self.core.ready

    @property
    def index(self) -> MibIndex:
        return self.core.version.index

    @property
    def etag(self) -> str:
        return self.core.version.etag

    async def start(self) -> None:
        await self.core.start()

    async def stop(self) -> None:
        await self.core.stop()

    async def reload(self) -> None:
        await self.core.reload()

    def stats(self) -> dict[str, Any]:
        return self.core.stats()

    def summary(self) -> dict[str, Any]:
        return self.core.summary()

    def reset_stats(self) -> None:
        """``DELETE /api/stats``: zero the persisted counters (the live counts stay)."""
        self.core.counters.reset()


def create_library(settings: GatewaySettings, publish: Publish) -> MibLibrary:
    return MibLibrary(settings, publish)
