"""SNMP values: type names <-> value TLVs, and rendering for humans.

Type names are the SMI names people read in MIBs and Net-SNMP output; every service and
the public API use these same names.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from services.common.snmp import ber

TYPE_TAGS: dict[str, int] = {
    "Integer32": ber.INTEGER,
    "OctetString": ber.OCTET_STRING,
    "Null": ber.NULL,
    "ObjectIdentifier": ber.OBJECT_IDENTIFIER,
    "IpAddress": ber.IP_ADDRESS,
    "Counter32": ber.COUNTER32,
    "Gauge32": ber.GAUGE32,
    "Unsigned32": ber.GAUGE32,
    "TimeTicks": ber.TIMETICKS,
    "Opaque": ber.OPAQUE,
    "Counter64": ber.COUNTER64,
    "noSuchObject": ber.NO_SUCH_OBJECT,
    "noSuchInstance": ber.NO_SUCH_INSTANCE,
    "endOfMibView": ber.END_OF_MIB_VIEW,
}
TAG_TYPES: dict[int, str] = {
    ber.INTEGER: "Integer32",
    ber.OCTET_STRING: "OctetString",
    ber.NULL: "Null",
    ber.OBJECT_IDENTIFIER: "ObjectIdentifier",
    ber.IP_ADDRESS: "IpAddress",
    ber.COUNTER32: "Counter32",
    ber.GAUGE32: "Gauge32",
    ber.TIMETICKS: "TimeTicks",
    ber.OPAQUE: "Opaque",
    ber.COUNTER64: "Counter64",
    ber.NO_SUCH_OBJECT: "noSuchObject",
    ber.NO_SUCH_INSTANCE: "noSuchInstance",
    ber.END_OF_MIB_VIEW: "endOfMibView",
}
# Aliases accepted on input (API, imports, the previous product's names).
TYPE_ALIASES: dict[str, str] = {
    "integer": "Integer32", "int": "Integer32", "integer32": "Integer32", "i": "Integer32",
    "string": "OctetString", "octetstring": "OctetString", "octet string": "OctetString",
    "s": "OctetString", "str": "OctetString", "hex-string": "OctetString",
    "null": "Null", "oid": "ObjectIdentifier", "objectidentifier": "ObjectIdentifier",
    "object identifier": "ObjectIdentifier", "o": "ObjectIdentifier",
    "ipaddress": "IpAddress", "ip": "IpAddress", "a": "IpAddress", "network address": "IpAddress",
    "counter": "Counter32", "counter32": "Counter32", "c": "Counter32",
    "gauge": "Gauge32", "gauge32": "Gauge32", "unsigned32": "Unsigned32", "u": "Unsigned32",
    "timeticks": "TimeTicks", "t": "TimeTicks", "opaque": "Opaque",
    "counter64": "Counter64", "c64": "Counter64",
}  # fmt: skip

_LIMITS = {
    "Integer32": (-(2**31), 2**31 - 1),
    "Counter32": (0, 2**32 - 1),
    "Gauge32": (0, 2**32 - 1),
    "Unsigned32": (0, 2**32 - 1),
    "TimeTicks": (0, 2**32 - 1),
    "Counter64": (0, 2**64 - 1),
}


def canonical_type(name: str) -> str:
    """The SMI type name for ``name`` or an alias; ValueError listing the choices."""
    if name in TYPE_TAGS:
        return name
    alias = TYPE_ALIASES.get(name.strip().lower())
    if alias:
        return alias
    raise ValueError(f"unknown SNMP type {name!r}; use one of {', '.join(sorted(TYPE_TAGS))}")


def encode_value(type_name: str, value: Any) -> bytes:
    """The TLV of ``value`` as ``type_name``. ``OctetString`` takes str (UTF-8) or bytes;
    the caller turns hex input into bytes. Raises ValueError with a reason."""
    t = canonical_type(type_name)
    tag = TYPE_TAGS[t]
    if t in _LIMITS:
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not an integer ({t})") from None
        lo, hi = _LIMITS[t]
        if not lo <= n <= hi:
            raise ValueError(f"{n} is outside the range of {t} ({lo}..{hi})")
        content = ber.encode_int(n) if t == "Integer32" else ber.encode_uint(n)
        return ber.tlv(tag, content)
    if t in ("OctetString", "Opaque"):
        data = value.encode() if isinstance(value, str) else bytes(value)
        return ber.tlv(tag, data)
    if t == "ObjectIdentifier":
        oid = ber.parse_oid(value) if isinstance(value, str) else tuple(value)
        return ber.tlv(tag, ber.encode_oid(oid))
    if t == "IpAddress":
        if isinstance(value, bytes | bytearray):
            if len(value) != 4:
                raise ValueError("IpAddress needs 4 octets")
            return ber.tlv(tag, bytes(value))
        try:
            return ber.tlv(tag, ipaddress.IPv4Address(str(value).strip()).packed)
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 address") from None
    return bytes((tag, 0))  # Null and the exception values


def decode_value(value_tlv: bytes) -> tuple[str, Any]:
    """``(type_name, python_value)``: int, bytes, OID string, dotted IPv4 or None."""
    tag, start, stop = ber.read_tlv(value_tlv, 0, len(value_tlv))
    content = value_tlv[start:stop]
    type_name = TAG_TYPES.get(tag)
    if type_name is None:
        return f"tag0x{tag:02x}", content
    if tag == ber.INTEGER:
        return type_name, ber.decode_int(content)
    if tag in (ber.COUNTER32, ber.GAUGE32, ber.TIMETICKS, ber.COUNTER64):
        return type_name, ber.decode_uint(content)
    if tag == ber.OBJECT_IDENTIFIER:
        return type_name, ber.oid_str(ber.decode_oid(content))
    if tag == ber.IP_ADDRESS:
        if len(content) != 4:
            raise ber.DecodeError("IpAddress is not 4 octets")
        return type_name, str(ipaddress.IPv4Address(content))
    if tag in (ber.OCTET_STRING, ber.OPAQUE):
        return type_name, content
    return type_name, None


def is_printable(data: bytes) -> bool:
    """Whether an OCTET STRING reads as text (UTF-8, no control characters but whitespace)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)


def hex_string(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


def format_timeticks(ticks: int) -> str:
    """Net-SNMP style: ``(123456) 0:20:34.56``."""
    cs = ticks % 100
    seconds = ticks // 100
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    prefix = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    return f"({ticks}) {prefix}{hours}:{minutes:02d}:{seconds:02d}.{cs:02d}"


def render(type_name: str, value: Any) -> str:
    """A plain string for humans, without MIB knowledge (names and enums come later)."""
    if value is None:
        return type_name if type_name in ("noSuchObject", "noSuchInstance", "endOfMibView") else ""
    if isinstance(value, bytes):
        return value.decode("utf-8") if is_printable(value) else hex_string(value)
    return str(value)


def raw_json(type_name: str, value: Any) -> Any:
    """A JSON-safe raw value: ints stay ints, octets become hex, the rest strings."""
    if isinstance(value, bytes):
        return value.hex()
    return value
