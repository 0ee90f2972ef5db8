"""SNMPv3 USM users for receiving: ``/traps/users`` (keys never leave the service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.trapd.routers.deps import Daemon
from services.trapd.v3 import make_user

router = APIRouter()


class UserBody(BaseModel):
    name: str = Field(min_length=1, max_length=32)
    auth_protocol: str | None = Field(
        default=None, description="MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"
    )
    auth_passphrase: str | None = None
    priv_protocol: str | None = Field(
        default=None, description="DES, AES, AES-192, AES-256, AES-192-C, AES-256-C"
    )
    priv_passphrase: str | None = None
    engine_id: str | None = Field(
        default=None, description="Hex; leave empty to accept this user from any engine."
    )


@router.get("/traps/users")
def list_users(daemon: Daemon) -> dict[str, Any]:
    return {
        "users": [u.public() for u in daemon.users.users.values()],
        "engine_id": daemon.engine.engine_id.hex(),
    }


@router.post("/traps/users", status_code=201)
def put_user(body: UserBody, daemon: Daemon) -> dict[str, Any]:
    try:
        user = make_user(
            body.name,
            body.auth_protocol,
            body.auth_passphrase,
            body.priv_protocol,
            body.priv_passphrase,
            body.engine_id,
        )
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    daemon.users.put(user)
    return user.public()


@router.delete("/traps/users/{name}")
def delete_user(name: str, daemon: Daemon) -> dict[str, Any]:
    if not daemon.users.delete(name):
        raise HTTPException(404, detail=f"no SNMPv3 user named {name!r}")
    return {"status": "deleted", "name": name}


@router.get("/traps/v3")
def v3_status(daemon: Daemon) -> dict[str, Any]:
    return daemon.v3.status()
