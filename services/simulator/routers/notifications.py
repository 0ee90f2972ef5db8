"""Notifications from devices: on demand, storms (and their progress)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.common.snmp import ber, values
from services.simulator import fleet
from services.simulator.device import NotificationTarget
from services.simulator.notifier import Notifier, NotifyError
from services.simulator.routers.lifecycle import sim
from services.simulator.simulator import SimulatorError

router = APIRouter(prefix="/simulator")


class VarBindIn(BaseModel):
    oid: str
    type: str
    value: Any = None


class NotifyBody(BaseModel):
    trap: str = Field(description="linkDown, coldStart, ..., a numeric OID or MODULE::name")
    index: str | None = Field(default=None, description="Instance of the trap's objects, e.g. 2")
    varbinds: list[VarBindIn] | None = Field(
        default=None, description="Explicit var-binds instead of the device's current values"
    )
    targets: list[NotificationTarget] | None = Field(
        default=None, description="Default: the device's configured targets"
    )
    inform: bool | None = None


class StormBody(NotifyBody):
    rate: float = Field(gt=0, le=100_000, description="Notifications per second")
    count: int = Field(ge=1, le=10_000_000)


def _notifier(request: Request) -> Notifier:
    n: Notifier | None = getattr(request.app.state, "notifier", None)
    if n is None:
        raise SimulatorError(503, "the notifier is not running")
    return n


def _prepare(request: Request, name: str, body: NotifyBody) -> tuple[Any, Any, Any]:
    s = sim(request)
    dev = fleet.live_device(s, name)
    notifier = _notifier(request)
    try:
        trap = notifier.trap_oid(body.trap)
        if body.varbinds is not None:
            vbs = [(ber.encode_oid(ber.parse_oid(v.oid)), _value(v)) for v in body.varbinds]
        else:
            vbs = notifier.default_varbinds(dev, trap, body.index)
    except (NotifyError, ValueError) as exc:
        raise SimulatorError(422, str(exc)) from None
    targets = body.targets if body.targets is not None else dev.config.targets
    if not targets:
        raise SimulatorError(422, f"device {name!r} has no notification targets; give 'targets'")
    return dev, trap, vbs


def _value(v: VarBindIn) -> bytes:
    t = values.canonical_type(v.type)
    raw = v.value
    if t in ("OctetString", "Opaque") and isinstance(raw, str) and raw.startswith("0x"):
        return values.encode_value(t, bytes.fromhex(raw[2:]))
    return values.encode_value(t, raw)


@router.post("/devices/{name}/notify")
async def notify(request: Request, name: str, body: NotifyBody) -> dict[str, Any]:
    dev, trap, vbs = _prepare(request, name, body)
    notifier = _notifier(request)
    results = await asyncio.to_thread(notifier.send, dev, trap, vbs, body.targets, body.inform)
    sim(request).counters.flush()
    return {"trap": ber.oid_str(trap), "results": results}


@router.post("/devices/{name}/storm", status_code=202)
async def storm(request: Request, name: str, body: StormBody) -> dict[str, Any]:
    dev, trap, vbs = _prepare(request, name, body)
    st = _notifier(request).start_storm(dev, trap, vbs, body.rate, body.count, body.targets,
                                        body.inform)  # fmt: skip
    return st.view()


@router.get("/storms")
async def list_storms(request: Request) -> dict[str, Any]:
    return {"storms": [s.view() for s in _notifier(request).storms.values()]}


@router.get("/storms/{storm_id}")
async def get_storm(request: Request, storm_id: str) -> dict[str, Any]:
    st = _notifier(request).storms.get(storm_id)
    if st is None:
        raise SimulatorError(404, f"no storm {storm_id!r}")
    return st.view()


@router.delete("/storms/{storm_id}")
async def stop_storm(request: Request, storm_id: str) -> dict[str, Any]:
    st = _notifier(request).storms.get(storm_id)
    if st is None:
        raise SimulatorError(404, f"no storm {storm_id!r}")
    st.stop = True
    return st.view()
