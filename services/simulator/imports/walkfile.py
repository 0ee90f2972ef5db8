"""Import Net-SNMP walk output (``snmpwalk``/``snmpbulkwalk``), numeric or symbolic.

Handles ``-On`` (``.1.3.6...``), the default ``iso.3.6...`` form and ``MODULE::name.index``
names (resolved through the MIB index when one is given), quoted strings that run over
several lines, multi-line ``Hex-STRING``, ``Timeticks: (n) ...``, enum ``INTEGER: up(1)``,
values with UNITS suffixes, ``OID``, ``IpAddress``, ``Network Address``, ``BITS`` and
``""``. Every line that is not imported as is gets a report entry with its number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.common.snmp import ber
from services.simulator.imports.report import ImportReport
from services.simulator.store import OID, Record, check_record

Resolver = Callable[[str], OID]

_LINE = re.compile(r"^(?P<name>\S+) = (?:(?P<type>[A-Za-z][A-Za-z0-9 \-]*?): ?)?(?P<value>.*)$")
_HEX_LINE = re.compile(r"^(?:[0-9A-Fa-f]{2} ?)+$")
_INT = re.compile(r"^-?\d+")
_ENUM = re.compile(r"\((-?\d+)\)\s*$")
_TICKS = re.compile(r"^\((\d+)\)")
_NO_VALUE = ("No Such Object", "No Such Instance", "No more variables left")

_TYPES = {
    "STRING": "OctetString",
    "Hex-STRING": "OctetString",
    "INTEGER": "Integer32",
    "Gauge32": "Gauge32",
    "Counter32": "Counter32",
    "Counter64": "Counter64",
    "Timeticks": "TimeTicks",
    "OID": "ObjectIdentifier",
    "IpAddress": "IpAddress",
    "Network Address": "IpAddress",
    "UInteger32": "Unsigned32",
    "Unsigned32": "Unsigned32",
    "BITS": "OctetString",
    "NULL": "Null",
    "Opaque": "Opaque",
}


class NameError_(ValueError):
    pass


def resolve_name(name: str, resolver: Resolver | None) -> OID:
    text = name.strip()
    if text.startswith("iso."):
        text = "1." + text[4:]
    elif text.startswith(".iso."):
        text = "1." + text[5:]
    if re.fullmatch(r"\.?\d+(\.\d+)+", text):
        return ber.parse_oid(text)
    if resolver is None:
        raise NameError_(f"cannot resolve {name!r} without MIBs; load its MIB or walk with -On")
    try:
        return tuple(resolver(name))
    except ValueError as exc:
        raise NameError_(f"cannot resolve {name!r}: {exc}") from None


def _unquote(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _closed(quoted: str) -> bool:
    """Whether a value that starts with a quote has its closing quote (not escaped)."""
    if len(quoted) < 2 or not quoted.endswith('"'):
        return False
    backslashes = len(quoted) - 1 - len(quoted[:-1].rstrip("\\"))
    return backslashes % 2 == 0


def parse_walk(text: str, resolver: Resolver | None = None) -> tuple[list[Record], ImportReport]:
    report = ImportReport("walk")
    records: dict[OID, Record] = {}
    lines = text.splitlines()
    report.lines = len(lines)
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m:
            report.skip(lineno, "not a 'NAME = TYPE: VALUE' line", line)
            continue
        name, type_text, value = m.group("name"), m.group("type"), m.group("value")
        if type_text is None:
            if value.startswith(_NO_VALUE):
                report.note(lineno, "no value at this OID (exception in the walk)", line)
                continue
            if value == '""':
                type_text, value = "STRING", '""'
            elif value.strip() == "NULL":
                type_text, value = "NULL", ""
            else:
                report.skip(lineno, "value has no type (walk without -Oq/-Ov options)", line)
                continue
        type_name = _TYPES.get(type_text)
        # Gather continuation lines of multi-line values.
        if type_text == "STRING" and value.startswith('"'):
            while not _closed(value) and i < len(lines) and not _LINE.match(lines[i]):
                value += "\n" + lines[i]
                i += 1
        elif type_text == "Hex-STRING":
            while i < len(lines) and _HEX_LINE.match(lines[i].strip() or "x"):
                value += " " + lines[i].strip()
                i += 1
        if type_name is None:
            report.skip(lineno, f"value type {type_text!r} is not supported", line)
            continue
        try:
            oid = resolve_name(name, resolver)
        except (NameError_, ValueError) as exc:
            report.skip(lineno, str(exc), line)
            continue
        try:
            parsed = _value(type_text, value, resolver, report, lineno, line)
        except (ValueError, NameError_) as exc:
            report.skip(lineno, f"{type_text} value: {exc}", line)
            continue
        try:
            rec = check_record(Record(oid, type_name, parsed))
        except ValueError as exc:
            report.skip(lineno, str(exc), line)
            continue
        if oid in records:
            report.coerce(lineno, "duplicate OID; this line wins", line)
        records[oid] = rec
    report.imported = len(records)
    return list(records.values()), report


def _value(type_text: str, value: str, resolver: Resolver | None, report: ImportReport,
           lineno: int, line: str) -> object:  # fmt: skip
    v = value.strip()
    if type_text == "STRING":
        if v.startswith('"') and _closed(v):
            return _unquote(v[1:-1]).encode("utf-8")
        return v.encode("utf-8")
    if type_text in ("Hex-STRING", "BITS"):
        hexpart = v
        if type_text == "BITS":
            hexpart = " ".join(t for t in v.split() if re.fullmatch(r"[0-9A-Fa-f]{2}", t))
            report.coerce(lineno, "BITS imported as their octets (OctetString)", line)
        return bytes.fromhex(hexpart.replace(" ", ""))
    if type_text == "Timeticks":
        m = _TICKS.match(v)
        if not m:
            raise ValueError(f"{v!r} is not '(ticks) h:mm:ss'")
        return int(m.group(1))
    if type_text == "INTEGER":
        m = _ENUM.search(v)
        if m:
            return int(m.group(1))
    if type_text in ("INTEGER", "Gauge32", "Counter32", "Counter64", "UInteger32", "Unsigned32"):
        m = _INT.match(v)
        if not m:
            raise ValueError(f"{v!r} is not a number")
        if m.end() != len(v):
            report.coerce(lineno, f"kept the number, dropped the suffix {v[m.end():].strip()!r}",
                          line)  # fmt: skip
        return int(m.group(0))
    if type_text == "OID":
        return ber.oid_str(resolve_name(v, resolver))
    if type_text == "IpAddress":
        return v
    if type_text == "Network Address":
        parts = v.replace(" ", "").split(":")
        return ".".join(str(int(p, 16)) for p in parts)
    if type_text == "NULL":
        return None
    raise ValueError(f"{type_text} values are not supported")
