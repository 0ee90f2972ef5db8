"""Import snmpsim ``.snmprec`` data: ``OID|TAG|VALUE`` lines.

``TAG`` is the BER tag in decimal (2 Integer32, 4 OctetString, 5 Null, 6 OID,
64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 68 Opaque, 70 Counter64), with an
``x`` suffix when the value is hex-encoded and ``:module`` when an snmpsim variation
module computes it. The ``numeric`` module becomes a live value here; other modules
(writecache, sql, redis, notification, ...) are not supported and are reported per line:
the line keeps its ``value=`` as a static value when it has one, else it is skipped.
"""

from __future__ import annotations

import re

from services.common.snmp import ber, values
from services.simulator.imports.report import ImportReport
from services.simulator.store import Record, check_record
from services.simulator.values_live import NUMERIC_PARAMS, LiveRule, RuleError, parse_params

TAG_TYPES: dict[int, str] = {
    2: "Integer32",
    4: "OctetString",
    5: "Null",
    6: "ObjectIdentifier",
    64: "IpAddress",
    65: "Counter32",
    66: "Gauge32",
    67: "TimeTicks",
    68: "Opaque",
    70: "Counter64",
}
_TAG_RE = re.compile(r"^(\d+)([a-z]?)(?::([A-Za-z0-9_\-]+))?$")
_INTEGER_TAGS = {2, 65, 66, 67, 70}


def parse_value(type_name: str, text: str, hex_encoded: bool) -> object:
    """The Python value of a snmprec/API value; ValueError with a reason."""
    if hex_encoded:
        try:
            raw = bytes.fromhex(text.replace(" ", "").replace(":", ""))
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not valid hex") from None
        if type_name in ("OctetString", "Opaque"):
            return raw
        if type_name == "IpAddress":
            if len(raw) != 4:
                raise ValueError("IpAddress needs 4 octets")
            return ".".join(str(b) for b in raw)
        if type_name == "ObjectIdentifier":
            return ber.oid_str(ber.decode_oid(raw))
        return int.from_bytes(raw, "big", signed=type_name == "Integer32")
    if type_name in ("OctetString", "Opaque"):
        return text.encode("utf-8")
    if type_name == "Null":
        return None
    if type_name in ("ObjectIdentifier", "IpAddress"):
        return text.strip().lstrip(".") if type_name == "ObjectIdentifier" else text.strip()
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not an integer") from None


def parse_snmprec(text: str) -> tuple[list[Record], ImportReport]:
    report = ImportReport("snmprec")
    records: list[Record] = []
    seen: dict[tuple[int, ...], int] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        report.lines = lineno
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3:
            report.skip(lineno, "expected OID|TAG|VALUE", line)
            continue
        oid_text, tag_text, value_text = parts
        try:
            oid = ber.parse_oid(oid_text)
        except ValueError as exc:
            report.skip(lineno, f"bad OID: {exc}", line)
            continue
        m = _TAG_RE.match(tag_text.strip())
        if not m:
            report.skip(lineno, f"bad type tag {tag_text!r}", line)
            continue
        tag, suffix, module = int(m.group(1)), m.group(2), m.group(3)
        type_name = TAG_TYPES.get(tag)
        if type_name is None:
            report.skip(lineno, f"type tag {tag} is not an SNMP value type", line)
            continue
        if suffix not in ("", "x"):
            report.skip(lineno, f"unknown tag suffix {suffix!r} (only 'x' for hex)", line)
            continue
        rule = None
        if module:
            params = parse_params(value_text)
            static = params.get("value")
            if module == "numeric" and tag in _INTEGER_TAGS:
                ignored = sorted(set(params) - NUMERIC_PARAMS)
                if ignored:
                    report.coerce(lineno, f"numeric parameters not supported, ignored: "
                                  f"{', '.join(ignored)}", line)  # fmt: skip
                rule = LiveRule("numeric", {k: v for k, v in params.items() if k in NUMERIC_PARAMS})
                value: object = 0
            elif static is not None:
                report.coerce(lineno, f"variation module {module!r} is not supported; "
                              "imported its value= as a static value", line)  # fmt: skip
                try:
                    value = parse_value(type_name, static, bool(suffix))
                except ValueError as exc:
                    report.skip(lineno, f"variation module {module!r} is not supported "
                                f"and its value= is unusable: {exc}", line)  # fmt: skip
                    continue
            else:
                report.skip(lineno, f"variation module {module!r} is not supported "
                            "(no static value= to fall back on)", line)  # fmt: skip
                continue
        else:
            try:
                value = parse_value(type_name, value_text, bool(suffix))
            except ValueError as exc:
                report.skip(lineno, str(exc), line)
                continue
        try:
            rec = check_record(Record(oid, type_name, value, rule))
        except (ValueError, RuleError) as exc:
            report.skip(lineno, str(exc), line)
            continue
        if oid in seen:
            report.coerce(lineno, f"duplicate OID (first on line {seen[oid]}); this line wins",
                          line)  # fmt: skip
            records = [r for r in records if r.oid != oid]
        seen[oid] = lineno
        records.append(rec)
    report.imported = len(records)
    return records, report


def type_tag(type_name: str) -> int:
    return values.TYPE_TAGS[values.canonical_type(type_name)]
