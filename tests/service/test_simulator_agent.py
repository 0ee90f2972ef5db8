"""The simulator as a process: Net-SNMP tools against its agent, its control API and events."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.simulator_harness import HOST, SimulatorProcess, lines_by_oid, netsnmp

SYS = ".1.3.6.1.2.1.1"
IF_TABLE = ".1.3.6.1.2.1.2.2"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(tmp_path / "sim")
    proc.start()
    try:
        yield proc
    finally:
        proc.close()


def _ticks(text: str) -> int:
    m = re.search(r"\((\d+)\)", text)
    assert m, text
    return int(m.group(1))


@pytest.mark.parametrize("version", ["1", "2c"])
def test_get_system_group(sim: SimulatorProcess, version: str) -> None:
    out = netsnmp(
        "snmpget",
        f"-v{version}",
        "-c",
        "public",
        "-On",
        sim.target,
        f"{SYS}.1.0",
        f"{SYS}.2.0",
        f"{SYS}.3.0",
        f"{SYS}.4.0",
        f"{SYS}.5.0",
        f"{SYS}.6.0",
        f"{SYS}.7.0",
    )
    got = lines_by_oid(out)
    assert got[f"{SYS}.1.0"].startswith("STRING: ")
    assert got[f"{SYS}.2.0"].startswith("OID: .1.3.6.1.4.1.")
    assert got[f"{SYS}.3.0"].startswith("Timeticks: ")
    assert got[f"{SYS}.5.0"] == 'STRING: "snmplab-sim"'
    assert got[f"{SYS}.7.0"] == "INTEGER: 72"


def test_walk_and_bulkwalk_agree_on_system_and_iftable(sim: SimulatorProcess) -> None:
    walk = lines_by_oid(netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", sim.target, ".1"))
    bulk = lines_by_oid(
        netsnmp("snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Cr25", sim.target, ".1")
    )
    v1 = lines_by_oid(netsnmp("snmpwalk", "-v1", "-c", "public", "-On", sim.target, ".1"))
    assert list(walk) == list(bulk)
    # v1 cannot carry Counter64: the same walk without ifXTable's HC counters.
    assert [o for o in walk if not walk[o].startswith("Counter64")] == list(v1)
    for col in (1, 2, 3, 5, 8, 10, 16):
        assert f"{IF_TABLE}.1.{col}.1" in walk
    assert walk[f"{IF_TABLE}.1.2.2"] == 'STRING: "eth0"'
    assert f"{SYS}.3.0" in walk
    static = [o for o in walk if not walk[o].startswith(("Counter", "Timeticks"))]
    assert all(walk[o] == bulk[o] for o in static)


def test_uptime_ticks_and_octet_counters_grow(sim: SimulatorProcess) -> None:
    oids = [f"{SYS}.3.0", f"{IF_TABLE}.1.10.2", f"{IF_TABLE}.1.16.2"]
    first = lines_by_oid(netsnmp("snmpget", "-v2c", "-c", "public", "-On", sim.target, *oids))
    # Wait on the agent's own clock rather than a fixed sleep.
    while True:
        second = lines_by_oid(netsnmp("snmpget", "-v2c", "-c", "public", "-On", sim.target, *oids))
        if _ticks(second[oids[0]]) >= _ticks(first[oids[0]]) + 20:
            break
    for oid in oids[1:]:
        a = int(first[oid].split()[-1])
        b = int(second[oid].split()[-1])
        assert b > a, (oid, a, b)


def test_unknown_objects_and_end_of_mib(sim: SimulatorProcess) -> None:
    out = netsnmp("snmpget", "-v2c", "-c", "public", "-On", sim.target, f"{SYS}.9.0", f"{SYS}.1.1")
    assert "No Such Object" in out and "No Such Instance" in out
    out = netsnmp("snmpgetnext", "-v2c", "-c", "public", "-On", sim.target, ".1.3.6.1.9")
    assert "No more variables left in this MIB View" in out


def test_wrong_community_gets_no_answer(sim: SimulatorProcess) -> None:
    with pytest.raises(AssertionError, match="Timeout"):
        netsnmp("snmpget", "-v2c", "-c", "nope", "-t", "0.3", "-r", "0", sim.target, f"{SYS}.1.0")
    sim.get("/simulator/status")
    assert sim.get("/stats").json()["simulator"]["bad_community_packets"] >= 1


def test_malformed_packets_are_counted_and_dropped(sim: SimulatorProcess) -> None:
    junk = [
        b"",
        b"\x30",
        b"\x30\x03\x02\x01",
        b"hello",
        b"\x30\x82\xff\xff\x02\x01\x01",
        bytes(range(64)),
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for j in junk:
            s.sendto(j, (HOST, sim.snmp_port))
    out = netsnmp("snmpget", "-v2c", "-c", "public", "-On", sim.target, f"{SYS}.5.0")
    assert "snmplab-sim" in out
    stats = sim.get("/stats").json()["simulator"]
    assert stats["malformed_packets"] == len(junk)


def test_lifecycle_status_events_and_counters(sim: SimulatorProcess, tmp_path: Path) -> None:
    sink = sim.sink
    st = sim.get("/simulator/status").json()
    assert st["running"] is True and st["port"] == sim.snmp_port and st["community"] == "public"
    assert re.fullmatch(r"\d+:\d\d:\d\d", st["uptime"])
    mark = len(sink.events)
    assert sim.post("/simulator/stop").json()["status"] == "stopped"
    status_ev = sink.wait_for(lambda e: e.type == "status" and not e.data["running"], after=mark)
    stats_ev = sink.wait_for(lambda e: e.type == "stats", after=sink.events.index(status_ev) + 1)
    assert stats_ev.data["simulator"]["stop_count"] == 1
    st = sim.get("/simulator/status").json()
    assert st["running"] is False and st["pid"] is None and st["uptime"] is None
    assert sim.post("/simulator/stop").json()["status"] == "not_running"

    # A busy port is a 409 with a message, and the simulator stays stopped.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind((HOST, 0))
        r = sim.post("/simulator/start", json={"port": busy.getsockname()[1]})
        assert r.status_code == 409 and "already in use" in r.json()["detail"]
    assert sim.get("/simulator/status").json()["running"] is False

    mark = len(sink.events)
    r = sim.post("/simulator/start", json={"port": sim.snmp_port, "community": "lab"})
    assert r.status_code == 200 and r.json()["status"] == "started"
    sink.wait_for(lambda e: e.type == "status" and e.data["running"], after=mark)
    out = netsnmp("snmpget", "-v2c", "-c", "lab", "-On", sim.target, f"{SYS}.5.0")
    assert "snmplab-sim" in out
    mark = len(sink.events)
    r = sim.post("/simulator/restart")
    assert r.json()["status"] == "restarted" and r.json()["community"] == "lab"
    ev = sink.wait_for(lambda e: e.type == "status", after=mark)
    sink.wait_for(lambda e: e.type == "stats", after=sink.events.index(ev) + 1)
    stats = sim.get("/stats").json()["simulator"]
    assert (stats["start_count"], stats["stop_count"], stats["restart_count"]) == (2, 1, 1)
    assert stats["snmp_requests_served"] >= 1 and stats["requests_get"] >= 1

    # Counters survive a restart of the process; DELETE /stats resets them.
    sim.stop()
    sim.start()
    stats = sim.get("/stats").json()["simulator"]
    assert stats["start_count"] == 3 and stats["requests_get"] >= 1
    assert sim.get("/simulator/status").json()["community"] == "lab"
    assert sim.http.delete("/stats").status_code == 200
    assert sim.get("/stats").json()["simulator"]["requests_get"] == 0


def test_stats_event_follows_request_traffic(sim: SimulatorProcess) -> None:
    mark = len(sim.sink.events)
    netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", sim.target, SYS)
    ev = sim.sink.wait_for(
        lambda e: e.type == "stats" and e.data["simulator"]["requests_getnext"] >= 8, after=mark
    )
    assert ev.data["simulator"]["last_request_at"]
    act = sim.sink.wait_for(lambda e: e.type == "activity", after=mark)
    assert act.data["samples"][0]["device"] == "default"


def test_control_api_needs_the_secret(sim: SimulatorProcess) -> None:
    import httpx

    r = httpx.get(f"http://{HOST}:{sim.control_port}/simulator/status")
    assert r.status_code == 401
    assert httpx.get(f"http://{HOST}:{sim.control_port}/health").json()["service"] == "simulator"


def test_openapi_schema_behind_the_secret(sim: SimulatorProcess) -> None:
    import httpx

    assert httpx.get(f"http://{HOST}:{sim.control_port}/openapi.json").status_code == 401
    paths = sim.get("/openapi.json").json()["paths"]
    assert "/simulator/devices" in paths and "/simulator/status" in paths
