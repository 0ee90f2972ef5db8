"""The simulator's control API application (FastAPI), wired to one :class:`Simulator`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.control_app import make_control_app
from services.common.events import EventSender
from services.common.mibs.client import MibIndexFollower, mibs_changed_router
from services.simulator import boot_config
from services.simulator.config import SimulatorSettings
from services.simulator.routers import (
    boot,
    data,
    devices,
    lifecycle,
    notifications,
    profiles,
    users,
)
from services.simulator.simulator import Simulator, SimulatorError


def create_app(
    settings: SimulatorSettings,
    *,
    events: EventSender | None = None,
    simulator: Simulator | None = None,
) -> FastAPI:
    """The control app. ``simulator`` may be one already started (see ``__main__``)."""
    secret = settings.secret_bytes()
    if simulator is None:
        if events is None:
            events = EventSender.from_settings(settings, "simulator")
        simulator = Simulator(settings, events)
    events = simulator.events
    follower = MibIndexFollower.from_settings(settings)
    simulator.mib_follower = follower

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notifier = simulator.notifier
        app.state.notifier = notifier
        follower.start()
        periodic = asyncio.create_task(simulator.run_periodic())
        if boot_config.autostart(settings) and not simulator.running:
            try:
                await simulator.start()
            except SimulatorError as exc:
                # The control API stays up so that an operator can pick another port.
                app.state.autostart_error = exc.message
        try:
            yield
        finally:
            periodic.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await periodic
            await simulator.shutdown()
            notifier.close()
            await follower.stop()
            if events is not None:
                events.close()

    app = make_control_app("simulator", secret, lifespan=lifespan)
    app.state.simulator = simulator
    app.state.settings = settings
    app.state.autostart_error = None
    app.state.notifier = simulator.notifier

    @app.exception_handler(SimulatorError)
    async def _sim_error(_request: Request, exc: SimulatorError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"detail": exc.message, **exc.extra})

    app.include_router(lifecycle.router)
    app.include_router(users.router)
    # notifications before devices: /devices/{name}/notify must not match /{name}/{action}.
    app.include_router(notifications.router)
    app.include_router(devices.router)
    app.include_router(profiles.router)
    app.include_router(data.router)
    app.include_router(boot.router)
    app.include_router(mibs_changed_router(follower))

    return app
