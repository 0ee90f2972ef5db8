"""SNMPv3 users of the simulated devices (one user table for the simulator's engine)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from services.simulator.routers.lifecycle import sim
from services.simulator.usm import V3User

router = APIRouter()


@router.get("/simulator/users")
async def list_users(request: Request) -> dict[str, Any]:
    s = sim(request)
    return {
        "engine_id": s.usm.engine.engine_id.hex(),
        "engine_boots": s.usm.engine.boots,
        "users": [u.public() for u in s.users.values()],
        "stats": dict(s.usm.stats),
    }


@router.post("/simulator/users", status_code=201)
async def put_user(request: Request, user: V3User) -> dict[str, Any]:
    try:
        user.check()
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    s = sim(request)
    s.users[user.name] = user
    s.save_users()
    return {"status": "saved", "user": user.public()}


@router.delete("/simulator/users/{name}")
async def delete_user(request: Request, name: str) -> dict[str, Any]:
    s = sim(request)
    if s.users.pop(name, None) is None:
        raise HTTPException(404, f"no SNMPv3 user {name!r}")
    s.save_users()
    return {"status": "deleted", "name": name}
