"""Turn pysmi's per-module JSON into the one index every service loads.

The format (``snmplab-mib-index/1``) is read by ``services/common/mibs/index.py``:

    {"format",
     "modules": {NAME: {origin, file, imports[], oid, description, last_updated,
                        organization, counts{objects, scalars, tables, columns, notifications}}},
     "nodes": [{oid, module, name, class, kind, syntax{type, base, tc, display_hint, enums,
                bits, ranges, sizes}, units, access, status, description, reference,
                indexes[{module, name, implied}], augments, objects[{module, name}]}]}

The document depends only on the compiled modules (no timestamp), so its ETag changes only
when the library does and an unchanged reload makes no service refetch. Nodes are sorted
by OID; where two modules define the same OID, the preferred definition
comes first (SMIv2 standard modules before user modules before the obsolete RFC1213-MIB
style SMIv1 copies), which is what clients use for OID -> name.
"""

from __future__ import annotations

import re
from typing import Any

from services.common.mibs.index import FORMAT

# SMI base types, by the names pysmi writes, to the type names services/common/snmp uses.
BASE_TYPES = {
    "INTEGER": "Integer32",
    "Integer32": "Integer32",
    "OCTET STRING": "OctetString",
    "OBJECT IDENTIFIER": "ObjectIdentifier",
    "BITS": "Bits",
    "Bits": "Bits",
    "IpAddress": "IpAddress",
    "NetworkAddress": "IpAddress",
    "Counter32": "Counter32",
    "Counter": "Counter32",
    "Gauge32": "Gauge32",
    "Gauge": "Gauge32",
    "Unsigned32": "Unsigned32",
    "UInteger32": "Unsigned32",
    "TimeTicks": "TimeTicks",
    "Counter64": "Counter64",
    "Opaque": "Opaque",
}
KINDS = {
    "notificationtype": "notification",
    "traptype": "notification",
    "objectgroup": "group",
    "notificationgroup": "group",
    "modulecompliance": "compliance",
    "agentcapabilities": "capabilities",
    "moduleidentity": "module",
    "objectidentity": "node",
}
_LEGACY = re.compile(r"^RFC\d|^RFC-")


