"""``POST /mibs/changed`` (the shared follower's route) and ``GET /mibs/status``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.common.mibs.client import MibIndexFollower, mibs_changed_router


def build_router(follower: MibIndexFollower) -> APIRouter:
    router = mibs_changed_router(follower)

    @router.get("/mibs/status")
    async def mibs_status(request: Request) -> dict[str, Any]:
        return {"loaded": follower.loaded, **follower.snapshot()}

    return router
