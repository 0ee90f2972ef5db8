"""Walk exports, streamed: JSON, CSV, snmpsim ``.snmprec`` and Net-SNMP walk text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from services.walker.varbinds import netsnmp_line, typed_value

FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "snmprec": ("text/plain; charset=utf-8", "snmprec"),
    "walk": ("text/plain; charset=utf-8", "txt"),
}
_SNMPREC_TAGS = {
    "Integer32": 2, "OctetString": 4, "Null": 5, "ObjectIdentifier": 6, "IpAddress": 64,
    "Counter32": 65, "Gauge32": 66, "Unsigned32": 66, "TimeTicks": 67, "Opaque": 68,
    "Counter64": 70,
}  # fmt: skip
_CHUNK = 500


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= _CHUNK:
            yield "".join(buf).encode()
            buf.clear()
    if buf:
        yield "".join(buf).encode()


def snmprec_line(r: dict[str, Any]) -> str | None:
    """``OID|TAG|VALUE`` (hex-encoded ``TAGx`` for octets that are not plain text)."""
    tag = _SNMPREC_TAGS.get(r["type"])
    if tag is None:
        return None  # exceptions (noSuchObject...) are not data
    value = typed_value(r["type"], r["raw"])
    if isinstance(value, bytes):
        printable = all(0x20 <= b < 0x7F for b in value) and "|" not in value.decode("latin-1")
        if r["type"] == "OctetString" and printable:
            return f"{r['oid']}|{tag}|{value.decode('ascii')}\n"
        return f"{r['oid']}|{tag}x|{value.hex()}\n"
    if value is None:
        return f"{r['oid']}|{tag}|\n"
    return f"{r['oid']}|{tag}|{value}\n"


def to_snmprec(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for r in rows:
        line = snmprec_line(r)
        if line is not None:
            yield line


def to_walk_text(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for r in rows:
        yield netsnmp_line(r) + "\n"


def to_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["oid", "name", "type", "value", "raw"])
    for r in rows:
        writer.writerow([r["oid"], r["name"], r["type"], r["value"], r["raw"]])
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_json(meta: dict[str, Any], rows: list[dict[str, Any]]) -> Iterator[str]:
    head = json.dumps({k: v for k, v in meta.items() if k != "varbinds"})
    yield head[:-1] + ', "varbinds": ['
    for i, r in enumerate(rows):
        yield ("," if i else "") + json.dumps(r, ensure_ascii=False)
    yield "]}\n"


def stream(fmt: str, meta: dict[str, Any], rows: list[dict[str, Any]]) -> Iterator[bytes]:
    if fmt == "json":
        return _chunks(to_json(meta, rows))
    if fmt == "csv":
        return (s.encode() for s in to_csv(rows))
    if fmt == "snmprec":
        return _chunks(to_snmprec(rows))
    return _chunks(to_walk_text(rows))
