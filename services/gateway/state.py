"""The live state the gateway shows: each service's last status and stats, pulled and pushed.

``full_state`` is pulled from every control API in parallel with short timeouts; events
keep the caches current between pulls. A service that does not answer shows as not
running, with ``"reachable": false`` (an added field).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from typing import Any

from services.gateway.upstream import Upstream

# The counters the contract names, so a section is never missing a field the UI reads.
STATS_DEFAULTS: dict[str, dict[str, Any]] = {
    "simulator": {
        "start_count": 0,
        "stop_count": 0,
        "restart_count": 0,
        "oids_loaded": 0,
        "total_oids_simulated": 0,
        "snmp_requests_served": 0,
        "simulator_run_seconds": 0,
        "last_request_at": None,
    },
    "traps": {
        "receiver_start_count": 0,
        "receiver_stop_count": 0,
        "traps_received_total": 0,
        "traps_cleared_count": 0,
        "receiver_run_seconds": 0,
        "traps_sent_total": 0,
    },
    "walker": {"walks_executed": 0, "walks_failed": 0, "oids_returned": 0},
    "mibs": {
        "reload_count": 0,
        "upload_count": 0,
        "delete_count": 0,
        "loaded_mibs": 0,
        "failed_mibs": 0,
        "total_mibs": 0,
    },
}

_SIM_KEYS = ("running", "pid", "port", "community", "uptime")
_TRAPS_KEYS = ("running", "pid", "port", "resolve_mibs")


def format_uptime(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    total = int(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def simulator_part(body: Any, reachable: bool = True) -> dict[str, Any]:
    part: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
    for key in _SIM_KEYS:
        part.setdefault(key, None)
    part["running"] = bool(part["running"])
    if part["uptime"] is None and part["running"]:
        secs = part.get("uptime_seconds")
        part["uptime"] = format_uptime(secs) if isinstance(secs, int | float) else None
    part["reachable"] = reachable
    return part


def traps_part(body: Any, reachable: bool = True) -> dict[str, Any]:
    part: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
    for key in _TRAPS_KEYS:
        part.setdefault(key, None)
    part["running"] = bool(part["running"])
    part["reachable"] = reachable
    return part


def deep_merge(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            deep_merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


class LiveState:
    def __init__(
        self,
        upstream: Upstream,
        mib_stats: Callable[[], dict[str, Any]],
        mib_summary: Callable[[], dict[str, Any]],
    ) -> None:
        self.upstream = upstream
        self._mib_stats = mib_stats
        self._mib_summary = mib_summary
        self.status: dict[str, Any] = {"simulator": None, "trapd": None}
        self.reachable: dict[str, bool] = {"simulator": False, "trapd": False}
        self.service_stats: dict[str, dict[str, Any]] = {}

    # -- caches fed by events ----------------------------------------------------------
    def set_status(self, service: str, body: Any) -> None:
        if service in self.status and isinstance(body, dict):
            self.status[service] = body
            self.reachable[service] = True

    def set_stats(self, service: str, body: Any) -> None:
        if isinstance(body, dict):
            self.service_stats[service] = body

    def status_key(self) -> tuple[Any, ...]:
        """What a person would notice changing: up or down, reachable, which process."""
        out: list[Any] = []
        for service in ("simulator", "trapd"):
            body = self.status[service] or {}
            out += [
                self.reachable[service],
                bool(body.get("running")),
                body.get("pid"),
                body.get("port"),
            ]
        return tuple(out)

    # -- messages ----------------------------------------------------------------------
    def status_message(self) -> dict[str, Any]:
        return {
            "type": "status",
            "simulator": simulator_part(self.status["simulator"], self.reachable["simulator"]),
            "traps": traps_part(self.status["trapd"], self.reachable["trapd"]),
        }

    def merged_stats(self) -> dict[str, Any]:
        merged = copy.deepcopy(STATS_DEFAULTS)
        for service in ("simulator", "trapd", "walker"):
            body = self.service_stats.get(service)
            if body:
                deep_merge(merged, body)
        with contextlib.suppress(Exception):  # the MIB library must not break stats
            deep_merge(merged, {"mibs": self._mib_stats()})
        return merged

    def stats_message(self) -> dict[str, Any]:
        return {"type": "stats", "data": self.merged_stats()}

    def mibs_summary(self) -> dict[str, Any]:
        try:
            return dict(self._mib_summary())
        except Exception:
            return {"loaded": 0, "failed": 0, "total": 0, "traps_available": 0}

    # -- pulls ---------------------------------------------------------------------------
    async def pull_status(self) -> None:
        sim, traps = await asyncio.gather(
            self.upstream.get_json("simulator", "/simulator/status"),
            self.upstream.get_json("trapd", "/traps/status"),
        )
        for service, body in (("simulator", sim), ("trapd", traps)):
            if body is None:
                self.reachable[service] = False
                self.status[service] = None
            else:
                self.set_status(service, body)

    async def pull_stats(self) -> None:
        names = ("simulator", "trapd", "walker")
        bodies = await asyncio.gather(*(self.upstream.get_json(n, "/stats") for n in names))
        for name, body in zip(names, bodies, strict=True):
            if body is not None:
                self.set_stats(name, body)

    async def full_state(self) -> dict[str, Any]:
        await asyncio.gather(self.pull_status(), self.pull_stats())
        status = self.status_message()
        return {
            "type": "full_state",
            "simulator": status["simulator"],
            "traps": status["traps"],
            "stats": self.merged_stats(),
            "mibs": self.mibs_summary(),
        }
