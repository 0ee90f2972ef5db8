"""The frame of a service's internal control API: internal-secret check and ``/health``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI

from services.common.internal_auth import require_internal


def make_control_app(
    service: str,
    secret: bytes,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
) -> FastAPI:
    """A FastAPI app whose every route but ``GET /health`` needs the internal secret.

    Control APIs are not public: no docs pages are served on them. Their OpenAPI schema
    is served at ``/openapi.json`` behind the internal secret, so that the gateway can merge
    every service's routes into the public, login-protected API document.
    """
    app = FastAPI(
        title=f"snmplab {service} control API",
        dependencies=[Depends(require_internal(secret))],
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    return app
