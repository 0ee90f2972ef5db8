"""The trap daemon: listeners, the pipeline, the store, counters and lifecycle events.

The control API (``routers/``) calls into one :class:`TrapDaemon`; the data plane runs on
its own threads (``receiver.py``, ``pipeline.py``) and the asyncio side only reads
summaries from it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.common.config import ensure_dir
from services.common.counters import PersistentCounters
from services.common.events import EventSender
from services.trapd.config import TrapdSettings
from services.trapd.decode import Decoder
from services.trapd.naming import Naming
from services.trapd.pipeline import Pipeline
from services.trapd.receiver import Listener
from services.trapd.store import TrapStore
from services.trapd.v3 import LocalEngine, UserTable, V3Receiver

log = logging.getLogger(__name__)

DEFAULT_LISTENER = "default"

STATS_DEFAULTS: dict[str, Any] = {
    "receiver_start_count": 0,
    "receiver_stop_count": 0,
    "traps_received_total": 0,
    "traps_cleared_count": 0,
    "receiver_run_seconds": 0,
    "malformed_packets": 0,
    "datagrams_received": 0,
    "traps_decoded": 0,
    "traps_stored": 0,
    "traps_pushed": 0,
    "informs_acked": 0,
    "auth_refused": 0,
    "not_notification": 0,
    "traps_dropped": 0,
    "store_errors": 0,
    "decoder_errors": 0,
    "retention_deleted": 0,
    "last_trap_at": None,
}
# Pipeline counters folded into the persisted stats: pipeline name -> stats key.
_FOLDED = {
    "datagrams": "datagrams_received",
    "decoded": "traps_decoded",
    "stored": "traps_stored",
    "pushed": "traps_pushed",
    "malformed": "malformed_packets",
    "informs_acked": "informs_acked",
    "not_notification": "not_notification",
    "store_errors": "store_errors",
    "decoder_errors": "decoder_errors",
    "retention_deleted": "retention_deleted",
}


def hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class TrapDaemon:
    def __init__(self, settings: TrapdSettings, *, sender: EventSender | None = None) -> None:
        self.settings = settings
        self.data_dir = ensure_dir(Path(settings.trapd_data_dir))
        self.counters = PersistentCounters(self.data_dir / "stats.json", STATS_DEFAULTS)
        self.store = TrapStore(self.data_dir / "traps.sqlite3")
        self.naming = Naming()
        self.decoder = Decoder(self.naming)
        self.sender = sender
        self.pipeline = Pipeline(
            self.store,
            self.decoder,
            sender,
            batch_max=settings.trapd_batch_max,
            retention=self.retention_limits,
        )
        self.users = UserTable(self.data_dir / "v3_users.json")
        self.engine = LocalEngine(self.data_dir / "engine.json")
        self.v3 = V3Receiver(self.users, self.engine, self.decoder)
        self.pipeline.v3 = self.v3.handle
        self._state_path = self.data_dir / "state.json"
        state = self._load_state()
        self.resolve_mibs: bool = bool(state.get("resolve_mibs", settings.trapd_resolve_mibs))
        self.naming.enabled = self.resolve_mibs
        self.default_port: int = int(state.get("port", settings.trapd_snmp_port))
        self.retention_count: int = int(
            state.get("retention_count", settings.trapd_retention_count)
        )
        self.retention_days: float = float(
            state.get("retention_days", settings.trapd_retention_days)
        )
        self.listeners: dict[str, Listener] = {}
        self._lock = threading.RLock()
        self._folded: dict[str, int] = {}
        self._refused_folded: dict[str, int] = {}
        self._dropped_folded: dict[str, int] = {}
        self._fold_lock = threading.Lock()
        self._last_stats_sent: dict[str, Any] | None = None
        self.mib_status: Callable[[], dict[str, Any]] = dict
        self.pipeline.start()

    # -- persisted runtime state ----------------------------------------------------

    def _load_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_state(self) -> None:
        state = {
            "port": self.default_port,
            "resolve_mibs": self.resolve_mibs,
            "retention_count": self.retention_count,
            "retention_days": self.retention_days,
        }
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, self._state_path)

    def retention_limits(self) -> tuple[int, float]:
        return self.retention_count, self.retention_days * 86400.0

    # -- lifecycle ------------------------------------------------------------------

    @property
    def default(self) -> Listener | None:
        return self.listeners.get(DEFAULT_LISTENER)

    @property
    def running(self) -> bool:
        lst = self.default
        return lst is not None and lst.running

    def start(self, port: int | None = None, resolve_mibs: bool | None = None) -> str:
        """Start the default listener. Returns "started" or "already_running".

        Raises :class:`BindError` when the port cannot be bound, and ValueError when asked
        to move a running receiver to another port.
        """
        with self._lock:
            if self.running:
                lst = self.default
                assert lst is not None
                if port is not None and port != lst.port:
                    raise ValueError(
                        f"the receiver is already running on port {lst.port}; "
                        "stop it before starting it on another port"
                    )
                if resolve_mibs is not None:
                    self.set_resolve_mibs(resolve_mibs)
                return "already_running"
            listen_port = self.default_port if port is None else port
            lst = Listener(
                DEFAULT_LISTENER,
                self.settings.trapd_snmp_host,
                listen_port,
                self.settings.trapd_rcvbuf,
                self.pipeline.queue,
            )
            lst.start()
            self.listeners[DEFAULT_LISTENER] = lst
            if port is not None:
                self.default_port = port
            if resolve_mibs is not None:
                self.set_resolve_mibs(resolve_mibs)
            self.save_state()
            self.counters.incr("receiver_start_count")
            self.counters.flush()
        self.push_lifecycle()
        return "started"

    def stop(self) -> str:
        with self._lock:
            lst = self.default
            if lst is None or not lst.running:
                return "not_running"
            started = lst.started_at or time.time()
            lst.stop()
            self.pipeline.wait_idle()
            self.counters.incr("receiver_stop_count")
            self.counters.incr("receiver_run_seconds", round(time.time() - started, 3))
            self.fold_counters()
            self.counters.flush()
        self.push_lifecycle()
        return "stopped"

    def set_resolve_mibs(self, value: bool) -> None:
        if value != self.resolve_mibs:
            self.resolve_mibs = value
            self.naming.enabled = value
            # New generation: cached names computed under the old setting are dropped.
            self.naming.set_index(self.naming._gen.resolver)
            self.save_state()

    def shutdown(self) -> None:
        with self._lock:
            lst = self.default
            if lst is not None and lst.running:
                started = lst.started_at or time.time()
                self.counters.incr("receiver_run_seconds", round(time.time() - started, 3))
            for listener in self.listeners.values():
                listener.stop()
            self.pipeline.stop()
            self.fold_counters()
            self.counters.flush()
            self.store.close()

    # -- status and stats -----------------------------------------------------------

    def status(self) -> dict[str, Any]:
        lst = self.default
        running = lst is not None and lst.running
        uptime = time.time() - (lst.started_at or time.time()) if running and lst else None
        pc = self.pipeline.counters
        return {
            "running": running,
            "pid": os.getpid() if running else None,
            "port": lst.port if running and lst else self.default_port,
            "host": self.settings.trapd_snmp_host,
            "resolve_mibs": self.resolve_mibs,
            "uptime": hms(uptime) if uptime is not None else None,
            "uptime_seconds": round(uptime, 3) if uptime is not None else None,
            "mibs_loaded": self.naming.loaded,
            **self.mib_status(),
            "stored_traps": self.store.count(),
            "last_seq": self.store.last_seq(),
            "queue_depth": self.pipeline.queue.qsize(),
            "refused": dict(pc.refused),
            "dropped": dict(pc.dropped),
            "listeners": [x.status() for x in self.listeners.values()],
            "v3": self.v3.status(),
        }

    def fold_counters(self) -> None:
        """Add what the pipeline counted since the last fold to the persisted stats."""
        with self._fold_lock:
            snap = self.pipeline.counters.snapshot()
            updates: dict[str, Any] = {}
            for src, key in _FOLDED.items():
                delta = int(snap[src]) - self._folded.get(src, 0)
                if delta:
                    self._folded[src] = int(snap[src])
                    updates[key] = delta
            for group, seen, total_key in (
                ("refused", self._refused_folded, "auth_refused"),
                ("dropped", self._dropped_folded, "traps_dropped"),
            ):
                for reason, value in snap[group].items():
                    delta = value - seen.get(reason, 0)
                    if delta:
                        seen[reason] = value
                        updates[f"{group}_{reason}"] = delta
                        updates[total_key] = updates.get(total_key, 0) + delta
            if "traps_stored" in updates:
                updates["traps_received_total"] = updates["traps_stored"]
            for key, delta in updates.items():
                self.counters.incr(key, delta)
            if snap["last_trap_at"] is not None and updates:
                self.counters.set("last_trap_at", snap["last_trap_at"])

    def stats(self) -> dict[str, Any]:
        self.fold_counters()
        values = self.counters.snapshot()
        kernel = 0
        for lst in self.listeners.values():
            drops = lst.kernel_drops()
            if drops:
                kernel += drops
        values["kernel_drops"] = kernel
        values["receiver_running"] = self.running
        return {"traps": values}

    def reset_stats(self) -> None:
        self.fold_counters()
        self.counters.reset()

    def clear(self) -> int:
        n = self.store.clear()
        self.counters.incr("traps_cleared_count")
        self.counters.flush()
        return n

    # -- events ---------------------------------------------------------------------

    def push_lifecycle(self) -> None:
        if self.sender is None:
            return
        self.sender.send("status", self.status())
        self.push_stats(force=True)

    def push_stats(self, *, force: bool = False) -> None:
        """Send ``stats`` if counters moved since the last one (or when forced)."""
        if self.sender is None:
            return
        body = self.stats()
        comparable = {k: v for k, v in body["traps"].items() if k != "receiver_run_seconds"}
        if not force and comparable == self._last_stats_sent:
            return
        self._last_stats_sent = comparable
        self.sender.send("stats", body)
