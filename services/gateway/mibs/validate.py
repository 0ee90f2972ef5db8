"""Validate a batch of MIB files before anything is saved.

Each file is checked for: a module definition and a valid module name, a syntax that
pysmi's parser accepts (errors carry the line number), its IMPORTS, and dependencies that
are neither in the batch, nor in the user's library, nor among the standard modules.
Clashes with modules or files already in the library are reported, never overwritten
silently. :func:`validate_batch` runs in the library's worker process (parsing is slow).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from services.gateway.mibs import scan

ALLOWED_SUFFIXES = (".mib", ".txt", ".my", "")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_filename(name: str) -> str | None:
    """Why ``name`` is not acceptable as a stored MIB file name, or None."""
    if not name or "/" in name or "\\" in name or "\0" in name:
        return "file name must be a plain name without a path"
    if name in (".", "..") or not _SAFE_NAME.match(name):
        return "file name may use letters, digits, '.', '_' and '-' only (max 128)"
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES or (suffix == "" and "." in name):
        return "file name must end in .mib, .txt or .my, or have no extension"
    return None


def existing_user_modules(files_dir: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not files_dir.is_dir():
        return out
    for path in sorted(files_dir.iterdir()):
        if path.is_file():
            for mod in scan.scan(scan.decode_text(path.read_bytes())):
                out.setdefault(mod.name, path.name)
    return out


def syntax_errors(text: str) -> list[dict[str, Any]]:
    """pysmi's parser verdict: ``[{"line", "message"}]`` (empty when it parses)."""
    from pysmi import error

    from services.gateway.mibs.compiler import smi_parser

    try:
        smi_parser().parse(text)
    except error.PySmiError as exc:
        line = getattr(exc, "lineno", None)
        msg = str(getattr(exc, "msg", exc))
        msg = re.sub(r"\s+at MIB \S+", "", msg)
        try:
            line_no: int | None = int(line) if line is not None else None
        except (TypeError, ValueError):
            line_no = None
        where = f"line {line_no}: " if line_no else ""
        context = ""
        lines = text.splitlines()
        if line_no and 0 < line_no <= len(lines):
            context = lines[line_no - 1].strip()[:120]
        shown = f" (near: {context})" if context else ""
        return [{"line": line_no, "message": f"{where}{msg}{shown}", "context": context}]
    return []


def validate_batch(
    files: list[tuple[str, bytes]],
    existing: dict[str, str],
    standard: list[str],
    user_dir: str | None = None,
    standard_dir: str | None = None,
) -> dict[str, Any]:
    """The report ``POST /validate-batch`` returns (the previous product's shape, extended).

    With the library's directories, modules that parse and have all their imports are
    also compiled (nothing is written): a module pysmi cannot compile (an unknown parent,
    a type that does not exist) is refused before it is saved, not after.
    """
    standard_set = set(standard)
    batch_modules: dict[str, str] = {}
    scanned: list[tuple[str, str, list[scan.ModuleText]]] = []
    for filename, data in files:
        text = scan.decode_text(data)
        mods = scan.scan(text)
        scanned.append((filename, text, mods))
        for m in mods:
            batch_modules.setdefault(m.name, filename)
    existing_files = set(existing.values())

    reports = []
    global_missing: set[str] = set()
    for filename, text, mods in scanned:
        errors: list[dict[str, Any]] = []
        clashes: list[dict[str, Any]] = []
        bad_name = check_filename(filename)
        if bad_name:
            errors.append({"line": None, "message": bad_name})
        if not mods:
            errors.append(
                {
                    "line": None,
                    "message": "no 'NAME DEFINITIONS ::= BEGIN' found: this is not a MIB module",
                }
            )
        for m in mods:
            if not scan.MODULE_NAME.match(m.name):
                errors.append({"line": m.line, "message": f"bad module name {m.name!r}"})
            if not m.has_end:
                errors.append({"line": m.line, "message": f"module {m.name} has no END"})
            if batch_modules.get(m.name) != filename:
                errors.append(
                    {
                        "line": m.line,
                        "message": f"module {m.name} is also defined in {batch_modules[m.name]} "
                        "in this batch",
                    }
                )
        if mods and not errors:
            errors.extend(syntax_errors(text))
        imports: list[str] = []
        missing: list[str] = []
        for m in mods:
            for dep in m.imports:
                if dep not in imports:
                    imports.append(dep)
                if dep in batch_modules or dep in existing or dep in standard_set:
                    continue
                if dep not in missing:
                    missing.append(dep)
            if m.name in existing and existing[m.name] != filename:
                clashes.append(
                    {
                        "kind": "module",
                        "module": m.name,
                        "existing_file": existing[m.name],
                        "message": f"module {m.name} is already in the library "
                        f"as {existing[m.name]}",
                    }
                )
            elif m.name in standard_set and m.name not in existing:
                clashes.append(
                    {
                        "kind": "standard",
                        "module": m.name,
                        "message": f"{m.name} is a standard module the library already "
                        "has; uploading replaces it for every service",
                    }
                )
        if filename in existing_files:
            clashes.append(
                {
                    "kind": "file",
                    "existing_file": filename,
                    "message": f"a file named {filename} is already in the library",
                }
            )
        global_missing.update(missing)
        reports.append(
            {
                "filename": filename,
                "mib_name": mods[0].name if mods else None,
                "modules": [m.name for m in mods],
                "valid": not errors,
                "imports": imports,
                "missing_deps": missing,
                "errors": [e["message"] for e in errors],
                "error_details": errors,
                "clashes": clashes,
            }
        )
    if user_dir is not None and standard_dir is not None:
        _compile_check(scanned, reports, user_dir, standard_dir)
    valid = all(r["valid"] for r in reports) and bool(reports)
    has_clash = any(r["clashes"] for r in reports)
    return {
        "files": reports,
        "global_missing_deps": sorted(global_missing),
        "valid": valid,
        "clashes": has_clash,
        "can_upload": valid and not has_clash,
    }


def _compile_check(
    scanned: list[tuple[str, str, list[scan.ModuleText]]],
    reports: list[dict[str, Any]],
    user_dir: str,
    standard_dir: str,
) -> None:
    from services.gateway.mibs import compiler

    catalog = {**compiler.catalog_standard(Path(standard_dir))}
    catalog.update(compiler.catalog_user(Path(user_dir))[0])
    owner: dict[str, dict[str, Any]] = {}
    for (filename, text, mods), report in zip(scanned, reports, strict=True):
        for m in mods:
            catalog[m.name] = compiler.ModuleSource(
                m.name, Path(filename), "user", filename, text, m.imports
            )
            if report["valid"]:
                owner[m.name] = report
    memo: dict[str, set[str]] = {}
    names = [n for n in owner if all(d in catalog for d in compiler._deps_of(n, catalog, memo))]
    if not names:
        return
    docs, errors, _ = compiler.run_pysmi(names, catalog)
    for name in names:
        if name in docs:
            continue
        message = re.sub(r"\s+at MIB \S+", "", errors.get(name) or "pysmi could not compile it")
        report = owner[name]
        report["valid"] = False
        detail = {"line": None, "message": f"{name}: {message}"}
        report["error_details"].append(detail)
        report["errors"].append(detail["message"])
