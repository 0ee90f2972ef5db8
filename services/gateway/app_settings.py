"""The Settings page's values: validated, persisted in the gateway store, applied live.

Stored values win over the environment's defaults. The session timeout and the MIB fetch
settings take effect at once (they are written into the live :class:`GatewaySettings`,
which the MIB library reads at use time). The auto-start flags belong to the services,
which apply them on their next boot: the gateway forwards them with
``PUT /simulator/config`` / ``PUT /traps/config`` ``{"autostart": bool}``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.gateway.auth.store import GatewayStore
from services.gateway.config import GatewaySettings
from services.gateway.upstream import Upstream

_AUTOSTART_ROUTES = {
    "auto_start_simulator": ("simulator", "/simulator/config"),
    "auto_start_trap_receiver": ("trapd", "/traps/config"),
}


def check_sources(sources: list[str]) -> list[str]:
    cleaned = [s.strip() for s in sources if s.strip()]
    if not cleaned:
        raise ValueError("give at least one MIB source URL")
    if len(cleaned) > 20:
        raise ValueError("at most 20 MIB sources")
    for url in cleaned:
        if len(url) > 512:
            raise ValueError(f"MIB source URL is too long: {url[:60]}…")
        if "@mib@" not in url:
            raise ValueError(f"MIB source {url!r} must contain @mib@ where the module name goes")
        parts = urlsplit(url.replace("@mib@", "MIB"))
        if parts.scheme != "https":
            raise ValueError(f"MIB source {url!r} must use https://")
        if not parts.hostname:
            raise ValueError(f"MIB source {url!r} has no host name")
        if parts.username or parts.password:
            raise ValueError(f"MIB source {url!r} must not carry credentials")
    return cleaned


class AppSettings(BaseModel):
    auto_start_simulator: bool
    auto_start_trap_receiver: bool
    session_timeout: int
    mib_auto_fetch: bool
    mib_remote_sources: list[str]


class AppSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_start_simulator: bool | None = None
    auto_start_trap_receiver: bool | None = None
    session_timeout: int | None = Field(
        default=None, ge=60, le=86400, description="Seconds of inactivity before logout."
    )
    mib_auto_fetch: bool | None = None
    mib_remote_sources: list[str] | None = None

    @field_validator("mib_remote_sources")
    @classmethod
    def _sources(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_sources(value)


class AppSettingsService:
    def __init__(self, settings: GatewaySettings, store: GatewayStore, upstream: Upstream) -> None:
        self.settings = settings
        self.store = store
        self.upstream = upstream
        self.current = AppSettings(
            auto_start_simulator=settings.auto_start_simulator,
            auto_start_trap_receiver=settings.auto_start_trap_receiver,
            session_timeout=settings.session_timeout,
            mib_auto_fetch=settings.mib_auto_fetch,
            mib_remote_sources=[
                s.strip() for s in settings.mib_remote_sources.split(",") if s.strip()
            ],
        )

    def load(self) -> None:
        stored = self.store.app_settings()
        known = {k: v for k, v in stored.items() if k in AppSettings.model_fields}
        # A stored value no longer valid keeps the defaults rather than fail the start.
        with contextlib.suppress(ValueError):
            self.current = self.current.model_copy(
                update=AppSettingsUpdate(**known).model_dump(exclude_none=True)
            )
        self._apply()

    def _apply(self) -> None:
        s = self.settings
        s.session_timeout = self.current.session_timeout
        s.mib_auto_fetch = self.current.mib_auto_fetch
        s.mib_remote_sources = ",".join(self.current.mib_remote_sources)
        s.auto_start_simulator = self.current.auto_start_simulator
        s.auto_start_trap_receiver = self.current.auto_start_trap_receiver

    async def update(self, patch: AppSettingsUpdate) -> dict[str, Any]:
        changes = patch.model_dump(exclude_none=True)
        before = self.current
        self.current = before.model_copy(update=changes)
        await asyncio.to_thread(self.store.put_app_settings, self.current.model_dump())
        self._apply()
        changed = {k for k, v in changes.items() if getattr(before, k) != v}
        forwarded: dict[str, str] = {}
        calls = [(flag, *_AUTOSTART_ROUTES[flag]) for flag in _AUTOSTART_ROUTES if flag in changed]
        results = await asyncio.gather(
            *(
                self.upstream.call(svc, "PUT", path, {"autostart": getattr(self.current, flag)})
                for flag, svc, path in calls
            )
        )
        for (_flag, svc, _path), (code, _body) in zip(calls, results, strict=True):
            if code is None:
                forwarded[svc] = "unreachable"
            elif code in (404, 405):
                forwarded[svc] = "not_supported"
            elif code < 300:
                forwarded[svc] = "applied"
            else:
                forwarded[svc] = f"failed (HTTP {code})"
        return {
            "status": "saved",
            # Auto-start applies when the service next boots; everything else is live.
            "restart_required": bool(changed & set(_AUTOSTART_ROUTES)),
            "settings": self.current.model_dump(),
            "autostart_forwarded": forwarded,
        }
