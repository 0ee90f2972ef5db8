"""Export records as ``.snmprec`` text that :mod:`..imports.snmprec` reads back exactly."""

from __future__ import annotations

from collections.abc import Iterable

from services.common.snmp import ber, values
from services.simulator.store import Record


def _printable(data: bytes) -> bool:
    # Plain text only when it survives a text round trip byte for byte: UTF-8, no line
    # breaks (one record per line), no surrounding whitespace a reader might trim.
    if not data or data != data.strip():
        return data == b""
    return values.is_printable(data) and b"\n" not in data and b"\r" not in data


def record_line(rec: Record) -> str:
    tag = values.TYPE_TAGS[values.canonical_type(rec.type)]
    oid = ber.oid_str(rec.oid)
    if rec.rule is not None:
        return f"{oid}|{tag}:{rec.rule.kind}|{rec.rule.to_tag_text()}"
    v = rec.value
    if isinstance(v, bytes):
        if _printable(v):
            return f"{oid}|{tag}|{v.decode('utf-8')}"
        return f"{oid}|{tag}x|{v.hex()}"
    if v is None:
        return f"{oid}|{tag}|"
    return f"{oid}|{tag}|{v}"


def to_snmprec(records: Iterable[Record]) -> str:
    return "".join(record_line(r) + "\n" for r in records)
