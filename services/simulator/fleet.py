"""Device management on a running or stopped simulator: create, replace, delete, per-device
lifecycle, templates that make N distinct devices, and value changes through the API."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pydantic import BaseModel, Field

from services.simulator.builder import OverrideError, override_record, resolve_key
from services.simulator.device import Device, DeviceConfig
from services.simulator.setter import commit
from services.simulator.simulator import Simulator, SimulatorError
from services.simulator.store import Record

_PLACEHOLDER = re.compile(r"\{(n|i|name)(?::(\d+))?\}")


class Template(BaseModel):
    """N devices from one profile. ``{n}`` in strings is the instance number (from
    ``start``), ``{n:3}`` zero-pads it, ``{name}`` is the device name."""

    profile: str = "default"
    count: int = Field(ge=1, le=10_000)
    start: int = Field(default=1, ge=0)
    name: str = Field(default="dev{n}", description="Device name pattern.")
    community: str = Field(default="public{n}", description="Community pattern.")
    port_start: int | None = Field(
        default=None, ge=1, le=65535, description="Give device k the port port_start + k."
    )
    address: str | None = Field(default=None, description="Own bind address pattern.")
    context: str = Field(default="", description="SNMPv3 context pattern, e.g. 'dev{n}'.")
    interfaces: int | None = Field(default=None, ge=0, le=4096)
    overrides: dict[str, Any] = Field(
        default_factory=lambda: {"sysName": "{name}", "sysLocation": "Lab row {n}"}
    )
    base: dict[str, Any] = Field(
        default_factory=dict, description="Other DeviceConfig fields for every instance."
    )


def _fill(text: str, n: int, name: str) -> str:
    def rep(m: re.Match[str]) -> str:
        if m.group(1) == "name":
            return name
        width = int(m.group(2) or 0)
        return str(n).zfill(width)

    return _PLACEHOLDER.sub(rep, text)


def _fill_any(value: Any, n: int, name: str) -> Any:
    if isinstance(value, str):
        return _fill(value, n, name)
    if isinstance(value, dict):
        return {k: _fill_any(v, n, name) for k, v in value.items()}
    return value


def template_configs(t: Template) -> list[DeviceConfig]:
    out = []
    for k in range(t.count):
        n = t.start + k
        name = _fill(t.name, n, "")
        cfg = {
            **t.base,
            "name": name,
            "profile": t.profile,
            "community": _fill(t.community, n, name),
            "context": _fill(t.context, n, name),
            "interfaces": t.interfaces,
            "seed": n,
            "overrides": {**t.base.get("overrides", {}), **_fill_any(t.overrides, n, name)},
        }
        if t.port_start is not None:
            cfg["port"] = t.port_start + k
        if t.address:
            cfg["address"] = _fill(t.address, n, name)
        try:
            out.append(DeviceConfig.model_validate(cfg))
        except ValueError as exc:
            raise SimulatorError(422, f"template instance {n}: {exc}") from None
    return out


async def add_devices(sim: Simulator, configs: list[DeviceConfig]) -> list[dict[str, Any]]:
    async with sim.lock:
        names = [c.name for c in configs]
        if len(set(names)) != len(names):
            raise SimulatorError(422, "device names repeat")
        for cfg in configs:
            if cfg.name in sim.configs:
                raise SimulatorError(409, f"device {cfg.name!r} already exists")
        staged = dict(sim.configs)
        for cfg in configs:
            _check_against(staged, cfg)
            staged[cfg.name] = cfg
        devices = await asyncio.to_thread(lambda: [sim.build_device(c) for c in configs])
        for cfg, dev in zip(configs, devices, strict=True):
            sim.configs[cfg.name] = cfg
            if sim.agent is not None:
                sim.devices[cfg.name] = dev
                sim._register(sim.agent, dev)
        sim.save_configs()
        _refresh_loaded(sim)
    sim.announce()
    return [device_view(sim, c.name) for c in configs[:100]]


def _check_against(configs: dict[str, DeviceConfig], cfg: DeviceConfig) -> None:
    for other in configs.values():
        if other.name == cfg.name:
            continue
        same_socket = (other.port, other.address) == (cfg.port, cfg.address)
        theirs = {other.community, other.write_community or other.community}
        mine = {cfg.community, cfg.write_community or cfg.community}
        if same_socket and theirs & mine:
            raise SimulatorError(409, f"device {other.name!r} already answers community "
                                 f"{sorted(theirs & mine)[0]!r} on that port")  # fmt: skip
        if cfg.context and other.context == cfg.context:
            raise SimulatorError(409, f"device {other.name!r} already has context {cfg.context!r}")


def _refresh_loaded(sim: Simulator) -> None:
    if sim.running:
        sim.counters.set("oids_loaded", sum(len(d.store) for d in sim.devices.values()))


async def replace_device(sim: Simulator, name: str, cfg: DeviceConfig) -> dict[str, Any]:
    if cfg.name != name:
        raise SimulatorError(422, "the body's name must match the URL (rename = create + delete)")
    async with sim.lock:
        if name not in sim.configs:
            raise SimulatorError(404, f"no device {name!r}")
        sim.collect_stats()
        staged = {k: v for k, v in sim.configs.items() if k != name}
        _check_against(staged, cfg)
        dev = await asyncio.to_thread(sim.build_device, cfg)
        sim.configs[name] = cfg
        if sim.agent is not None:
            old = sim.devices.get(name)
            if old is not None:
                sim._unregister(sim.agent, old)
            sim.devices[name] = dev
            sim._register(sim.agent, dev)
            if name == "default":
                sim.usm.default_device = dev
        sim.save_configs()
        _refresh_loaded(sim)
    sim.announce()
    return device_view(sim, name)


async def delete_devices(sim: Simulator, names: list[str]) -> int:
    async with sim.lock:
        missing = [n for n in names if n not in sim.configs]
        if missing:
            raise SimulatorError(404, f"no device {missing[0]!r}")
        sim.collect_stats()
        for name in names:
            del sim.configs[name]
            dev = sim.devices.pop(name, None)
            if dev is not None and sim.agent is not None:
                sim._unregister(sim.agent, dev)
            if sim.usm.default_device is dev:
                sim.usm.default_device = None
        sim.save_configs()
        _refresh_loaded(sim)
    sim.announce()
    return len(names)


async def device_lifecycle(sim: Simulator, name: str, action: str) -> dict[str, Any]:
    async with sim.lock:
        cfg = sim.configs.get(name)
        if cfg is None:
            raise SimulatorError(404, f"no device {name!r}")
        if action == "restart" and sim.agent is not None:
            sim.collect_stats()
            dev = await asyncio.to_thread(sim.build_device, cfg)
            old = sim.devices.get(name)
            if old is not None:
                sim._unregister(sim.agent, old)
            sim.devices[name] = dev
            sim._register(sim.agent, dev)
            if name == "default":
                sim.usm.default_device = dev
            sim.notifier.send_start_traps([dev], "warmStart")
        elif action in ("start", "stop"):
            enabled = action == "start"
            sim.configs[name] = cfg.model_copy(update={"enabled": enabled})
            current = sim.devices.get(name)
            if current is not None:
                current.config = sim.configs[name]
                starting = enabled and not current.running
                if starting:
                    current.restart_clock()
                current.running = enabled
                if starting:
                    sim.notifier.send_start_traps([current], "coldStart")
            sim.save_configs()
    sim.announce()
    return device_view(sim, name)


def device_view(sim: Simulator, name: str) -> dict[str, Any]:
    cfg = sim.configs[name]
    dev = sim.devices.get(name) if sim.running else None
    view: dict[str, Any] = {"config": cfg.model_dump(mode="json")}
    if dev is not None:
        view.update(dev.summary())
    else:
        view.update(
            {"name": name, "running": False, "profile": cfg.profile, "community": cfg.community,
             "port": cfg.port, "context": cfg.context}
        )  # fmt: skip
    view["error"] = sim.device_errors.get(name)
    return view


def live_device(sim: Simulator, name: str) -> Device:
    if name not in sim.configs:
        raise SimulatorError(404, f"no device {name!r}")
    dev = sim.devices.get(name) if sim.running else None
    if dev is None:
        raise SimulatorError(409, f"device {name!r} is not running; start the simulator first")
    return dev


def set_values(sim: Simulator, name: str, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Change values through the API (same path as an SNMP SET, without the writability
    policy: the operator may change anything). Notifications follow state changes."""
    dev = live_device(sim, name)
    recs: list[Record] = []
    for key, spec in changes.items():
        try:
            current = dev.store.get(resolve_key(key))
            recs.append(override_record(key, spec, current))
        except OverrideError as exc:
            raise SimulatorError(422, str(exc)) from None
    with dev.write_lock:
        done = commit(dev, recs)
    if sim.on_write is not None:
        sim.on_write(dev, done)
    return [{"oid": ".".join(map(str, c.oid)), "type": c.new.type} for c in done]
