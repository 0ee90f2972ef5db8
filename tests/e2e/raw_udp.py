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