def _symbols(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A module's entries by their real names (pysmi keys replace '-' with '_')."""
    out = {}
    for key, entry in doc.items():
        if isinstance(entry, dict) and key not in ("imports", "meta"):
            out[entry.get("name", key)] = entry
    return out


class _Types:
    """Resolves a syntax through textual conventions to its base type, enums and hints."""

    def __init__(self, docs: dict[str, dict[str, dict[str, Any]]], imports: dict[str, Any]):
        self.docs = docs
        self.imports = imports
        self.defined: dict[str, list[str]] = {}
        for mod, syms in docs.items():
            for name, entry in syms.items():
                if entry.get("class") in ("textualconvention", "type"):
                    self.defined.setdefault(name, []).append(mod)

    def where(self, module: str, name: str) -> str | None:
        if name in self.docs.get(module, {}):
            return module
        for src, syms in (self.imports.get(module) or {}).items():
            if isinstance(syms, list) and name in syms and src in self.docs:
                return src
        mods = self.defined.get(name)
        return mods[0] if mods else None

    def resolve(self, module: str, syntax: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        typename = syntax.get("type") or ""
        out: dict[str, Any] = {"type": typename}
        cons = syntax.get("constraints") or {}
        self._constraints(out, cons)
        if syntax.get("bits"):
            out["bits"] = {str(v): k for k, v in syntax["bits"].items()}
        if typename in BASE_TYPES:
            out["base"] = BASE_TYPES[typename]
            return out
        src = self.where(module, typename)
        entry = self.docs.get(src or "", {}).get(typename) if src else None
        if entry is None or depth > 8:
            out["base"] = BASE_TYPES.get(typename, typename or "OctetString")
            return out
        inner_syntax = entry.get("type") or {}
        inner = self.resolve(src or module, inner_syntax, depth + 1)
        if entry.get("class") == "textualconvention":
            out.setdefault("tc", f"{src}::{typename}")
            if entry.get("displayhint") and "display_hint" not in inner:
                out["display_hint"] = entry["displayhint"]
        for key in ("base", "enums", "bits", "ranges", "sizes", "display_hint", "tc"):
            if key in inner and key not in out:
                out[key] = inner[key]
        return out

    @staticmethod
    def _constraints(out: dict[str, Any], cons: dict[str, Any]) -> None:
        if "enumeration" in cons:
            out["enums"] = {
                str(v): k for k, v in sorted(cons["enumeration"].items(), key=lambda kv: kv[1])
            }
        if "range" in cons:
            out["ranges"] = [[r["min"], r["max"]] for r in cons["range"]]
        if "size" in cons:
            out["sizes"] = [[r["min"], r["max"]] for r in cons["size"]]


def _rank(module: str, origin: str) -> int:
    if _LEGACY.match(module):
        return 2
    return 0 if origin == "standard" else 1


def build_index(
    docs: dict[str, dict[str, Any]], origins: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    syms = {m: _symbols(d) for m, d in docs.items()}
    imports = {
        m: {k: v for k, v in (d.get("imports") or {}).items() if k != "class"}
        for m, d in docs.items()
    }
    types = _Types(syms, imports)
    nodes: list[tuple[tuple[int, ...], int, str, dict[str, Any]]] = []
    modules: dict[str, Any] = {}
    for mod, entries in syms.items():
        origin = origins.get(mod, {}).get("origin", "standard")
        counts = {
            "objects": 0,
            "scalars": 0,
            "tables": 0,
            "columns": 0,
            "rows": 0,
            "notifications": 0,
        }
        info: dict[str, Any] = {
            "origin": origin,
            "file": origins.get(mod, {}).get("file", mod),
            "imports": sorted(imports.get(mod, {})),
        }
        for name, entry in entries.items():
            cls = entry.get("class")
            oid = entry.get("oid")
            if cls == "moduleidentity":
                info["oid"] = oid
                info["description"] = entry.get("description", "")
                info["last_updated"] = entry.get("lastupdated")
                info["organization"] = entry.get("organization")
            if not oid or cls in ("textualconvention", "type"):
                continue
            node = _node(mod, name, entry, types)
            kind = node["kind"]
            if kind in ("scalar", "column"):
                counts["objects"] += 1
                counts["scalars" if kind == "scalar" else "columns"] += 1
            elif kind == "table":
                counts["tables"] += 1
            elif kind == "row":
                counts["rows"] += 1
            elif kind == "notification":
                counts["notifications"] += 1
            try:
                key = tuple(int(p) for p in oid.split("."))
            except ValueError:
                continue
            nodes.append((key, _rank(mod, origin), mod, node))
        info["counts"] = counts
        modules[mod] = info
    nodes.sort(key=lambda t: (t[0], t[1], t[2]))
    ordered_modules = dict(
        sorted(modules.items(), key=lambda kv: (_rank(kv[0], kv[1]["origin"]), kv[0]))
    )
    return {
        "format": FORMAT,
        "modules": ordered_modules,
        "nodes": [n[3] for n in nodes],
    }


def _node(module: str, name: str, entry: dict[str, Any], types: _Types) -> dict[str, Any]:
    cls = entry.get("class", "")
    kind = (entry.get("nodetype") or "scalar") if cls == "objecttype" else KINDS.get(cls, "node")
    node: dict[str, Any] = {
        "oid": entry["oid"],
        "module": module,
        "name": name,
        "class": cls,
        "kind": kind,
    }
    syntax = entry.get("syntax")
    if syntax and kind in ("scalar", "column"):
        node["syntax"] = types.resolve(module, syntax)
    for src, dst in (
        ("units", "units"),
        ("maxaccess", "access"),
        ("status", "status"),
        ("description", "description"),
        ("reference", "reference"),
    ):
        if entry.get(src):
            node[dst] = entry[src]
    if entry.get("indices"):
        node["indexes"] = [
            {
                "module": i.get("module", module),
                "name": i["object"],
                "implied": bool(i.get("implied")),
            }
            for i in entry["indices"]
        ]
    aug = entry.get("augmention") or entry.get("augmentation")
    if aug:
        node["augments"] = f"{aug.get('module', module)}::{aug['object']}"
    if entry.get("objects"):
        node["objects"] = [
            {"module": o.get("module", module), "name": o["object"]} for o in entry["objects"]
        ]
    return node
