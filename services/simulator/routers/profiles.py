"""Profiles: list, import (snmprec, walk, custom JSON) with line-numbered reports, export,
delete. A profile is what devices are made from."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.datastructures import UploadFile

from services.simulator.exports.snmprec import to_snmprec
from services.simulator.exports.walkfile import to_walk
from services.simulator.imports.snmprec import parse_snmprec
from services.simulator.imports.walkfile import parse_walk
from services.simulator.profiles_lib import ProfileError, check_name
from services.simulator.routers.lifecycle import sim
from services.simulator.simulator import SimulatorError
from services.simulator.store import OidStore

router = APIRouter(prefix="/simulator")
MAX_IMPORT = 64 * 1024 * 1024


@router.get("/profiles")
async def list_profiles(request: Request) -> dict[str, Any]:
    s = sim(request)
    out = []
    for name in s.profiles.names():
        used_by = sum(1 for c in s.configs.values() if c.profile == name)
        out.append({"name": name, "builtin": s.profiles.is_builtin(name),
                    "oids": len(s.profiles.get(name)), "devices": used_by})  # fmt: skip
    return {"profiles": out}


def _name(name: str) -> str:
    try:
        return check_name(name)
    except ProfileError as exc:
        raise SimulatorError(422, str(exc)) from None


@router.post("/profiles/{name}/import")
async def import_profile(
    request: Request,
    name: str,
    format: Literal["snmprec", "walk"] = "snmprec",
    dry_run: bool = False,
    replace: bool = Query(False, description="Overwrite an existing profile"),
) -> dict[str, Any]:
    """The body is the file's text. The answer reports every skipped or coerced line."""
    s = sim(request)
    _name(name)
    body = await _upload(request)
    if len(body) > MAX_IMPORT:
        raise SimulatorError(413, f"import is larger than {MAX_IMPORT // 2**20} MiB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SimulatorError(422, f"the file is not UTF-8 text (byte {exc.start})") from None
    if format == "snmprec":
        records, report = parse_snmprec(text)
    else:
        records, report = parse_walk(text, s.name_resolver())
    result: dict[str, Any] = {"profile": name, "saved": False, "report": report.to_dict()}
    if not records:
        raise SimulatorError(422, f"nothing imported: {report.skipped} line(s) skipped; "
                             "see the report", extra=result)  # fmt: skip
    if not dry_run:
        if name in s.profiles.names() and not replace:
            raise SimulatorError(409, f"profile {name!r} exists; add ?replace=true to overwrite")
        if s.profiles.is_builtin(name):
            raise SimulatorError(409, f"{name!r} is a built-in profile; import under another name")
        s.profiles.put(name, records)
        result["saved"] = True
    return result


async def _upload(request: Request) -> bytes:
    """The file's bytes: the raw body, or the first file of a multipart form (a browser
    upload)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        for value in form.values():
            if isinstance(value, UploadFile):
                return await value.read()
        raise SimulatorError(422, "the form has no file field")
    return await request.body()


@router.get("/profiles/{name}/export")
async def export_profile(
    request: Request, name: str, format: Literal["snmprec", "walk"] = "snmprec"
) -> PlainTextResponse:
    s = sim(request)
    _name(name)
    try:
        records = s.profiles.get(name)
    except KeyError:
        raise SimulatorError(404, f"no profile {name!r}") from None
    if format == "walk":
        return PlainTextResponse(to_walk(OidStore(records).snapshot(0.0)))
    return PlainTextResponse(to_snmprec(records))


@router.delete("/profiles/{name}")
async def delete_profile(request: Request, name: str) -> dict[str, Any]:
    s = sim(request)
    _name(name)
    users = [c.name for c in s.configs.values() if c.profile == name]
    if users:
        raise SimulatorError(409, f"profile {name!r} is used by device(s) {users[:5]}")
    if s.profiles.is_builtin(name):
        raise SimulatorError(409, f"{name!r} is built in and cannot be deleted")
    if not s.profiles.delete(name):
        raise SimulatorError(404, f"no profile {name!r}")
    return {"status": "deleted", "name": name}
