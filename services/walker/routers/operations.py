"""Single requests: ``POST /walk/get``, ``/walk/getnext``, ``/walk/getbulk``, ``/walk/set``.

Each answers ``{"varbinds": [...], "error_status", "error_index", "message"}``: an agent
that refuses (``notWritable``, ``noSuchName``...) is reported in the body, not as a
transport failure; no answer at all is a 504.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import Field

from services.common.snmp import ber
from services.walker.client import SnmpFailure, SnmpTimeout
from services.walker.operations import RequestOutcome, null_varbinds, request
from services.walker.requests import AgentParams, BulkRequest, GetRequest
from services.walker.service import WalkerService
from services.walker.sessions import open_session
from services.walker.typed_values import TypedVarBind, encode_typed

router = APIRouter()


class SetRequest(AgentParams):
    varbinds: list[TypedVarBind] = Field(min_length=1, max_length=256)


async def _run(
    svc: WalkerService,
    params: AgentParams,
    op: int,
    varbinds: list[tuple[bytes, bytes]],
    non_repeaters: int = 0,
    max_repetitions: int = 0,
) -> dict[str, Any]:
    counters = svc.stats.counters
    try:
        async with open_session(params) as session:
            outcome: RequestOutcome = await request(
                session, op, varbinds, svc.names.describe, non_repeaters, max_repetitions
            )
    except SnmpFailure as exc:
        counters.incr("requests_failed")
        svc.stats.publish()
        raise HTTPException(504 if isinstance(exc, SnmpTimeout) else 502, str(exc)) from None
    counters.incr("requests_executed" if outcome.error_status is None else "requests_failed")
    if op == ber.SET_REQUEST and outcome.error_status is None:
        counters.incr("sets_executed")
    svc.stats.publish()
    return outcome.body()


def _oids(svc: WalkerService, texts: list[str]) -> list[tuple[int, ...]]:
    return [svc.names.parse_instance(t, f"oids[{i}]") for i, t in enumerate(texts)]


@router.post("/walk/get")
async def snmp_get(body: GetRequest, request_: Request) -> dict[str, Any]:
    svc: WalkerService = request_.app.state.walker
    return await _run(svc, body, ber.GET_REQUEST, null_varbinds(_oids(svc, body.oids)))


@router.post("/walk/getnext")
async def snmp_getnext(body: GetRequest, request_: Request) -> dict[str, Any]:
    svc: WalkerService = request_.app.state.walker
    return await _run(svc, body, ber.GET_NEXT_REQUEST, null_varbinds(_oids(svc, body.oids)))


@router.post("/walk/getbulk")
async def snmp_getbulk(body: BulkRequest, request_: Request) -> dict[str, Any]:
    svc: WalkerService = request_.app.state.walker
    if body.version == "v1":
        raise HTTPException(400, "GETBULK does not exist in SNMPv1; use v2c or v3")
    vbs = null_varbinds(_oids(svc, body.oids))
    return await _run(
        svc, body, ber.GET_BULK_REQUEST, vbs, body.non_repeaters, body.max_repetitions
    )


@router.post("/walk/set")
async def snmp_set(body: SetRequest, request_: Request) -> dict[str, Any]:
    svc: WalkerService = request_.app.state.walker
    vbs = [encode_typed(vb, svc.names, f"varbinds[{i}]") for i, vb in enumerate(body.varbinds)]
    return await _run(svc, body, ber.SET_REQUEST, vbs)
