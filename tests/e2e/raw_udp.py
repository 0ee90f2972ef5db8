"""Sending hand-made datagrams: malformed SNMP packets, forged event datagrams."""

from __future__ import annotations

import socket

from tests.e2e.endpoints import Endpoint


def send_datagram(target: Endpoint, payload: bytes) -> None:
    family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.sendto(payload, target.sockaddr)


# Datagrams no SNMP implementation may accept: each must be counted as malformed and
# dropped without an answer. (BER: 0x30 SEQUENCE with lengths that lie, a wrong tag, junk.)
MALFORMED_SNMP = (
    b"\x30\x82\xff\xff\x02\x01\x01",  # SEQUENCE claiming 65535 octets, 3 present
    b"\x30\x05\x02\x01\x01\x04\x06public",  # inner length overruns the outer one
    b"\x04\x06public",  # not a SEQUENCE at all
    b"GET / HTTP/1.0\r\n\r\n",  # not BER
)


def exchange(target: Endpoint, payloads: list[bytes], *, timeout: float = 3.0) -> bytes:
    """Send ``payloads`` in order from one socket; return the first datagram that comes
    back. A test sends junk first and a valid request last: if the first answer is the
    valid request's, the junk got no answer (one sender, in-order processing)."""
    family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for payload in payloads:
            sock.sendto(payload, target.sockaddr)
        data, _ = sock.recvfrom(65535)
        return data


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def _oid(text: str) -> bytes:
    arcs = [int(a) for a in text.strip(".").split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))


def v2c_get(community: str, request_id: int, oid: str) -> bytes:
    """A GetRequest-PDU built by hand (RFC 3416), independent of the services' codec."""
    varbind = _tlv(0x30, _oid(oid) + b"\x05\x00")
    pdu = _tlv(
        0xA0,
        _tlv(0x02, request_id.to_bytes(4, "big"))
        + b"\x02\x01\x00\x02\x01\x00"
        + _tlv(0x30, varbind),
    )
    return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, community.encode()) + pdu)


def response_request_id(datagram: bytes) -> int | None:
    """The request-id of a v1/v2c Response-PDU, or None if it is not one."""
    try:
        pos = 2 if datagram[1] < 0x80 else 2 + (datagram[1] & 0x7F)
        pos += 2 + datagram[pos + 1]  # version
        pos += 2 + datagram[pos + 1]  # community (short form: < 128 octets)
        if datagram[pos] != 0xA2:
            return None
        pos += 2 if datagram[pos + 1] < 0x80 else 2 + (datagram[pos + 1] & 0x7F)
        if datagram[pos] != 0x02:
            return None
        length = datagram[pos + 1]
        return int.from_bytes(datagram[pos + 2 : pos + 2 + length], "big", signed=True)
    except IndexError:
        return None
