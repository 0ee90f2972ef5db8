"""Aggregated stats: every service's sections, the MIB library's, and the gateway's own."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status

from services.gateway.auth.deps import gateway_of, require_session

router = APIRouter(prefix="/api/stats", tags=["stats"], dependencies=[Depends(require_session)])


async def _all(request: Request) -> dict[str, Any]:
    gw = gateway_of(request)
    await gw.live.pull_stats()
    merged = gw.live.merged_stats()
    merged["gateway"] = gw.counters()
    return merged


@router.get("")
@router.get("/", include_in_schema=False)
async def get_stats(request: Request) -> dict[str, Any]:
    return await _all(request)


@router.get("/{module}")
async def get_module_stats(module: str, request: Request) -> dict[str, Any]:
    merged = await _all(request)
    if module not in merged:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"No stats module {module!r}; known: {', '.join(sorted(merged))}",
        )
    return {module: merged[module]}


@router.delete("")
@router.delete("/", include_in_schema=False)
async def reset_stats(request: Request) -> dict[str, Any]:
    """Reset every service's persisted counters (and the MIB library's), then push ``stats``."""
    gw = gateway_of(request)
    results = await gw.upstream.fan_out("DELETE", "/stats")
    services = {
        svc: (
            "reset"
            if code is not None and code < 300
            else "unreachable"
            if code is None
            else f"HTTP {code}"
        )
        for svc, (code, _) in results.items()
    }
    reset = getattr(gw.library, "reset_stats", None)
    if callable(reset):
        with contextlib.suppress(Exception):
            outcome = reset()
            if asyncio.iscoroutine(outcome):
                await outcome
            services["mibs"] = "reset"
    await gw.live.pull_stats()
    gw.relay.push_stats_now()
    ok = all(v == "reset" for v in services.values())
    return {
        "status": "reset" if ok else "partial",
        "message": "All stats reset to defaults" if ok else "Some services could not be reset",
        "services": services,
    }
