"""A simulated device: its configuration (what the API and the data file hold) and its
runtime (the OID store the data plane reads, per-PDU counters, last activity)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from services.common.snmp import ber
from services.simulator.store import OID, OidStore, Record

# Counter slots of a device, indexed by the data plane (a list of ints, no dict lookups).
PDU_SLOTS = ("get", "getnext", "getbulk", "set", "v3", "dropped", "errors", "varbinds")
SLOT = {name: i for i, name in enumerate(PDU_SLOTS)}

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")

# RFC 1213 / RFC 2863 objects the simulator itself knows about (notifications on state
# change, interface templating); everything else comes from profile data.
IF_TABLE_ENTRY = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IF_X_ENTRY = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IF_NUMBER = (1, 3, 6, 1, 2, 1, 2, 1, 0)
IF_OPER_STATUS_COL = 8
IF_ADMIN_STATUS_COL = 7
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)
SYS_LOCATION = (1, 3, 6, 1, 2, 1, 1, 6, 0)
SYS_CONTACT = (1, 3, 6, 1, 2, 1, 1, 4, 0)
SYS_DESCR = (1, 3, 6, 1, 2, 1, 1, 1, 0)

# Friendly override keys (templates and the API) -> OIDs.
FRIENDLY_KEYS: dict[str, OID] = {
    "sysDescr": SYS_DESCR,
    "sysContact": SYS_CONTACT,
    "sysName": SYS_NAME,
    "sysLocation": SYS_LOCATION,
}

DEFAULT_WRITABLE = [
    "1.3.6.1.2.1.1.4",  # sysContact
    "1.3.6.1.2.1.1.5",  # sysName
    "1.3.6.1.2.1.1.6",  # sysLocation
    "1.3.6.1.2.1.2.2.1.7",  # ifAdminStatus
    "1.3.6.1.2.1.2.2.1.8",  # ifOperStatus: lets a lab SET an interface down (linkDown)
    "1.3.6.1.2.1.31.1.1.1.18",  # ifAlias
]


class Faults(BaseModel):
    """Misbehaviour on purpose (documented in docs/simulator-faults.md)."""

    delay_ms: int = Field(default=0, ge=0, le=60_000, description="Delay every response.")
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of requests ignored.")
    error_status: int | None = Field(
        default=None, ge=1, le=18, description="Answer every request with this error-status."
    )
    quirks: list[
        Literal[
            "bulk_ignores_max_repetitions",
            "non_increasing_oid",
            "counter32_wrap",
            "too_big",
            "no_bulk",
        ]
    ] = Field(default_factory=list)


class NotificationTarget(BaseModel):
    host: str
    port: int = Field(default=162, ge=1, le=65535)
    version: Literal["v1", "v2c", "v3"] = "v2c"
    community: str = "public"
    inform: bool = False
    user: str | None = Field(default=None, description="SNMPv3 user name (from the users list).")
    timeout_ms: int = Field(default=1000, ge=10, le=60_000)
    retries: int = Field(default=1, ge=0, le=10)


class Schedule(BaseModel):
    trap: str = Field(description="Standard name, numeric OID or MODULE::name.")
    every_s: float = Field(ge=0.1, le=86_400)
    index: str | None = Field(default=None, description="Instance suffix for the objects.")
    inform: bool | None = None


class DeviceConfig(BaseModel):
    name: str
    profile: str = "default"
    community: str = "public"
    write_community: str | None = Field(
        default=None, description="Community allowed to SET (None: the read community may SET)."
    )
    port: int | None = Field(default=None, ge=1, le=65535, description="Own UDP port.")
    address: str | None = Field(default=None, description="Own bind address (with port).")
    context: str = Field(default="", description="SNMPv3 context name selecting this device.")
    overrides: dict[str, Any] = Field(default_factory=dict)
    interfaces: int | None = Field(default=None, ge=0, le=4096)
    seed: int = 0
    writable: list[str] = Field(default_factory=lambda: list(DEFAULT_WRITABLE))
    creatable: list[str] = Field(default_factory=list)
    persist_writes: bool = False
    enabled: bool = True
    faults: Faults = Field(default_factory=Faults)
    targets: list[NotificationTarget] = Field(default_factory=list)
    link_traps: bool = Field(default=True, description="linkDown/linkUp on ifOperStatus change.")
    schedules: list[Schedule] = Field(default_factory=list)
    start_traps: bool = Field(
        default=True, description="coldStart on start, warmStart on restart, to its targets."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("a device name is 1-64 letters, digits, '_', '-' or '.'")
        return v

    @field_validator("community", "write_community")
    @classmethod
    def _community(cls, v: str | None) -> str | None:
        if v is not None and not (1 <= len(v) <= 64 and v.isprintable()):
            raise ValueError("a community is 1-64 printable characters")
        return v

    @field_validator("writable", "creatable")
    @classmethod
    def _prefixes(cls, v: list[str]) -> list[str]:
        for p in v:
            ber.parse_oid(p)
        return v


def faults_active(f: Faults) -> bool:
    return bool(f.delay_ms or f.drop_rate or f.error_status or f.quirks)


def _prefix_match(oid: OID, prefixes: list[OID]) -> bool:
    return any(oid[: len(p)] == p for p in prefixes)


class Device:
    """Runtime state of one device. The data plane reads ``store``, ``running``,
    ``faults`` and bumps ``counts``; the control plane replaces them."""

    def __init__(self, config: DeviceConfig, store: OidStore) -> None:
        self.config = config
        self.store = store
        self.name = config.name
        self.community = config.community.encode()
        self.write_community = (config.write_community or config.community).encode()
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.running = config.enabled
        self.counts = [0] * len(PDU_SLOTS)
        self.last_activity: float | None = None
        self.writable = [ber.parse_oid(p) for p in config.writable]
        self.creatable = [ber.parse_oid(p) for p in config.creatable]
        # None when nothing is configured, so the data plane pays one test per request.
        self.faults: Faults | None = config.faults if faults_active(config.faults) else None
        self.write_lock = threading.Lock()
        self.writes: dict[OID, Record] = {}
        self.writes_dirty = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def is_writable(self, oid: OID) -> bool:
        return _prefix_match(oid, self.writable)

    def is_creatable(self, oid: OID) -> bool:
        return _prefix_match(oid, self.creatable)

    def restart_clock(self) -> None:
        self.started = time.monotonic()
        self.started_wall = time.time()

    def summary(self) -> dict[str, Any]:
        c = self.counts
        return {
            "name": self.name,
            "running": self.running,
            "profile": self.config.profile,
            "community": self.config.community,
            "port": self.config.port,
            "address": self.config.address,
            "context": self.config.context,
            "oids": len(self.store),
            "uptime_seconds": int(self.elapsed()) if self.running else None,
            "requests": {name: c[i] for i, name in enumerate(PDU_SLOTS)},
            "last_activity": _iso(self.last_activity),
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"
