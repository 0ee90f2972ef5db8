"""The trap daemon's control app: lifespan (daemon, autostart, periodic stats) and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.control_app import make_control_app
from services.common.events import EventSender
from services.common.mibs.client import MibIndexFollower, mibs_changed_router
from services.trapd.config import TrapdSettings
from services.trapd.daemon import TrapDaemon
from services.trapd.receiver import BindError
from services.trapd.routers import config, lifecycle, listeners, records, replay, stats, users

log = logging.getLogger(__name__)

STATS_PERIOD_S = 1.0


async def _tick(daemon: TrapDaemon) -> None:
    """At most one ``stats`` event a second, and only while counters move."""
    while True:
        await asyncio.sleep(STATS_PERIOD_S)
        try:
            await asyncio.to_thread(daemon.push_stats)
            await asyncio.to_thread(daemon.counters.flush)
        except Exception:
            log.exception("trapd: periodic stats failed")


def create_app(settings: TrapdSettings | None = None) -> FastAPI:
    settings = settings or TrapdSettings()
    secret = settings.secret_bytes()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sender = EventSender.from_settings(settings, "trapd")
        daemon = TrapDaemon(settings, sender=sender)
        app.state.daemon = daemon
        follower.add_listener(daemon.naming.set_index)
        daemon.mib_status = follower.snapshot
        follower.start()
        daemon.restore_listeners()
        autostart = daemon.config.autostart
        if settings.trapd_autostart if autostart is None else autostart:
            try:
                daemon.start()
            except (BindError, ValueError) as exc:
                log.error("trapd: receiver not started: %s", exc)
        tick = asyncio.create_task(_tick(daemon))
        try:
            yield
        finally:
            tick.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tick
            await follower.stop()
            daemon.shutdown()
            sender.close()

    # The follower swaps in each new MIB index on its own task: reception never pauses.
    follower = MibIndexFollower.from_settings(settings)
    app = make_control_app("trapd", secret, lifespan=lifespan)
    app.include_router(mibs_changed_router(follower))
    app.include_router(lifecycle.router)
    app.include_router(stats.router)
    # Fixed /traps/... paths go before records' /traps/{seq}.
    app.include_router(users.router)
    app.include_router(listeners.router)
    app.include_router(config.router)
    app.include_router(replay.router)
    app.include_router(records.router)
    return app
