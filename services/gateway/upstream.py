"""The gateway's view of the three services: where they are and how to call their control APIs.

Pulls (``GET /…/status``, ``GET /stats``) use short timeouts and return ``None`` instead of
raising, because an unreachable service is a normal state to show, never an error page.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from services.common.internal_auth import HEADER as INTERNAL_HEADER
from services.common.internal_auth import internal_client
from services.gateway.config import GatewaySettings

log = logging.getLogger("snmplab.gateway.upstream")

SERVICES = ("simulator", "trapd", "walker")

# What to tell a person when a service does not answer.
_MODULE = {
    "simulator": "services.simulator",
    "trapd": "services.trapd",
    "walker": "services.walker",
}
_ENV = {
    "simulator": "SNMPLAB_SIMULATOR_URL",
    "trapd": "SNMPLAB_TRAPD_URL",
    "walker": "SNMPLAB_WALKER_URL",
}


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    url: str

    def unreachable_hint(self) -> str:
        return (
            f"Check that it is running (python -m {_MODULE[self.name]}) and that "
            f"{_ENV[self.name]} ({self.url}) points to it."
        )


class Upstream:
    def __init__(self, settings: GatewaySettings, secret: bytes) -> None:
        self.settings = settings
        self.services = {
            "simulator": Service("simulator", settings.simulator_url.rstrip("/")),
            "trapd": Service("trapd", settings.trapd_url.rstrip("/")),
            "walker": Service("walker", settings.walker_url.rstrip("/")),
        }
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        # Pulls: short everything. Forwarding: short connect, long read (walks, exports).
        self.pull: dict[str, httpx.AsyncClient] = {
            name: internal_client(svc.url, secret, timeout=settings.control_timeout, limits=limits)
            for name, svc in self.services.items()
        }
        forward_timeout = httpx.Timeout(
            connect=settings.control_timeout,
            read=settings.forward_timeout,
            write=settings.forward_timeout,
            pool=settings.control_timeout,
        )
        self.forward: dict[str, httpx.AsyncClient] = {
            name: httpx.AsyncClient(
                base_url=svc.url,
                headers={INTERNAL_HEADER: secret.decode()},
                timeout=forward_timeout,
                limits=limits,
            )
            for name, svc in self.services.items()
        }

    async def aclose(self) -> None:
        for client in [*self.pull.values(), *self.forward.values()]:
            await client.aclose()

    async def get_json(
        self, service: str, path: str, params: dict[str, Any] | None = None
    ) -> Any | None:
        """GET a control-API JSON document, or None if the service cannot answer now."""
        try:
            resp = await self.pull[service].get(path, params=params)
        except (httpx.HTTPError, OSError) as exc:
            log.debug("%s %s: %s", service, path, exc)
            return None
        if resp.status_code != 200:
            log.debug("%s %s: HTTP %s", service, path, resp.status_code)
            return None
        try:
            return resp.json()
        except ValueError:
            return None

    async def call(
        self, service: str, method: str, path: str, json: Any = None
    ) -> tuple[int | None, Any]:
        """Any control-API call; ``(None, message)`` when unreachable."""
        try:
            resp = await self.pull[service].request(method, path, json=json)
        except (httpx.HTTPError, OSError) as exc:
            return None, f"{service} unreachable: {exc.__class__.__name__}"
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        return resp.status_code, body

    async def fan_out(
        self, method: str, path: str, json: Any = None, services: tuple[str, ...] = SERVICES
    ) -> dict[str, tuple[int | None, Any]]:
        results = await asyncio.gather(*(self.call(s, method, path, json) for s in services))
        return dict(zip(services, results, strict=True))
