"""Typed var-binds from user input (for SET and for traps): checked, then BER-encoded.

Each value is validated against its SNMP type with a message that says what is wrong,
so nothing malformed is ever put on the wire.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.common.snmp import ber, values
from services.common.snmp.message import VarBind
from services.walker.names import Names
from services.walker.targets import BadInput

_HEX_ALIASES = frozenset({"x", "hex", "hex-string", "hexstring"})
_HEX_CHARS = re.compile(r"^[0-9A-Fa-f\s:.-]*$")


class TypedVarBind(BaseModel):
    oid: str = Field(description="numeric OID or MODULE::name[.index]")
    type: str = Field(
        default="OctetString",
        description="Integer32, Unsigned32, Counter32, Counter64, Gauge32, TimeTicks, "
        "IpAddress, ObjectIdentifier, OctetString, Opaque, Null (aliases: i, u, c, s, x, ...)",
    )
    value: Any = None
    encoding: Literal["text", "hex"] = Field(
        default="text", description="for OctetString and Opaque: the value is text or hex"
    )


def parse_hex(text: str, where: str) -> bytes:
    """``"00 1a 2B"``, ``"00:1a:2b"``, ``"001a2b"`` or ``"0x001a2b"`` -> bytes."""
    s = text.strip()
    if s[:2].lower() == "0x":
        s = s[2:]
    if not _HEX_CHARS.match(s):
        raise BadInput(f"{where}: {text!r} is not hex (digits 0-9 and a-f)")
    digits = re.sub(r"[\s:.-]", "", s)
    if len(digits) % 2:
        raise BadInput(f"{where}: hex {text!r} has an odd number of digits")
    return bytes.fromhex(digits)


def encode_typed(vb: TypedVarBind, names: Names, where: str = "varbind") -> VarBind:
    """The var-bind as ``(oid content, value TLV)``; BadInput names the field at fault."""
    oid = names.parse_instance(vb.oid, f"{where} oid")
    raw_type = vb.type.strip()
    hex_input = vb.encoding == "hex" or raw_type.lower() in _HEX_ALIASES
    try:
        type_name = (
            "OctetString" if raw_type.lower() in _HEX_ALIASES else values.canonical_type(raw_type)
        )
    except ValueError as exc:
        raise BadInput(f"{where}: {exc}") from None
    if type_name in ("noSuchObject", "noSuchInstance", "endOfMibView"):
        raise BadInput(f"{where}: {type_name} is an exception, not a value you can send")
    value = vb.value
    if value is None and type_name != "Null":
        raise BadInput(f"{where}: a {type_name} needs a value")
    try:
        if type_name in ("OctetString", "Opaque"):
            if not isinstance(value, str):
                raise BadInput(f"{where}: a {type_name} value must be a string")
            data = parse_hex(value, where) if hex_input or type_name == "Opaque" else value.encode()
            if len(data) > 65535:
                raise BadInput(f"{where}: the value is longer than 65535 octets")
            tlv = values.encode_value(type_name, data)
        elif type_name == "ObjectIdentifier":
            if not isinstance(value, str):
                raise BadInput(f"{where}: an ObjectIdentifier value must be a string")
            tlv = ber.tlv(ber.OBJECT_IDENTIFIER, ber.encode_oid(names.parse_instance(value, where)))
        elif type_name == "Null":
            tlv = ber.NULL_TLV
        else:
            if isinstance(value, bool | float):
                raise BadInput(f"{where}: {value!r} is not an integer ({type_name})")
            tlv = values.encode_value(type_name, value)
    except ValueError as exc:
        raise BadInput(f"{where}: {exc}") from None
    return ber.encode_oid(oid), tlv
