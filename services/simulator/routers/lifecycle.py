"""Routes for the simulator as a whole: status, start, stop, restart, stats."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.simulator.simulator import Simulator

router = APIRouter()


class StartBody(BaseModel):
    port: int | None = Field(default=None, ge=1, le=65535)
    community: str | None = Field(default=None, min_length=1, max_length=64)


def sim(request: Request) -> Simulator:
    simulator: Simulator = request.app.state.simulator
    return simulator


@router.get("/simulator/status")
async def status(request: Request) -> dict[str, Any]:
    s = sim(request)
    s.collect_stats()
    return s.status()


@router.post("/simulator/start")
async def start(request: Request, body: StartBody | None = None) -> dict[str, Any]:
    body = body or StartBody()
    return await sim(request).start(body.port, body.community)


@router.post("/simulator/stop")
async def stop(request: Request) -> dict[str, Any]:
    return await sim(request).stop()


@router.post("/simulator/restart")
async def restart(request: Request) -> dict[str, Any]:
    return await sim(request).restart()


@router.get("/stats")
async def get_stats(request: Request) -> dict[str, Any]:
    s = sim(request)
    s.collect_stats()
    return s.stats()


@router.delete("/stats")
async def reset_stats(request: Request) -> dict[str, Any]:
    s = sim(request)
    s.collect_stats()
    s.counters.reset()
    if s.running:
        s.counters.set("oids_loaded", sum(len(d.store) for d in s.devices.values()))
        s.counters.flush()
    if s.events is not None:
        s.events.send("stats", s.stats())
    return {"status": "reset", "message": "Simulator stats reset to defaults"}
