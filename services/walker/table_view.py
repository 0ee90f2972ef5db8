"""An INDEX-aware view of a conceptual table, rows by columns, as ``snmptable`` shows it.

The table's entry (``xxxEntry``) and its columns come from the MIB index when it knows
the table; each row's instance suffix is decoded by the entry's INDEX clause (following
AUGMENTS), e.g. ``ipNetToPhysicalTable`` rows read ``4 / ipv4 / c0:00:02:01``. Without
MIB knowledge the entry is ``table.1``, columns are numbered and indexes stay numeric.
"""

from __future__ import annotations

from typing import Any

from services.common.mibs.index import MibIndex
from services.common.snmp import ber

OID = tuple[int, ...]


def entry_of(table: OID, index: MibIndex | None) -> OID:
    """The conceptual row under ``table`` (``table.1`` by SMI convention)."""
    if index is not None:
        node = index.node(table)
        if node is not None and node.kind == "row":
            return table
    return (*table, 1)


def _columns(entry: OID, index: MibIndex | None, seen: list[int]) -> list[dict[str, Any]]:
    out = []
    for col in seen:
        oid = (*entry, col)
        node = index.node(oid) if index is not None else None
        out.append({
            "id": col,
            "oid": ber.oid_str(oid),
            "name": node.name if node is not None else str(col),
            "full_name": node.full_name if node is not None else ber.oid_str(oid),
        })  # fmt: skip
    return out


def _index_names(entry: OID, index: MibIndex | None) -> list[str]:
    if index is None:
        return []
    row = index.node(entry)
    if row is None or row.kind != "row":
        return []
    return [full for _, _, full in index.index_objects(row)]


def build_table(rows: list[dict[str, Any]], table: OID, index: MibIndex | None) -> dict[str, Any]:
    """Group walk rows under ``table`` into ``{columns, rows}``; each row keeps its
    decoded index parts and a ``{column name: human value}`` map (raw values alongside)."""
    entry = entry_of(table, index)
    n = len(entry)
    col_ids: list[int] = []
    by_instance: dict[OID, dict[str, Any]] = {}
    order: list[OID] = []
    for r in rows:
        oid = ber.parse_oid(r["oid"])
        if len(oid) <= n + 1 or oid[:n] != entry:
            continue
        col, instance = oid[n], oid[n + 1 :]
        if col not in col_ids:
            col_ids.append(col)
        row = by_instance.get(instance)
        if row is None:
            row = {"instance": ber.oid_str(instance), "index": None, "values": {}, "raw": {}}
            if index is not None:
                resolved = index.resolve(oid)
                if resolved is not None and resolved.index_parts is not None:
                    row["index"] = [
                        {"name": p.name, "value": p.value.hex() if isinstance(p.value, bytes)
                         else p.value, "text": p.text}
                        for p in resolved.index_parts
                    ]  # fmt: skip
            by_instance[instance] = row
            order.append(instance)
        row["values"][str(col)] = r["value"]
        row["raw"][str(col)] = r["raw"]
    col_ids.sort()
    columns = _columns(entry, index, col_ids)
    names = {str(c["id"]): c["name"] for c in columns}
    out_rows = []
    for instance in sorted(order):
        row = by_instance[instance]
        row["values"] = {names[k]: v for k, v in row["values"].items()}
        row["raw"] = {names[k]: v for k, v in row["raw"].items()}
        out_rows.append(row)
    node = index.node(table) if index is not None else None
    return {
        "table": node.full_name if node is not None else ber.oid_str(table),
        "oid": ber.oid_str(table),
        "entry": ber.oid_str(entry),
        "index_objects": _index_names(entry, index),
        "columns": columns,
        "rows": out_rows,
    }
