"""The walker's control API: FastAPI app factory and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.config import ensure_dir
from services.common.control_app import make_control_app
from services.common.events import EventSender
from services.common.mibs.client import MibIndexFollower
from services.walker.config import WalkerSettings
from services.walker.routers import execute, history, mibs, operations, stats, traps, walk
from services.walker.service import WalkerService
from services.walker.targets import BadInput


def create_app(settings: WalkerSettings | None = None) -> FastAPI:
    settings = settings or WalkerSettings()
    secret = settings.secret_bytes()
    ensure_dir(settings.walker_data_dir)
    follower = MibIndexFollower.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events = EventSender.from_settings(settings, "walker")
        svc = WalkerService(settings, events)
        app.state.walker = svc
        # Walks read the index through Names; a new one is swapped in with one assignment.
        follower.add_listener(lambda index: setattr(svc.names, "resolver", index))
        follower.start()
        flusher = asyncio.create_task(svc.flush_loop())
        try:
            yield
        finally:
            flusher.cancel()
            await follower.stop()
            for control in list(svc.running.values()):
                control.cancel()
            svc.threads.shutdown(wait=True, cancel_futures=True)  # walks see the cancel in 0.1 s
            svc.stats.flush()
            svc.history.close()
            events.close()

    app = make_control_app("walker", secret, lifespan=lifespan)

    @app.exception_handler(BadInput)
    async def bad_input(_: Request, exc: BadInput) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.include_router(execute.router)  # before walk: /walk/execute is not a walk id
    app.include_router(operations.router)
    app.include_router(history.router)  # before walk: /walk/history is not a walk id
    app.include_router(walk.router)
    app.include_router(stats.router)
    app.include_router(mibs.build_router(follower))
    app.include_router(traps.router)
    return app
