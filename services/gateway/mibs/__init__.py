"""The MIB library: the gateway's store of MIB modules, their compiled index and browser.

The gateway application uses only this interface (the MIB work lives behind it):

- ``create_library(settings, publish)`` builds the library; ``publish(message)`` sends a
  WebSocket message (e.g. ``{"type": "mibs", "mibs": {...}}``) to every client.
- ``library.public_router`` is mounted at ``/api/mibs`` behind user authentication.
- ``library.internal_router`` is mounted at ``/internal/mibs`` behind the internal secret
  (``GET /internal/mibs/index.json`` with an ETag, for the services).
- ``await library.start()`` / ``await library.stop()`` from the gateway's lifespan.
- ``library.stats()`` is the contract's ``mibs`` stats section; ``library.summary()`` is
  ``{"loaded", "failed", "total", "traps_available"}`` for ``full_state``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter

from services.gateway.config import GatewaySettings

Publish = Callable[[dict[str, Any]], Awaitable[None]]


class MibLibrary:
    """Placeholder until the MIB library lands: empty routers and zero counters."""

    def __init__(self, settings: GatewaySettings, publish: Publish) -> None:
        self.settings = settings
        self.publish = publish
        self.public_router = APIRouter()
        self.internal_router = APIRouter()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def stats(self) -> dict[str, Any]:
        return {
            "reload_count": 0,
            "upload_count": 0,
            "delete_count": 0,
            "loaded_mibs": 0,
            "failed_mibs": 0,
            "total_mibs": 0,
        }

    def summary(self) -> dict[str, Any]:
        return {"loaded": 0, "failed": 0, "total": 0, "traps_available": 0}


def create_library(settings: GatewaySettings, publish: Publish) -> MibLibrary:
    return MibLibrary(settings, publish)
