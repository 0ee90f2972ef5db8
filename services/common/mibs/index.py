"""The compiled MIB library in memory, and every name <-> OID resolution the services do.

The gateway compiles the MIB library into one JSON document (``GET /internal/mibs/index.json``,
format ``snmplab-mib-index/1``, built by ``services/gateway/mibs/index_builder.py``). Services
load it with :meth:`MibIndex.from_json` (usually through :mod:`services.common.mibs.client`)
and ask it:

    idx = MibIndex.from_json(body)
    idx.name((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 3))       # "IF-MIB::ifOperStatus.3"
    r = idx.resolve("1.3.6.1.2.1.2.2.1.8.3")           # Resolved(node=..., index=(3,), ...)
    r.full_name, r.index_text                          # "IF-MIB::ifOperStatus.3", "3"
    idx.format_value("1.3.6.1.2.1.2.2.1.8.3", "Integer32", 2)   # "down(2)"
    idx.oid("IF-MIB::ifDescr.1"), idx.oid("sysUpTime.0")         # (1,3,6,...,1), (...,3,0)
    idx.notification("1.3.6.1.6.3.1.1.5.3")            # the linkDown node; .objects names
    idx.describe_oid(oid_tuple)                        # dict for trapd's naming cache

OIDs may be given as tuples of ints or dotted strings everywhere. Lookups are dict probes:
the longest known prefix is found by walking up the OID tuple, and answers are cached
per OID, so a trap receiver can call this for every var-bind of 20,000 traps/s. An index is
immutable once built; a new library version is a new :class:`MibIndex`, swapped in with
one assignment.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from services.common.snmp import values

FORMAT = "snmplab-mib-index/1"

Oid = tuple[int, ...]
OidLike = Sequence[int] | str

_CACHE_MAX = 200_000
_INT_BASES = frozenset({"Integer32", "Unsigned32", "Counter32", "Gauge32", "TimeTicks"})


class MibResolveError(ValueError):
    """A name or OID the index cannot resolve; the message says why, for a 4xx."""


def to_oid(oid: OidLike) -> Oid:
    if isinstance(oid, str):
        s = oid.strip().lstrip(".")
        try:
            return tuple(int(p) for p in s.split("."))
        except ValueError:
            raise MibResolveError(f"{oid!r} is not a numeric OID") from None
    return tuple(oid)


def oid_text(oid: Sequence[int]) -> str:
    return ".".join(map(str, oid))


class Syntax:
    """A node's syntax, with textual conventions already resolved to the base type."""

    __slots__ = ("base", "bits", "display_hint", "enums", "ranges", "sizes", "tc", "type")

    def __init__(self, data: dict[str, Any]) -> None:
        self.type: str = data.get("type") or ""
        self.base: str = data.get("base") or ""
        self.tc: str | None = data.get("tc")
        self.display_hint: str | None = data.get("display_hint")
        enums = data.get("enums")
        self.enums: dict[int, str] | None = {int(k): v for k, v in enums.items()} if enums else None
        bits = data.get("bits")
        self.bits: dict[int, str] | None = {int(k): v for k, v in bits.items()} if bits else None
        self.ranges: list[list[int]] | None = data.get("ranges")
        self.sizes: list[list[int]] | None = data.get("sizes")

    @property
    def fixed_size(self) -> int | None:
        """The length of an OCTET STRING with exactly one size (``SIZE (6)``)."""
        if self.sizes and len(self.sizes) == 1 and self.sizes[0][0] == self.sizes[0][1]:
            return int(self.sizes[0][0])
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "base": self.base}
        if self.tc:
            out["tc"] = self.tc
        if self.display_hint:
            out["display_hint"] = self.display_hint
        if self.enums:
            out["enums"] = {str(k): v for k, v in sorted(self.enums.items())}
        if self.bits:
            out["bits"] = {str(k): v for k, v in sorted(self.bits.items())}
        if self.ranges:
            out["ranges"] = self.ranges
        if self.sizes:
            out["sizes"] = self.sizes
        return out


