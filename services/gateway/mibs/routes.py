"""HTTP routes of the MIB library: the public ``/api/mibs`` manager and ``/internal/mibs``.

Routes follow the previous product's ``/api/mibs`` (status, list, validate-batch, upload,
reload, delete, fetch-dependencies, traps, objects, resolve) with its bugs fixed: uploads
are validated before anything is saved, clashes are refused unless ``overwrite`` is set,
and ``/resolve`` answers 4xx instead of echoing its input.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from services.common.mibs.index import MibResolveError, Node
from services.gateway.mibs import fetch
from services.gateway.mibs.library import LibraryCore, LibraryVersion
from services.gateway.mibs.validate import check_filename


def _service_messages(results: dict[str, str]) -> dict[str, str]:
    def text(svc: str, label: str) -> str:
        state = results.get(svc)
        if state is None:
            return f"{label} not notified"
        if state == "ok":
            return f"{label} reloaded the MIB index"
        return f"{label} not reachable ({state}); it refetches the index when it is back"

    return {
        "simulator": text("simulator", "Simulator"),
        "trap_receiver": text("trapd", "Trap receiver"),
        "walker": text("walker", "Walker"),
    }


def _module_info(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": m["name"],
        "file": m["file"],
        "origin": m["origin"],
        "status": m["status"],
        "imports": m.get("imports", []),
        "missing_deps": m.get("missing_deps", []),
        "objects": m.get("objects", 0),
        "traps": m.get("traps", 0),
        "error": m.get("error"),
    }


class FetchRequest(BaseModel):
    dependencies: list[str] = Field(default_factory=list)
    reload_after_fetch: bool = True


async def read_batch(core: LibraryCore, files: list[UploadFile]) -> list[tuple[str, bytes]]:
    """The uploaded files (zips expanded) within the configured limits, or a 4xx."""
    max_file = core.limit("mib_max_file_bytes", 4 * 1024 * 1024)
    max_batch = core.limit("mib_max_batch_bytes", 32 * 1024 * 1024)
    max_files = core.limit("mib_max_batch_files", 500)
    out: list[tuple[str, bytes]] = []
    total = 0
    if not files:
        raise HTTPException(400, "no files in the upload (send them as multipart field 'files')")
    for upload in files:
        name = Path(upload.filename or "").name
        is_zip = name.lower().endswith(".zip")
        limit = max_batch if is_zip else max_file
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"{name}: larger than the {limit} byte limit")
        if is_zip:
            members = await asyncio.to_thread(_unzip, name, data, max_file, max_batch, max_files)
            out.extend(members)
            total += sum(len(d) for _, d in members)
        else:
            out.append((name, data))
            total += len(data)
        if total > max_batch:
            raise HTTPException(413, f"the batch is larger than the {max_batch} byte limit")
        if len(out) > max_files:
            raise HTTPException(413, f"more than {max_files} files in one batch")
    return out


def _unzip(
    name: str, data: bytes, max_file: int, max_batch: int, max_files: int
) -> list[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise HTTPException(400, f"{name} is not a valid zip file") from None
    out: list[tuple[str, bytes]] = []
    total = 0
    for info in zf.infolist():
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if info.is_dir() or not base or base.startswith(".") or "__MACOSX" in info.filename:
            continue
        if len(out) >= max_files:
            raise HTTPException(413, f"{name}: more than {max_files} files")
        if info.file_size > max_file:
            raise HTTPException(413, f"{name}: {base} is larger than the {max_file} byte limit")
        with zf.open(info) as fh:
            content = fh.read(max_file + 1)  # the header's size can lie
        if len(content) > max_file:
            raise HTTPException(413, f"{name}: {base} is larger than the {max_file} byte limit")
        total += len(content)
        if total > max_batch:
            raise HTTPException(413, f"{name}: unpacks to more than {max_batch} bytes")
        out.append((base, content))
    if not out:
        raise HTTPException(400, f"{name} contains no files")
    return out


def _save_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def reload_or_503(core: LibraryCore, *, count: bool = True) -> LibraryVersion:
    """Recompile; if the compiler itself fails, the previous library stays in service."""
    try:
        return await core.reload(count=count)
    except Exception as exc:
        core.last_error = f"{type(exc).__name__}: {exc}"
        raise HTTPException(
            503,
            f"the MIB compiler failed ({core.last_error}); the previous library is still in "
            "service, and the files are saved: try POST /api/mibs/reload",
        ) from None


def _trap_dict(core: LibraryCore, node: Node) -> dict[str, Any]:
    index = core.version.index
    objects = []
    for ref in node.objects:
        full = f"{ref['module']}::{ref['name']}"
        obj = index.by_full_name.get(full)
        objects.append(
            {"name": ref["name"], "full_name": full, "oid": obj.oid_str if obj else None}
        )
    return {
        "module": node.module,
        "name": node.name,
        "full_name": node.full_name,
        "oid": node.oid_str,
        "status": node.status,
        "description": node.description or "No description",
        "objects": objects,
    }


def build_public_router(core: LibraryCore) -> APIRouter:
    router = APIRouter(tags=["mibs"])

    @router.get("/status")
    async def status() -> dict[str, Any]:
        v = core.version
        mods = [_module_info(m) for m in v.modules]
        s = core.summary()
        return {
            "loaded": s["loaded"],
            "failed": s["failed"],
            "total": s["total"],
            "traps_available": s["traps_available"],
            "mibs": [m for m in mods if m["status"] == "loaded"],
            "errors": [m for m in mods if m["status"] != "loaded"],
            "index": {"etag": v.etag, "modules": len(v.index.modules), "nodes": len(v.index)},
            "reloading": core.reloading,
            "ready": core.ready.is_set(),
            "standard_dir_present": (core.standard_dir / "modules").is_dir(),
            "last_error": core.last_error,
        }

    @router.get("/list")
    async def list_files() -> dict[str, Any]:
        return {"mibs": await asyncio.to_thread(core.user_files)}

    @router.get("/standard")
    async def standard() -> dict[str, Any]:
        """Where each standard module comes from (the package the build step fetched)."""
        sources = await asyncio.to_thread(core.standard_sources)
        loaded = core.version.index.modules
        return {
            "modules": [
                {"name": n, "source": s, "loaded": n in loaded} for n, s in sorted(sources.items())
            ]
        }

    @router.post("/validate-batch")
    async def validate_batch(files: Annotated[list[UploadFile], File()]) -> dict[str, Any]:
        batch = await read_batch(core, files)
        return await core.validate(batch)

    @router.post("/upload")
    async def upload(
        files: Annotated[list[UploadFile], File()],
        overwrite: Annotated[bool, Form()] = False,
    ) -> dict[str, Any]:
        batch = await read_batch(core, files)
        report = await core.validate(batch)
        if not report["valid"]:
            raise HTTPException(
                422, {"message": "the batch has errors; nothing was saved", "report": report}
            )
        if report["clashes"] and not overwrite:
            raise HTTPException(
                409,
                {
                    "message": "some modules or files are already in the "
                    "library; nothing was saved (send overwrite=true to "
                    "replace them)",
                    "report": report,
                },
            )
        existing = core.user_modules()

        def save() -> None:
            core.files_dir.mkdir(parents=True, exist_ok=True)
            for rep, (filename, data) in zip(report["files"], batch, strict=True):
                for mod in rep["modules"]:
                    old = existing.get(mod)
                    if old and old != filename:
                        (core.files_dir / old).unlink(missing_ok=True)
                _save_atomic(core.files_dir / filename, data)

        await asyncio.to_thread(save)
        core.counters.incr("upload_count", len(batch))
        dep_fetch = await fetch.auto_fetch(core, report["global_missing_deps"])
        version = await reload_or_503(core)
        by_file: dict[str, list[dict[str, Any]]] = {}
        for m in version.modules:
            by_file.setdefault(m["file"], []).append(m)
        results = []
        for filename, _ in batch:
            for m in by_file.get(filename, []) or [{"name": None, "status": "unknown"}]:
                results.append(
                    {
                        "filename": filename,
                        "mib_name": m.get("name"),
                        "status": "loaded" if m["status"] == "loaded" else "failed",
                        "module_status": m["status"],
                        "objects": m.get("objects", 0),
                        "traps": m.get("traps", 0),
                        "missing_deps": m.get("missing_deps", []),
                        "error": m.get("error"),
                    }
                )
        remaining = sorted({d for m in version.modules for d in m.get("missing_deps", [])})
        return {
            "results": results,
            "dependency_fetch": dep_fetch,
            "remaining_missing": remaining,
            **_service_messages(core.last_notify),
        }

    @router.post("/reload")
    async def reload() -> dict[str, Any]:
        missing = sorted({d for m in core.version.modules for d in m.get("missing_deps", [])})
        dep_fetch = await fetch.auto_fetch(core, missing)
        await reload_or_503(core)
        s = core.summary()
        remaining = sorted({d for m in core.version.modules for d in m.get("missing_deps", [])})
        return {
            "status": "reloaded",
            "loaded": s["loaded"],
            "failed": s["failed"],
            "dependency_fetch": dep_fetch,
            "remaining_missing": remaining,
            **_service_messages(core.last_notify),
        }

    @router.post("/fetch-dependencies")
    async def fetch_dependencies(body: FetchRequest) -> dict[str, Any]:
        if not body.dependencies:
            raise HTTPException(400, "give the module names to fetch in 'dependencies'")
        result = await fetch.fetch_dependencies(core, body.dependencies)
        messages: dict[str, str] = {}
        if body.reload_after_fetch and (result["downloaded"] or result["cached"]):
            await reload_or_503(core)
            messages = _service_messages(core.last_notify)
        remaining = sorted({d for m in core.version.modules for d in m.get("missing_deps", [])})
        return {"status": "completed", **result, "remaining_missing": remaining, **messages}

    @router.get("/traps")
    async def traps() -> dict[str, Any]:
        index = core.version.index
        seen: set[str] = set()
        out = []
        for node in index.nodes:
            if node.kind == "notification" and node.oid_str not in seen:
                seen.add(node.oid_str)
                out.append(_trap_dict(core, node))
        return {"traps": out, "count": len(out)}

    @router.get("/objects")
    async def objects(module: str | None = Query(default=None, max_length=128)) -> dict[str, Any]:
        index = core.version.index
        if module is not None and module not in index.modules:
            raise HTTPException(404, f"MIB module {module!r} is not loaded")
        out = []
        for node in index.nodes:
            if node.kind not in ("scalar", "column") or (module and node.module != module):
                continue
            out.append(
                {
                    "module": node.module,
                    "name": node.name,
                    "full_name": node.full_name,
                    "oid": node.oid_str,
                    "type": "MibScalar" if node.kind == "scalar" else "MibTableColumn",
                    "syntax": node.syntax.type if node.syntax else None,
                    "base_type": node.syntax.base if node.syntax else None,
                    "access": node.access,
                }
            )
        return {"objects": out, "count": len(out)}

    @router.get("/resolve")
    async def resolve(
        oid: str = Query(..., min_length=1, max_length=1024),
        mode: str = Query("name", pattern="^(name|numeric)$"),
    ) -> dict[str, Any]:
        index = core.version.index
        text = oid.strip()
        if mode == "name":
            if not text.lstrip(".")[:1].isdigit():
                # Already a name: normalise it through the index (and check it exists).
                try:
                    numeric = index.oid(text)
                except MibResolveError as exc:
                    raise HTTPException(404, str(exc)) from None
                text = ".".join(map(str, numeric))
            try:
                from services.common.snmp.ber import parse_oid

                arcs = parse_oid(text)
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from None
            r = index.resolve(arcs)
            if r is None:
                raise HTTPException(404, f"no loaded MIB defines {text} or any prefix of it")
            return {
                "input": oid,
                "output": r.full_name,
                "mode": mode,
                "oid": text,
                "module": r.node.module,
                "object": r.node.name,
                "index": r.index_text,
            }
        try:
            arcs_n = index.oid(text)
        except MibResolveError as exc:
            raise HTTPException(
                404 if "::" in text or text[:1].isalpha() else 400, str(exc)
            ) from None
        numeric_text = ".".join(map(str, arcs_n))
        return {"input": oid, "output": numeric_text, "mode": mode}

    @router.delete("/{filename}")
    async def delete(filename: str) -> dict[str, Any]:
        problem = check_filename(filename)
        if problem:
            raise HTTPException(400, f"{filename!r}: {problem}")
        path = core.files_dir / filename
        if not path.is_file():
            if filename in core.standard_names():
                raise HTTPException(
                    409,
                    f"{filename} is a standard module shipped with snmplab, not an uploaded "
                    "file; it cannot be deleted (upload a replacement with overwrite=true)",
                )
            raise HTTPException(404, f"File not found: {filename} is not in the MIB library")
        await asyncio.to_thread(path.unlink)
        core.counters.incr("delete_count")
        # The deletion is itself a library change: recompile without counting a reload.
        await reload_or_503(core, count=False)
        return {"status": "deleted", "filename": filename, **_service_messages(core.last_notify)}

    return router


def build_internal_router(core: LibraryCore) -> APIRouter:
    router = APIRouter()

    @router.get("/index.json")
    async def index_json(request: Request) -> Response:
        if not core.ready.is_set():
            return Response(
                content=b'{"detail":"the MIB library is compiling; retry shortly"}',
                status_code=503,
                media_type="application/json",
                headers={"Retry-After": "1"},
            )
        v = core.version
        etag = f'"{v.etag}"'
        inm = request.headers.get("if-none-match", "")
        if etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
            return Response(status_code=304, headers={"ETag": etag})
        return Response(
            content=v.body,
            media_type="application/json",
            headers={"ETag": etag, "Cache-Control": "no-cache"},
        )

    @router.get("/status")
    async def status() -> dict[str, Any]:
        v = core.version
        return {
            "etag": v.etag,
            "ready": core.ready.is_set(),
            "reloading": core.reloading,
            "modules": len(v.index.modules),
            "nodes": len(v.index),
        }

    return router
