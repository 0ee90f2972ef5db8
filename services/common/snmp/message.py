"""SNMPv1/v2c messages: decode and encode, with var-binds kept as encoded bytes.

A var-bind is ``(oid_content, value_tlv)``: the OID's content octets (a dict key and a
cheap thing to compare) and the value's complete TLV (copied into a response as is).
SNMPv3 messages are recognised by :func:`peek_version` and handed to pysnmp by the
services; this module does not implement USM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common.snmp import ber
from services.common.snmp.ber import DecodeError, expect, read_tlv, tlv

V1 = 0
V2C = 1
V3 = 3
VERSION_NAMES = {V1: "v1", V2C: "v2c", V3: "v3"}

VarBind = tuple[bytes, bytes]  # (oid content octets, value TLV)

# Error statuses (RFC 3416).
NO_ERROR = 0
TOO_BIG = 1
NO_SUCH_NAME = 2
BAD_VALUE = 3
READ_ONLY = 4
GEN_ERR = 5
NO_ACCESS = 6
WRONG_TYPE = 7
WRONG_LENGTH = 8
WRONG_ENCODING = 9
WRONG_VALUE = 10
NO_CREATION = 11
INCONSISTENT_VALUE = 12
RESOURCE_UNAVAILABLE = 13
COMMIT_FAILED = 14
UNDO_FAILED = 15
AUTHORIZATION_ERROR = 16
NOT_WRITABLE = 17
INCONSISTENT_NAME = 18

ERROR_NAMES = {
    0: "noError", 1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
    6: "noAccess", 7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue",
    11: "noCreation", 12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed",
    15: "undoFailed", 16: "authorizationError", 17: "notWritable", 18: "inconsistentName",
}  # fmt: skip


@dataclass(slots=True)
class Message:
    """A decoded v1/v2c message. For GETBULK, ``error_status``/``error_index`` hold
    non-repeaters/max-repetitions, as on the wire."""

    version: int
    community: bytes
    pdu_type: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[VarBind]

    @property
    def non_repeaters(self) -> int:
        return self.error_status

    @property
    def max_repetitions(self) -> int:
        return self.error_index


@dataclass(slots=True)
class TrapV1:
    """The fields of an SNMPv1 Trap-PDU (RFC 1157) besides its var-binds."""

    version: int
    community: bytes
    enterprise: bytes  # OID content octets
    agent_addr: bytes  # 4 octets
    generic_trap: int
    specific_trap: int
    time_stamp: int
    varbinds: list[VarBind] = field(default_factory=list)


def peek_version(datagram: bytes) -> int:
    """The message version, reading no further than needed (for routing v3 elsewhere)."""
    end = len(datagram)
    start, stop = expect(datagram, 0, end, ber.SEQUENCE)
    vstart, vstop = expect(datagram, start, stop, ber.INTEGER)
    return ber.decode_int(datagram[vstart:vstop])


def decode_varbinds(buf: bytes, pos: int, end: int) -> list[VarBind]:
    out: list[VarBind] = []
    append = out.append
    while pos < end:
        # Fast path for the usual var-bind (every length in short form): a handful of
        # index operations instead of three read_tlv calls. Anything unusual, including
        # every malformed case, takes the general path below, which raises.
        if buf[pos] == 0x30 and pos + 1 < end:
            n = buf[pos + 1]
            start = pos + 2
            stop = start + n
            if n < 0x80 and stop <= end and n >= 4 and buf[start] == 0x06:
                ostop = start + 2 + buf[start + 1]
                if buf[start + 1] and buf[start + 1] < 0x80 and ostop + 2 <= stop:
                    vtag = buf[ostop]
                    vlen = buf[ostop + 1]
                    if vlen < 0x80 and vtag & 0x1F != 0x1F and ostop + 2 + vlen == stop:
                        append((buf[start + 2 : ostop], buf[ostop:stop]))
                        pos = stop
                        continue
        tag, start, stop = read_tlv(buf, pos, end)
        if tag != ber.SEQUENCE:
            raise DecodeError("var-bind is not a SEQUENCE")
        otag, ostart, ostop = read_tlv(buf, start, stop)
        if otag != ber.OBJECT_IDENTIFIER or ostart == ostop:
            raise DecodeError("var-bind name is not an OID")
        _vtag, _vstart, vstop = read_tlv(buf, ostop, stop)
        if vstop != stop:
            raise DecodeError("trailing bytes in var-bind")
        append((buf[ostart:ostop], buf[ostop:stop]))
        pos = stop
    return out


_FAST_PDUS = frozenset(t for t in ber.PDU_NAMES if t != ber.TRAP_V1)


def _fast_length(d: bytes, pos: int) -> tuple[int, int]:
    """``(length, content start)`` for the short, 1- and 2-octet forms; -1 otherwise."""
    n = d[pos + 1]
    if n < 0x80:
        return n, pos + 2
    if n == 0x81:
        return d[pos + 2], pos + 3
    if n == 0x82:
        return (d[pos + 2] << 8) | d[pos + 3], pos + 4
    return -1, 0


def _fast_message(d: bytes) -> Message | None:
    """The usual v1/v2c message (non-trap PDU, small integers, no odd length forms),
    decoded with index arithmetic; None whenever anything differs, so that the general
    path below decides, and raises. Never accepts what the general path would refuse."""
    end = len(d)
    try:
        if d[0] != 0x30:
            return None
        mlen, pos = _fast_length(d, 0)
        if mlen < 0 or pos + mlen != end or d[pos] != 0x02 or d[pos + 1] != 1:
            return None
        version = d[pos + 2]
        if version > V2C or d[pos + 3] != 0x04 or d[pos + 4] >= 0x80:
            return None
        cstart = pos + 5
        cend = cstart + d[pos + 4]
        pdu_type = d[cend]
        if pdu_type not in _FAST_PDUS:
            return None
        plen, pos = _fast_length(d, cend)
        if plen < 0 or pos + plen != end:
            return None
        ints = []
        for _ in range(3):
            ilen = d[pos + 1]
            if d[pos] != 0x02 or not 0 < ilen <= 8 or pos + 2 + ilen > end:
                return None
            ints.append(int.from_bytes(d[pos + 2 : pos + 2 + ilen], "big", signed=True))
            pos += 2 + ilen
        if d[pos] != 0x30:
            return None
        vlen, pos = _fast_length(d, pos)
        if vlen < 0 or pos + vlen != end:
            return None
    except IndexError:
        return None
    return Message(version, d[cstart:cend], pdu_type, ints[0], ints[1], ints[2],
                   decode_varbinds(d, pos, end))  # fmt: skip


def peek_response(d: bytes) -> tuple[int, int, bytes, int] | None:
    """``(request_id, var-bind count, last OID's content, last value's tag)`` of a v1/v2c
    Response with error-status 0 and at least one var-bind, found without building the
    var-binds: a walker sends its next request from this before decoding the rest.

    None whenever anything is unusual (only the short forms :func:`decode_message`'s fast
    paths take are accepted). The header and the last var-bind are checked in full, the
    var-binds before it only for their framing: the caller still decodes the message, and
    must be ready for that to fail."""
    end = len(d)
    try:
        if d[0] != 0x30:
            return None
        mlen, pos = _fast_length(d, 0)
        if mlen < 0 or pos + mlen != end or d[pos] != 0x02 or d[pos + 1] != 1:
            return None
        if d[pos + 2] > V2C or d[pos + 3] != 0x04 or d[pos + 4] >= 0x80:
            return None
        cend = pos + 5 + d[pos + 4]
        if d[cend] != ber.RESPONSE:
            return None
        plen, pos = _fast_length(d, cend)
        if plen < 0 or pos + plen != end:
            return None
        ilen = d[pos + 1]
        if d[pos] != 0x02 or not 0 < ilen <= 8 or pos + 2 + ilen > end:
            return None
        request_id = int.from_bytes(d[pos + 2 : pos + 2 + ilen], "big", signed=True)
        pos += 2 + ilen
        if d[pos] != 0x02 or d[pos + 1] != 1 or d[pos + 2] != 0:  # error-status 0
            return None
        pos += 3
        ilen = d[pos + 1]
        if d[pos] != 0x02 or not 0 < ilen <= 8 or pos + 2 + ilen > end:
            return None
        pos += 2 + ilen
        if d[pos] != 0x30:
            return None
        vlen, pos = _fast_length(d, pos)
        if vlen < 0 or pos + vlen != end:
            return None
        count = 0
        last = pos
        while pos < end:  # from var-bind to var-bind by their short-form lengths
            n = d[pos + 1]
            if d[pos] != 0x30 or n >= 0x80:
                return None
            last = pos
            count += 1
            pos += 2 + n
        if pos != end or not count:
            return None
        olen = d[last + 3]
        ostop = last + 4 + olen
        vtag = d[ostop]
        if (d[last + 2] != 0x06 or not 0 < olen < 0x80 or d[ostop + 1] >= 0x80
                or ostop + 2 + d[ostop + 1] != end or vtag & 0x1F == 0x1F):  # fmt: skip
            return None
    except IndexError:
        return None
    return request_id, count, d[last + 4 : ostop], vtag


def decode_message(datagram: bytes) -> Message | TrapV1:
    """Decode a v1/v2c message. Raises :class:`DecodeError` on anything malformed,
    including SNMPv3 (check :func:`peek_version` first to route those)."""
    fast = _fast_message(datagram)
    if fast is not None:
        return fast
    end = len(datagram)
    mstart, mstop = expect(datagram, 0, end, ber.SEQUENCE)
    if mstop != end:
        raise DecodeError("trailing bytes after message")
    vstart, vstop = expect(datagram, mstart, mstop, ber.INTEGER)
    version = ber.decode_int(datagram[vstart:vstop])
    if version not in (V1, V2C):
        raise DecodeError(f"unsupported version {version}")
    cstart, cstop = expect(datagram, vstop, mstop, ber.OCTET_STRING)
    community = datagram[cstart:cstop]
    pdu_type, pstart, pstop = read_tlv(datagram, cstop, mstop)
    if pstop != mstop:
        raise DecodeError("trailing bytes after PDU")
    if pdu_type == ber.TRAP_V1:
        return _decode_trap_v1(datagram, version, community, pstart, pstop)
    if pdu_type not in ber.PDU_NAMES:
        raise DecodeError(f"unknown PDU type 0x{pdu_type:02x}")
    s, e = expect(datagram, pstart, pstop, ber.INTEGER)
    request_id = ber.decode_int(datagram[s:e])
    s, e2 = expect(datagram, e, pstop, ber.INTEGER)
    a = ber.decode_int(datagram[s:e2])
    s, e3 = expect(datagram, e2, pstop, ber.INTEGER)
    b = ber.decode_int(datagram[s:e3])
    vbstart, vbstop = expect(datagram, e3, pstop, ber.SEQUENCE)
    if vbstop != pstop:
        raise DecodeError("trailing bytes in PDU")
    return Message(version, community, pdu_type, request_id, a, b,
                   decode_varbinds(datagram, vbstart, vbstop))  # fmt: skip


def _decode_trap_v1(buf: bytes, version: int, community: bytes, pos: int, end: int) -> TrapV1:
    if version != V1:
        raise DecodeError("Trap-PDU in a non-v1 message")
    s, e = expect(buf, pos, end, ber.OBJECT_IDENTIFIER)
    enterprise = buf[s:e]
    tag, s, e2 = read_tlv(buf, e, end)
    if tag not in (ber.IP_ADDRESS, ber.OCTET_STRING) or e2 - s != 4:
        raise DecodeError("agent-addr is not an IpAddress")
    agent_addr = buf[s:e2]
    s, e3 = expect(buf, e2, end, ber.INTEGER)
    generic = ber.decode_int(buf[s:e3])
    s, e4 = expect(buf, e3, end, ber.INTEGER)
    specific = ber.decode_int(buf[s:e4])
    tag, s, e5 = read_tlv(buf, e4, end)
    if tag not in (ber.TIMETICKS, ber.INTEGER):
        raise DecodeError("time-stamp is not TimeTicks")
    stamp = ber.decode_uint(buf[s:e5])
    vbstart, vbstop = expect(buf, e5, end, ber.SEQUENCE)
    if vbstop != end:
        raise DecodeError("trailing bytes in Trap-PDU")
    return TrapV1(version, community, enterprise, agent_addr, generic, specific, stamp,
                  decode_varbinds(buf, vbstart, vbstop))  # fmt: skip


def encode_varbind(oid_content: bytes, value_tlv: bytes) -> bytes:
    return tlv(ber.SEQUENCE, tlv(ber.OBJECT_IDENTIFIER, oid_content) + value_tlv)


def encode_message(
    version: int,
    community: bytes,
    pdu_type: int,
    request_id: int,
    error_status: int,
    error_index: int,
    encoded_varbinds: bytes,
) -> bytes:
    """Encode a v1/v2c message; ``encoded_varbinds`` is the concatenation of
    :func:`encode_varbind` results (without the enclosing SEQUENCE)."""
    pdu = tlv(
        pdu_type,
        ber.int_tlv(request_id)
        + ber.int_tlv(error_status)
        + ber.int_tlv(error_index)
        + tlv(ber.SEQUENCE, encoded_varbinds),
    )
    return tlv(ber.SEQUENCE, ber.int_tlv(version) + tlv(ber.OCTET_STRING, community) + pdu)


def encode_trap_v1(
    community: bytes,
    enterprise: bytes,
    agent_addr: bytes,
    generic_trap: int,
    specific_trap: int,
    time_stamp: int,
    encoded_varbinds: bytes,
) -> bytes:
    pdu = tlv(
        ber.TRAP_V1,
        tlv(ber.OBJECT_IDENTIFIER, enterprise)
        + tlv(ber.IP_ADDRESS, agent_addr)
        + ber.int_tlv(generic_trap)
        + ber.int_tlv(specific_trap)
        + tlv(ber.TIMETICKS, ber.encode_uint(time_stamp))
        + tlv(ber.SEQUENCE, encoded_varbinds),
    )
    return tlv(ber.SEQUENCE, ber.int_tlv(V1) + tlv(ber.OCTET_STRING, community) + pdu)