class Node:
    """One named OID of a MIB module (object, table, notification, group, identity...)."""

    __slots__ = (
        "access",
        "augments",
        "data",
        "description",
        "full_name",
        "indexes",
        "kind",
        "module",
        "name",
        "objects",
        "oid",
        "oid_str",
        "status",
        "syntax",
        "units",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.oid_str: str = data["oid"]
        self.oid: Oid = to_oid(self.oid_str)
        self.module: str = data["module"]
        self.name: str = data["name"]
        self.full_name = f"{self.module}::{self.name}"
        self.kind: str = data.get("kind") or "node"
        self.access: str | None = data.get("access")
        self.status: str | None = data.get("status")
        self.units: str | None = data.get("units")
        self.description: str = data.get("description") or ""
        syntax = data.get("syntax")
        self.syntax: Syntax | None = Syntax(syntax) if syntax else None
        self.indexes: list[dict[str, Any]] = data.get("indexes") or []
        self.augments: str | None = data.get("augments")
        self.objects: list[dict[str, Any]] = data.get("objects") or []

    def __repr__(self) -> str:
        return f"<Node {self.full_name} {self.oid_str}>"


@dataclass(frozen=True, slots=True)
class IndexPart:
    """One component of a table instance: the INDEX object and its decoded value."""

    name: str  # MODULE::object
    value: Any  # int, str (text, dotted IP, dotted OID) or bytes
    text: str  # as shown in a name: 3, "eth0", 10.0.0.1, 00:11:22:33:44:55


@dataclass(frozen=True, slots=True)
class Resolved:
    """An OID named: the longest known prefix and the instance suffix after it."""

    oid: Oid
    node: Node
    suffix: Oid
    index_parts: tuple[IndexPart, ...] | None  # decoded by the table's INDEX, when it fits

    @property
    def index_text(self) -> str:
        if not self.suffix:
            return ""
        if self.index_parts is not None:
            return ".".join(p.text for p in self.index_parts)
        return oid_text(self.suffix)

    @property
    def full_name(self) -> str:
        idx = self.index_text
        return f"{self.node.full_name}.{idx}" if idx else self.node.full_name

    @property
    def short_name(self) -> str:
        idx = self.index_text
        return f"{self.node.name}.{idx}" if idx else self.node.name


class MibIndex:
    """The loaded MIB library: nodes by OID and by name, with cached resolution."""

    def __init__(self, data: dict[str, Any], etag: str | None = None) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a MIB index of format {FORMAT!r}: {data.get('format')!r}")
        self.etag = etag
        self.data = data
        self.modules: dict[str, dict[str, Any]] = data.get("modules") or {}
        self.nodes: list[Node] = [Node(n) for n in data.get("nodes") or ()]
        self.by_oid: dict[Oid, Node] = {}
        self.by_full_name: dict[str, Node] = {}
        self.by_name: dict[str, list[Node]] = {}
        for node in self.nodes:
            # The first definition of an OID wins (modules are ordered standard first), so
            # a vendor module re-declaring a standard OID does not rename it.
            self.by_oid.setdefault(node.oid, node)
            self.by_full_name[node.full_name] = node
            self.by_name.setdefault(node.name, []).append(node)
        self._cache: dict[Any, Resolved | None] = {}
        self._row_indexes: dict[Oid, list[tuple[Node | None, bool, str]]] = {}
        self._max_depth = max((len(n.oid) for n in self.nodes), default=0)

    # -- construction ------------------------------------------------------------------

    @classmethod
    def from_json(cls, body: bytes | str | dict[str, Any], etag: str | None = None) -> MibIndex:
        data = body if isinstance(body, dict) else json.loads(body)
        return cls(data, etag=etag)

    @classmethod
    def empty(cls) -> MibIndex:
        return cls({"format": FORMAT, "modules": {}, "nodes": []})

    def __len__(self) -> int:
        return len(self.nodes)

    # -- OID -> name -------------------------------------------------------------------

    def node(self, oid: OidLike) -> Node | None:
        """The node defined at exactly this OID."""
        return self.by_oid.get(to_oid(oid))

    def resolve(self, oid: OidLike) -> Resolved | None:
        """The longest known prefix of ``oid`` and its instance index, or None."""
        cache = self._cache
        key = oid if isinstance(oid, (str, tuple)) else tuple(oid)
        found = cache.get(key, cache)
        if found is not cache:
            return found  # type: ignore[return-value]
        try:
            arcs = to_oid(oid)
        except MibResolveError:
            return None
        by_oid = self.by_oid
        result: Resolved | None = None
        for end in range(min(len(arcs), self._max_depth), 0, -1):
            node = by_oid.get(arcs[:end])
            if node is not None:
                if node.kind == "node" and end > 1:
                    # An OBJECT IDENTIFIER naming an instance (DISMAN-EVENT-MIB's
                    # sysUpTimeInstance = sysUpTime.0): the object type reads better.
                    owner = by_oid.get(arcs[: end - 1])
                    if owner is not None and owner.kind in ("scalar", "column"):
                        node, end = owner, end - 1
                suffix = arcs[end:]
                result = Resolved(arcs, node, suffix, self._decode_index(node, suffix))
                break
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = result
        return result

    def name(self, oid: OidLike) -> str | None:
        """``MODULE::name.index`` or None when no prefix of the OID is known."""
        r = self.resolve(oid)
        return r.full_name if r is not None else None

    def name_or_oid(self, oid: OidLike) -> str:
        r = self.resolve(oid)
        if r is not None:
            return r.full_name
        return oid if isinstance(oid, str) else oid_text(oid)

    def notification(self, trap_oid: OidLike) -> Node | None:
        """The NOTIFICATION-TYPE (or SMIv1 TRAP-TYPE) defined at exactly this OID."""
        node = self.node(trap_oid)
        if node is not None and node.kind == "notification":
            return node
        return None

    def notification_objects(self, node: Node) -> list[Node]:
        out = []
        for ref in node.objects:
            obj = self.by_full_name.get(f"{ref['module']}::{ref['name']}")
            if obj is not None:
                out.append(obj)
        return out

    # -- the table INDEX ---------------------------------------------------------------

    def row_of(self, node: Node) -> Node | None:
        """The conceptual row a column belongs to."""
        if node.kind != "column":
            return None
        return self.by_oid.get(node.oid[:-1])

    def index_objects(self, row: Node) -> list[tuple[Node | None, bool, str]]:
        """``(index object, implied, full name)`` of a row, following AUGMENTS."""
        cached = self._row_indexes.get(row.oid)
        if cached is None:
            cached = self._row_indexes[row.oid] = self._index_objects(row)
        return cached

    def _index_objects(self, row: Node) -> list[tuple[Node | None, bool, str]]:
        seen = 0
        while row.augments and seen < 8:
            base = self.by_full_name.get(row.augments)
            if base is None:
                return []
            row, seen = base, seen + 1
        out = []
        for ref in row.indexes:
            full = f"{ref['module']}::{ref['name']}"
            out.append((self.by_full_name.get(full), bool(ref.get("implied")), full))
        return out

    def _decode_index(self, node: Node, suffix: Oid) -> tuple[IndexPart, ...] | None:
        if not suffix:
            return None
        if node.kind == "scalar":
            return (IndexPart("", 0, "0"),) if suffix == (0,) else None
        row = self.row_of(node)
        if row is None:
            return None
        objs = self.index_objects(row)
        if not objs:
            return None
        parts: list[IndexPart] = []
        pos = 0
        for i, (obj, implied, full) in enumerate(objs):
            last = i == len(objs) - 1
            decoded = _decode_one(obj, implied and last, suffix, pos)
            if decoded is None:
                return None
            part, pos = decoded
            parts.append(IndexPart(full, part[0], part[1]))
        if pos != len(suffix):
            return None
        return tuple(parts)

    # -- name -> OID -------------------------------------------------------------------

    def lookup_name(self, name: str) -> Node | None:
        """``MODULE::name`` or a bare ``name`` (the standard definition first)."""
        if "::" in name:
            return self.by_full_name.get(name)
        nodes = self.by_name.get(name)
        return nodes[0] if nodes else None

    def oid(self, text: str) -> Oid:
        """The OID of ``MODULE::name[.index]``, ``name[.index]`` or a numeric OID.

        An index may be numbers (``.1.2``), a quoted string (``."eth0"``, encoded with its
        length unless IMPLIED or fixed-size) or a dotted IPv4 address. Raises
        :class:`MibResolveError` with a reason a person can act on.
        """
        s = text.strip()
        if not s:
            raise MibResolveError("empty OID or name")
        if s.lstrip(".")[:1].isdigit():
            return to_oid(s)
        sep = s.find("::")
        first_dot = s.find(".")
        if sep >= 0 and (first_dot < 0 or sep < first_dot):
            module, rest = s[:sep], s[sep + 2 :]
        else:
            module, rest = "", s
        name, index_text = _split_name(rest)
        if module:
            node = self.by_full_name.get(f"{module}::{name}")
            if node is None:
                if module not in self.modules:
                    raise MibResolveError(
                        f"MIB module {module!r} is not loaded (upload it to the MIB library)"
                    )
                raise MibResolveError(f"{module} defines no object named {name!r}")
        else:
            node = self.lookup_name(name)
            if node is None:
                raise MibResolveError(
                    f"no loaded MIB defines {name!r} (give MODULE::name or a numeric OID)"
                )
        if not index_text:
            return node.oid
        return node.oid + self._encode_index(node, index_text)

    def _encode_index(self, node: Node, text: str) -> Oid:
        tokens = _split_index(text)
        if all(t.isdigit() for t in tokens):
            return tuple(int(t) for t in tokens)
        row = self.row_of(node)
        objs = self.index_objects(row) if row is not None else []
        out: list[int] = []
        for i, token in enumerate(tokens):
            obj, implied, _ = objs[i] if i < len(objs) else (None, False, "")
            last = i == len(tokens) - 1
            if token.startswith(('"', "'")):
                raw = token[1:-1].encode()
                tc = obj.syntax.tc if obj is not None and obj.syntax else None
                if tc is not None and tc.endswith("::InetAddress"):
                    raw = _inet_bytes(token[1:-1]) or raw
                fixed = obj.syntax.fixed_size if obj is not None and obj.syntax else None
                if not ((implied and last) or fixed):
                    out.append(len(raw))
                out.extend(raw)
            elif token.isdigit():
                out.append(int(token))
            elif re.fullmatch(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+", token):
                raw = bytes.fromhex(token.replace(":", ""))
                fixed = obj.syntax.fixed_size if obj is not None and obj.syntax else None
                if not ((implied and last) or fixed):
                    out.append(len(raw))
                out.extend(raw)
            elif obj is not None and obj.syntax is not None and obj.syntax.enums:
                m = re.fullmatch(r"([A-Za-z][\w-]*)(?:\((\d+)\))?", token)
                labels = {label: value for value, label in obj.syntax.enums.items()}
                if m is None or m.group(1) not in labels:
                    raise MibResolveError(f"{token!r} is not one of {obj.full_name}'s values")
                out.append(labels[m.group(1)])
            elif re.fullmatch(r"\d+(\.\d+){3}", token):
                out.extend(int(p) for p in token.split("."))
            else:
                raise MibResolveError(f"cannot read index component {token!r}")
        return tuple(out)

    # -- values --------------------------------------------------------------------------

    def format_value(self, oid: OidLike, type_name: str, value: Any) -> str:
        """A var-bind value as a person reads it: ``down(2)``, text, ``00:1a:2b:..``."""
        r = self.resolve(oid)
        syntax = r.node.syntax if r is not None else None
        return self.render(syntax, type_name, value)

    def render(self, syntax: Syntax | None, type_name: str, value: Any) -> str:
        if value is None:
            return values.render(type_name, value)
        if syntax is not None:
            if syntax.enums and isinstance(value, int):
                label = syntax.enums.get(value)
                return f"{label}({value})" if label is not None else str(value)
            hint = syntax.display_hint
            if isinstance(value, bytes):
                if syntax.bits:
                    return _render_bits(syntax.bits, value)
                if hint:
                    try:
                        return render_octets_hint(hint, value)
                    except ValueError:
                        pass
            elif isinstance(value, int) and hint and type_name != "TimeTicks":
                return render_int_hint(hint, value)
        if type_name == "TimeTicks" and isinstance(value, int):
            return values.format_timeticks(value)
        if type_name == "ObjectIdentifier" and isinstance(value, str):
            name = self.name(value)
            return name or value
        return values.render(type_name, value)

    def describe_oid(self, oid: OidLike) -> dict[str, Any] | None:
        """What a receiver caches per var-bind OID (trapd's ``Naming`` contract)."""
        r = self.resolve(oid)
        if r is None:
            return None
        syntax = r.node.syntax
        display = None
        if syntax is not None and syntax.base == "OctetString":
            hint = syntax.display_hint or ""
            if hint.endswith("a") or "t" in hint:
                display = "text"
            elif "x" in hint:
                display = "hex"
        return {
            "name": r.full_name,
            "object": r.node.name,
            "module": r.node.module,
            "enums": syntax.enums if syntax is not None else None,
            "display": display,
            "units": r.node.units,
            "syntax": syntax,
        }

    def describe_varbind(self, oid: OidLike, type_name: str, value: Any) -> dict[str, Any]:
        """``{"oid", "name", "value", "resolved"}`` for one var-bind, for results and traps."""
        r = self.resolve(oid)
        text = oid if isinstance(oid, str) else oid_text(oid)
        if r is None:
            return {
                "oid": text,
                "name": text,
                "value": values.render(type_name, value),
                "resolved": False,
            }
        return {
            "oid": text,
            "name": r.full_name,
            "value": self.render(r.node.syntax, type_name, value),
            "resolved": True,
        }

    # -- iteration for browsers ----------------------------------------------------------

    def module_nodes(self, module: str) -> Iterable[Node]:
        return (n for n in self.nodes if n.module == module)


# -- index decoding helpers --------------------------------------------------------------


def _decode_one(
    obj: Node | None, implied: bool, suffix: Oid, pos: int
) -> tuple[tuple[Any, str], int] | None:
    syntax = obj.syntax if obj is not None else None
    base = syntax.base if syntax is not None else "Integer32"
    rest = len(suffix) - pos
    if rest <= 0:
        return None
    if base in _INT_BASES or base == "Counter64":
        v = suffix[pos]
        label = syntax.enums.get(v) if syntax is not None and syntax.enums else None
        return (v, label or str(v)), pos + 1
    if base == "IpAddress":
        if rest < 4 or any(a > 255 for a in suffix[pos : pos + 4]):
            return None
        ip = ".".join(map(str, suffix[pos : pos + 4]))
        return (ip, ip), pos + 4
    if base == "ObjectIdentifier":
        if implied:
            sub = suffix[pos:]
        else:
            n = suffix[pos]
            if n > rest - 1:
                return None
            sub, pos = suffix[pos + 1 : pos + 1 + n], pos + 1
        t = oid_text(sub)
        # Net-SNMP keeps the length sub-identifier in the name; so do we (it round-trips).
        return (t, t if implied else f"{len(sub)}.{t}" if sub else "0"), pos + len(sub)
    # OCTET STRING, BITS, Opaque and anything else string-like
    fixed = syntax.fixed_size if syntax is not None else None
    if implied:
        n, start = rest, pos
    elif fixed is not None:
        n, start = fixed, pos
    else:
        n, start = suffix[pos], pos + 1
    if start + n > len(suffix) or any(a > 255 for a in suffix[start : start + n]):
        return None
    raw = bytes(suffix[start : start + n])
    end = start + n
    tc = syntax.tc if syntax is not None else None
    if tc is not None and tc.endswith("::InetAddress") and n in (4, 16):
        # As Net-SNMP writes them: ipv4."192.168.1.1", ipv6."fe:80:...:01"
        text = ".".join(map(str, raw)) if n == 4 else raw.hex(":")
        return (raw, f'"{text}"'), end
    hint = syntax.display_hint if syntax is not None else None
    if hint and hint[-1] not in "at":
        try:
            text = render_octets_hint(hint, raw)
        except ValueError:
            text = raw.hex(":")
        return (raw, text), end
    if raw and values.is_printable(raw) and not {"'", '"'} & set(raw.decode("utf-8", "replace")):
        s = raw.decode("utf-8")
        # Net-SNMP's quoting: 'x' for an IMPLIED string (no length), "x" otherwise.
        return (s, f"'{s}'" if implied else f'"{s}"'), end
    return (raw, raw.hex(":")), end


def _inet_bytes(text: str) -> bytes | None:
    """An InetAddress index written as text: ``192.168.1.1``, ``fe:80:..:01`` or ``fe80::1``."""
    import ipaddress

    if re.fullmatch(r"(?:[0-9a-fA-F]{2}:){15}[0-9a-fA-F]{2}", text):
        return bytes.fromhex(text.replace(":", ""))
    try:
        return ipaddress.ip_address(text).packed
    except ValueError:
        return None


def _split_name(rest: str) -> tuple[str, str]:
    """``ifDescr.1`` -> (``ifDescr``, ``1``); ``x."a.b"`` keeps the quoted part whole."""
    dot = rest.find(".")
    if dot < 0:
        return rest, ""
    return rest[:dot], rest[dot + 1 :]


def _split_index(text: str) -> list[str]:
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in "\"'":
            q = text[i]
            j = text.find(q, i + 1)
            if j < 0:
                raise MibResolveError(f"unterminated quote in index {text!r}")
            tokens.append(text[i : j + 1])
            i = j + 2  # skip the closing quote and the following dot
        else:
            j = text.find(".", i)
            j = n if j < 0 else j
            tokens.append(text[i:j])
            i = j + 1
    # Dotted IPv4 tokens were split apart: numbers are fine as separate sub-identifiers.
    return [t for t in tokens if t != ""]


# -- DISPLAY-HINT (RFC 2579 section 3.1) ------------------------------------------------

_OCTET_HINT = re.compile(r"(\*?)(\d+)([xdoat])([^\d*]?)([^\d*]?)")


@functools.lru_cache(maxsize=512)
def _octet_hint_specs(hint: str) -> tuple[tuple[str, ...], ...]:
    """The parts of a DISPLAY-HINT, parsed once per hint."""
    specs = []
    pos = 0
    while pos < len(hint):
        m = _OCTET_HINT.match(hint, pos)
        if m is None:
            raise ValueError(f"bad display hint {hint!r}")
        specs.append(m.groups())
        pos = m.end()
    if not specs:
        raise ValueError("empty display hint")
    return tuple(specs)


@functools.lru_cache(maxsize=8192)
def render_octets_hint(hint: str, data: bytes) -> str:
    """Render an OCTET STRING by its DISPLAY-HINT: ``255a``, ``1x:``, ``1d.1d.1d.1d``.

    Cached: walks and traps meet the same values (dates, addresses) over and over."""
    # The hints most var-binds carry, without the general loop (same output).
    if hint == "1x:":
        return data.hex(":")
    if (hint == "255a" or hint == "255t") and len(data) <= 255:
        return data.decode("ascii" if hint == "255a" else "utf-8", "replace")
    specs = _octet_hint_specs(hint)
    out: list[str] = []
    i = 0
    spec_i = 0
    while i < len(data):
        star, length_t, fmt, sep, term = specs[min(spec_i, len(specs) - 1)]
        length = int(length_t)
        repeat = 1
        if star:
            repeat = data[i]
            i += 1
        for r in range(repeat):
            chunk = data[i : i + length]
            i += len(chunk)
            if fmt == "a":
                out.append(chunk.decode("ascii", "replace"))
            elif fmt == "t":
                out.append(chunk.decode("utf-8", "replace"))
            else:
                num = int.from_bytes(chunk, "big")
                out.append(
                    f"{num:0{2 * len(chunk)}x}"
                    if fmt == "x"
                    else (f"{num:o}" if fmt == "o" else str(num))
                )
            if i < len(data):
                if star and term and r == repeat - 1:
                    out.append(term)
                elif sep:
                    out.append(sep)
            if i >= len(data):
                break
        spec_i += 1
    return "".join(out)


def render_int_hint(hint: str, value: int) -> str:
    """Render an INTEGER by its DISPLAY-HINT: ``d-2`` (a decimal point), ``x``, ``o``, ``b``."""
    if hint.startswith("d-"):
        try:
            places = int(hint[2:])
        except ValueError:
            return str(value)
        sign = "-" if value < 0 else ""
        digits = str(abs(value)).rjust(places + 1, "0")
        return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"
    if hint == "x":
        return f"{value:x}"
    if hint == "o":
        return f"{value:o}"
    if hint == "b":
        return f"{value:b}"
    return str(value)


def _render_bits(bits: dict[int, str], data: bytes) -> str:
    names = []
    for byte_i, byte in enumerate(data):
        for bit in range(8):
            if byte & (0x80 >> bit):
                n = byte_i * 8 + bit
                names.append(f"{bits.get(n, '?')}({n})")
    return " ".join(names) if names else ""
