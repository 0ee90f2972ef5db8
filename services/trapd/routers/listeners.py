"""Listeners (address, port), each startable and stoppable: ``/traps/listeners``.

The ``default`` listener is the receiver of ``/traps/start`` and ``/traps/stop``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.trapd.receiver import BindError
from services.trapd.routers.deps import Daemon

router = APIRouter()


class ListenerBody(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    host: str | None = Field(default=None, max_length=255, description="default: trapd's host")
    port: int = Field(ge=0, le=65535, description="0 picks a free port")
    start: bool = True


def _unknown(name: str) -> HTTPException:
    return HTTPException(404, detail=f"no listener named {name!r}")


@router.get("/traps/listeners")
def list_listeners(daemon: Daemon) -> dict[str, Any]:
    return {"listeners": [x.status() for x in daemon.listeners.values()]}


@router.post("/traps/listeners", status_code=201)
def add_listener(body: ListenerBody, daemon: Daemon) -> dict[str, Any]:
    try:
        lst = daemon.add_listener(
            body.name, body.host or daemon.settings.trapd_snmp_host, body.port, body.start
        )
    except KeyError:
        raise HTTPException(409, detail=f"a listener named {body.name!r} exists") from None
    except BindError as exc:
        raise HTTPException(409, detail=exc.strerror or str(exc)) from None
    except OSError as exc:
        raise HTTPException(400, detail=f"cannot listen on {body.host}: {exc}") from None
    return lst.status()


@router.post("/traps/listeners/{name}/start")
def start_listener(name: str, daemon: Daemon) -> dict[str, Any]:
    try:
        return daemon.start_listener(name).status()
    except KeyError:
        raise _unknown(name) from None
    except BindError as exc:
        raise HTTPException(409, detail=exc.strerror or str(exc)) from None


@router.post("/traps/listeners/{name}/stop")
def stop_listener(name: str, daemon: Daemon) -> dict[str, Any]:
    try:
        return daemon.stop_listener(name).status()
    except KeyError:
        raise _unknown(name) from None


@router.delete("/traps/listeners/{name}")
def remove_listener(name: str, daemon: Daemon) -> dict[str, Any]:
    try:
        daemon.remove_listener(name)
    except KeyError:
        raise _unknown(name) from None
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    return {"status": "removed", "name": name}
