"""The gateway's parts, wired together, and their start and stop order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from services.gateway.app_settings import AppSettingsService
from services.gateway.auth.passwords import hash_password
from services.gateway.auth.ratelimit import LoginLimiter
from services.gateway.auth.sessions import SessionManager
from services.gateway.auth.store import GatewayStore
from services.gateway.config import GatewaySettings
from services.gateway.events_listener import EventsListener
from services.gateway.forwarding import Forwarder
from services.gateway.mibs import MibLibrary, create_library
from services.gateway.openapi_merge import OpenApiDocument
from services.gateway.relay import EventRelay
from services.gateway.state import LiveState
from services.gateway.upstream import SERVICES, Upstream
from services.gateway.ws.manager import ConnectionManager, Item, frame_of

log = logging.getLogger("snmplab.gateway")

_SWEEP_INTERVAL = 1.0
_FLUSH_EVERY = 10  # sweeps between two writes of session activity


class Gateway:
    def __init__(self, settings: GatewaySettings, secret: bytes) -> None:
        self.settings = settings
        self.secret = secret
        self.started_at = time.time()
        self.store = GatewayStore(settings.gateway_data_dir / "gateway.sqlite3")
        self.sessions = SessionManager(self.store, lambda: float(self.settings.session_timeout))
        self.limiter = LoginLimiter(
            max_failures=settings.login_max_failures, lockout=settings.login_lockout_seconds
        )
        self.upstream = Upstream(settings, secret)
        self.forwarder = Forwarder(self.upstream)
        self.openapi = OpenApiDocument(self.upstream)
        self.app_settings = AppSettingsService(settings, self.store, self.upstream)
        self.ws = ConnectionManager(
            settings.ws_client_queue, self._state_frames, max_bytes=settings.ws_client_queue_bytes
        )
        self.library: MibLibrary = create_library(settings, self.publish)
        # The MIB library calls this after each change so every service refetches the index.
        self.library.notify_services = self.notify_mibs_changed
        self.live = LiveState(self.upstream, self.library.stats, self.library.summary)
        self.relay = EventRelay(self.live, self.ws, self.upstream, settings.stats_push_interval)
        self.events = EventsListener(
            settings.events_listen, secret, self.relay.handle_batch, rcvbuf=settings.events_rcvbuf
        )
        self._tasks: list[asyncio.Task[Any]] = []

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        await asyncio.to_thread(self._prepare_store)
        self.events.start(asyncio.get_running_loop())
        await self.library.start()
        self._tasks.append(asyncio.create_task(self._sweeper(), name="session-sweeper"))
        self._tasks.append(asyncio.create_task(self._status_watch(), name="status-watch"))

    def _prepare_store(self) -> None:
        if not self.store.has_users():
            # The default account exists only as an argon2 hash, never in clear.
            self.store.set_user(
                self.settings.admin_username,
                hash_password(self.settings.admin_password.get_secret_value()),
                time.time(),
            )
        self.sessions.load()
        self.app_settings.load()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.ws.close_all()
        self.events.stop()
        await self.relay.aclose()
        with contextlib.suppress(Exception):
            await self.library.stop()
        with contextlib.suppress(Exception):
            await self.sessions.flush()
        await self.upstream.aclose()
        self.store.close()

    async def _status_watch(self) -> None:
        """Pull status now and then; push ``status`` when a service died or came up silently."""
        await asyncio.gather(self.live.pull_status(), self.live.pull_stats())
        while True:
            await asyncio.sleep(self.settings.status_poll_interval)
            try:
                before = self.live.status_key()
                await self.live.pull_status()
                if self.live.status_key() != before:
                    self.ws.broadcast_message(self.live.status_message())
                    await self.live.pull_stats()
                    self.relay.schedule_stats()
            except Exception:
                log.exception("status check failed")

    async def _sweeper(self) -> None:
        """Expiry is enforced on a timer, so an idle socket is closed when its session ends."""
        n = 0
        while True:
            await asyncio.sleep(_SWEEP_INTERVAL)
            try:
                expired = self.sessions.take_expired()
                if expired:
                    keys = [s.key for s in expired]
                    self.ws.close_sessions(set(keys), "Session expired. Please log in again.")
                    await self.sessions.revoke(keys)
                n += 1
                if n % _FLUSH_EVERY == 0:
                    await self.sessions.flush()
            except Exception:
                log.exception("session sweep failed")

    # -- WebSocket helpers --------------------------------------------------------------
    def _state_frames(self) -> list[Item]:
        return [frame_of(self.live.status_message()), frame_of(self.live.stats_message())]

    async def publish(self, message: dict[str, Any]) -> None:
        """For the MIB library: one message to every client; its counters changed too."""
        self.ws.broadcast_message(message)
        if message.get("type") == "mibs":
            self.relay.schedule_stats()

    async def notify_mibs_changed(self, etag: str) -> dict[str, str]:
        """``POST /mibs/changed`` on every service, in parallel; unreachable ones refetch later."""
        results = await self.upstream.fan_out("POST", "/mibs/changed", {"etag": etag})
        return {
            svc: ("unreachable" if code is None else "ok" if code < 300 else f"HTTP {code}")
            for svc, (code, _) in results.items()
        }

    async def close_sessions(self, keys: list[str], reason: str) -> None:
        self.ws.close_sessions(set(keys), reason)
        await self.sessions.revoke(keys)

    def counters(self) -> dict[str, Any]:
        return {
            **self.events.snapshot(),
            **self.ws.snapshot(),
            "sessions_active": len(self.sessions),
            "logins_refused_rate_limit": self.limiter.refused,
            "requests_forwarded": self.forwarder.forwarded,
            "services_unreachable": self.forwarder.unreachable,
            "trap_refs_failed": self.relay.trap_refs_failed,
            "stats_pushes": self.relay.stats_pushes,
            "uptime_seconds": round(time.time() - self.started_at, 1),
        }


__all__ = ["SERVICES", "Gateway"]
