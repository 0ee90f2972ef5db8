"""Turn a profile plus a device's configuration into that device's records.

This is where one recording becomes many different devices: the number of interfaces
(rows of ifTable/ifXTable cloned from the profile's rows), a seed that shifts every
counter, and per-device overrides (``sysName``, ``sysLocation``, any OID).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from services.common.snmp import ber, values
from services.simulator.device import (
    FRIENDLY_KEYS,
    IF_NUMBER,
    IF_TABLE_ENTRY,
    IF_X_ENTRY,
    DeviceConfig,
)
from services.simulator.imports.snmprec import parse_value
from services.simulator.store import OID, Record, check_record, oid_key
from services.simulator.values_live import LiveRule, exact_int, parse_params

_COUNTERS = ("Counter32", "Counter64")
_DIGITS = re.compile(r"\d+$")


class OverrideError(ValueError):
    """An override cannot be applied; the message names the key."""


def _h(seed: int, oid: OID) -> int:
    """A stable per-(seed, OID) number (the same after a restart, unlike hash())."""
    key = oid_key(oid)
    return zlib.crc32(key, seed & 0xFFFFFFFF) | (zlib.crc32(key[::-1], seed >> 32 & 0xFFFF) << 32)


def resolve_key(key: str) -> OID:
    if key in FRIENDLY_KEYS:
        return FRIENDLY_KEYS[key]
    try:
        return ber.parse_oid(key)
    except ValueError as exc:
        raise OverrideError(
            f"override key {key!r}: use a numeric OID or one of {', '.join(FRIENDLY_KEYS)}"
        ) from exc


def override_record(key: str, spec: Any, existing: Record | None) -> Record:
    """An override is a bare value (keeps the existing type), or
    ``{"type": ..., "value": ...}``, or ``{"type": ..., "rule": "rate=10,..."}``."""
    oid = resolve_key(key)
    if isinstance(spec, dict):
        type_name = spec.get("type") or (existing.type if existing else None)
        if not type_name:
            raise OverrideError(f"override {key!r}: new object needs a 'type'")
        try:
            type_name = values.canonical_type(str(type_name))
        except ValueError as exc:
            raise OverrideError(f"override {key!r}: {exc}") from None
        if "rule" in spec:
            rule_spec = spec["rule"]
            params = parse_params(rule_spec) if isinstance(rule_spec, str) else {
                str(k): str(v) for k, v in dict(rule_spec).items()}  # fmt: skip
            rec = Record(oid, type_name, 0, LiveRule("numeric", params))
        else:
            raw = spec.get("value")
            rec = Record(oid, type_name, _coerce(type_name, raw, bool(spec.get("hex"))))
    else:
        if existing is None:
            raise OverrideError(f"override {key!r}: no such object in the profile; "
                                'give {"type": ..., "value": ...}')  # fmt: skip
        rec = Record(oid, existing.type, _coerce(existing.type, spec, False))
    try:
        return check_record(rec)
    except ValueError as exc:
        raise OverrideError(f"override {key!r}: {exc}") from None


def _coerce(type_name: str, raw: Any, hex_encoded: bool) -> Any:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if type_name in ("OctetString", "Opaque"):
            return str(raw).encode()
        return int(raw)
    return parse_value(type_name, "" if raw is None else str(raw), hex_encoded)


def _resize_table(recs: dict[OID, Record], entry: OID, n: int, seed: int) -> None:
    width = len(entry) + 2
    rows: dict[int, list[Record]] = {}
    for oid, rec in list(recs.items()):
        if len(oid) == width and oid[: len(entry)] == entry:
            rows.setdefault(oid[-1], []).append(rec)
            del recs[oid]
    if not rows:
        return
    templates = sorted(rows)
    for k in range(1, n + 1):
        src = templates[(k - 1) % len(templates)]
        for rec in rows[src]:
            col = rec.oid[len(entry)]
            oid = (*entry, col, k)
            value = rec.value
            if entry == IF_TABLE_ENTRY and col == 1:
                value = k
            elif isinstance(value, bytes) and ((entry == IF_TABLE_ENTRY and col == 2) or (
                    entry == IF_X_ENTRY and col == 1)) and k != src:  # fmt: skip
                text = value.decode("utf-8", "replace")
                value = (_DIGITS.sub(str(k - 1), text) if _DIGITS.search(text)
                         else f"{text}{k}").encode()  # fmt: skip
            elif entry == IF_TABLE_ENTRY and col == 6 and isinstance(value, bytes) and value:
                value = value[:-2] + bytes([(k >> 8) & 0xFF, k & 0xFF])
            rule = rec.rule
            if rule is not None and k != src:
                params = dict(rule.params)
                base = exact_int(params.get("initial") or "0")
                params["initial"] = str(int(base + _h(seed, oid) % 1_000_000_000))
                rule = LiveRule(rule.kind, params)
            recs[oid] = Record(oid, rec.type, value, rule)


def build_records(profile: list[Record], cfg: DeviceConfig) -> list[Record]:
    recs: dict[OID, Record] = {
        r.oid: Record(r.oid, r.type, r.value, LiveRule(r.rule.kind, dict(r.rule.params))
                      if r.rule else None) for r in profile}  # fmt: skip
    if cfg.interfaces is not None:
        _resize_table(recs, IF_TABLE_ENTRY, cfg.interfaces, cfg.seed)
        _resize_table(recs, IF_X_ENTRY, cfg.interfaces, cfg.seed)
        if IF_NUMBER in recs:
            recs[IF_NUMBER] = Record(IF_NUMBER, recs[IF_NUMBER].type, cfg.interfaces)
    if cfg.seed:
        for oid, rec in recs.items():
            if rec.type not in _COUNTERS:
                continue
            shift = _h(cfg.seed, oid) % (2**31)
            if rec.rule is not None:
                base = exact_int(rec.rule.params.get("initial") or "0")
                rec.rule.params["initial"] = str(int(base + shift))
            elif isinstance(rec.value, int):
                rec.value = (rec.value + shift) % (2**32 if rec.type == "Counter32" else 2**64)
    if "counter32_wrap" in cfg.faults.quirks:
        for rec in recs.values():
            if rec.type == "Counter32" and rec.rule is not None:
                rate = float(rec.rule.params.get("rate", "0") or 0)
                # Wrap about 30 seconds after the device starts.
                rec.rule.params["initial"] = str(int(2**32 - max(rate, 1) * 30))
    for key, spec in cfg.overrides.items():
        oid = resolve_key(key)
        recs[oid] = override_record(key, spec, recs.get(oid))
    return list(recs.values())
