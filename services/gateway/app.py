"""The gateway application: ``create_app(settings)``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from services.common.internal_auth import require_internal
from services.gateway.auth.deps import require_session
from services.gateway.config import GatewaySettings
from services.gateway.routers import auth, docs, meta, services, stats, ws
from services.gateway.routers import settings as settings_routes
from services.gateway.runtime import Gateway
from services.gateway.security_headers import SecurityHeaders
from services.gateway.version import VERSION

log = logging.getLogger("snmplab.gateway")


def create_app(settings: GatewaySettings) -> FastAPI:
    """Build the gateway. Raises ``ConfigError`` when the internal secret is missing."""
    secret = settings.secret_bytes()
    gateway = Gateway(settings, secret)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await gateway.start()
        except OSError as exc:
            log.error(
                "cannot listen for events on %s: %s (set SNMPLAB_EVENTS_LISTEN)",
                settings.events_listen,
                exc,
            )
            raise
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(
        title="snmplab",
        version=VERSION,
        description=settings.app_description,
        lifespan=lifespan,
        # Served behind login by routers/docs.py, never in the open.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.gateway = gateway

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence first, the structured errors after it.
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": "; ".join(parts) or "invalid request", "errors": errors},
            status_code=422,
        )

    app.include_router(meta.router)
    app.include_router(auth.router)
    app.include_router(settings_routes.router)
    app.include_router(stats.router)
    app.include_router(ws.router)
    app.include_router(docs.router)
    app.include_router(
        gateway.library.public_router, prefix="/api/mibs", dependencies=[Depends(require_session)]
    )
    app.include_router(
        gateway.library.internal_router,
        prefix="/internal/mibs",
        dependencies=[Depends(require_internal(secret))],
        include_in_schema=False,  # for the services only, not part of the public API
    )
    app.include_router(services.router)

    @app.api_route(
        "/api/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def _no_such_api(rest: str) -> JSONResponse:
        # Keeps unknown API paths from falling through to the web UI's files.
        return JSONResponse({"detail": f"No API route /api/{rest}"}, status_code=404)

    web_dir = settings.web_dir
    if web_dir is not None and str(web_dir) and web_dir.is_dir():
        app.mount("/", StaticFiles(directory=web_dir, html=True), name="web")

    if settings.cors_origins.strip():
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["X-Auth-Token", "Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    return app
