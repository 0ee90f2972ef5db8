"""Agent addresses and communities from user input: validated, then resolved.

Input never reaches a shell, but it does reach ``getaddrinfo`` and the wire, so each part
is checked first and a bad one is reported with what is wrong in plain words.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket

from services.walker.client import Endpoint

# RFC 1123 host names: labels of letters, digits and inner hyphens, dot-separated.
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


class BadInput(ValueError):
    """User input that cannot be used; the message says what is wrong (a 4xx)."""


def check_host(host: str) -> str:
    """An IPv4 or IPv6 literal (brackets allowed) or a host name; returns it bare."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text:
        raise BadInput("target is empty: give an IPv4 or IPv6 address or a host name")
    try:
        return str(ipaddress.ip_address(text))  # IPv6 may carry a %zone
    except ValueError:
        pass
    if not _HOSTNAME.match(text):
        raise BadInput(f"target {host!r} is not an IPv4 address, an IPv6 address or a host name")
    return text


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise BadInput(f"port {port} is outside 1-65535")
    return port


def check_community(community: str) -> bytes:
    if not 1 <= len(community) <= 64:
        raise BadInput("community must be 1 to 64 characters")
    if not all(33 <= ord(c) <= 126 for c in community):
        raise BadInput("community must be printable ASCII without spaces")
    return community.encode("ascii")


async def resolve(host: str, port: int) -> Endpoint:
    """Resolve ``host`` for UDP; a name that does not resolve is a 4xx, not a hang."""
    bare = check_host(host)
    check_port(port)
    try:
        ipaddress.IPv4Address(bare)
    except ValueError:
        pass
    else:
        # An IPv4 literal: what getaddrinfo would answer, without its trip through a
        # worker thread on every request.
        return Endpoint(host=bare, port=port, family=socket.AF_INET, sockaddr=(bare, port))
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(bare, port, type=socket.SOCK_DGRAM), timeout=5.0
        )
    except (OSError, TimeoutError) as exc:
        raise BadInput(f"cannot resolve host {bare!r}: {exc}") from None
    if not infos:
        raise BadInput(f"host {bare!r} has no address")
    # IPv4 first when a name has both, as Net-SNMP's default transport does.
    family, _, _, _, sockaddr = min(infos, key=lambda i: i[0] != socket.AF_INET)
    return Endpoint(host=bare, port=port, family=family, sockaddr=tuple(sockaddr))
