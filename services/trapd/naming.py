"""Names and human renderings for var-binds, through the shared MIB resolver, cached.

The trap path asks for the same OIDs over and over, so answers are cached by the encoded
OID (the bytes straight off the wire). When the MIB index changes, :meth:`Naming.set_index`
swaps in the new resolver and a fresh cache in one assignment: the pipeline thread never
waits and never sees a half-updated cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from services.common.snmp import ber, values


class Resolver(Protocol):
    """What trapd needs from the shared resolver (``services.common.mibs.index.MibIndex``)."""

    def resolve(self, oid: tuple[int, ...]) -> Any: ...

    def describe_oid(self, oid: tuple[int, ...]) -> Any: ...

    def notification(self, trap_oid: tuple[int, ...]) -> Any: ...

    def render(self, syntax: Any, type_name: str, value: Any) -> str: ...


@dataclass(frozen=True, slots=True)
class OidInfo:
    """The resolution of one var-bind OID."""

    name: str  # MODULE::object.index, or the numeric OID when unresolved
    resolved: bool
    object_name: str | None = None  # "ifOperStatus"
    enums: dict[int, str] | None = None  # value -> label
    display: str | None = None  # "text" | "hex" | None (decide from the bytes)
    units: str | None = None
    syntax: Any = None  # the MIB syntax, for the resolver's renderer


OID_CACHE_MAX = 100_000
_OBJECT_KINDS = frozenset({"scalar", "column", "notification"})


class _Generation:
    __slots__ = ("cache", "resolver")

    def __init__(self, resolver: Resolver | None) -> None:
        self.resolver = resolver
        self.cache: dict[bytes, OidInfo] = {}


class Naming:
    def __init__(self) -> None:
        self._gen = _Generation(None)
        self.enabled = True

    @property
    def loaded(self) -> bool:
        return self._gen.resolver is not None

    def set_index(self, resolver: Resolver | None) -> None:
        self._gen = _Generation(resolver)

    @property
    def generation(self) -> object:
        """Changes whenever answers may change (index swapped); callers key caches on it."""
        return self._gen

    def oid_info(self, oid_content: bytes) -> OidInfo:
        gen = self._gen
        info = gen.cache.get(oid_content)
        if info is None:
            info = self._lookup(gen.resolver, oid_content)
            if len(gen.cache) >= OID_CACHE_MAX:
                gen.cache.clear()
            gen.cache[oid_content] = info
        return info

    def _lookup(self, resolver: Resolver | None, oid_content: bytes) -> OidInfo:
        oid = ber.decode_oid(oid_content)
        text = ber.oid_str(oid)
        if resolver is None or not self.enabled:
            return OidInfo(text, False)
        try:
            found = resolver.resolve(oid)
            described = resolver.describe_oid(oid) if found is not None else None
        except Exception:
            # A resolver bug must not cost a trap: the var-bind is stored unresolved.
            return OidInfo(text, False)
        if found is None or not described:
            return OidInfo(text, False)
        # Only an object (or an exact node) counts as resolved; "enterprises.9.9.41.1"
        # names a prefix, not the thing the agent sent.
        resolved = not found.suffix or found.node.kind in _OBJECT_KINDS
        return OidInfo(
            name=str(described.get("name") or text),
            resolved=resolved,
            object_name=described.get("object"),
            enums=described.get("enums"),
            display=described.get("display"),
            units=described.get("units"),
            syntax=described.get("syntax"),
        )

    def notification_name(self, oid_text: str) -> tuple[str, bool]:
        """The name of a NOTIFICATION-TYPE (``linkDown``), or the OID when unknown."""
        gen = self._gen
        resolver = gen.resolver
        if resolver is None or not self.enabled:
            return oid_text, False
        try:
            node = resolver.notification(ber.parse_oid(oid_text))
        except Exception:
            return oid_text, False
        if node is None:
            return oid_text, False
        return str(node.name), True

    def render(self, info: OidInfo, type_name: str, value: Any) -> str:
        """The value as a person reads it; the raw value is kept beside it by the caller."""
        resolver = self._gen.resolver
        if resolver is not None and info.resolved and self.enabled:
            try:
                text = resolver.render(info.syntax, type_name, value)
            except Exception:
                text = values.render(type_name, value)
            if isinstance(value, bytes) and info.display is None and info.syntax is None:
                text = values.render(type_name, value)
        elif type_name == "TimeTicks" and isinstance(value, int):
            text = values.format_timeticks(value)
        else:
            text = values.render(type_name, value)
        if info.units and type_name not in ("OctetString", "ObjectIdentifier"):
            return f"{text} {info.units}"
        return text
