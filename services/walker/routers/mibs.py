"""``POST /mibs/changed``: the gateway has a new MIB index; refetch it in the background."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

router = APIRouter()


class Changed(BaseModel):
    etag: str | None = None


@router.post("/mibs/changed")
async def mibs_changed(body: Changed, request: Request) -> dict[str, Any]:
    follower = request.app.state.mib_follower
    follower.notify(body.etag)
    return {"status": "refetching", **follower.status()}


@router.get("/mibs/status")
async def mibs_status(request: Request) -> dict[str, Any]:
    status: dict[str, Any] = request.app.state.mib_follower.status()
    return status
