"""Many devices: selection by community, own port and context; templates; imports and
exports that round-trip through Net-SNMP's tools; faults on purpose."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.snmp import ber, message
from tests.service.simulator_harness import HOST, SimulatorProcess, free_port, lines_by_oid, netsnmp

SYS_NAME = ".1.3.6.1.2.1.1.5.0"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(tmp_path / "sim")
    proc.start()
    try:
        yield proc
    finally:
        proc.close()


def _get(target: str, community: str, *oids: str) -> dict[str, str]:
    return lines_by_oid(netsnmp("snmpget", "-v2c", "-c", community, "-On", target, *oids))


def test_template_makes_distinct_devices(sim: SimulatorProcess) -> None:
    body = {
        "count": 20,
        "name": "sw{n:2}",
        "community": "c{n}",
        "interfaces": 6,
        "overrides": {"sysName": "{name}.lab", "sysLocation": "row {n}"},
    }
    r = sim.post("/simulator/devices/template", json=body)
    assert r.status_code == 201, r.text
    seen = set()
    for n in (1, 7, 20):
        got = _get(
            sim.target,
            f"c{n}",
            SYS_NAME,
            ".1.3.6.1.2.1.1.6.0",
            ".1.3.6.1.2.1.2.1.0",
            ".1.3.6.1.2.1.2.2.1.10.6",
        )
        assert got[SYS_NAME] == f'STRING: "sw{n:02d}.lab"'
        assert got[".1.3.6.1.2.1.1.6.0"] == f'STRING: "row {n}"'
        assert got[".1.3.6.1.2.1.2.1.0"] == "INTEGER: 6"
        seen.add(got[".1.3.6.1.2.1.2.2.1.10.6"])
    assert len(seen) == 3, "counter seeds differ per instance"
    walk = lines_by_oid(
        netsnmp("snmpwalk", "-v2c", "-c", "c3", "-On", sim.target, ".1.3.6.1.2.1.2.2.1.2")
    )
    assert len(walk) == 6
    assert sim.get("/simulator/devices").json()["total"] == 21
    r = sim.post("/simulator/devices/template", json={"count": 1, "name": "sw{n:2}"})
    assert r.status_code == 409


def test_thousand_devices(sim: SimulatorProcess) -> None:
    t0 = time.monotonic()
    r = sim.post(
        "/simulator/devices/template", json={"count": 1000, "name": "d{n}", "community": "k{n}"}
    )
    assert r.status_code == 201, r.text
    # Restart builds all 1,001 devices from scratch, as a process start would.
    assert sim.post("/simulator/restart").status_code == 200
    elapsed = time.monotonic() - t0
    got = _get(sim.target, "k999", SYS_NAME)
    assert got[SYS_NAME] == 'STRING: "d999"'
    st = sim.get("/simulator/status").json()
    assert st["devices_running"] == 1001
    print(f"1000 devices created and restarted in {elapsed:.2f} s")


def test_own_address(sim: SimulatorProcess) -> None:
    # Any 127/8 address is local on Linux: a device on its own address, same port number.
    cfg = {
        "name": "addr",
        "community": "public",
        "address": "127.0.0.77",
        "port": sim.snmp_port,
        "overrides": {"sysName": "at-77"},
    }
    r = sim.post("/simulator/devices", json=cfg)
    assert r.status_code == 201 and r.json()["error"] is None, r.text
    got = _get(f"127.0.0.77:{sim.snmp_port}", "public", SYS_NAME)
    assert got[SYS_NAME] == 'STRING: "at-77"'


def test_own_port_and_lifecycle(sim: SimulatorProcess) -> None:
    port = free_port()
    cfg = {"name": "edge", "community": "public", "port": port, "overrides": {"sysName": "edge"}}
    assert sim.post("/simulator/devices", json=cfg).status_code == 201
    target = f"{HOST}:{port}"
    assert _get(target, "public", SYS_NAME)[SYS_NAME] == 'STRING: "edge"'
    assert _get(sim.target, "public", SYS_NAME)[SYS_NAME] == 'STRING: "snmplab-sim"'
    assert sim.post("/simulator/devices/edge/stop").json()["running"] is False
    with pytest.raises(AssertionError, match="Timeout"):
        netsnmp("snmpget", "-v2c", "-c", "public", "-t", "0.3", "-r", "0", target, SYS_NAME)
    assert sim.post("/simulator/devices/edge/start").json()["running"] is True
    assert _get(target, "public", SYS_NAME)[SYS_NAME] == 'STRING: "edge"'
    dev = sim.get("/simulator/devices/edge").json()
    assert dev["requests"]["get"] >= 2 and dev["last_activity"]
    # Conflicts are refused with a reason.
    r = sim.post("/simulator/devices", json={"name": "dup", "community": "public"})
    assert r.status_code == 409 and "default" in r.json()["detail"]
    assert sim.http.delete("/simulator/devices/edge").status_code == 200
    with pytest.raises(AssertionError, match="Timeout"):
        netsnmp("snmpget", "-v2c", "-c", "public", "-t", "0.3", "-r", "0", target, SYS_NAME)


SNMPREC = """\
# a small recording
1.3.6.1.2.1.1.1.0|4|Test box
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1
1.3.6.1.2.1.1.3.0|67|12345
1.3.6.1.2.1.1.5.0|4x|6869207468657265
1.3.6.1.2.1.2.2.1.6.1|4x|001a2b3c4d5e
1.3.6.1.2.1.2.2.1.10.1|65|4000000000
1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1
1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615
1.3.6.1.4.1.99.1.0|66|42
1.3.6.1.4.1.99.2.0|2|-7
1.3.6.1.4.1.99.3.0|4|
1.3.6.1.4.1.99.4.0|2:writecache|value=5
1.3.6.1.4.1.99.5.0|4:sql|dbtype=sqlite3
bad line
1.3.6.1.4.1.99.6.0|99|x
"""


def test_snmprec_import_reports_and_walks_back_exactly(sim: SimulatorProcess) -> None:
    r = sim.post("/simulator/profiles/rec/import?format=snmprec", content=SNMPREC)
    assert r.status_code == 200, r.text
    rep = r.json()["report"]
    issues = {i["line"]: i for i in rep["issues"]}
    assert issues[13]["action"] == "coerced" and "writecache" in issues[13]["reason"]
    assert issues[14]["action"] == "skipped" and "sql" in issues[14]["reason"]
    assert issues[15]["action"] == "skipped" and issues[16]["action"] == "skipped"
    assert rep["imported"] == 12
    assert (
        sim.post(
            "/simulator/devices", json={"name": "rec", "profile": "rec", "community": "rec"}
        ).status_code
        == 201
    )
    walk = netsnmp("snmpwalk", "-v2c", "-c", "rec", "-On", "-Oe", sim.target, ".1")
    got = lines_by_oid(walk)
    assert got == {
        ".1.3.6.1.2.1.1.1.0": 'STRING: "Test box"',
        ".1.3.6.1.2.1.1.2.0": "OID: .1.3.6.1.4.1.9.1.1",
        ".1.3.6.1.2.1.1.3.0": "Timeticks: (12345) 0:02:03.45",
        ".1.3.6.1.2.1.1.5.0": 'STRING: "hi there"',
        ".1.3.6.1.2.1.2.2.1.6.1": "Hex-STRING: 00 1A 2B 3C 4D 5E ",
        ".1.3.6.1.2.1.2.2.1.10.1": "Counter32: 4000000000",
        ".1.3.6.1.2.1.4.20.1.1.10.0.0.1": "IpAddress: 10.0.0.1",
        ".1.3.6.1.2.1.31.1.1.1.6.1": "Counter64: 18446744073709551615",
        ".1.3.6.1.4.1.99.1.0": "Gauge32: 42",
        ".1.3.6.1.4.1.99.2.0": "INTEGER: -7",
        ".1.3.6.1.4.1.99.3.0": '""',
        ".1.3.6.1.4.1.99.4.0": "INTEGER: 5",
    }
    # Export both ways; each imports back to the same walk.
    rec_text = sim.get("/simulator/devices/rec/export?format=snmprec").text
    walk_text = sim.get("/simulator/devices/rec/export?format=walk").text
    assert (
        sim.post("/simulator/profiles/rec2/import?format=snmprec", content=rec_text).json()[
            "report"
        ]["skipped"]
        == 0
    )
    assert (
        sim.post("/simulator/profiles/rec3/import?format=walk", content=walk_text).json()["report"][
            "skipped"
        ]
        == 0
    )
    for name in ("rec2", "rec3"):
        assert (
            sim.post(
                "/simulator/devices", json={"name": name, "profile": name, "community": name}
            ).status_code
            == 201
        )
        again = lines_by_oid(
            netsnmp("snmpwalk", "-v2c", "-c", name, "-On", "-Oe", sim.target, ".1")
        )
        assert again == got, name


def test_walk_import_of_net_snmp_output(sim: SimulatorProcess) -> None:
    # The simulator's own default device, walked by Net-SNMP in two output forms.
    numeric = netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", sim.target, ".1")
    plain = netsnmp("snmpwalk", "-v2c", "-c", "public", "-m", "", sim.target, ".1")
    for name, text in (("w-on", numeric), ("w-iso", plain)):
        r = sim.post(f"/simulator/profiles/{name}/import?format=walk", content=text)
        assert r.status_code == 200, r.text
        assert r.json()["report"]["imported"] == len(lines_by_oid(numeric))
    text = (
        '.1.3.6.1.4.1.5.1.0 = STRING: "first line\nsecond line"\n'
        ".1.3.6.1.4.1.5.2.0 = Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n"
        "10 11 \n"
        ".1.3.6.1.4.1.5.3.0 = INTEGER: up(1)\n"
        ".1.3.6.1.4.1.5.4.0 = Gauge32: 100 milliseconds\n"
        "IF-MIB::ifDescr.1 = STRING: lo\n"
        ".1.3.6.1.4.1.5.5.0 = Network Address: 0A:00:00:01\n"
    )
    r = sim.post("/simulator/profiles/w-multi/import?format=walk", content=text)
    rep = r.json()["report"]
    assert rep["imported"] == 5
    assert [(i["line"], i["action"]) for i in rep["issues"]] == [(6, "coerced"), (7, "skipped")]
    sim.post("/simulator/devices", json={"name": "wm", "profile": "w-multi", "community": "wm"})
    got = lines_by_oid(netsnmp("snmpwalk", "-v2c", "-c", "wm", "-On", sim.target, ".1"))
    assert got[".1.3.6.1.4.1.5.3.0"] == "INTEGER: 1"
    assert got[".1.3.6.1.4.1.5.5.0"] == "IpAddress: 10.0.0.1"
    out = netsnmp("snmpget", "-v2c", "-c", "wm", "-On", "-Ox", sim.target, ".1.3.6.1.4.1.5.2.0")
    assert "0E 0F" in out and "10 11" in out


def test_import_as_browser_upload(sim: SimulatorProcess) -> None:
    files = {"file": ("box.snmprec", b"1.3.6.1.2.1.1.5.0|4|uploaded\n", "text/plain")}
    r = sim.post("/simulator/profiles/up/import?format=snmprec", files=files)
    assert r.status_code == 200 and r.json()["report"]["imported"] == 1, r.text


def test_import_rejects_nothing_and_conflicts(sim: SimulatorProcess) -> None:
    r = sim.post("/simulator/profiles/x/import?format=snmprec", content="garbage\n")
    assert r.status_code == 422 and r.json()["report"]["issues"][0]["line"] == 1
    r = sim.post("/simulator/profiles/default/import?format=snmprec", content="1.3.6.1.1.0|2|1\n")
    assert r.status_code == 409
    r = sim.http.delete("/simulator/profiles/default")
    assert r.status_code == 409


def _raw_get(port: int, community: bytes, oid: str, rid: int) -> bytes:
    vb = message.encode_varbind(ber.encode_oid(ber.parse_oid(oid)), ber.NULL_TLV)
    return message.encode_message(1, community, ber.GET_REQUEST, rid, 0, 0, vb)


def test_faults_delay_drop_error_and_quirks(sim: SimulatorProcess) -> None:
    faults = {"delay_ms": 800}
    sim.post("/simulator/devices", json={"name": "slow", "community": "slow", "faults": faults})
    sim.post(
        "/simulator/devices",
        json={"name": "lossy", "community": "lossy", "faults": {"drop_rate": 1.0}},
    )
    sim.post(
        "/simulator/devices",
        json={"name": "broken", "community": "broken", "faults": {"error_status": 5}},
    )
    sim.post(
        "/simulator/devices",
        json={
            "name": "quirky",
            "community": "quirky",
            "faults": {"quirks": ["non_increasing_oid"]},
        },
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        t0 = time.monotonic()
        s.sendto(_raw_get(sim.snmp_port, b"slow", "1.3.6.1.2.1.1.5.0", 11), (HOST, sim.snmp_port))
        # A fast device answers while the slow one waits.
        s.sendto(_raw_get(sim.snmp_port, b"public", "1.3.6.1.2.1.1.5.0", 12), (HOST, sim.snmp_port))
        first = message.decode_message(s.recv(65535))
        second = message.decode_message(s.recv(65535))
        assert isinstance(first, message.Message) and isinstance(second, message.Message)
        assert (first.request_id, second.request_id) == (12, 11)
        assert time.monotonic() - t0 >= 0.8
    with pytest.raises(AssertionError, match="Timeout"):
        netsnmp("snmpget", "-v2c", "-c", "lossy", "-t", "0.3", "-r", "1", sim.target, SYS_NAME)
    with pytest.raises(AssertionError, match="genErr"):
        netsnmp("snmpget", "-v2c", "-c", "broken", sim.target, SYS_NAME)
    with pytest.raises(AssertionError, match="OID not increasing"):
        netsnmp("snmpwalk", "-v2c", "-c", "quirky", sim.target, ".1")
    lossy = sim.get("/simulator/devices/lossy").json()
    assert lossy["requests"]["dropped"] >= 2


def test_counters_survive_device_replacement(sim: SimulatorProcess) -> None:
    cfg = {"name": "r", "community": "r"}
    assert sim.post("/simulator/devices", json=cfg).status_code == 201
    for _ in range(3):
        _get(sim.target, "r", SYS_NAME)
    assert sim.get("/stats").json()["simulator"]["requests_get"] == 3
    for k in range(3):
        cfg["overrides"] = {"sysName": f"r{k}"}
        assert sim.http.put("/simulator/devices/r", json=cfg).status_code == 200
        assert _get(sim.target, "r", SYS_NAME)[SYS_NAME] == f'STRING: "r{k}"'
    assert sim.get("/stats").json()["simulator"]["requests_get"] == 6
