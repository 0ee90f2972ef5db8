"""Export a device as Net-SNMP ``snmpwalk -On`` text (read back by imports.walkfile)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.snmp import ber, values

OID = tuple[int, ...]


def _hex_lines(data: bytes) -> str:
    # Net-SNMP prints 16 octets per line with a trailing space.
    chunks = [data[i : i + 16] for i in range(0, len(data), 16)]
    return "\n".join(values.hex_string(c) + " " for c in chunks)


def value_text(type_name: str, value: Any) -> str:
    t = values.canonical_type(type_name)
    if t in ("OctetString", "Opaque"):
        data = value if isinstance(value, bytes) else str(value).encode()
        if not data:
            return '""'
        if values.is_printable(data) and b"\n" not in data and b"\r" not in data:
            text = data.decode("utf-8").replace("\\", "\\\\").replace('"', '\\"')
            return f'STRING: "{text}"'
        return "Hex-STRING: " + _hex_lines(data)
    if t == "Integer32":
        return f"INTEGER: {value}"
    if t in ("Gauge32", "Unsigned32"):
        return f"Gauge32: {value}"
    if t == "TimeTicks":
        return f"Timeticks: {values.format_timeticks(int(value))}"
    if t == "ObjectIdentifier":
        return f"OID: .{value}"
    if t == "Null":
        return "NULL"
    return f"{t}: {value}"


def to_walk(snapshot: Iterable[tuple[OID, str, Any]]) -> str:
    return "".join(f".{ber.oid_str(oid)} = {value_text(t, v)}\n" for oid, t, v in snapshot)
