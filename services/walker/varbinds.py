"""Var-binds as the API shows them, and as Net-SNMP prints them.

Every result row is ``{oid, name, type, value, raw}``: ``value`` is for people
(``up(1)``, ``(100) 0:00:01.00``, text or hex), ``raw`` is for programs (ints stay ints,
octets are hex, OIDs dotted). :func:`netsnmp_value` renders exactly what ``snmpwalk -On``
prints after ``=``, which is both the walk-text export and the yardstick in the tests.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from services.common.snmp import ber, values

# (oid, oid text, type name, decoded value) -> (name, human value); Names.describe.
Describer = Callable[[tuple[int, ...], str, str, Any], tuple[str, str]]

_SPECIAL_TEXT = {
    "noSuchObject": "No Such Object available on this agent at this OID",
    "noSuchInstance": "No Such Instance currently exists at this OID",
    "endOfMibView": "No more variables left in this MIB View (It is past the end of the MIB tree)",
}
_NETSNMP_PREFIX = {
    "Integer32": "INTEGER",
    "Counter32": "Counter32",
    "Gauge32": "Gauge32",
    "Counter64": "Counter64",
    "IpAddress": "IpAddress",
}


def opaque_float(content: bytes) -> float | None:
    """The float or double an Opaque wraps (the Net-SNMP/RFC draft encoding), if any."""
    if len(content) == 7 and content[:3] == b"\x9f\x78\x04":
        return float(struct.unpack(">f", content[3:])[0])
    if len(content) == 11 and content[:3] == b"\x9f\x79\x08":
        return float(struct.unpack(">d", content[3:])[0])
    return None


def _netsnmp_printable(data: bytes) -> bool:
    # Net-SNMP's test in C locale: every byte isprint() or isspace().
    return all(0x20 <= b < 0x7F or 0x09 <= b <= 0x0D for b in data)


def _netsnmp_hex(data: bytes) -> str:
    lines = []
    for i in range(0, len(data), 16):
        lines.append("".join(f"{b:02X} " for b in data[i : i + 16]))
    return "\n".join(lines)


def netsnmp_value(type_name: str, value: Any) -> str:
    """What ``snmpwalk -On`` prints after ``OID = `` for this value (no MIB hints)."""
    if type_name in _SPECIAL_TEXT:
        return _SPECIAL_TEXT[type_name]
    if type_name == "OctetString":
        assert isinstance(value, bytes)
        if not value:
            return '""'
        if _netsnmp_printable(value):
            text = value.decode("ascii").replace("\\", "\\\\").replace('"', '\\"')
            return f'STRING: "{text}"'
        return f"Hex-STRING: {_netsnmp_hex(value)}"
    if type_name == "ObjectIdentifier":
        return f"OID: .{value}"
    if type_name == "TimeTicks":
        return f"Timeticks: {values.format_timeticks(value)}"
    if type_name == "Opaque":
        f = opaque_float(value)
        if f is not None:
            return f"Opaque: Float: {f:f}"
        return f"OPAQUE: {_netsnmp_hex(value)}"
    if type_name == "Null":
        return "NULL"
    prefix = _NETSNMP_PREFIX.get(type_name)
    if prefix is not None:
        return f"{prefix}: {value}"
    return f"{type_name}: {values.render(type_name, value)}"


def octets_text(data: bytes) -> str:
    """Text when the octets read as text (UTF-8, printable or whitespace), else hex."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return values.hex_string(data)
    if text.isprintable() or values.is_printable(data):  # the C check first: it is cheap
        return text
    return values.hex_string(data)


def human_value(type_name: str, value: Any) -> str:
    """A value for people without MIB knowledge (same rules as ``values.render``)."""
    if isinstance(value, bytes):
        if type_name == "Opaque":
            f = opaque_float(value)
            if f is not None:
                return f"{f:g}"
        return octets_text(value)
    if type_name == "TimeTicks":
        return values.format_timeticks(value)
    if value is None:
        return values.render(type_name, value)
    return str(value)


# tag -> (type name, signed?) for values read straight from their content octets;
# ``None`` marks octet strings.
SIMPLE_TYPES: dict[int, tuple[str, bool | None]] = {
    ber.INTEGER: ("Integer32", True),
    ber.COUNTER32: ("Counter32", False),
    ber.GAUGE32: ("Gauge32", False),
    ber.TIMETICKS: ("TimeTicks", False),
    ber.COUNTER64: ("Counter64", False),
    ber.OCTET_STRING: ("OctetString", None),
}


def row(
    oid: tuple[int, ...], value_tlv: bytes, describe: Describer, oid_text: str | None = None
) -> dict[str, Any]:
    """One result row from a decoded OID (and its dotted text, if known) and the value's TLV."""
    if oid_text is None:
        oid_text = ".".join(map(str, oid))
    tag = value_tlv[0]
    simple = SIMPLE_TYPES.get(tag)
    try:
        if simple is not None and len(value_tlv) == value_tlv[1] + 2 and value_tlv[1] < 0x80:
            # Short-form length, the common case: read the content without the generic path.
            type_name, signed = simple
            content = value_tlv[2:]
            if signed is None:
                value: Any = content
            elif not content:
                raise ber.DecodeError("empty integer")
            else:
                value = int.from_bytes(content, "big", signed=signed)
        else:
            type_name, value = values.decode_value(value_tlv)
    except ber.DecodeError as exc:
        return {
            "oid": oid_text,
            "name": describe(oid, oid_text, "Null", None)[0],
            "type": "malformed",
            "value": f"undecodable value: {exc}",
            "raw": value_tlv.hex(),
        }
    name, human = describe(oid, oid_text, type_name, value)
    return {
        "oid": oid_text,
        "name": name,
        "type": type_name,
        "value": human,
        "raw": value.hex() if isinstance(value, bytes) else value,
    }


def plain_describe(
    oid: tuple[int, ...], oid_text: str, type_name: str, value: Any
) -> tuple[str, str]:
    """Numeric names and MIB-less values (tests, and before the MIB index is loaded)."""
    return oid_text, human_value(type_name, value)


def typed_value(type_name: str, raw: Any) -> Any:
    """The decoded value back from a row's ``raw`` (octets travel as hex)."""
    if type_name in ("OctetString", "Opaque") and isinstance(raw, str):
        return bytes.fromhex(raw)
    return raw


def netsnmp_line(r: dict[str, Any], numeric: bool = True) -> str:
    """One ``snmpwalk`` output line for a row: ``.1.3... = TYPE: value`` (or by name)."""
    left = "." + r["oid"] if numeric else r["name"]
    if r["type"] == "malformed":
        return f"{left} = Wrong Type (undecodable): {r['raw']}"
    return f"{left} = {netsnmp_value(r['type'], typed_value(r['type'], r['raw']))}"
