"""Public routes: health and product metadata."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from services.gateway.auth.deps import gateway_of
from services.gateway.upstream import SERVICES
from services.gateway.version import VERSION

router = APIRouter(tags=["meta"])


@router.get("/api/health")
async def health(request: Request, detail: bool = False) -> dict[str, Any]:
    """Liveness; with ``?detail=1`` also the services' reachability and event counters."""
    gw = gateway_of(request)
    body: dict[str, Any] = {"status": "healthy", "service": "gateway", "version": VERSION}
    if detail:
        answers = await asyncio.gather(*(gw.upstream.get_json(s, "/health") for s in SERVICES))
        body["services"] = {
            s: ("ok" if a is not None else "unreachable")
            for s, a in zip(SERVICES, answers, strict=True)
        }
        body["gateway"] = gw.counters()
    return body


@router.get("/api/meta")
async def meta(request: Request) -> dict[str, str]:
    s = gateway_of(request).settings
    return {
        "name": s.app_name,
        "version": VERSION,
        "author": "snmplab contributors",
        "description": s.app_description,
    }
