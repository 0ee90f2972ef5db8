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
from services.trapd.pipeline import Pipeline, RuleCheck
from services.trapd.receiver import Listener
from services.trapd.rules.dedup import Dedup
from services.trapd.rules.forward import Forwarder
from services.trapd.rules.ratelimit import RateLimit
from services.trapd.runtime_config import ExtraListener, RuntimeConfig
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
    "kernel_drops": 0,
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


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


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
        self._config_path = self.data_dir / "config.json"
        self.config = self._load_config()
        self.forwarder: Forwarder | None = None
        self.listeners: dict[str, Listener] = {}
        self._lock = threading.RLock()
        self._folded: dict[str, int] = {}
        self._refused_folded: dict[str, int] = {}
        self._dropped_folded: dict[str, int] = {}
        self._fold_lock = threading.Lock()
        self._kernel_seen: dict[int, int] = {}
        self._last_stats_sent: dict[str, Any] | None = None
        self.mib_status: Callable[[], dict[str, Any]] = dict
        self.apply_config(self.config)
        self.pipeline.start()

    # -- persisted runtime state ----------------------------------------------------

    def _load_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_state(self) -> None:
        state = {"port": self.default_port, "resolve_mibs": self.resolve_mibs}
        _write_json(self._state_path, state)

    def _load_config(self) -> RuntimeConfig:
        try:
            return RuntimeConfig.model_validate_json(self._config_path.read_text())
        except FileNotFoundError:
            pass
        except ValueError as exc:
            log.error("trapd: %s is invalid, using defaults: %s", self._config_path, exc)
        return RuntimeConfig(
            retention_count=self.settings.trapd_retention_count,
            retention_days=self.settings.trapd_retention_days,
        )

    def apply_config(self, cfg: RuntimeConfig) -> None:
        """Make ``cfg`` current; raises ValueError (nothing changed) when it cannot be."""
        rules: list[RuleCheck] = []
        if cfg.rules.rate_limit.enabled:
            rules.append(RateLimit(cfg.rules.rate_limit))
        if cfg.rules.dedup.enabled:
            rules.append(Dedup(cfg.rules.dedup))
        forwarder = Forwarder(cfg.rules.forward)
        allow = frozenset(cfg.community_allowlist) if cfg.community_allowlist is not None else None
        old = self.forwarder
        # Plain attribute assignments: the pipeline thread picks each up on its next trap.
        self.pipeline.community_allowed = allow.__contains__ if allow is not None else None
        self.pipeline.rules = rules
        self.pipeline.after_store = [forwarder.submit] if forwarder.active else []
        self.v3.enforce_time_window = cfg.v3_enforce_time_window
        self.forwarder = forwarder
        self.config = cfg
        if old is not None:
            old.close()

    def update_config(self, changes: dict[str, Any]) -> RuntimeConfig:
        """Merge ``changes`` (a partial config) into the current one, apply and persist."""
        with self._lock:
            merged = _deep_merge(self.config.model_dump(), changes)
            cfg = RuntimeConfig.model_validate(merged)
            self.apply_config(cfg)
            self.save_config()
            return cfg

    def save_config(self) -> None:
        _write_json(self._config_path, self.config.model_dump())

    def retention_limits(self) -> tuple[int, float]:
        return self.config.retention_count, self.config.retention_days * 86400.0

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
            lst = self._new_listener(DEFAULT_LISTENER, self.settings.trapd_snmp_host, listen_port)
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
            self.fold_counters()  # the socket's kernel drop count goes with the socket
            lst.stop()
            self.counters.incr("receiver_stop_count")
            self.counters.incr("receiver_run_seconds", round(time.time() - started, 3))
            self.fold_counters()
            self.counters.flush()
        self.push_lifecycle()
        return "stopped"

    def _new_listener(self, name: str, host: str, port: int) -> Listener:
        return Listener(
            name,
            host,
            port,
            self.settings.trapd_rcvbuf,
            self.pipeline.handle,
            self.settings.trapd_batch_max,
            self.settings.trapd_linger_ms / 1000.0,
        )

    # -- extra listeners -------------------------------------------------------------

    def _save_listeners(self) -> None:
        extra = [
            ExtraListener(name=x.name, host=x.host, port=x.port, running=x.running)
            for x in self.listeners.values()
            if x.name != DEFAULT_LISTENER
        ]
        self.config = self.config.model_copy(update={"listeners": extra})
        self.save_config()

    def add_listener(self, name: str, host: str, port: int, start: bool = True) -> Listener:
        """A listener besides the default one; KeyError if the name is taken."""
        with self._lock:
            if name in self.listeners or name == DEFAULT_LISTENER:
                raise KeyError(name)
            lst = self._new_listener(name, host, port)
            if start:
                lst.start()  # BindError propagates: nothing is added
            self.listeners[name] = lst
            self._save_listeners()
            return lst

    def start_listener(self, name: str) -> Listener:
        with self._lock:
            if name == DEFAULT_LISTENER:
                self.start()
                lst = self.default
                assert lst is not None
                return lst
            lst = self.listeners[name]
            lst.start()
            self._save_listeners()
            return lst

    def stop_listener(self, name: str) -> Listener:
        with self._lock:
            if name == DEFAULT_LISTENER:
                self.stop()
                lst = self.listeners.get(name)
                if lst is None:
                    raise KeyError(name)
                return lst
            lst = self.listeners[name]
            lst.stop()
            self._save_listeners()
            return lst

    def remove_listener(self, name: str) -> None:
        with self._lock:
            if name == DEFAULT_LISTENER:
                raise ValueError("the default listener is stopped, not removed (/traps/stop)")
            lst = self.listeners.pop(name)
            lst.stop()
            self._save_listeners()

    def restore_listeners(self) -> None:
        """Recreate the extra listeners saved in the config (those running are started)."""
        for saved in self.config.listeners:
            lst = self._new_listener(saved.name, saved.host, saved.port)
            self.listeners[saved.name] = lst
            if saved.running:
                try:
                    lst.start()
                except OSError as exc:
                    log.error("trapd: listener %s not started: %s", saved.name, exc)

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
            if self.forwarder is not None:
                self.forwarder.close()
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
            "stored_traps": self.store.count(max_age=1.0),
            "last_seq": self.store.last_seq(),
            "refused": dict(pc.refused),
            "dropped": dict(pc.dropped),
            "listeners": [x.status() for x in self.listeners.values()],
            "v3": self.v3.status(),
            "forwarding": self.forwarder.status() if self.forwarder is not None else None,
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
            # The kernel counts per socket; add what each live socket dropped since the
            # last look, so the persisted total survives restarts of listeners and trapd.
            for lst in list(self.listeners.values()):
                inode, drops = lst.inode, lst.kernel_drops()
                if inode is None or drops is None:
                    continue
                before = self._kernel_seen.get(inode, 0)
                if drops > before:
                    updates["kernel_drops"] = drops - before + updates.get("kernel_drops", 0)
                    self._kernel_seen[inode] = drops
            if "traps_stored" in updates:
                updates["traps_received_total"] = updates["traps_stored"]
            for key, delta in updates.items():
                self.counters.incr(key, delta)
            if snap["last_trap_at"] is not None and updates:
                self.counters.set("last_trap_at", snap["last_trap_at"])

    def stats(self) -> dict[str, Any]:
        self.fold_counters()
        values = self.counters.snapshot()
        values["receiver_running"] = self.running
        main = self.default
        if main is not None and main.running and main.started_at is not None:
            # The persisted total grows at each stop; show the running receiver's time too.
            values["receiver_run_seconds"] = round(
                float(values.get("receiver_run_seconds") or 0) + time.time() - main.started_at, 3
            )
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
