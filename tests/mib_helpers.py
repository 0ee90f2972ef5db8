"""Shared helpers for the MIB tests: the standard MIBs and a compiled index, made once.

The standard modules come from ``tools/standard-mibs/fetch.sh`` (run here when missing,
so a fresh clone's tests provision themselves); compiled modules are cached under
``build/mib-test-cache`` so only the first run pays for pysmi.
"""

from __future__ import annotations

import fcntl
import subprocess
from functools import cache
from pathlib import Path

from services.common.mibs.index import MibIndex

ROOT = Path(__file__).resolve().parents[1]
STANDARD_DIR = ROOT / "build" / "standard-mibs"
CACHE_DIR = ROOT / "build" / "mib-test-cache"


def standard_dir() -> Path:
    """The standard MIB cache, fetched by the project's own script if it is not there."""
    STANDARD_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(STANDARD_DIR.parent / ".standard-mibs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (STANDARD_DIR / ".complete").is_file():
            subprocess.run(
                ["bash", str(ROOT / "tools/standard-mibs/fetch.sh"), str(STANDARD_DIR)],
                check=True,
                timeout=600,
            )
    return STANDARD_DIR


def compile_to(user_dir: Path, out: Path, modules: list[str] | None = None) -> dict:
    from services.gateway.mibs.compiler import compile_library

    user_dir.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR.parent / ".mib-test-cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return compile_library(
            str(user_dir), str(standard_dir()), str(CACHE_DIR), str(out), modules
        )


@cache
def standard_index() -> MibIndex:
    """The index of the default standard set (no user modules)."""
    out = CACHE_DIR / "standard-index.json"
    summary = compile_to(CACHE_DIR / "no-user-modules", out)
    return MibIndex.from_json(out.read_bytes(), etag=summary["etag"])


_VENDOR_MIB = """{module} DEFINITIONS ::= BEGIN

IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, Integer32, enterprises
        FROM SNMPv2-SMI
    DisplayString
        FROM SNMPv2-TC
    ifIndex
        FROM IF-MIB;

acmeSwitch MODULE-IDENTITY
    LAST-UPDATED "202601010000Z"
    ORGANIZATION "ACME"
    CONTACT-INFO "noc@acme.example"
    DESCRIPTION  "Ports of ACME switches. {note}"
    ::= {{ enterprises {arc} }}

acmeObjects OBJECT IDENTIFIER ::= {{ acmeSwitch 1 }}
acmeNotifications OBJECT IDENTIFIER ::= {{ acmeSwitch 0 }}

acmePortTable OBJECT-TYPE
    SYNTAX      SEQUENCE OF AcmePortEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "The ports."
    ::= {{ acmeObjects 1 }}

acmePortEntry OBJECT-TYPE
    SYNTAX      AcmePortEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "One port."
    INDEX       {{ ifIndex }}
    ::= {{ acmePortTable 1 }}

AcmePortEntry ::= SEQUENCE {{ acmePortName DisplayString, acmePortState INTEGER }}

acmePortName OBJECT-TYPE
    SYNTAX      DisplayString (SIZE (0..64))
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "The port's label on the front panel."
    ::= {{ acmePortEntry 1 }}

acmePortState OBJECT-TYPE
    SYNTAX      INTEGER {{ up(1), down(2), errDisabled(3) }}
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "The port's state."
    ::= {{ acmePortEntry 2 }}

acmePortDown NOTIFICATION-TYPE
    OBJECTS     {{ ifIndex, acmePortName, acmePortState }}
    STATUS      current
    DESCRIPTION "A port went down."
    ::= {{ acmeNotifications 1 }}

END
"""


def vendor_mib(module: str = "ACME-SWITCH-MIB", arc: int = 99999, note: str = "") -> bytes:
    """A vendor-style module importing SNMPv2-SMI, SNMPv2-TC and IF-MIB: a table indexed by
    ifIndex (a DisplayString and an enum column) and a notification with its objects."""
    return _VENDOR_MIB.format(module=module, arc=arc, note=note).encode()
