"""The previous product's "parse" view: numeric columns as metrics, labelled by the row.

Rows are grouped by instance index. A numeric var-bind (INTEGER, Counter, Gauge,
Unsigned, TimeTicks) is a metric unless its object name says it is an identifier
(index, id, name, descr, serial, mac, type, version); everything else is a label of its
row. TimeTicks become seconds. Rows without a metric produce nothing, as before.
"""

from __future__ import annotations

import time
from typing import Any

_METRIC_TYPES = frozenset(
    {"Integer32", "Counter32", "Counter64", "Gauge32", "Unsigned32", "TimeTicks"}
)
_LABEL_WORDS = ("index", "id", "name", "descr", "serial", "mac", "type", "version")


def split_name(name: str, oid: str) -> tuple[str, str, str]:
    """``(module, object, index)`` from ``MODULE::object.index``; numeric names have no
    module and use the OID's parent as object and the last arc as index."""
    if "::" in name:
        module, _, rest = name.partition("::")
        obj, _, index = rest.partition(".")
        return module, obj, index
    head, _, last = oid.rpartition(".")
    return "Unknown", head, last


def parse_rows(rows: list[dict[str, Any]], agent_host: str, root: str) -> list[dict[str, Any]]:
    category = root.split("::", 1)[1] if "::" in root else root
    by_index: dict[str, dict[str, Any]] = {}
    for r in rows:
        module, obj, index = split_name(r["name"], r["oid"])
        entry = by_index.setdefault(index, {"labels": {}, "metrics": {}})
        raw = r["raw"]
        type_name = r["type"]
        is_metric = type_name in _METRIC_TYPES and isinstance(raw, int)
        if is_metric and type_name != "TimeTicks":
            lowered = obj.lower()
            is_metric = not any(word in lowered for word in _LABEL_WORDS)
        if is_metric:
            value: Any = raw / 100.0 if type_name == "TimeTicks" else raw
            entry["metrics"][obj] = (value, module)
        else:
            entry["labels"][obj] = r["value"]
    now = int(time.time())
    out: list[dict[str, Any]] = []
    for index, entry in by_index.items():
        labels = {**entry["labels"], "snmp_index": index}
        for metric_name, (value, module) in entry["metrics"].items():
            out.append(
                {
                    "metric_name": metric_name,
                    "value": value,
                    "mib_module": module,
                    "metric_category": category,
                    "agent_host": agent_host,
                    "timestamp": now,
                    "labels": dict(labels),
                }
            )
    return out
