"""BER primitives for SNMP: tags, lengths, INTEGER and OBJECT IDENTIFIER contents.

No I/O and no objects per value: functions take and return ``bytes`` and ints so that the
hot paths (agent, trap receiver, bulk walker) can work on encoded data directly.
Decoding is strict about lengths (a TLV never runs past its container) because every
byte here comes from the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Universal and SNMP application tags (RFC 1155 / RFC 2578 / RFC 3416).
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_IDENTIFIER = 0x06
SEQUENCE = 0x30
IP_ADDRESS = 0x40
COUNTER32 = 0x41
GAUGE32 = 0x42  # also Unsigned32
TIMETICKS = 0x43
OPAQUE = 0x44
NSAP_ADDRESS = 0x45
COUNTER64 = 0x46
NO_SUCH_OBJECT = 0x80
NO_SUCH_INSTANCE = 0x81
END_OF_MIB_VIEW = 0x82

# PDU tags.
GET_REQUEST = 0xA0
GET_NEXT_REQUEST = 0xA1
RESPONSE = 0xA2
SET_REQUEST = 0xA3
TRAP_V1 = 0xA4
GET_BULK_REQUEST = 0xA5
INFORM_REQUEST = 0xA6
SNMPV2_TRAP = 0xA7
REPORT = 0xA8

PDU_NAMES = {
    GET_REQUEST: "get",
    GET_NEXT_REQUEST: "getnext",
    RESPONSE: "response",
    SET_REQUEST: "set",
    TRAP_V1: "trap_v1",
    GET_BULK_REQUEST: "getbulk",
    INFORM_REQUEST: "inform",
    SNMPV2_TRAP: "trap",
    REPORT: "report",
}

NULL_TLV = b"\x05\x00"
NO_SUCH_OBJECT_TLV = b"\x80\x00"
NO_SUCH_INSTANCE_TLV = b"\x81\x00"
END_OF_MIB_VIEW_TLV = b"\x82\x00"


class DecodeError(ValueError):
    """Malformed BER. The message is short and safe to count or log."""


# -- lengths and TLVs ---------------------------------------------------------------

_SHORT_LEN = [bytes([n]) for n in range(128)]


def encode_length(n: int) -> bytes:
    if n < 128:
        return _SHORT_LEN[n]
    if n < 0x100:
        return bytes((0x81, n))
    if n < 0x10000:
        return bytes((0x82, n >> 8, n & 0xFF))
    if n < 0x1000000:
        return bytes((0x83, n >> 16, (n >> 8) & 0xFF, n & 0xFF))
    return b"\x84" + n.to_bytes(4, "big")


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 128:
        return bytes((tag, n)) + content
    return bytes((tag,)) + encode_length(n) + content


def read_tlv(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Read the TLV at ``pos``; return ``(tag, content_start, content_end)``.

    Only single-byte tags occur in SNMP; a multi-byte (high) tag is an error.
    """
    if pos + 2 > end:
        raise DecodeError("truncated TLV header")
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise DecodeError("high tag numbers are not used by SNMP")
    first = buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        nbytes = first & 0x7F
        if nbytes == 0 or nbytes > 4:
            raise DecodeError("indefinite or oversized length")
        if pos + nbytes > end:
            raise DecodeError("truncated length")
        length = int.from_bytes(buf[pos : pos + nbytes], "big")
        pos += nbytes
    if pos + length > end:
        raise DecodeError("TLV runs past its container")
    return tag, pos, pos + length


def expect(buf: bytes, pos: int, end: int, tag: int) -> tuple[int, int]:
    t, start, stop = read_tlv(buf, pos, end)
    if t != tag:
        raise DecodeError(f"expected tag 0x{tag:02x}, got 0x{t:02x}")
    return start, stop


# -- INTEGER ------------------------------------------------------------------------


def encode_int(value: int) -> bytes:
    """Content octets of a signed INTEGER (minimal two's complement)."""
    if 0 <= value < 0x80:
        return _SHORT_LEN[value]
    length = (value + (value < 0)).bit_length() // 8 + 1
    return value.to_bytes(length, "big", signed=True)


def encode_uint(value: int) -> bytes:
    """Content octets of an unsigned application type (Counter32/64, Gauge32, TimeTicks)."""
    if value < 0:
        raise ValueError("unsigned type cannot be negative")
    if value < 0x80:
        return _SHORT_LEN[value]
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def decode_int(content: bytes) -> int:
    if not content:
        raise DecodeError("empty INTEGER")
    return int.from_bytes(content, "big", signed=True)


def decode_uint(content: bytes) -> int:
    if not content:
        raise DecodeError("empty unsigned integer")
    return int.from_bytes(content, "big", signed=False)


def int_tlv(value: int) -> bytes:
    return tlv(INTEGER, encode_int(value))


# -- OBJECT IDENTIFIER ---------------------------------------------------------------

OID = tuple[int, ...]


def parse_oid(text: str) -> OID:
    """``"1.3.6.1"``, ``".1.3.6.1"`` -> ``(1, 3, 6, 1)``; raises ValueError with a reason."""
    s = text.strip()
    if s.startswith("."):
        s = s[1:]
    if not s:
        raise ValueError("empty OID")
    try:
        arcs = tuple(int(part) for part in s.split("."))
    except ValueError:
        raise ValueError(f"{text!r} is not a numeric OID (digits separated by dots)") from None
    if len(arcs) < 2:
        raise ValueError(f"{text!r}: an OID needs at least two arcs")
    if arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39) or any(a < 0 for a in arcs):
        raise ValueError(f"{text!r} is not a valid OID")
    if any(a >= 1 << 32 for a in arcs):
        raise ValueError(f"{text!r}: an arc exceeds 2^32-1")
    return arcs


def oid_str(oid: Sequence[int]) -> str:
    return ".".join(map(str, oid))


def _encode_arc(arc: int, out: bytearray) -> None:
    if arc < 0x80:
        out.append(arc)
        return
    stack = [arc & 0x7F]
    arc >>= 7
    while arc:
        stack.append(0x80 | (arc & 0x7F))
        arc >>= 7
    out.extend(reversed(stack))


def encode_oid(oid: Sequence[int]) -> bytes:
    """Content octets of an OBJECT IDENTIFIER."""
    if len(oid) < 2:
        raise ValueError("an OID needs at least two arcs")
    out = bytearray()
    _encode_arc(oid[0] * 40 + oid[1], out)
    for arc in oid[2:]:
        _encode_arc(arc, out)
    return bytes(out)


def decode_oid(content: bytes) -> OID:
    if not content:
        raise DecodeError("empty OID")
    if content.isascii():
        # Every arc below 128, one octet each (most OIDs a walk returns): no bit loop.
        first = content[0]
        if first < 40:
            return (0, first, *content[1:])
        return (1, first - 40, *content[1:]) if first < 80 else (2, first - 80, *content[1:])
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
        elif value == 0:
            raise DecodeError("non-minimal OID arc")
    if content[-1] & 0x80:
        raise DecodeError("truncated OID arc")
    first = arcs[0]
    if first < 40:
        head = (0, first)
    elif first < 80:
        head = (1, first - 40)
    else:
        head = (2, first - 80)
    return head + tuple(arcs[1:])


def oid_tlv(oid: Sequence[int]) -> bytes:
    return tlv(OBJECT_IDENTIFIER, encode_oid(oid))


def sequence(parts: Iterable[bytes]) -> bytes:
    return tlv(SEQUENCE, b"".join(parts))
