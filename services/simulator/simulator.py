"""The simulator's control plane: devices, the agent's lifecycle, counters and events.

Runs in the asyncio process that serves the control API. It builds devices, starts and
stops the data-plane :class:`~services.simulator.agent.Agent`, and once a second turns the
data plane's raw counters into persisted stats, ``stats`` events and a sampled
``activity`` feed. Lifecycle changes send ``status`` then ``stats``, whoever asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from services.common.counters import PersistentCounters
from services.common.events import EventSender
from services.simulator.agent import Agent, collect
from services.simulator.builder import OverrideError, build_records
from services.simulator.config import SimulatorSettings
from services.simulator.device import PDU_SLOTS, Device, DeviceConfig, _iso
from services.simulator.exports.snmprec import to_snmprec
from services.simulator.imports.snmprec import parse_snmprec
from services.simulator.notifier import Notifier
from services.simulator.profiles_lib import ProfileLibrary
from services.simulator.responder import AgentStats, Responder
from services.simulator.store import OidStore
from services.simulator.usm import Engine, UsmAgent, V3User

log = logging.getLogger(__name__)

COUNTER_DEFAULTS: dict[str, Any] = {
    "start_count": 0,
    "stop_count": 0,
    "restart_count": 0,
    "oids_loaded": 0,
    "total_oids_simulated": 0,
    "snmp_requests_served": 0,
    "simulator_run_seconds": 0,
    "last_request_at": None,
    "requests_get": 0,
    "requests_getnext": 0,
    "requests_getbulk": 0,
    "requests_set": 0,
    "requests_v3": 0,
    "error_responses": 0,
    "dropped_requests": 0,
    "malformed_packets": 0,
    "bad_community_packets": 0,
    "notifications_sent": 0,
    "notifications_acked": 0,
    "notifications_failed": 0,
}
_SLOT_COUNTER = {
    "get": "requests_get",
    "getnext": "requests_getnext",
    "getbulk": "requests_getbulk",
    "set": "requests_set",
    "v3": "requests_v3",
    "dropped": "dropped_requests",
    "errors": "error_responses",
    "varbinds": "total_oids_simulated",
}


class SimulatorError(Exception):
    """A request the simulator cannot honour; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra or {}


