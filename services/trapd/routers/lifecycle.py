"""Receiver lifecycle: ``/traps/status``, ``/traps/start``, ``/traps/stop``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.trapd.receiver import BindError
from services.trapd.routers.deps import Daemon

router = APIRouter()


class StartBody(BaseModel):
    port: int | None = Field(default=None, ge=1, le=65535)
    resolve_mibs: bool | None = None


@router.get("/traps/status")
def status(daemon: Daemon) -> dict[str, Any]:
    return daemon.status()


@router.post("/traps/start")
def start(daemon: Daemon, body: StartBody | None = None) -> dict[str, Any]:
    body = body or StartBody()
    try:
        result = daemon.start(port=body.port, resolve_mibs=body.resolve_mibs)
    except BindError as exc:
        raise HTTPException(409, detail=exc.strerror or str(exc)) from None
    except ValueError as exc:
        raise HTTPException(409, detail=str(exc)) from None
    return {"status": result, **daemon.status()}


@router.post("/traps/stop")
def stop(daemon: Daemon) -> dict[str, Any]:
    return {"status": daemon.stop()}
