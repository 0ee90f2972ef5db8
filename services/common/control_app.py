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

    Control APIs are not public: no OpenAPI pages are served on them.
    """
    app = FastAPI(
        title=f"snmplab {service} control API",
        dependencies=[Depends(require_internal(secret))],
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    return app
