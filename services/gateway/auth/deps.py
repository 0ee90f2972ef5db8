"""FastAPI dependencies: the gateway of a request, and the user's session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, status
from starlette.datastructures import Headers

from services.gateway.auth.sessions import Session

if TYPE_CHECKING:
    from services.gateway.runtime import Gateway

INVALID = "Invalid or missing session token"
EXPIRED = "Session expired. Please log in again."


def gateway_of(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def token_from(headers: Headers) -> str | None:
    token = headers.get("x-auth-token")
    if token:
        return token.strip()
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def require_session(request: Request) -> Session:
    token = token_from(request.headers)
    if not token:
        raise _unauthorized(INVALID)
    gw = gateway_of(request)
    session = gw.sessions.lookup(token)
    if session is None:
        raise _unauthorized(EXPIRED if gw.sessions.known(token) else INVALID)
    request.state.token = token
    return session
