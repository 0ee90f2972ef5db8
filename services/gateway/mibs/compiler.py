"""Compile the MIB library with pysmi into JSON artifacts and build the index from them.

:func:`compile_library` is the whole job and runs in a worker process (see
``library.py``), so pysmi's parsing never holds the gateway's event loop or its GIL.
Compiled modules are cached on disk, keyed by a hash of the module's text, the texts of
everything it imports, and the compiler versions: a restart or a reload recompiles only
what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.gateway.mibs import scan
from services.gateway.mibs.index_builder import build_index

log = logging.getLogger(__name__)

ARTIFACT_VERSION = "1"

# Loaded into the index out of the box (with everything they import). The standard cache
# holds ~330 modules; the rest are there for user modules that import them.
DEFAULT_STANDARD_MODULES = (
    "SNMPv2-SMI",
    "SNMPv2-TC",
    "SNMPv2-CONF",
    "SNMPv2-MIB",
    "SNMPv2-TM",
    "RFC1155-SMI",
    "RFC-1212",
    "RFC1213-MIB",
    "SNMP-FRAMEWORK-MIB",
    "SNMP-MPD-MIB",
    "SNMP-TARGET-MIB",
    "SNMP-NOTIFICATION-MIB",
    "SNMP-PROXY-MIB",
    "SNMP-USER-BASED-SM-MIB",
    "SNMP-VIEW-BASED-ACM-MIB",
    "SNMP-COMMUNITY-MIB",
    "SNMP-USM-AES-MIB",
    "IANAifType-MIB",
    "IANA-ADDRESS-FAMILY-NUMBERS-MIB",
    "IANA-RTPROTO-MIB",
    "INET-ADDRESS-MIB",
    "HCNUM-TC",
    "IF-MIB",
    "IP-MIB",
    "IP-FORWARD-MIB",
    "TCP-MIB",
    "UDP-MIB",
    "EtherLike-MIB",
    "HOST-RESOURCES-MIB",
    "HOST-RESOURCES-TYPES",
    "ENTITY-MIB",
    "ENTITY-SENSOR-MIB",
    "BRIDGE-MIB",
    "P-BRIDGE-MIB",
    "RMON-MIB",
    "DISMAN-EVENT-MIB",
    "DISMAN-SCHEDULE-MIB",
    "DISMAN-EXPRESSION-MIB",
    "NOTIFICATION-LOG-MIB",
    "AGENTX-MIB",
    "NET-SNMP-TC",
    "NET-SNMP-MIB",
    "NET-SNMP-AGENT-MIB",
    "NET-SNMP-EXTEND-MIB",
    "UCD-SNMP-MIB",
    "UCD-DISKIO-MIB",
)


@dataclass
class ModuleSource:
    name: str
    path: Path
    origin: str  # "standard" | "user"
    file: str
    text: str | None = None
    imports: dict[str, list[str]] | None = None

    def read(self) -> str:
        if self.text is None:
            self.text = scan.decode_text(self.path.read_bytes())
        return self.text

    def import_modules(self) -> list[str]:
        if self.imports is None:
            mods = scan.scan(self.read())
            mine = next((m for m in mods if m.name == self.name), mods[0] if mods else None)
            self.imports = mine.imports if mine is not None else {}
        return list(self.imports)


@dataclass
class ModuleResult:
    name: str
    file: str
    origin: str
    status: str  # "loaded" | "error" | "missing_deps"
    imports: list[str] = field(default_factory=list)
    missing_deps: list[str] = field(default_factory=list)
    error: str | None = None
    objects: int = 0
    traps: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "origin": self.origin,
            "status": self.status,
            "imports": self.imports,
            "missing_deps": self.missing_deps,
            "error": self.error,
            "objects": self.objects,
            "traps": self.traps,
        }


def catalog_standard(standard_dir: Path) -> dict[str, ModuleSource]:
    out: dict[str, ModuleSource] = {}
    mod_dir = standard_dir / "modules"
    if mod_dir.is_dir():
        for path in sorted(mod_dir.iterdir()):
            if path.is_file() and scan.MODULE_NAME.match(path.name):
                out[path.name] = ModuleSource(path.name, path, "standard", path.name)
    return out


def catalog_user(user_dir: Path) -> tuple[dict[str, ModuleSource], list[ModuleResult]]:
    """User modules by module name (from the text), and files that define none."""
    out: dict[str, ModuleSource] = {}
    bad: list[ModuleResult] = []
    if not user_dir.is_dir():
        return out, bad
    for path in sorted(user_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        text = scan.decode_text(path.read_bytes())
        mods = scan.scan(text)
        if not mods:
            stem = path.name.rsplit(".", 1)[0]
            bad.append(
                ModuleResult(
                    stem,
                    path.name,
                    "user",
                    "error",
                    error="no 'NAME DEFINITIONS ::= BEGIN' found: not a MIB module",
                )
            )
            continue
        for m in mods:
            out[m.name] = ModuleSource(m.name, path, "user", path.name, text, m.imports)
    return out, bad


def _closure(names: list[str], catalog: dict[str, ModuleSource]) -> tuple[list[str], set[str]]:
    """Every module needed by ``names`` (dependencies first) and the missing ones."""
    order: list[str] = []
    missing: set[str] = set()
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in seen or name in stack:
            return
        src = catalog.get(name)
        if src is None:
            missing.add(name)
            return
        for dep in src.import_modules():
            visit(dep, (*stack, name))
        seen.add(name)
        order.append(name)

    for n in names:
        visit(n, ())
    return order, missing


def _deps_of(name: str, catalog: dict[str, ModuleSource], memo: dict[str, set[str]]) -> set[str]:
    if name in memo:
        return memo[name]
    memo[name] = set()  # cycles
    out: set[str] = set()
    src = catalog.get(name)
    if src is not None:
        for dep in src.import_modules():
            out.add(dep)
            out |= _deps_of(dep, catalog, memo)
    memo[name] = out
    return out


def _versions() -> str:
    import pysmi

    return f"{ARTIFACT_VERSION}/pysmi-{getattr(pysmi, '__version__', '?')}"


def _cache_key(name: str, catalog: dict[str, ModuleSource], deps: set[str], ver: str) -> str:
    h = hashlib.sha256(ver.encode())
    for mod in [name, *sorted(deps)]:
        src = catalog.get(mod)
        h.update(b"\0" + mod.encode() + b"\0")
        if src is not None:
            h.update(src.read().encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:24]


_PARSER: Any = None


def smi_parser() -> Any:
    """pysmi's parser, built once per process: building its grammar takes ~1.5 s."""
    global _PARSER
    if _PARSER is None:
        from pysmi.parser import SmiStarParser

        _PARSER = SmiStarParser()
    return _PARSER


