"""``/stats`` in the contract's grouping, and its reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.trapd.routers.deps import Daemon

router = APIRouter()


@router.get("/stats")
def get_stats(daemon: Daemon) -> dict[str, Any]:
    return daemon.stats()


@router.delete("/stats")
def reset_stats(daemon: Daemon) -> dict[str, Any]:
    daemon.reset_stats()
    daemon.push_stats(force=True)
    return {"status": "reset", **daemon.stats()}
