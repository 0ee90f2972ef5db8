"""A device's OID store: records in numeric OID order, looked up by encoded OID.

The data plane never decodes an OID it can find: ``pos`` maps the OID's BER content
octets to its position, and GETNEXT of a known OID is ``position + 1``. Only an OID that
is not in the store is decoded and bisected in the numeric list (BER byte order is not
numeric order once arcs need different numbers of bytes: 16383 encodes as ``FF 7F`` and
16384 as ``81 80 00``, so the bytes sort 16384 first).

Static values are kept as complete, pre-encoded var-bind TLVs; live values keep their
OID TLV and a :class:`LiveValue` that encodes the value for the request's instant.
A store is replaced as a whole on structural changes (add/remove objects) and patched in
place for value changes: both are single reference assignments, safe for the data-plane
thread to read concurrently.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.common.snmp import ber, values
from services.common.snmp.message import encode_varbind
from services.simulator.values_live import LiveRule, LiveValue, compile_rule

OID = tuple[int, ...]

# Many devices share a profile's OIDs and most of its values; encoding each once makes a
# fleet of 1,000 devices cheap to build. Bounded: cleared when it grows too large.
_CACHE_MAX = 1_000_000
_KEYS: dict[OID, bytes] = {}
_VBS: dict[tuple[bytes, str, Any], bytes] = {}


def oid_key(oid: OID) -> bytes:
    key = _KEYS.get(oid)
    if key is None:
        if len(_KEYS) > _CACHE_MAX:
            _KEYS.clear()
        key = _KEYS[oid] = ber.encode_oid(oid)
    return key


def _static_vb(key: bytes, rec: Record) -> bytes:
    cache_key = (key, rec.type, rec.value)
    vb = _VBS.get(cache_key)
    if vb is None:
        if len(_VBS) > _CACHE_MAX:
            _VBS.clear()
        vb = _VBS[cache_key] = encode_varbind(key, rec.value_tlv())
    return vb


@dataclass(slots=True)
class Record:
    """One object instance: OID, SMI type name, Python value, optional live rule.

    Values: ints for the integer types, ``bytes`` for OctetString/Opaque, dotted text for
    ObjectIdentifier and IpAddress, ``None`` for Null. With a rule, ``value`` is unused
    (the rule's ``initial`` gives the starting point).
    """

    oid: OID
    type: str
    value: Any
    rule: LiveRule | None = None

    def value_tlv(self) -> bytes:
        return values.encode_value(self.type, self.value)


def check_record(rec: Record) -> Record:
    """Normalise the type name and check the value encodes; ValueError with a reason."""
    rec.type = values.canonical_type(rec.type)
    if rec.rule is None:
        rec.value_tlv()
    else:
        compile_rule(values.TYPE_TAGS[rec.type], rec.rule)
    return rec


class OidStore:
    __slots__ = ("keys", "live", "live_cum", "oid_tlvs", "oids", "pos", "records", "size_cum",
                 "tags", "vbs")  # fmt: skip

    def __init__(self, records: Iterable[Record] = (), seed: int = 0) -> None:
        by_oid: dict[OID, Record] = {}
        for rec in records:
            by_oid[rec.oid] = rec
        self.oids: list[OID] = sorted(by_oid)
        self.records: list[Record] = [by_oid[o] for o in self.oids]
        self.keys: list[bytes] = [oid_key(o) for o in self.oids]
        self.pos: dict[bytes, int] = {k: i for i, k in enumerate(self.keys)}
        self.oid_tlvs: list[bytes] = [ber.tlv(ber.OBJECT_IDENTIFIER, k) for k in self.keys]
        self.vbs: list[bytes | None] = []
        self.live: list[LiveValue | None] = []
        self.tags: list[int] = []
        for i, rec in enumerate(self.records):
            self._encode(i, rec, seed + i)
        self.size_cum: list[int] = []
        self.live_cum: list[int] = []
        self._prefix_sums()

    def _prefix_sums(self) -> None:
        """Running totals of static var-bind sizes and of live values, so that a GETBULK
        over a run of static objects is one slice and one join (see the responder)."""
        size = [0]
        live = [0]
        s = n = 0
        for vb in self.vbs:
            if vb is None:
                n += 1
            else:
                s += len(vb)
            size.append(s)
            live.append(n)
        self.live_cum, self.size_cum = live, size

    def _encode(self, i: int, rec: Record, seed: int) -> None:
        tag = values.TYPE_TAGS[values.canonical_type(rec.type)]
        if rec.rule is not None:
            vb: bytes | None = None
            lv: LiveValue | None = compile_rule(tag, rec.rule, seed)
        else:
            vb = _static_vb(self.keys[i], rec)
            lv = None
        if i < len(self.vbs):
            # Order matters for a concurrent reader: clear the static TLV last when
            # turning live, set it first when turning static.
            if lv is None:
                self.vbs[i] = vb
                self.live[i] = None
            else:
                self.live[i] = lv
                self.vbs[i] = None
            self.tags[i] = tag
            self.records[i] = rec
        else:
            self.vbs.append(vb)
            self.live.append(lv)
            self.tags.append(tag)

    def __len__(self) -> int:
        return len(self.oids)

    def index(self, oid: OID) -> int | None:
        return self.pos.get(oid_key(oid))

    def get(self, oid: OID) -> Record | None:
        i = self.index(oid)
        return None if i is None else self.records[i]

    def replace(self, i: int, rec: Record) -> None:
        """Change the value (or rule) of the object at position ``i`` in place."""
        # Mark the position live first: a concurrent bulk then takes the careful path
        # until the sums are rebuilt.
        self.live_cum = list(range(len(self.vbs) + 1))  # every run counts as live
        self._encode(i, rec, i)
        self._prefix_sums()

    def next_index(self, oid: OID) -> int:
        """Position of the first object strictly after ``oid`` (may be ``len``)."""
        return bisect.bisect_right(self.oids, oid)

    def value_tlv(self, i: int, t: float) -> bytes:
        lv = self.live[i]
        if lv is not None:
            return lv.tlv(t)
        vb = self.vbs[i]
        assert vb is not None
        # The var-bind is SEQUENCE { OID, value }: skip the two headers.
        _, s, e = ber.read_tlv(vb, 0, len(vb))
        _, _, oe = ber.read_tlv(vb, s, e)
        return vb[oe:e]

    def snapshot(self, t: float) -> list[tuple[OID, str, Any]]:
        """Every object's current value, for exports and the API."""
        out: list[tuple[OID, str, Any]] = []
        for i, rec in enumerate(self.records):
            if self.live[i] is None:
                out.append((rec.oid, rec.type, rec.value))
            else:
                out.append((rec.oid, rec.type, values.decode_value(self.value_tlv(i, t))[1]))
        return out

    def with_changes(
        self, upserts: Iterable[Record] = (), removals: Iterable[OID] = ()
    ) -> OidStore:
        gone = set(removals)
        merged = {r.oid: r for r in self.records if r.oid not in gone}
        for rec in upserts:
            merged[rec.oid] = rec
        return OidStore(merged.values())

    def has_object_prefix(self, oid: OID) -> bool:
        """Whether some instance lives under ``oid[:-1]`` (noSuchInstance vs noSuchObject)."""
        if len(oid) < 2:
            return False
        parent = oid[:-1]
        i = bisect.bisect_left(self.oids, parent)
        return i < len(self.oids) and self.oids[i][: len(parent)] == parent