def run_pysmi(
    names: list[str], catalog: dict[str, ModuleSource]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
    """Compile ``names`` (only those; imports are parsed for their symbols).

    Returns (JSON documents, errors by module, pysmi status by module).
    """
    from pysmi.codegen import JsonCodeGen
    from pysmi.compiler import MibCompiler
    from pysmi.reader import CallbackReader
    from pysmi.writer import CallbackWriter

    docs: dict[str, dict[str, Any]] = {}

    def read(mibname: str, _ctx: Any) -> str | None:
        src = catalog.get(mibname)
        return src.read() if src is not None else None

    def write(mibname: str, data: str, _ctx: Any) -> None:
        docs[mibname] = json.loads(data)

    compiler = MibCompiler(smi_parser(), JsonCodeGen(), CallbackWriter(write))
    compiler.add_sources(CallbackReader(read))
    results = compiler.compile(*names, genTexts=True, ignoreErrors=True, noDeps=True)
    errors: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for mod, status in results.items():
        statuses[mod] = str(status)
        err = getattr(status, "error", None)
        if err is not None:
            errors[mod] = str(err)
    return docs, errors, statuses


def compile_library(
    user_dir: str,
    standard_dir: str,
    cache_dir: str,
    out_path: str,
    standard_modules: list[str] | None = None,
) -> dict[str, Any]:
    """Compile user and standard modules, write the index JSON; return the summary.

    Runs in a worker process; arguments and result are plain data.
    """
    t0 = time.monotonic()
    ver = _versions()
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    standard = catalog_standard(Path(standard_dir))
    user, bad_files = catalog_user(Path(user_dir))
    catalog = {**standard, **user}  # a user module of a standard name replaces it
    wanted_std = [m for m in (standard_modules or DEFAULT_STANDARD_MODULES) if m in standard]
    wanted = wanted_std + [m for m in user if m not in wanted_std]
    order, _missing = _closure(wanted, catalog)

    memo: dict[str, set[str]] = {}
    docs: dict[str, dict[str, Any]] = {}
    keys: dict[str, str] = {}
    to_compile: list[str] = []
    for name in order:
        key = _cache_key(name, catalog, _deps_of(name, catalog, memo), ver)
        keys[name] = key
        path = cache / f"{name}.{key}.json"
        try:
            docs[name] = json.loads(path.read_text())
        except (OSError, ValueError):
            to_compile.append(name)

    errors: dict[str, str] = {}
    compiled_now = 0
    if to_compile:
        new_docs, errors, _statuses = run_pysmi(to_compile, catalog)
        for name, doc in new_docs.items():
            if name not in keys:
                continue
            docs[name] = doc
            compiled_now += 1
            _write_atomic(cache / f"{name}.{keys[name]}.json", json.dumps(doc).encode())

    # Per-module results: the user's modules, and the standard ones that were asked for.
    results: list[ModuleResult] = list(bad_files)
    for name in wanted:
        src = catalog[name]
        deps = _deps_of(name, catalog, memo)
        missing = sorted(d for d in deps if d not in catalog)
        res = ModuleResult(name, src.file, src.origin, "loaded", imports=src.import_modules())
        if missing:
            # Even when pysmi could generate it (an unused import), a module whose
            # imports cannot be found is not loaded: the user sees what to add.
            res.status = "missing_deps"
            res.missing_deps = missing
            res.error = "missing dependencies: " + ", ".join(missing)
        elif name in docs:
            counts = _counts(docs[name])
            res.objects, res.traps = counts["objects"], counts["notifications"]
        else:
            res.status = "error"
            res.error = errors.get(name) or _explain(name, deps, errors) or "compile failed"
        results.append(res)

    loaded = [
        m for m in order if m in docs and all(d in catalog for d in _deps_of(m, catalog, memo))
    ]
    origins = {m: {"origin": catalog[m].origin, "file": catalog[m].file} for m in loaded}
    index = build_index({m: docs[m] for m in loaded}, origins)
    body = json.dumps(index, separators=(",", ":"), ensure_ascii=False).encode()
    etag = hashlib.sha256(body).hexdigest()[:32]
    _write_atomic(Path(out_path), body)
    _prune_cache(cache, {f"{m}.{k}.json" for m, k in keys.items()})
    return {
        "etag": etag,
        "modules": [r.to_dict() for r in results],
        "index_modules": len(loaded),
        "nodes": len(index["nodes"]),
        "compiled": compiled_now,
        "seconds": round(time.monotonic() - t0, 3),
    }


def _explain(name: str, deps: set[str], errors: dict[str, str]) -> str | None:
    failed = sorted(d for d in deps if d in errors)
    if failed:
        return f"depends on {', '.join(failed)}, which failed: {errors[failed[0]]}"
    return None


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    objects = notifications = 0
    for entry in doc.values():
        if not isinstance(entry, dict):
            continue
        cls = entry.get("class")
        if cls == "objecttype" and entry.get("nodetype") in ("scalar", "column"):
            objects += 1
        elif cls == "notificationtype":
            notifications += 1
    return {"objects": objects, "notifications": notifications}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_cache(cache: Path, keep: set[str]) -> None:
    """Drop artifacts of module versions no longer in the library (bounded disk use)."""
    live_modules = {k.split(".", 1)[0] for k in keep}
    for path in cache.glob("*.json"):
        module = path.name.split(".", 1)[0]
        if module in live_modules and path.name not in keep:
            path.unlink(missing_ok=True)
