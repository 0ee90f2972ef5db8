"""The walker's own walk routes: ``POST /walk``, cancel, and what is running."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request, Response

from services.common.snmp import ber
from services.walker.requests import TableRequest, WalkRequest
from services.walker.service import WalkerService, WalkFailed
from services.walker.table_view import build_table

router = APIRouter()


def json_response(body: Any, status_code: int = 200) -> Response:
    # Walks return thousands of rows; FastAPI's generic encoder would cost more than the walk.
    try:
        content = orjson.dumps(body)
    except TypeError:  # an integer beyond 64 bits (a broken agent's INTEGER): the slow path
        content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content=content, status_code=status_code, media_type="application/json")


@router.post("/walk")
async def run_walk(body: WalkRequest, request: Request) -> Response:
    """Walk (GETNEXT) or bulk walk (GETBULK) a subtree; every var-bind as
    ``{oid, name, type, value, raw}``. ``status`` is complete, truncated (OID cap),
    cancelled or error (with ``message``); rows gathered before a stop are kept."""
    svc: WalkerService = request.app.state.walker
    try:
        outcome, meta = await svc.run_walk(body)
    except WalkFailed as exc:
        raise HTTPException(exc.status_code, exc.message) from None
    if body.save:
        params = body.model_dump(exclude={"auth_key", "priv_key", "walk_id"})
        meta["history_id"] = await svc.history.save(meta, outcome.rows, "walk", params)
    return json_response({**meta, "varbinds": outcome.rows})


@router.post("/walk/table")
async def table(body: TableRequest, request: Request) -> Response:
    """Walk one conceptual table and answer it rows by columns, index decoded
    (``{table, entry, index_objects, columns, rows: [{instance, index, values, raw}]}``)."""
    svc: WalkerService = request.app.state.walker
    table_oid = svc.names.parse_instance(body.table, "table")
    req = WalkRequest(**body.model_dump(exclude={"table"}), oid=ber.oid_str(table_oid), save=False)
    try:
        outcome, meta = await svc.run_walk(req)
    except WalkFailed as exc:
        raise HTTPException(exc.status_code, exc.message) from None
    view = build_table(outcome.rows, table_oid, svc.names.resolver)
    return json_response({**meta, **view})


@router.post("/walk/{walk_id}/cancel")
async def cancel_walk(walk_id: str, request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    if not svc.cancel(walk_id):
        raise HTTPException(404, f"no running walk with id {walk_id!r}")
    return {"status": "cancelling", "walk_id": walk_id}


@router.get("/walk/running")
async def running(request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    return {
        "walks": [
            {"walk_id": c.walk_id, "oids": c.oids, "rate": round(c.rate, 1)}
            for c in svc.running.values()
        ]
    }