def fmt_uptime(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Simulator:
    def __init__(self, settings: SimulatorSettings, events: EventSender | None) -> None:
        self.settings = settings
        self.events = events
        self.data_dir = Path(settings.simulator_data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.counters = PersistentCounters(self.data_dir / "stats.json", COUNTER_DEFAULTS)
        self.profiles = ProfileLibrary(self.data_dir / "profiles")
        self._state_path = self.data_dir / "state.json"
        self._devices_path = self.data_dir / "devices.json"
        self._writes_dir = self.data_dir / "writes"
        state = self._read_json(self._state_path, {})
        # A port or community chosen through the API is remembered across restarts, but
        # only while the environment still says what it said then: an operator who edits
        # SNMPLAB_SIMULATOR_SNMP_PORT/_COMMUNITY and restarts gets what they asked for.
        env_now = {"port": settings.simulator_snmp_port, "community": settings.simulator_community}
        if state.get("env") not in (None, env_now):
            state = {}
        self.port: int = int(state.get("port") or settings.simulator_snmp_port)
        self.community: str = str(state.get("community") or settings.simulator_community)
        self.configs: dict[str, DeviceConfig] = self._load_configs()
        self.devices: dict[str, Device] = {}
        self.device_errors: dict[str, str] = {}
        self.contexts: dict[bytes, Device] = {}
        self.agent: Agent | None = None
        self.started_at: float | None = None
        self.lock = asyncio.Lock()
        # Per device name: the Device object last seen and its counts then. A replaced
        # device is a new object and starts from zero (never a negative delta).
        self._reported: dict[str, tuple[Device, list[int]]] = {}
        self._reported_agent: dict[str, int] = {}
        self._users_path = self.data_dir / "users.json"
        self.users: dict[str, V3User] = self._load_users()
        self.usm = UsmAgent(Engine(self.data_dir / "engine.json"), self.contexts)
        self.usm.set_users(list(self.users.values()))
        self.mib_follower: Any = None  # follows the gateway's MIB index
        self.notifier = Notifier(self)
        self.on_write: Any = self.notifier.on_write  # state-change notifications

    # -- persistence -------------------------------------------------------------------

    @staticmethod
    def _read_json(path: Path, default: Any) -> Any:
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            return default
        except (OSError, ValueError):
            log.warning("%s is unreadable; using defaults", path)
            return default

    @staticmethod
    def _write_json(path: Path, data: Any) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        tmp.replace(path)

    @property
    def mib_index(self) -> Any:
        """The gateway's MIB index once loaded, else None."""
        f = self.mib_follower
        return f.index if f is not None and f.loaded else None

    def _syntax_of(self, oid: tuple[int, ...]) -> Any:
        """The MIB syntax of the object an instance belongs to (None without MIBs)."""
        index = self.mib_index
        if index is None:
            return None
        r = index.resolve(oid)
        if r is None or r.node.kind not in ("scalar", "column"):
            return None
        return r.node.syntax

    def custom_data(self) -> dict[str, Any]:
        data = self._read_json(self.data_dir / "custom_data.json", {})
        return data if isinstance(data, dict) else {}

    def save_custom_data(self, raw: dict[str, Any], records: list[Any]) -> None:
        self._write_json(self.data_dir / "custom_data.json", raw)
        path = self.data_dir / "custom_data.snmprec"
        path.write_text(to_snmprec(sorted(records, key=lambda r: r.oid)), encoding="utf-8")

    def name_resolver(self) -> Any:
        """``MODULE::name.index`` -> OID through the MIB index, or None without MIBs."""
        index = self.mib_index
        if index is None:
            return None
        return lambda text: index.oid(text)

    def _load_users(self) -> dict[str, V3User]:
        out: dict[str, V3User] = {}
        for item in self._read_json(self._users_path, []):
            try:
                user = V3User.model_validate(item)
                user.check()
            except ValueError as exc:
                log.warning("users.json: skipping an invalid user: %s", exc)
                continue
            out[user.name] = user
        return out

    def save_users(self) -> None:
        self._write_json(self._users_path, [u.model_dump() for u in self.users.values()])
        self.usm.set_users(list(self.users.values()))

    def _load_configs(self) -> dict[str, DeviceConfig]:
        raw = self._read_json(self._devices_path, None)
        if not raw:
            cfg = DeviceConfig(name="default", community=self.community)
            return {cfg.name: cfg}
        out: dict[str, DeviceConfig] = {}
        for item in raw:
            try:
                cfg = DeviceConfig.model_validate(item)
            except ValueError as exc:
                log.warning("devices.json: skipping an invalid device: %s", exc)
                continue
            out[cfg.name] = cfg
        return out

    def save_configs(self) -> None:
        self._write_json(
            self._devices_path, [c.model_dump(mode="json") for c in self.configs.values()]
        )

    def _save_state(self) -> None:
        env_now = {
            "port": self.settings.simulator_snmp_port,
            "community": self.settings.simulator_community,
        }
        self._write_json(
            self._state_path, {"port": self.port, "community": self.community, "env": env_now}
        )

    def _load_writes(self, name: str) -> list[Any]:
        path = self._writes_dir / f"{name}.snmprec"
        if not path.exists():
            return []
        records, _ = parse_snmprec(path.read_text(encoding="utf-8"))
        return records

    def persist_writes(self) -> None:
        for dev in self.devices.values():
            if not dev.writes_dirty:
                continue
            dev.writes_dirty = False
            if not dev.config.persist_writes:
                continue
            self._writes_dir.mkdir(parents=True, exist_ok=True)
            with dev.write_lock:
                recs = sorted(dev.writes.values(), key=lambda r: r.oid)
            path = self._writes_dir / f"{dev.name}.snmprec"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(to_snmprec(recs), encoding="utf-8")
            tmp.replace(path)

    # -- building devices ----------------------------------------------------------------

    def build_device(self, cfg: DeviceConfig) -> Device:
        try:
            profile = self.profiles.get(cfg.profile)
        except KeyError:
            raise SimulatorError(404, f"profile {cfg.profile!r} does not exist") from None
        try:
            records = build_records(profile, cfg)
        except OverrideError as exc:
            raise SimulatorError(422, str(exc)) from None
        if cfg.name == "default":
            custom = self.data_dir / "custom_data.snmprec"
            if custom.exists():
                extra, _ = parse_snmprec(custom.read_text(encoding="utf-8"))
                by_oid = {r.oid: r for r in records}
                by_oid.update({r.oid: r for r in extra})
                records = list(by_oid.values())
        writes = self._load_writes(cfg.name) if cfg.persist_writes else []
        if writes:
            by_oid = {r.oid: r for r in records}
            for w in writes:
                by_oid[w.oid] = w
            records = list(by_oid.values())
        dev = Device(cfg, OidStore(records, seed=cfg.seed))
        for w in writes:
            dev.writes[w.oid] = w
        return dev

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.agent is not None

    def _make_responder(self) -> Responder:
        r = Responder(AgentStats(self.settings.simulator_activity_per_second),
                      self.usm.handle, self._on_write)  # fmt: skip
        r.max_size = self.settings.simulator_max_message_size
        r.syntax_of = self._syntax_of
        return r

    def _on_write(self, device: Device, changes: list[Any]) -> None:
        if self.on_write is not None:
            self.on_write(device, changes)

    def _register(self, agent: Agent, dev: Device) -> None:
        cfg = dev.config
        if cfg.port is None and cfg.address is None:
            assert agent.main is not None
            table = agent.main.communities
        else:
            host = cfg.address or self.settings.simulator_snmp_host
            port = cfg.port or self.port
            try:
                table = agent.add_port(host, port).communities
            except OSError as exc:
                self.device_errors[dev.name] = f"cannot bind {host}:{port}: {exc.strerror}"
                dev.running = False
                return
        self.device_errors.pop(dev.name, None)
        table[dev.community] = dev
        table[dev.write_community] = dev
        if cfg.context:
            self.contexts[cfg.context.encode()] = dev

    def _unregister(self, agent: Agent, dev: Device) -> None:
        cfg = dev.config
        lists = [agent.main] if agent.main is not None else []
        lists += list(agent.extra.values())
        for lst in lists:
            for key in [k for k, v in lst.communities.items() if v is dev]:
                del lst.communities[key]
        if cfg.port is not None or cfg.address is not None:
            host = cfg.address or self.settings.simulator_snmp_host
            own = agent.extra.get((host, cfg.port or self.port))
            if own is not None and not own.communities:
                agent.remove_port(host, cfg.port or self.port)
        for ctx in [k for k, v in self.contexts.items() if v is dev]:
            del self.contexts[ctx]

    def _build_all(self) -> dict[str, Device]:
        out: dict[str, Device] = {}
        for cfg in self.configs.values():
            try:
                out[cfg.name] = self.build_device(cfg)
                self.device_errors.pop(cfg.name, None)
            except SimulatorError as exc:
                self.device_errors[cfg.name] = exc.message
        return out

    async def start(self, port: int | None = None, community: str | None = None) -> dict[str, Any]:
        async with self.lock:
            if self.running:
                return {"status": "already_running", **self.status()}
            await self._start(port, community)
            self.counters.incr("start_count")
            self.counters.flush()
        self.announce()
        return {"status": "started", "message": "Simulator started", **self.status()}

    async def _start(
        self, port: int | None, community: str | None, start_trap: str = "coldStart"
    ) -> None:
        await asyncio.to_thread(self._start_sync, port, community, start_trap)

    def start_before_loop(self) -> None:
        """Start the agent before the control API exists (``__main__``): SNMP answers
        while the web framework is still importing. Raises SimulatorError."""
        self._start_sync(None, None)
        self.counters.incr("start_count")
        self.counters.flush()
        self.announce()

    def _start_sync(
        self, port: int | None, community: str | None, start_trap: str = "coldStart"
    ) -> None:
        if port is not None:
            self.port = port
        if community is not None:
            self.community = community
            default = self.configs.get("default")
            if default is not None and default.community != community:
                self.configs["default"] = default.model_copy(update={"community": community})
                self.save_configs()
        host = self.settings.simulator_snmp_host
        agent = Agent(self._make_responder)
        try:
            agent.bind_main(host, self.port)
        except OSError as exc:
            agent.stop()
            why = "it is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise SimulatorError(
                409, f"cannot bind UDP {host}:{self.port}: {why}; choose another port"
            ) from None
        self.devices = self._build_all()
        self.contexts.clear()
        self.usm.engine.next_boot()
        self.usm.default_device = self.devices.get("default")
        for dev in self.devices.values():
            self._register(agent, dev)
        self._reported = {}
        self._reported_agent = {}
        agent.start()
        self.agent = agent
        if agent.main is not None:
            self.port = agent.main.port
        self.started_at = time.monotonic()
        self.counters.set("oids_loaded", sum(len(d.store) for d in self.devices.values()))
        self._save_state()
        self.notifier.send_start_traps(list(self.devices.values()), start_trap)

    async def _stop(self) -> None:
        agent = self.agent
        if agent is None:
            return
        self.collect_stats()
        self.agent = None
        await asyncio.to_thread(agent.stop)
        if self.started_at is not None:
            self.counters.incr("simulator_run_seconds", int(time.monotonic() - self.started_at))
        self.started_at = None
        self.persist_writes()

    async def stop(self) -> dict[str, Any]:
        async with self.lock:
            if not self.running:
                return {"status": "not_running", "message": "Simulator is not running"}
            await self._stop()
            self.counters.incr("stop_count")
            self.counters.flush()
        self.announce()
        return {"status": "stopped", "message": "Simulator stopped"}

    async def restart(self) -> dict[str, Any]:
        """Stop if running, then start with the remembered port and community. Counts one
        restart (not a stop and a start), and nothing is counted when the start fails."""
        async with self.lock:
            await self._stop()
            try:
                await self._start(None, None, "warmStart")
            finally:
                self.counters.flush()
            self.counters.incr("restart_count")
            self.counters.flush()
        self.announce()
        return {"status": "restarted", "message": "Simulator restarted", **self.status()}

    async def shutdown(self) -> None:
        async with self.lock:
            await self._stop()
            self.counters.flush()

    # -- views ---------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        running = self.running
        up = time.monotonic() - self.started_at if running and self.started_at else None
        c = self.counters.snapshot()
        return {
            "running": running,
            "pid": os.getpid() if running else None,
            "port": self.port if running else None,
            "community": self.community if running else None,
            "uptime": fmt_uptime(up) if up is not None else None,
            "uptime_seconds": int(up) if up is not None else None,
            "requests": c.get("snmp_requests_served", 0),
            "last_activity": c.get("last_request_at"),
            "host": self.settings.simulator_snmp_host,
            "devices": len(self.configs),
            "devices_running": sum(1 for d in self.devices.values() if d.running) if running else 0,
            "oids_loaded": c.get("oids_loaded", 0),
            "mibs_loaded": self.mib_index is not None,
        }

    def stats(self) -> dict[str, Any]:
        return {"simulator": self.counters.snapshot()}

    def announce(self) -> None:
        if self.events is None:
            return
        self.events.send("status", self.status())
        self.events.send("stats", self.stats())

    # -- periodic ------------------------------------------------------------------------

    def collect_stats(self) -> bool:
        """Fold the data plane's counters into the persisted ones; True if any moved."""
        agent = self.agent
        if agent is None:
            return False
        moved = False
        latest = None
        for dev in self.devices.values():
            prev = self._reported.get(dev.name)
            seen = prev[1] if prev is not None and prev[0] is dev else [0] * len(PDU_SLOTS)
            counts = list(dev.counts)
            for i, name in enumerate(PDU_SLOTS):
                delta = counts[i] - seen[i]
                if delta:
                    self.counters.incr(_SLOT_COUNTER[name], delta)
                    if name in ("get", "getnext", "getbulk", "set"):
                        self.counters.incr("snmp_requests_served", delta)
                    moved = True
            self._reported[dev.name] = (dev, counts)
            if dev.last_activity and (latest is None or dev.last_activity > latest):
                latest = dev.last_activity
        totals = collect(agent.responders())
        for key, counter in (("malformed", "malformed_packets"),
                             ("bad_community", "bad_community_packets")):  # fmt: skip
            delta = totals[key] - self._reported_agent.get(key, 0)
            if delta:
                self.counters.incr(counter, delta)
                moved = True
            self._reported_agent[key] = totals[key]
        for gone in [n for n in self._reported if n not in self.devices]:
            del self._reported[gone]
        if latest is not None:
            self.counters.set("last_request_at", _iso(latest))
        return moved

    def drain_activity(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.agent is None:
            return out
        for r in self.agent.responders():
            q = r.stats.activity
            while q:
                out.append(q.popleft())
        out.sort(key=lambda a: a["ts"])
        return out

    async def run_periodic(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            with contextlib.suppress(Exception):
                self.tick()

    def tick(self) -> None:
        moved = self.collect_stats()
        if moved:
            self.counters.flush()
            if self.events is not None:
                self.events.send("stats", self.stats())
        activity = self.drain_activity()
        if activity and self.events is not None:
            self.events.send("activity", {"samples": activity[-50:]}, ref={"count": len(activity)})
        self.persist_writes()
        if self.running:
            self.notifier.run_schedules(self.devices)
