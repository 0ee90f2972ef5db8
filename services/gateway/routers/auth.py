"""Login, logout, session check and password change."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field

from services.gateway.auth.deps import gateway_of, require_session
from services.gateway.auth.passwords import hash_password, needs_rehash, verify_password
from services.gateway.auth.sessions import Session

log = logging.getLogger("snmplab.gateway.auth")
router = APIRouter(tags=["auth"])
CurrentSession = Annotated[Session, Depends(require_session)]

# Verified against when the user does not exist, so timing does not reveal user names.
_DUMMY_HASH = hash_password("snmplab-no-such-user")


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class LoginResponse(BaseModel):
    token: str
    username: str
    expires_in: int = Field(description="Seconds of inactivity before the session ends.")


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    password: str = Field(max_length=1024, description="The new password.")
    username: str | None = Field(
        default=None, min_length=1, max_length=128, description="Optional new user name."
    )


def _client_keys(request: Request, username: str) -> list[str]:
    host = request.client.host if request.client else "unknown"
    return [f"ip:{host}", f"user:{username}"]


def _too_many(wait: float) -> HTTPException:
    seconds = max(1, math.ceil(wait))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"Too many failed attempts. Try again in {seconds} s.",
        headers={"Retry-After": str(seconds)},
    )


async def _check_password(request: Request, username: str, password: str) -> bool:
    gw = gateway_of(request)
    stored = await asyncio.to_thread(gw.store.user_hash, username)
    ok = await asyncio.to_thread(verify_password, stored or _DUMMY_HASH, password)
    if ok and stored is not None and needs_rehash(stored):
        new_hash = await asyncio.to_thread(hash_password, password)
        await asyncio.to_thread(gw.store.set_user, username, new_hash, time.time())
    return ok and stored is not None


@router.post(
    "/api/login",
    response_model=LoginResponse,
    responses={401: {"description": "Wrong user name or password"}, 429: {}},
)
@router.post("/api/settings/login", response_model=LoginResponse, include_in_schema=False)
async def login(body: LoginRequest, request: Request) -> LoginResponse:
    gw = gateway_of(request)
    keys = _client_keys(request, body.username)
    wait = gw.limiter.retry_after(keys)
    if wait:
        log.warning("login refused (rate limit) for %r from %s", body.username[:64], keys[0][3:])
        raise _too_many(wait)
    if not await _check_password(request, body.username, body.password):
        gw.limiter.failure(keys)
        log.warning("login failed for %r from %s", body.username[:64], keys[0][3:])
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid user name or password")
    gw.limiter.success(keys)
    token, session = await gw.sessions.create(body.username)
    log.info("login of %r from %s", session.username, keys[0][3:])
    return LoginResponse(
        token=token, username=session.username, expires_in=gw.settings.session_timeout
    )


@router.post("/api/logout")
@router.post("/api/settings/logout", include_in_schema=False)
async def logout(request: Request, session: CurrentSession) -> dict[str, str]:
    await gateway_of(request).close_sessions([session.key], "Logged out")
    return {"status": "logged_out"}


@router.get("/api/settings/check")
async def check(request: Request, session: CurrentSession) -> dict[str, object]:
    return {
        "status": "authenticated",
        "user": session.username,
        "username": session.username,
        "expires_in": gateway_of(request).settings.session_timeout,
    }


@router.post("/api/settings/auth", responses={403: {}, 422: {}, 429: {}})
async def change_password(
    body: PasswordChange, request: Request, session: CurrentSession
) -> dict[str, object]:
    """Change the password (and optionally the user name); signs out every other session."""
    gw = gateway_of(request)
    keys = [f"change:{session.username}"]
    wait = gw.limiter.retry_after(keys)
    if wait:
        raise _too_many(wait)
    minimum = gw.settings.password_min_length
    if len(body.password) < minimum:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            detail=f"The new password must be at least {minimum} characters long.",
        )
    if not await _check_password(request, session.username, body.current_password):
        gw.limiter.failure(keys)
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Current password incorrect")
    gw.limiter.success(keys)
    new_name = body.username or session.username
    new_hash = await asyncio.to_thread(hash_password, body.password)
    await asyncio.to_thread(gw.store.set_user, new_name, new_hash, time.time())
    if new_name != session.username:
        await asyncio.to_thread(gw.store.delete_user, session.username)
    others = [k for k in gw.sessions.keys_of_user(session.username) if k != session.key]
    await gw.close_sessions(others, "Password changed. Please log in again.")
    session.username = new_name
    log.info("password changed for %r; %d other sessions closed", new_name, len(others))
    return {
        "status": "updated",
        "message": "Password updated. Other sessions were signed out.",
        "username": new_name,
        "revoked_sessions": len(others),
    }
