"""The previous product's custom data: ``{"MODULE::object.index": value}`` for the
default device. Kept as the user wrote it (``GET /simulator/data`` returns it unchanged)
and resolved to records, with a report of every key that could not be used."""

from __future__ import annotations

from typing import Any

from services.common.snmp import ber, values
from services.simulator.imports.report import ImportReport
from services.simulator.store import Record, check_record


def _type_for(oid: tuple[int, ...], value: Any, existing: dict[tuple[int, ...], Record],
              index: Any) -> tuple[str, str | None]:  # fmt: skip
    """``(type name, note)``; the note says when the type was guessed."""
    rec = existing.get(oid)
    if rec is not None:
        return rec.type, None
    if index is not None:
        r = index.resolve(oid)
        if r is not None and r.node.syntax is not None and r.node.syntax.base:
            base = r.node.syntax.base
            return ("OctetString" if base == "Bits" else base), None
    guess = "Integer32" if isinstance(value, int) and not isinstance(value, bool) else "OctetString"
    return guess, f"type unknown (no MIB for this OID); stored as {guess}"


def resolve(
    raw: dict[str, Any], index: Any, existing: list[Record]
) -> tuple[list[Record], ImportReport]:
    report = ImportReport("custom_data")
    known = {r.oid: r for r in existing}
    out: list[Record] = []
    for n, (key, value) in enumerate(raw.items(), 1):
        report.lines = n
        if not isinstance(value, (int, float, str)) or isinstance(value, bool):
            report.skip(n, "value must be a number or a string", key)
            continue
        try:
            oid = tuple(index.oid(key)) if index is not None else ber.parse_oid(key)
        except ValueError as exc:
            why = str(exc) if index is not None else "symbolic names need the MIB library"
            report.skip(n, f"cannot resolve {key!r}: {why}", key)
            continue
        type_name, note = _type_for(oid, value, known, index)
        if note:
            report.coerce(n, note, key)
        try:
            if type_name in ("OctetString", "Opaque"):
                v: Any = str(value).encode()
            elif type_name in ("ObjectIdentifier", "IpAddress"):
                v = str(value)
            else:
                v = int(value)
                if v != value:
                    report.coerce(n, f"{value!r} rounded to {v} for {type_name}", key)
            out.append(check_record(Record(oid, values.canonical_type(type_name), v)))
        except ValueError as exc:
            report.skip(n, f"{key}: {exc}", key)
    report.imported = len(out)
    return out, report
