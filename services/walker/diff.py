"""The difference between two walks: OIDs added, removed, and changed (type or value)."""

from __future__ import annotations

from typing import Any


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(a) for a in oid.split("."))


def diff_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    """What changed from walk ``a`` to walk ``b``, each list in OID order."""
    old = {r["oid"]: r for r in a}
    new = {r["oid"]: r for r in b}
    added = [new[o] for o in sorted(new.keys() - old.keys(), key=_key)]
    removed = [old[o] for o in sorted(old.keys() - new.keys(), key=_key)]
    changed = []
    for o in sorted(old.keys() & new.keys(), key=_key):
        x, y = old[o], new[o]
        if x["type"] != y["type"] or x["raw"] != y["raw"]:
            changed.append({"oid": o, "name": y["name"], "before": x, "after": y})
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "unchanged": len(old.keys() & new.keys()) - len(changed),
        "counts": {"added": len(added), "removed": len(removed), "changed": len(changed)},
    }
