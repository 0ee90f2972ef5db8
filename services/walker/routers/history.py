"""Walk history: list, show, re-run, delete, clear; exports, diff, use as a simulated device.

- ``GET /walk/history`` and ``GET /walk/history/{id}``
- ``POST /walk/history/{id}/rerun`` (body: passphrases for v3, optional)
- ``DELETE /walk/history/{id}``, ``DELETE /walk/history``
- ``GET /walk/history/{id}/export?format=json|csv|snmprec|walk`` (streamed download)
- ``GET /walk/history/{id}/parsed`` and ``/table?table=IF-MIB::ifTable`` (views of it)
- ``GET /walk/diff?a={id}&b={id}``
- ``POST /walk/history/{id}/simulate`` -> a simulator profile (and device) from the walk
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from services.walker import exports
from services.walker.diff import diff_rows
from services.walker.history import History
from services.walker.parse_view import parse_rows
from services.walker.requests import WalkRequest
from services.walker.routers.walk import json_response
from services.walker.service import WalkerService, WalkFailed
from services.walker.simulate import SimulateRequest, SimulatorUnavailable, make_device
from services.walker.table_view import build_table

router = APIRouter()


def _svc(request: Request) -> tuple[WalkerService, History]:
    svc: WalkerService = request.app.state.walker
    return svc, svc.history


async def _load(history: History, walk: int) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    got = await history.aget(walk)
    if got is None:
        raise HTTPException(404, f"no stored walk with id {walk}")
    return got


@router.get("/walk/history")
async def list_history(
    request: Request, limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)
) -> dict[str, Any]:
    _, history = _svc(request)
    total, walks = history.summaries(limit, offset)
    return {"total": total, "walks": walks}


@router.delete("/walk/history")
async def clear_history(request: Request) -> dict[str, Any]:
    _, history = _svc(request)
    return {"status": "cleared", "deleted": history.clear()}


@router.get("/walk/history/{walk}")
async def show(request: Request, walk: int) -> Response:
    _, history = _svc(request)
    meta, params, rows = await _load(history, walk)
    return json_response({**meta, "params": params, "varbinds": rows})


@router.delete("/walk/history/{walk}")
async def delete(request: Request, walk: int) -> dict[str, Any]:
    _, history = _svc(request)
    if not history.delete(walk):
        raise HTTPException(404, f"no stored walk with id {walk}")
    return {"status": "deleted", "id": walk}


class Rerun(BaseModel):
    auth_key: str | None = None
    priv_key: str | None = None


@router.post("/walk/history/{walk}/rerun")
async def rerun(request: Request, walk: int, body: Rerun | None = None) -> Response:
    svc, history = _svc(request)
    _, params, _ = await _load(history, walk)
    if not params:
        raise HTTPException(409, f"walk {walk} was stored without its parameters")
    keys = body.model_dump(exclude_none=True) if body else {}
    req = WalkRequest(**{**params, **keys})
    try:
        outcome, meta = await svc.run_walk(req)
    except WalkFailed as exc:
        raise HTTPException(exc.status_code, exc.message) from None
    meta["history_id"] = await history.save(meta, outcome.rows, "rerun", params)
    meta["rerun_of"] = walk
    return json_response({**meta, "varbinds": outcome.rows})


@router.get("/walk/history/{walk}/export")
async def export(
    request: Request, walk: int, format: Literal["json", "csv", "snmprec", "walk"] = "json"
) -> StreamingResponse:
    _, history = _svc(request)
    meta, _, rows = await _load(history, walk)
    media, ext = exports.FORMATS[format]
    return StreamingResponse(
        exports.stream(format, meta, rows),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="walk-{walk}.{ext}"'},
    )


@router.get("/walk/history/{walk}/parsed")
async def parsed(request: Request, walk: int) -> Response:
    """The previous product's parse view (metrics labelled by their row) of a stored walk."""
    _, history = _svc(request)
    meta, _, rows = await _load(history, walk)
    data = parse_rows(rows, str(meta.get("target", "")), str(meta.get("oid", "")))
    return json_response({"id": walk, "mode": "parsed", "count": len(data), "data": data})


@router.get("/walk/history/{walk}/table")
async def table(request: Request, walk: int, table: str) -> Response:
    """The table view of one conceptual table inside a stored walk."""
    svc, history = _svc(request)
    _, _, rows = await _load(history, walk)
    view = build_table(rows, svc.names.parse_instance(table, "table"), svc.names.resolver)
    return json_response({"id": walk, **view})


@router.get("/walk/diff")
async def diff(request: Request, a: int, b: int) -> Response:
    _, history = _svc(request)
    meta_a, _, rows_a = await _load(history, a)
    meta_b, _, rows_b = await _load(history, b)
    return json_response({"a": meta_a, "b": meta_b, **diff_rows(rows_a, rows_b)})


@router.post("/walk/history/{walk}/simulate", status_code=201)
async def simulate(
    request: Request, walk: int, body: SimulateRequest | None = None
) -> dict[str, Any]:
    svc, history = _svc(request)
    _, _, rows = await _load(history, walk)
    try:
        return await make_device(svc.settings.walker_simulator_url, svc.settings.secret_bytes(),
                                 walk, rows, body or SimulateRequest())  # fmt: skip
    except SimulatorUnavailable as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
