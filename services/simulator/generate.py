"""Generate a profile from loaded MIBs: every readable scalar and column of the chosen
modules, with plausible values by syntax (enums and ranges honoured, sizes respected,
counters that count) and a chosen number of rows per table."""

from __future__ import annotations

import random
from typing import Any

from services.common.snmp import ber
from services.simulator.imports.report import ImportReport
from services.simulator.store import OID, Record, check_record
from services.simulator.values_live import LiveRule

READABLE = {"readonly", "readwrite", "readcreate", "writeonly"}
SKIP_STATUS = {"deprecated", "obsolete"}


def _norm(text: str | None) -> str:
    return (text or "").replace("-", "").replace("_", "").lower()


def _pick_int(syntax: Any, rng: random.Random, lo: int, hi: int) -> int:
    if syntax is not None and syntax.enums:
        return rng.choice(sorted(syntax.enums))
    if syntax is not None and syntax.ranges:
        a, b = rng.choice(syntax.ranges)
        return rng.randint(max(int(a), lo), min(int(b), hi)) if max(a, lo) <= min(b, hi) else lo
    return rng.randint(lo, hi)


def _string(syntax: Any, name: str, row: int, rng: random.Random) -> bytes:
    sizes = syntax.sizes if syntax is not None else None
    hint = (syntax.display_hint or "") if syntax is not None else ""
    fixed = syntax.fixed_size if syntax is not None else None
    if fixed is not None:
        return bytes(rng.randrange(256) for _ in range(fixed))
    if "x" in hint and "a" not in hint:
        text = bytes(rng.randrange(256) for _ in range(6))
    else:
        text = f"{name} {row}".encode() if row else name.encode()
    if sizes:
        lo, hi = min(s[0] for s in sizes), max(s[1] for s in sizes)
        if len(text) > hi:
            text = text[:hi]
        if len(text) < lo:
            text = text + b" " * (lo - len(text))
    return text


def value_for(node: Any, row: int, rng: random.Random) -> tuple[str, Any, LiveRule | None]:
    syntax = node.syntax
    base = syntax.base if syntax is not None else "OctetString"
    if base in ("Counter32", "Counter64"):
        rate = rng.choice((1, 10, 100, 1000, 125_000))
        params = {"rate": str(rate), "initial": str(rng.randrange(1_000_000))}
        return base, 0, LiveRule("numeric", params)
    if base == "TimeTicks":
        return base, rng.randrange(0, 8_640_000), None
    if base in ("Gauge32", "Unsigned32"):
        return base, _pick_int(syntax, rng, 0, 1_000_000), None
    if base == "Integer32":
        return base, _pick_int(syntax, rng, 1, 100), None
    if base == "IpAddress":
        return base, f"10.{rng.randrange(256)}.{row % 256}.{rng.randrange(1, 255)}", None
    if base == "ObjectIdentifier":
        return base, "1.3.6.1.4.1.8072.3.2.10", None
    if base == "Bits":
        return "OctetString", b"\x00", None
    return "OctetString", _string(syntax, node.name, row, rng), None


def _row_index(index: Any, row_node: Any, k: int) -> OID | None:
    """An instance suffix for row ``k`` from the row's INDEX objects."""
    parts: list[int] = []
    for obj, implied, _full in index.index_objects(row_node):
        if obj is None or obj.syntax is None:
            return None
        base = obj.syntax.base
        if base in ("Integer32", "Unsigned32", "Gauge32", "TimeTicks", "Counter32"):
            lo = 1
            if obj.syntax.ranges:
                lo = max(1, int(obj.syntax.ranges[0][0]))
            parts.append(lo + k - 1)
        elif base == "IpAddress":
            parts.extend((10, 0, k // 256, k % 256))
        elif base == "OctetString":
            fixed = obj.syntax.fixed_size
            raw = bytes([k % 256] * fixed) if fixed else f"row{k}".encode()
            if not (implied or fixed):
                parts.append(len(raw))
            parts.extend(raw)
        elif base == "ObjectIdentifier":
            parts.extend((2, 1, k))
        else:
            return None
    return tuple(parts) if parts else None


def generate(
    index: Any, modules: list[str], rows: int, seed: int = 0
) -> tuple[list[Record], ImportReport]:
    report = ImportReport("mib")
    rng = random.Random(seed)
    records: dict[OID, Record] = {}
    for module in modules:
        if module not in index.modules:
            report.skip(0, f"MIB module {module!r} is not loaded", module)
            continue
        for node in index.module_nodes(module):
            if node.kind not in ("scalar", "column"):
                continue
            if _norm(node.access) not in READABLE or _norm(node.status) in SKIP_STATUS:
                continue
            if node.kind == "scalar":
                suffixes: list[tuple[int, OID]] = [(0, (0,))]
            else:
                row_node = index.row_of(node)
                suffixes = []
                for k in range(1, rows + 1):
                    sfx = _row_index(index, row_node, k) if row_node is not None else None
                    if sfx is None:
                        report.skip(0, f"{node.full_name}: cannot build an index for its table",
                                    node.full_name)  # fmt: skip
                        break
                    suffixes.append((k, sfx))
            for k, sfx in suffixes:
                type_name, value, rule = value_for(node, k, rng)
                oid = tuple(node.oid) + sfx
                try:
                    records[oid] = check_record(Record(oid, type_name, value, rule))
                except ValueError as exc:
                    report.skip(0, f"{node.full_name}.{ber.oid_str(sfx)}: {exc}", node.full_name)
    report.imported = len(records)
    return list(records.values()), report
