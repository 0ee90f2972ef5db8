"""OID names for results and OIDs from names in requests, through the shared MIB index.

``services/common/mibs`` is the one source of names for every service. Until the index is
loaded (or when an OID is unknown) results carry the numeric OID as their name, and a
symbolic OID in a request is a 4xx that says the MIB library does not know it.
"""

from __future__ import annotations

from typing import Any

from services.common.mibs.index import MibIndex, MibResolveError, Syntax
from services.common.snmp import ber
from services.walker.targets import BadInput
from services.walker.varbinds import human_value
from services.walker.walking import RowCache

OID = tuple[int, ...]


_CACHE_MAX = 200_000


class Names:
    """Name <-> OID and value rendering for the walker, over the current MIB index.

    What an OID resolves to (its name, and the syntax its value is rendered with) is
    cached per OID for the index in use: walks of the same device repeat the same OIDs.
    """

    def __init__(self, resolver: MibIndex | None = None) -> None:
        self._resolver = resolver
        # dotted OID text -> (name, syntax when the MIB changes how the value reads, else
        # None). Keyed by the text, not the tuple: a walk's texts come from its OID cache,
        # the same str objects every time, whose hash Python keeps (a tuple's it does not).
        self._cache: dict[str, tuple[str, Syntax | None]] = {}
        self.rows = RowCache()  # rows rendered through this index, for walks to reuse

    @property
    def resolver(self) -> MibIndex | None:
        return self._resolver

    @resolver.setter
    def resolver(self, index: MibIndex | None) -> None:
        self._resolver = index
        self._cache = {}
        self.rows = RowCache()

    def name(self, oid: OID) -> str:
        index = self._resolver
        if index is not None:
            name = index.name(oid)
            if name:
                return name
        return ber.oid_str(oid)

    def _lookup(self, index: MibIndex, oid: OID, oid_text: str) -> tuple[str, Syntax | None]:
        r = index.resolve(oid)
        if r is None:
            found: tuple[str, Syntax | None] = (oid_text, None)
        else:
            syntax = r.node.syntax
            keep = syntax is not None and (syntax.enums or syntax.display_hint or syntax.bits)
            found = (r.full_name, syntax if keep else None)
        cache = self._cache
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[oid_text] = found
        return found

    def describe(self, oid: OID, oid_text: str, type_name: str, value: Any) -> tuple[str, str]:
        """``(name, human value)`` for a var-bind: enum labels, display hints, OID names."""
        index = self._resolver
        if index is None:
            return oid_text, human_value(type_name, value)
        found = self._cache.get(oid_text)
        name, syntax = found if found is not None else self._lookup(index, oid, oid_text)
        if type_name == "ObjectIdentifier" or (syntax is not None and type_name != "Opaque"):
            return name, index.render(syntax, type_name, value)
        # No MIB rendering applies (Opaque keeps Net-SNMP's float reading): the plain rules.
        return name, human_value(type_name, value)

    def parse(self, text: str, what: str = "OID") -> OID:
        """A numeric OID, or ``MODULE::name[.index]`` / ``name[.index]`` via the MIB index."""
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
        index = self._resolver
        if index is None:
            raise BadInput(
                f"{what} {text!r} is a name, but the MIB library is not loaded yet: "
                "give the OID in dotted numbers, or retry when the gateway is up"
            )
        try:
            oid = index.oid(s)
        except MibResolveError as exc:
            raise BadInput(f"{what} {text!r}: {exc}") from None
        return tuple(oid)

    def parse_instance(self, text: str, what: str = "OID") -> OID:
        oid = self.parse(text, what)
        if len(oid) < 2:
            raise BadInput(f"{what} {text!r} needs at least two arcs")
        return oid
