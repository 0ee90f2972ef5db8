"""Devices: CRUD, templates, per-device lifecycle, values, exports."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from services.common.snmp import ber, values
from services.simulator import fleet
from services.simulator.device import DeviceConfig
from services.simulator.exports.snmprec import to_snmprec
from services.simulator.exports.walkfile import to_walk
from services.simulator.routers.lifecycle import sim
from services.simulator.simulator import SimulatorError
from services.simulator.store import Record

router = APIRouter(prefix="/simulator")


@router.get("/devices")
async def list_devices(
    request: Request,
    offset: int = Query(0, ge=0),
    limit: int = Query(200, ge=1, le=5000),
) -> dict[str, Any]:
    s = sim(request)
    s.collect_stats()
    names = list(s.configs)
    return {
        "total": len(names),
        "devices": [fleet.device_view(s, n) for n in names[offset : offset + limit]],
    }


@router.post("/devices", status_code=201)
async def create_device(request: Request, cfg: DeviceConfig) -> dict[str, Any]:
    return (await fleet.add_devices(sim(request), [cfg]))[0]


@router.post("/devices/template", status_code=201)
async def create_from_template(request: Request, template: fleet.Template) -> dict[str, Any]:
    configs = fleet.template_configs(template)
    views = await fleet.add_devices(sim(request), configs)
    return {"status": "created", "count": len(configs), "devices": views}


class DeleteMany(BaseModel):
    names: list[str] = Field(min_length=1)


@router.post("/devices/delete")
async def delete_many(request: Request, body: DeleteMany) -> dict[str, Any]:
    n = await fleet.delete_devices(sim(request), body.names)
    return {"status": "deleted", "count": n}


@router.get("/devices/{name}")
async def get_device(request: Request, name: str) -> dict[str, Any]:
    s = sim(request)
    if name not in s.configs:
        raise SimulatorError(404, f"no device {name!r}")
    return fleet.device_view(s, name)


@router.put("/devices/{name}")
async def put_device(request: Request, name: str, cfg: DeviceConfig) -> dict[str, Any]:
    return await fleet.replace_device(sim(request), name, cfg)


@router.delete("/devices/{name}")
async def delete_device(request: Request, name: str) -> dict[str, Any]:
    await fleet.delete_devices(sim(request), [name])
    return {"status": "deleted", "name": name}


@router.post("/devices/{name}/{action}")
async def device_action(
    request: Request, name: str, action: Literal["start", "stop", "restart"]
) -> dict[str, Any]:
    return await fleet.device_lifecycle(sim(request), name, action)


@router.get("/devices/{name}/oids")
async def device_oids(
    request: Request,
    name: str,
    prefix: str = Query("", description="Numeric OID prefix"),
    limit: int = Query(1000, ge=1, le=100_000),
) -> dict[str, Any]:
    dev = fleet.live_device(sim(request), name)
    try:
        root = ber.parse_oid(prefix) if prefix else ()
    except ValueError as exc:
        raise SimulatorError(422, str(exc)) from None
    store = dev.store
    t = dev.elapsed()
    out = []
    for oid, type_name, value in store.snapshot(t):
        if oid[: len(root)] != root:
            continue
        rec = store.get(oid)
        out.append({
            "oid": ber.oid_str(oid), "type": type_name,
            "value": values.render(type_name, value), "raw": values.raw_json(type_name, value),
            "live": rec is not None and rec.rule is not None,
        })  # fmt: skip
        if len(out) >= limit:
            break
    return {"device": name, "count": len(out), "oids": out}


class ValueChanges(BaseModel):
    values: dict[str, Any] = Field(
        description='{"<oid or sysName>": value | {"type", "value"} | {"type", "rule"}}'
    )


@router.patch("/devices/{name}/oids")
async def change_values(request: Request, name: str, body: ValueChanges) -> dict[str, Any]:
    done = fleet.set_values(sim(request), name, body.values)
    return {"status": "changed", "changed": done}


@router.get("/devices/{name}/export")
async def export_device(
    request: Request,
    name: str,
    format: Literal["snmprec", "walk"] = "snmprec",
    live: Literal["rules", "snapshot"] = "rules",
) -> PlainTextResponse:
    """``snmprec`` keeps live rules as ``numeric`` variation tags (lossless); ``walk`` and
    ``live=snapshot`` write the values of this instant."""
    s = sim(request)
    dev = fleet.live_device(s, name)
    t = dev.elapsed()
    if format == "walk":
        text = to_walk(dev.store.snapshot(t))
    elif live == "rules":
        text = to_snmprec(dev.store.records)
    else:
        text = to_snmprec(Record(o, ty, v) for o, ty, v in dev.store.snapshot(t))
    ext = "snmprec" if format == "snmprec" else "txt"
    return PlainTextResponse(
        text, headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'}
    )
