"""SET with RFC 3416 section 4.2.5 semantics, atomic across the var-binds.

Every var-bind is checked first (access, existence/creation, type, length, value); only
when all pass are the values written, in one step under the device's write lock. Which
objects are writable or creatable is the device's policy (OID prefixes). Value
constraints come from the object's type, from the per-device ``constraints`` and from the
built-in constraints of the objects a default device lets you write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.snmp import ber, values
from services.common.snmp.message import (
    NO_ACCESS,
    NO_CREATION,
    NOT_WRITABLE,
    WRONG_ENCODING,
    WRONG_LENGTH,
    WRONG_TYPE,
    WRONG_VALUE,
)
from services.simulator.device import Device
from services.simulator.store import OID, Record
from services.simulator.values_live import rule_with_initial

# (min size, max size) for strings, or allowed integer values, of well-known writable
# objects (SNMPv2-MIB DisplayString SIZE (0..255), IF-MIB enums and ifAlias).
_SIZE: dict[OID, tuple[int, int]] = {
    (1, 3, 6, 1, 2, 1, 1, 4): (0, 255),
    (1, 3, 6, 1, 2, 1, 1, 5): (0, 255),
    (1, 3, 6, 1, 2, 1, 1, 6): (0, 255),
    (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18): (0, 64),
}
_ENUMS: dict[OID, frozenset[int]] = {
    (1, 3, 6, 1, 2, 1, 2, 2, 1, 7): frozenset({1, 2, 3}),
    (1, 3, 6, 1, 2, 1, 2, 2, 1, 8): frozenset({1, 2, 3, 4, 5, 6, 7}),
}


def _object_of(oid: OID, table: dict[OID, Any]) -> Any:
    for cut in range(len(oid) - 1, 5, -1):
        hit = table.get(oid[:cut])
        if hit is not None:
            return hit
    return None


class SetChange:
    __slots__ = ("new", "oid", "old")

    def __init__(self, oid: OID, old: Record | None, new: Record) -> None:
        self.oid = oid
        self.old = old
        self.new = new


SyntaxOf = Callable[[OID], Any]


def _mib_base_tag(syntax: Any) -> int | None:
    base = getattr(syntax, "base", "") or ""
    if base == "Bits":
        return ber.OCTET_STRING
    return values.TYPE_TAGS.get(base)


def _within(value: int, ranges: list[list[int]]) -> bool:
    return any(int(lo) <= value <= int(hi) for lo, hi in ranges)


def check_one(
    device: Device, oid: OID, value_tlv: bytes, t: float, syntax_of: SyntaxOf | None = None
) -> tuple[int, Record | None]:
    """``(error_status, record_to_write)`` for one var-bind; status 0 means OK. With the
    MIB library loaded, ``syntax_of`` gives the object's syntax (type, enums, ranges,
    sizes), which then decides wrongType/wrongValue/wrongLength for any object."""
    syntax = syntax_of(oid) if syntax_of is not None else None
    store = device.store
    tag = value_tlv[0]
    if tag in (ber.NULL, ber.NO_SUCH_OBJECT, ber.NO_SUCH_INSTANCE, ber.END_OF_MIB_VIEW):
        return WRONG_TYPE, None
    i = store.index(oid)
    if i is not None:
        current = store.records[i]
        if not device.is_writable(oid):
            return NOT_WRITABLE, None
        if tag != store.tags[i]:
            return WRONG_TYPE, None
        type_name = current.type
    else:
        if not device.is_creatable(oid):
            # The instance does not exist and may never be created here.
            return NO_CREATION, None
        current = None
        mib_tag = _mib_base_tag(syntax)
        if mib_tag is not None and mib_tag != tag:
            return WRONG_TYPE, None
        sibling = _sibling_type(device, oid)
        type_name = sibling or values.TAG_TYPES.get(tag, "")
        if not type_name or values.TYPE_TAGS.get(type_name) != tag:
            return WRONG_TYPE, None
    try:
        _, value = values.decode_value(value_tlv)
        values.encode_value(type_name, value)
    except (ValueError, ber.DecodeError):
        return (WRONG_LENGTH if tag == ber.IP_ADDRESS else WRONG_ENCODING), None
    if isinstance(value, bytes):
        size = _object_of(oid, _SIZE)
        if size is not None and not size[0] <= len(value) <= size[1]:
            return WRONG_LENGTH, None
        sizes = getattr(syntax, "sizes", None)
        if sizes and not _within(len(value), sizes):
            return WRONG_LENGTH, None
    elif isinstance(value, int):
        allowed = _object_of(oid, _ENUMS)
        if allowed is not None and value not in allowed:
            return WRONG_VALUE, None
        enums = getattr(syntax, "enums", None)
        if enums and value not in enums:
            return WRONG_VALUE, None
        ranges = getattr(syntax, "ranges", None)
        if ranges and not _within(value, ranges):
            return WRONG_VALUE, None
    if current is not None and current.rule is not None and isinstance(value, int):
        rule = rule_with_initial(current.rule, tag, value, t)
        return 0, Record(oid, type_name, value, rule)
    return 0, Record(oid, type_name, value)


def _sibling_type(device: Device, oid: OID) -> str | None:
    store = device.store
    j = store.next_index(oid[:-1])
    if j < len(store.oids) and store.oids[j][: len(oid) - 1] == oid[:-1]:
        return store.records[j].type
    return None


def apply_set(
    device: Device,
    keys: list[bytes],
    vals: list[bytes],
    v1: bool,
    may_write: bool,
    t: float,
    on_write: Callable[[Device, list[Any]], None] | None,
    syntax_of: SyntaxOf | None = None,
) -> tuple[int, int, bytes]:
    """``(error_status, error_index, response var-binds)``; v2 error codes (the caller
    maps them for v1)."""
    if not may_write:
        return NO_ACCESS, 1, b""
    oids = [ber.decode_oid(k) for k in keys]
    with device.write_lock:
        checked: list[Record] = []
        for k, (oid, val) in enumerate(zip(oids, vals, strict=True)):
            status, rec = check_one(device, oid, val, t, syntax_of)
            if status:
                return status, k + 1, b""
            assert rec is not None
            checked.append(rec)
        changes = commit(device, checked)
    if on_write is not None:
        on_write(device, changes)
    return (
        0,
        0,
        b"".join(ber.tlv(0x30, ber.tlv(0x06, k) + v) for k, v in zip(keys, vals, strict=True)),
    )


def commit(device: Device, records: list[Record]) -> list[SetChange]:
    """Write checked records (caller holds the write lock)."""
    store = device.store
    changes: list[SetChange] = []
    new: list[Record] = []
    for rec in records:
        i = store.index(rec.oid)
        if i is None:
            new.append(rec)
            changes.append(SetChange(rec.oid, None, rec))
        else:
            changes.append(SetChange(rec.oid, store.records[i], rec))
            store.replace(i, rec)
        device.writes[rec.oid] = rec
    if new:
        device.store = store.with_changes(upserts=new)
    device.writes_dirty = True
    return changes
