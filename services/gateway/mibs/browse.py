"""The MIB browser API (``/api/mibs/browse/...``), over the current compiled index.

Compatible with the previous product's routes and node shape, with its gaps fixed: the
module tree is lazy (children only for the module asked for), ``total_descendants`` counts
every descendant, and search ranks all matches before the limit is applied. The derived
tree and search tables are built once per library version (in a thread) and then shared
by all requests until the next version replaces them.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from services.common.mibs.index import MibIndex, MibResolveError, Node, Oid, oid_text
from services.gateway.mibs.library import LibraryCore, LibraryVersion

TYPE_NAMES = {
    "scalar": "MibScalar",
    "column": "MibTableColumn",
    "table": "MibTable",
    "row": "MibTableRow",
    "notification": "NotificationType",
    "compliance": "ModuleCompliance",
    "capabilities": "AgentCapabilities",
    "module": "ModuleIdentity",
}
WELL_KNOWN = {
    (1,): "iso",
    (1, 3): "org",
    (1, 3, 6): "dod",
    (1, 3, 6, 1): "internet",
    (1, 3, 6, 1, 1): "directory",
    (1, 3, 6, 1, 2): "mgmt",
    (1, 3, 6, 1, 2, 1): "mib-2",
    (1, 3, 6, 1, 3): "experimental",
    (1, 3, 6, 1, 4): "private",
    (1, 3, 6, 1, 4, 1): "enterprises",
    (1, 3, 6, 1, 5): "security",
    (1, 3, 6, 1, 6): "snmpV2",
}
_OID_TEXT = re.compile(r"^\.?\d+(\.\d+)*$")


def type_name(node: Node) -> str:
    if node.kind == "group":
        return (
            "NotificationGroup" if node.data.get("class") == "notificationgroup" else "ObjectGroup"
        )
    if node.kind == "node":
        return "ObjectIdentity" if node.description else "MibIdentifier"
    return TYPE_NAMES.get(node.kind, "MibIdentifier")


@dataclass
class BrowseData:
    """Tree links and search keys derived from one library version."""

    index: MibIndex
    oids: list[Oid]  # unique OIDs, sorted
    parent: dict[Oid, Oid | None]
    children: dict[Oid, list[Oid]]
    descendants: dict[Oid, int]
    search_rows: list[tuple[str, str, str, str, Node]]  # name, full name, oid, description
    module_nodes: dict[str, int]  # module -> how many nodes it defines
    blobs: dict[str, tuple[str, list[int]]]  # field -> (rows joined by \n, row start offsets)

    @classmethod
    def build(cls, index: MibIndex) -> BrowseData:
        oids = sorted(index.by_oid)
        parent: dict[Oid, Oid | None] = {}
        children: dict[Oid, list[Oid]] = {}
        for oid in oids:
            p: Oid | None = None
            for end in range(len(oid) - 1, 0, -1):
                if oid[:end] in index.by_oid:
                    p = oid[:end]
                    break
            parent[oid] = p
            if p is not None:
                children.setdefault(p, []).append(oid)
        descendants: dict[Oid, int] = {}
        for oid in reversed(oids):  # children sort after their parent
            descendants[oid] = sum(1 + descendants[c] for c in children.get(oid, ()))
        rows = [
            (n.name.lower(), n.full_name.lower(), n.oid_str, n.description.lower(), n)
            for n in (index.by_oid[o] for o in oids)
        ]
        module_nodes: dict[str, int] = {}
        for n in index.nodes:
            module_nodes[n.module] = module_nodes.get(n.module, 0) + 1
        blobs = {
            "full": _blob([r[1] for r in rows]),
            "oid": _blob([r[2] for r in rows]),
            "desc": _blob([r[3] for r in rows]),
        }
        return cls(index, oids, parent, children, descendants, rows, module_nodes, blobs)

    def rows_containing(self, field: str, needle: str) -> set[int]:
        """Rows whose ``field`` contains ``needle``: C-speed ``str.find`` over one string."""
        blob, starts = self.blobs[field]
        out: set[int] = set()
        pos = blob.find(needle)
        while pos >= 0:
            row = bisect.bisect_right(starts, pos) - 1
            out.add(row)
            nxt = starts[row + 1] if row + 1 < len(starts) else len(blob)
            pos = blob.find(needle, nxt)
        return out

    def top_under(self, prefix: Oid) -> list[Oid]:
        """Known OIDs under ``prefix`` whose nearest known ancestor is above it."""
        if prefix in self.index.by_oid:
            return list(self.children.get(prefix, ()))
        lo = bisect.bisect_left(self.oids, prefix)
        out = []
        for oid in self.oids[lo:]:
            if oid[: len(prefix)] != prefix:
                break
            p = self.parent.get(oid)
            if p is None or len(p) < len(prefix):
                out.append(oid)
        return out

    def count_under(self, prefix: Oid) -> int:
        if prefix in self.index.by_oid:
            return self.descendants.get(prefix, 0)
        lo = bisect.bisect_left(self.oids, prefix)
        n = 0
        for oid in self.oids[lo:]:
            if oid[: len(prefix)] != prefix:
                break
            n += 1
        return n


class BrowseCache:
    def __init__(self, core: LibraryCore) -> None:
        self.core = core
        self._version: LibraryVersion | None = None
        self._data: BrowseData | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> BrowseData:
        version = self.core.version
        if self._version is version and self._data is not None:
            return self._data
        async with self._lock:
            version = self.core.version
            if self._version is not version or self._data is None:
                self._data = await asyncio.to_thread(BrowseData.build, version.index)
                self._version = version
            return self._data


def node_dict(data: BrowseData, node: Node, *, detail: bool = False) -> dict[str, Any]:
    oid = node.oid
    kids = data.children.get(oid, [])
    parent = data.parent.get(oid)
    syntax = node.syntax
    out: dict[str, Any] = {
        "oid": node.oid_str,
        "name": node.name,
        "full_name": node.full_name,
        "module": node.module,
        "parent": oid_text(parent) if parent else None,
        "children": [oid_text(c) for c in kids],
        "type": type_name(node),
        "kind": node.kind,
        "syntax": syntax.type if syntax else None,
        "access": node.access,
        "status": node.status,
        "units": node.units,
        "description": node.description,
        "indexes": [f"{i['module']}::{i['name']}" for i in node.indexes],
        "has_children": bool(kids),
        "total_descendants": data.descendants.get(oid, 0),
    }
    if detail:
        out["syntax_detail"] = syntax.to_dict() if syntax else None
        out["reference"] = node.data.get("reference")
        out["augments"] = node.augments
        if node.kind == "column":
            row = data.index.row_of(node)
            if row is not None:
                out["row"] = row.full_name
                out["table_indexes"] = [
                    {
                        "name": full,
                        "implied": implied,
                        "oid": obj.oid_str if obj else None,
                        "syntax": obj.syntax.to_dict() if obj and obj.syntax else None,
                    }
                    for obj, implied, full in data.index.index_objects(row)
                ]
        if node.objects:
            out["objects"] = [f"{o['module']}::{o['name']}" for o in node.objects]
    return out


def virtual_dict(data: BrowseData, prefix: Oid) -> dict[str, Any]:
    name = WELL_KNOWN.get(prefix, oid_text(prefix))
    kids = data.top_under(prefix)
    return {
        "oid": oid_text(prefix),
        "name": name,
        "full_name": name,
        "module": None,
        "parent": oid_text(prefix[:-1]) if len(prefix) > 1 else None,
        "children": [oid_text(c) for c in kids],
        "type": "MibIdentifier",
        "kind": "virtual",
        "syntax": None,
        "access": None,
        "status": None,
        "units": None,
        "description": "",
        "indexes": [],
        "has_children": bool(kids),
        "total_descendants": data.count_under(prefix),
    }


def _nested(data: BrowseData, oids: list[Oid], depth: int, module: str | None) -> list[Any]:
    out = []
    for oid in oids:
        node = data.index.by_oid[oid]
        if module and node.module != module and not _module_below(data, oid, module):
            continue
        d = node_dict(data, node)
        if depth > 1:
            d["children_nodes"] = _nested(data, data.children.get(oid, []), depth - 1, module)
        out.append(d)
    return out


def _module_below(data: BrowseData, oid: Oid, module: str) -> bool:
    """Whether any descendant of ``oid`` belongs to ``module`` (for module-filtered trees)."""
    lo = bisect.bisect_left(data.oids, oid)
    for other in data.oids[lo:]:
        if other[: len(oid)] != oid:
            return False
        if data.index.by_oid[other].module == module:
            return True
    return False


def parse_oid_param(text: str) -> Oid:
    if not _OID_TEXT.match(text.strip()):
        raise HTTPException(400, f"{text!r} is not a numeric OID (digits separated by dots)")
    return tuple(int(p) for p in text.strip().lstrip(".").split("."))


def find_node(data: BrowseData, ref: str) -> Node:
    ref = ref.strip()
    if _OID_TEXT.match(ref):
        node = data.index.node(ref)
        if node is None:
            raise HTTPException(404, f"no loaded MIB defines the OID {ref}")
        return node
    try:
        oid = data.index.oid(ref)
    except MibResolveError as exc:
        raise HTTPException(404, str(exc)) from None
    node = data.index.by_oid.get(oid)
    if node is None:
        raise HTTPException(404, f"{ref} is an instance, not a MIB node")
    return node


def _blob(texts: list[str]) -> tuple[str, list[int]]:
    starts = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return "\n".join(t.replace("\n", " ") for t in texts), starts


def search(
    data: BrowseData, query: str, limit: int, module: str | None, type_filter: str | None
) -> list[Node]:
    q = query.strip().lower()
    is_oid = bool(_OID_TEXT.match(q))
    q_oid = q.lstrip(".")
    tf = type_filter.lower() if type_filter else None
    scored: list[tuple[int, int, str, Node]] = []
    # Only rows that contain the query somewhere are scored (newlines never match: the
    # query is one line).
    candidates = data.rows_containing("full", q) | data.rows_containing("desc", q)
    if is_oid:
        candidates |= data.rows_containing("oid", q_oid)
    rows = data.search_rows
    for i in candidates:
        name, full, oid, desc, node = rows[i]
        if module and node.module != module:
            continue
        if tf and tf not in (type_name(node).lower(), node.kind):
            continue
        score = 0
        if name == q or full == q:
            score = 100
        elif is_oid and oid == q_oid:
            score = 95
        elif name.startswith(q):
            score = 80
        elif q in name or q in full:
            score = 60
        elif is_oid and oid.startswith(q_oid + "."):
            score = 50
        elif is_oid and q_oid in oid:
            score = 30
        elif q in desc:
            score = 20
        if score:
            scored.append((-score, len(node.name), node.name, node))
    scored.sort(key=lambda t: (t[0], t[1], t[2], t[3].full_name))
    return [t[3] for t in scored[:limit]]


def build_browse_router(core: LibraryCore) -> APIRouter:
    router = APIRouter(tags=["mib browser"])
    cache = BrowseCache(core)

    @router.get("/modules")
    async def modules() -> dict[str, Any]:
        index = core.version.index
        out = []
        for name, info in index.modules.items():
            c = info.get("counts", {})
            out.append(
                {
                    "name": name,
                    "origin": info.get("origin"),
                    "file": info.get("file"),
                    "oid": info.get("oid"),
                    "objects": c.get("objects", 0),
                    "scalars": c.get("scalars", 0),
                    "tables": c.get("tables", 0),
                    "columns": c.get("columns", 0),
                    "notifications": c.get("notifications", 0),
                    "is_system": info.get("origin") != "user",
                }
            )
        return {"modules": out, "count": len(out)}

    @router.get("/tree/module")
    async def tree_module(
        module: str | None = Query(default=None, max_length=128),
    ) -> dict[str, Any]:
        data = await cache.get()
        index = data.index
        if module is not None and module not in index.modules:
            raise HTTPException(404, f"MIB module {module!r} is not loaded")
        out = []
        for name, info in index.modules.items():
            if module is not None and name != module:
                continue
            entry: dict[str, Any] = {
                "oid": f"module:{name}",
                "name": name,
                "full_name": name,
                "module": name,
                "type": "Module",
                "has_children": data.module_nodes.get(name, 0) > 0,
                "node_count": data.module_nodes.get(name, 0),
                "is_system": info.get("origin") != "user",
            }
            if module is not None:
                nodes = [n for n in index.nodes if n.module == name]
                entry["children"] = [node_dict(data, n) for n in nodes]
            out.append(entry)
        return {"view": "module", "modules": out, "count": len(out)}

    @router.get("/tree/oid")
    async def tree_oid(
        root_oid: str = Query("1.3.6.1", max_length=1024),
        depth: int = Query(1, ge=1, le=5),
        module: str | None = Query(default=None, max_length=128),
    ) -> dict[str, Any]:
        data = await cache.get()
        prefix = parse_oid_param(root_oid)
        node = data.index.by_oid.get(prefix)
        root = node_dict(data, node) if node is not None else virtual_dict(data, prefix)
        kids = data.top_under(prefix)
        return {
            "root": root,
            "children": _nested(data, kids, depth, module),
            "total_descendants": data.count_under(prefix),
        }

    @router.get("/node/{ref:path}")
    async def node_detail(ref: str) -> dict[str, Any]:
        data = await cache.get()
        node = find_node(data, ref)
        parent = data.parent.get(node.oid)
        sib_oids = data.children.get(parent, []) if parent else []
        siblings = [node_dict(data, data.index.by_oid[o]) for o in sib_oids if o != node.oid]
        crumbs = []
        p: Oid | None = node.oid
        while p is not None:
            n = data.index.by_oid[p]
            crumbs.append(
                {"oid": n.oid_str, "name": n.name, "full_name": n.full_name, "module": n.module}
            )
            p = data.parent.get(p)
        crumbs.reverse()
        out: dict[str, Any] = {
            "node": node_dict(data, node, detail=True),
            "siblings": siblings[:200],
            "breadcrumb": crumbs,
        }
        if node.kind == "notification":
            out["trap_objects"] = [
                {
                    "name": o.name,
                    "full_name": o.full_name,
                    "oid": o.oid_str,
                    "syntax": o.syntax.to_dict() if o.syntax else None,
                }
                for o in data.index.notification_objects(node)
            ]
        return out

    @router.get("/search")
    async def search_route(
        query: str = Query(..., min_length=2, max_length=256),
        limit: int = Query(100, ge=1, le=500),
        module: str | None = Query(default=None, max_length=128),
        type_filter: str | None = Query(default=None, max_length=64),
    ) -> dict[str, Any]:
        data = await cache.get()
        results = search(data, query, limit, module, type_filter)
        return {
            "query": query,
            "count": len(results),
            "results": [node_dict(data, n) for n in results],
        }

    @router.get("/traps")
    async def trap_library() -> dict[str, Any]:
        data = await cache.get()
        out = []
        for oid in data.oids:
            node = data.index.by_oid[oid]
            if node.kind != "notification":
                continue
            out.append(
                {
                    "module": node.module,
                    "name": node.name,
                    "full_name": node.full_name,
                    "oid": node.oid_str,
                    "description": node.description or "No description",
                    "objects": [
                        {"name": o.name, "full_name": o.full_name, "oid": o.oid_str}
                        for o in data.index.notification_objects(node)
                    ],
                }
            )
        return {"traps": out, "count": len(out)}

    return router
