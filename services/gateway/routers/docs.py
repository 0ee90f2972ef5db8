"""OpenAPI of the public API, behind login (placeholder until the docs page lands)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from services.gateway.auth.deps import require_session

router = APIRouter(tags=["docs"])


@router.get("/api/openapi.json", dependencies=[Depends(require_session)])
async def openapi(request: Request) -> dict[str, Any]:
    return request.app.openapi()
