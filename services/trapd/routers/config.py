"""Runtime configuration: autostart, community allowlist, retention, v3 time window, rules.

``GET /traps/config`` shows it; ``PATCH`` (or ``PUT``, which the gateway uses for
``{"autostart": bool}``) merges a partial document of the same shape and applies it at
once, without restarting any listener.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from pydantic import ValidationError

from services.trapd.routers.deps import Daemon

router = APIRouter()


@router.get("/traps/config")
def get_config(daemon: Daemon) -> dict[str, Any]:
    return daemon.config.model_dump()


@router.put("/traps/config")
@router.patch("/traps/config")
def patch_config(daemon: Daemon, changes: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    if "listeners" in changes:
        raise HTTPException(400, detail="change listeners through /traps/listeners")
    try:
        cfg = daemon.update_config(changes)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise HTTPException(400, detail=f"invalid config: {problems}") from None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return cfg.model_dump()
