"""OID names for results and OIDs from names in requests, through the shared MIB resolver.

``services/common/mibs`` is the one source of names for every service. Until its index
is loaded (or when a name is unknown) results carry the numeric OID as their name, and a
symbolic OID in a request is a 4xx that says the MIB library does not know it.
"""

from __future__ import annotations

from typing import Any

from services.common.snmp import ber
from services.walker.targets import BadInput

OID = tuple[int, ...]


class Names:
    """Name <-> OID for the walker; wraps whatever resolver the MIB library provides."""

    def __init__(self, resolver: Any = None) -> None:
        self.resolver = resolver

    def name(self, oid: OID) -> str:
        resolver = self.resolver
        if resolver is not None:
            try:
                name = resolver.name(oid)
            except Exception:  # a resolver bug must not fail a walk; numeric is honest
                name = None
            if name:
                return str(name)
        return ber.oid_str(oid)

    def numeric(self, oid: OID) -> str:
        return ber.oid_str(oid)

    def parse(self, text: str, what: str = "OID") -> OID:
        """A numeric OID, or ``MODULE::name[.index]`` / ``name[.index]`` via the MIB library."""
        s = text.strip()
        if not s:
            raise BadInput(f"{what} is empty")
        if len(s) > 512:
            raise BadInput(f"{what} is longer than 512 characters")
        if s.lstrip(".")[:1].isdigit():
            if s.lstrip(".") in ("0", "1", "2"):
                return (int(s.lstrip(".")),)  # a whole arc, as `snmpwalk .1` allows
            try:
                return ber.parse_oid(s)
            except ValueError as exc:
                raise BadInput(f"{what}: {exc}") from None
        if not all(c.isalnum() or c in "-_:.'\"" for c in s):
            raise BadInput(f"{what} {text!r} has characters no OID or MIB name uses")
        resolver = self.resolver
        if resolver is not None:
            try:
                oid = resolver.oid(s)
            except Exception:
                oid = None
            if oid:
                return tuple(oid)
        raise BadInput(
            f"{what} {text!r} is not a numeric OID and the MIB library does not know the name "
            "(load the MIB that defines it, or give the OID in dotted numbers)"
        )
