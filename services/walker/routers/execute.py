"""``POST /walk/execute``: the previous product's walk route, same body and ``mode`` shapes.

It used to run ``snmpwalk -v2c`` in a subprocess; here the same request is a native v2c
bulk walk, so the response shapes are kept and the shell is gone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from services.walker.parse_view import parse_rows
from services.walker.requests import ExecuteRequest, WalkRequest
from services.walker.service import WalkerService, WalkFailed
from services.walker.targets import BadInput, check_community, check_host
from services.walker.varbinds import netsnmp_line

router = APIRouter()


@router.post("/walk/execute")
async def execute(body: ExecuteRequest, request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    target = body.target if body.target is not None else svc.settings.walker_default_target
    port = body.port if body.port is not None else svc.settings.walker_default_port
    try:
        check_host(target)
        if not 1 <= port <= 65535:
            raise BadInput(f"port {port} is outside 1-65535")
        check_community(body.community)
        oid = body.oid.strip()
        if not oid or len(oid) > 256:
            raise BadInput("oid must be 1 to 256 characters")
    except BadInput as exc:
        raise HTTPException(400, str(exc)) from None
    req = WalkRequest(
        target=target,
        port=port,
        version="v2c",
        community=body.community,
        oid=oid,
        operation="bulkwalk",
        timeout=svc.settings.walker_default_timeout,
        retries=svc.settings.walker_default_retries,
    )
    try:
        outcome, meta = await svc.run_walk(req)
    except WalkFailed as exc:
        raise HTTPException(exc.status_code, f"walk failed: {exc.message}") from None
    if outcome.status == "error" and not outcome.rows:
        raise HTTPException(502, f"walk failed: {outcome.message}")
    rows = outcome.rows
    if req.save:
        params = req.model_dump(exclude={"auth_key", "priv_key", "walk_id"})
        await svc.history.save(meta, rows, "execute", params)
    if not body.parse:
        lines = [netsnmp_line(r, numeric=not body.use_mibs) for r in rows]
        return {"mode": "raw", "count": len(lines), "data": lines}
    parsed = parse_rows(rows, target, oid)
    if parsed:
        return {"mode": "parsed", "count": len(parsed), "data": parsed}
    lines = [netsnmp_line(r, numeric=False) for r in rows]
    return {"mode": "label", "count": len(lines), "data": lines}
