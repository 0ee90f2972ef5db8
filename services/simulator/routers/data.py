"""``GET``/``POST /simulator/data``: the previous product's custom data JSON, and
``POST /simulator/profiles/{name}/generate``: a profile from loaded MIBs."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.simulator.custom_data import resolve
from services.simulator.generate import generate
from services.simulator.profiles_lib import ProfileError, check_name
from services.simulator.routers.lifecycle import sim
from services.simulator.simulator import SimulatorError

router = APIRouter(prefix="/simulator")


@router.get("/data")
async def get_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = sim(request).custom_data()
    return data


@router.post("/data")
async def post_data(request: Request) -> dict[str, Any]:
    s = sim(request)
    try:
        body = await request.json()
    except ValueError:
        raise SimulatorError(422, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise SimulatorError(422, 'the body must be a JSON object: {"MODULE::object.index": value}')
    base = s.profiles.get(s.configs["default"].profile if "default" in s.configs else "default")
    records, report = resolve(body, s.mib_index, base)
    s.save_custom_data(body, records)
    if s.running:
        await s.restart()
        message = "Data saved and simulator restarted"
    else:
        message = "Data saved (simulator is currently stopped)"
    return {"status": "saved", "message": message, "report": report.to_dict()}


class GenerateBody(BaseModel):
    modules: list[str] = Field(min_length=1)
    rows: int = Field(default=2, ge=1, le=1000)
    seed: int = 0
    replace: bool = False


@router.post("/profiles/{name}/generate")
async def generate_profile(request: Request, name: str, body: GenerateBody) -> dict[str, Any]:
    s = sim(request)
    try:
        check_name(name)
    except ProfileError as exc:
        raise SimulatorError(422, str(exc)) from None
    index = s.mib_index
    if index is None:
        raise SimulatorError(409, "the MIB library is not loaded yet (the gateway serves it)")
    if name in s.profiles.names() and not body.replace:
        raise SimulatorError(409, f"profile {name!r} exists; set replace to overwrite")
    records, report = await asyncio.to_thread(generate, index, body.modules, body.rows, body.seed)
    if not records:
        raise SimulatorError(422, "nothing generated", extra={"report": report.to_dict()})
    s.profiles.put(name, records)
    return {"profile": name, "saved": True, "report": report.to_dict()}
