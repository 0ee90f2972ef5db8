"""``GET/DELETE /stats`` and the MIB-change notice from the gateway."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.walker.service import WalkerService

router = APIRouter()


@router.get("/stats")
async def get_stats(request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    return svc.stats.body()


@router.delete("/stats")
async def reset_stats(request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    svc.stats.reset()
    return {"status": "reset", **svc.stats.body()}
