"""Authentication between the gateway and the services' control APIs.

Control APIs are internal: they accept a request only when it carries the internal
secret in :data:`HEADER`. Users never reach them; the gateway alone authenticates users.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

import httpx
from fastapi import HTTPException, Request, status

HEADER = "X-Snmplab-Internal"
# Paths a control API serves without the secret: liveness for container healthchecks.
PUBLIC_PATHS = frozenset({"/health"})


def require_internal(secret: bytes) -> Callable[[Request], None]:
    """A FastAPI dependency that refuses requests without the internal secret."""

    def check(request: Request) -> None:
        if request.url.path in PUBLIC_PATHS:
            return
        given = request.headers.get(HEADER, "").encode()
        if not given or not hmac.compare_digest(given, secret):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="internal API: missing or wrong internal secret",
            )

    return check


def internal_client(
    base_url: str, secret: bytes, *, timeout: float = 2.0, **kwargs: object
) -> httpx.AsyncClient:
    """An httpx client for one service's control API, carrying the internal secret."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={HEADER: secret.decode()},
        timeout=timeout,
        **kwargs,  # type: ignore[arg-type]
    )
