"""Issue 2: the WebSocket contract -- full_state, status then stats on lifecycle, ping/pong."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses
from tests.e2e.ws_client import WsClient

pytestmark = pytest.mark.e2e

UPTIME = re.compile(r"^\d+:\d{2}:\d{2}$")

# Every field contract/websocket.md shows in full_state (the "..." in stats means more
# counters may follow; these are the named ones).
FULL_STATE_FIELDS: dict[str, Any] = {
    "simulator": ["running", "pid", "port", "community", "uptime"],
    "traps": ["running", "pid", "port", "resolve_mibs"],
    "stats": {
        "simulator": ["start_count", "stop_count"],
        "traps": ["receiver_start_count", "traps_received_total"],
        "walker": ["walks_executed", "walks_failed", "oids_returned"],
        "mibs": [
            "reload_count", "upload_count", "delete_count",
            "loaded_mibs", "failed_mibs", "total_mibs",
        ],
    },
}  # fmt: skip


def _missing(obj: Any, spec: Any, path: str = "") -> list[str]:
    if not isinstance(obj, dict):
        return [f"{path or '<root>'} is {type(obj).__name__}, not an object"]
    out: list[str] = []
    if isinstance(spec, list):
        return [f"{path}.{key}" for key in spec if key not in obj]
    for key, sub in spec.items():
        if key not in obj:
            out.append(f"{path}.{key}")
        else:
            out += _missing(obj[key], sub, f"{path}.{key}")
    return out


def test_full_state_carries_every_contract_field(ws: WsClient, stack: StackAddresses) -> None:
    state = ws.wait_for("full_state").json
    assert _missing(state, FULL_STATE_FIELDS) == [], state

    sim = state["simulator"]
    assert sim["running"] is True, sim
    assert isinstance(sim["pid"], int), sim
    assert isinstance(sim["port"], int), sim
    assert sim["community"] == stack.community, sim
    assert isinstance(sim["uptime"], str) and UPTIME.match(sim["uptime"]), sim
    traps = state["traps"]
    assert traps["running"] is True, traps
    assert isinstance(traps["pid"], int) and isinstance(traps["port"], int), traps
    assert isinstance(traps["resolve_mibs"], bool), traps
    if stack.is_local:
        # In a deployment the published ports may differ from the container ports.
        assert sim["port"] == stack.simulator.port
        assert traps["port"] == stack.trapd.port
    for section, names in FULL_STATE_FIELDS["stats"].items():
        for name in names:
            value = state["stats"][section][name]
            assert isinstance(value, int) and value >= 0, f"stats.{section}.{name} = {value!r}"


def test_ping_gets_pong(ws: WsClient) -> None:
    for _ in range(3):
        mark = ws.mark()
        ws.send("ping")
        ws.wait_for(None, text="pong", timeout=2, since=mark)


def _stats(api: httpx.Client) -> dict[str, Any]:
    body = ok_json(api.get("/api/stats"))
    assert isinstance(body, dict), body
    return body


def _simulator_counters(message: Any) -> dict[str, Any]:
    return message["data"]["simulator"]


def test_simulator_stop_and_start_push_status_then_stats(
    ws: WsClient, api: httpx.Client, stack: StackAddresses, simulator_running: None
) -> None:
    before = _stats(api)
    stops = before["simulator"]["stop_count"]
    starts = before["simulator"]["start_count"]

    mark = ws.mark()
    stopped = ok_json(api.post("/api/simulator/stop"))
    assert isinstance(stopped, dict) and stopped.get("status") == "stopped", stopped
    status = ws.wait_for(
        "status", lambda m: m["simulator"]["running"] is False, timeout=5, since=mark
    )
    sim = status.json["simulator"]
    assert sim["pid"] is None and sim["port"] is None and sim["community"] is None, sim
    assert status.json["traps"]["running"] is True, "status carries both parts"
    # stats comes after status, and already counts this stop.
    stats = ws.wait_for(
        "stats",
        lambda m: _simulator_counters(m)["stop_count"] >= stops + 1,
        timeout=5,
        since=status.index + 1,
    )
    missing = _missing(stats.json["data"], FULL_STATE_FIELDS["stats"], "data")
    assert missing == [], f"stats message lacks {missing}"
    down = netsnmp.snmpget(stack.simulator, "1.3.6.1.2.1.1.3.0", timeout=0.3, retries=0)
    assert not down.ok, "a stopped simulator must not answer"

    mark = ws.mark()
    started = ok_json(api.post("/api/simulator/start", json={}))
    assert isinstance(started, dict) and started.get("status") == "started", started
    status = ws.wait_for(
        "status", lambda m: m["simulator"]["running"] is True, timeout=5, since=mark
    )
    sim = status.json["simulator"]
    assert isinstance(sim["pid"], int) and isinstance(sim["port"], int), sim
    assert sim["community"] == stack.community, sim
    ws.wait_for(
        "stats",
        lambda m: _simulator_counters(m)["start_count"] >= starts + 1,
        timeout=5,
        since=status.index + 1,
    )
    netsnmp.snmpget(stack.simulator, "1.3.6.1.2.1.1.3.0", community=stack.community).check()


def test_simulator_restart_pushes_status_then_stats(
    ws: WsClient, api: httpx.Client, stack: StackAddresses, simulator_running: None
) -> None:
    restarts = _stats(api)["simulator"]["restart_count"]
    mark = ws.mark()
    restarted = ok_json(api.post("/api/simulator/restart"))
    assert isinstance(restarted, dict) and restarted.get("status") == "restarted", restarted
    status = ws.wait_for(
        "status", lambda m: m["simulator"]["running"] is True, timeout=5, since=mark
    )
    ws.wait_for(
        "stats",
        lambda m: _simulator_counters(m)["restart_count"] >= restarts + 1,
        timeout=5,
        since=status.index + 1,
    )
    netsnmp.snmpget(stack.simulator, "1.3.6.1.2.1.1.3.0", community=stack.community).check()


def _receiver_counters(message: Any) -> dict[str, Any]:
    return message["data"]["traps"]


def _inform(stack: StackAddresses) -> netsnmp.ToolResult:
    # coldStart, no var-binds: an acknowledged inform proves the receiver's socket is live.
    return netsnmp.snmpinform(stack.trapd, "1.3.6.1.6.3.1.1.5.1", timeout=0.5, retries=0)


def test_trap_receiver_stop_and_start_push_status_then_stats(
    ws: WsClient, api: httpx.Client, stack: StackAddresses, trap_receiver_running: None
) -> None:
    before = _stats(api)
    stops = before["traps"]["receiver_stop_count"]
    starts = before["traps"]["receiver_start_count"]

    mark = ws.mark()
    stopped = ok_json(api.post("/api/traps/stop"))
    assert isinstance(stopped, dict) and stopped.get("status") == "stopped", stopped
    status = ws.wait_for("status", lambda m: m["traps"]["running"] is False, timeout=5, since=mark)
    assert status.json["simulator"]["running"] is True, "status carries both parts"
    ws.wait_for(
        "stats",
        lambda m: _receiver_counters(m)["receiver_stop_count"] >= stops + 1,
        timeout=5,
        since=status.index + 1,
    )
    assert not _inform(stack).ok, "a stopped receiver must not acknowledge informs"

    mark = ws.mark()
    started = ok_json(api.post("/api/traps/start", json={}))
    assert isinstance(started, dict) and started.get("status") == "started", started
    status = ws.wait_for("status", lambda m: m["traps"]["running"] is True, timeout=5, since=mark)
    traps = status.json["traps"]
    assert isinstance(traps["pid"], int) and isinstance(traps["port"], int), traps
    assert isinstance(traps["resolve_mibs"], bool), traps
    ws.wait_for(
        "stats",
        lambda m: _receiver_counters(m)["receiver_start_count"] >= starts + 1,
        timeout=5,
        since=status.index + 1,
    )
    _inform(stack).check()
