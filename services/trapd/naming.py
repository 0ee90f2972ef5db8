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
    """What trapd needs from the shared resolver in ``services/common/mibs``."""

    def describe_oid(self, oid: tuple[int, ...]) -> Any: ...


@dataclass(frozen=True, slots=True)
class OidInfo:
    """The resolution of one var-bind OID."""

    name: str  # MODULE::object.index, or the numeric OID when unresolved
    resolved: bool
    object_name: str | None = None  # "ifOperStatus"
    enums: dict[int, str] | None = None  # value -> label
    display: str | None = None  # "text" | "hex" | None (decide from the bytes)
    units: str | None = None


UNRESOLVED_CACHE_MAX = 100_000


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
            if len(gen.cache) >= UNRESOLVED_CACHE_MAX:
                gen.cache.clear()
            gen.cache[oid_content] = info
        return info

    def _lookup(self, resolver: Resolver | None, oid_content: bytes) -> OidInfo:
        oid = ber.decode_oid(oid_content)
        text = ber.oid_str(oid)
        if resolver is None or not self.enabled:
            return OidInfo(text, False)
        try:
            found = resolver.describe_oid(oid)
        except Exception:
            # A resolver bug must not cost a trap: the var-bind is stored unresolved.
            return OidInfo(text, False)
        if not found:
            return OidInfo(text, False)
        return OidInfo(
            name=str(found.get("name") or text),
            resolved=bool(found.get("name")),
            object_name=found.get("object"),
            enums=found.get("enums"),
            display=found.get("display"),
            units=found.get("units"),
        )

    def oid_value_name(self, oid_text: str) -> tuple[str, bool]:
        """Name an OID that appears as a value (snmpTrapOID.0's value, sysObjectID)."""
        try:
            content = ber.encode_oid(ber.parse_oid(oid_text))
        except ValueError:
            return oid_text, False
        info = self.oid_info(content)
        return info.name, info.resolved

    def render(self, info: OidInfo, type_name: str, value: Any) -> str:
        """The value as a person reads it; the raw value is kept beside it by the caller."""
        if type_name == "Integer32" and info.enums and isinstance(value, int):
            label = info.enums.get(value)
            if label is not None:
                return f"{label}({value})"
        if type_name == "TimeTicks" and isinstance(value, int):
            return values.format_timeticks(value)
        if type_name == "ObjectIdentifier" and isinstance(value, str):
            name, ok = self.oid_value_name(value)
            return name if ok else value
        if isinstance(value, bytes):
            if info.display == "hex":
                return values.hex_string(value)
            if info.display == "text":
                return value.decode("utf-8", "replace")
        text = values.render(type_name, value)
        if info.units and type_name != "OctetString":
            return f"{text} {info.units}"
        return text
