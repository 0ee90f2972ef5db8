"""Simulator features that use the MIB library: the previous product's custom data JSON
with MODULE::name keys, profiles generated from MIBs, symbolic walk imports. The test
plays the gateway's MIB endpoint with the standard index the MIB tests compile."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mib_helpers import CACHE_DIR, standard_dir, standard_index
from tests.service.simulator_harness import HOST, SimulatorProcess, lines_by_oid, netsnmp


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    standard_index()
    body = (CACHE_DIR / "standard-index.json").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/internal/mibs/index.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", '"std"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://{HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sim(tmp_path: Path, gateway: str) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(tmp_path / "sim", extra_env={"SNMPLAB_GATEWAY_URL": gateway})
    proc.start()
    deadline = time.monotonic() + 30
    while not proc.get("/simulator/status").json()["mibs_loaded"]:
        assert time.monotonic() < deadline, "the MIB index never loaded"
        time.sleep(0.1)
    try:
        yield proc
    finally:
        proc.close()


def test_custom_data_json(sim: SimulatorProcess) -> None:
    data = {
        "IF-MIB::ifSpeed.1": 1000,
        "SNMPv2-MIB::sysContact.0": "ops team",
        "IF-MIB::ifAlias.9": "new row",
        "NOPE-MIB::thing.1": 5,
        "1.3.6.1.4.1.4242.1.0": "numeric key",
    }
    r = sim.post("/simulator/data", json=data)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["message"] == "Data saved and simulator restarted"
    issues = body["report"]["issues"]
    assert [(i["line"], i["action"]) for i in issues] == [(4, "skipped"), (5, "coerced")]
    assert "NOPE-MIB" in issues[0]["reason"]
    assert sim.get("/simulator/data").json() == data
    got = lines_by_oid(
        netsnmp(
            "snmpget",
            "-v2c",
            "-c",
            "public",
            "-On",
            sim.target,
            ".1.3.6.1.2.1.2.2.1.5.1",
            ".1.3.6.1.2.1.1.4.0",
            ".1.3.6.1.2.1.31.1.1.1.18.9",
            ".1.3.6.1.4.1.4242.1.0",
        )
    )
    assert got[".1.3.6.1.2.1.2.2.1.5.1"] == "Gauge32: 1000"
    assert got[".1.3.6.1.2.1.1.4.0"] == 'STRING: "ops team"'
    assert got[".1.3.6.1.2.1.31.1.1.1.18.9"] == 'STRING: "new row"'
    assert got[".1.3.6.1.4.1.4242.1.0"] == 'STRING: "numeric key"'
    assert sim.post("/simulator/data", json=[1, 2]).status_code == 422


def test_generate_profile_from_mibs(sim: SimulatorProcess) -> None:
    r = sim.post(
        "/simulator/profiles/gen/generate",
        json={"modules": ["IF-MIB", "SNMPv2-MIB"], "rows": 3, "seed": 1},
    )
    assert r.status_code == 200, r.text
    assert r.json()["report"]["imported"] > 50
    assert (
        sim.post(
            "/simulator/devices", json={"name": "g", "profile": "gen", "community": "gen"}
        ).status_code
        == 201
    )
    walk = lines_by_oid(
        netsnmp("snmpwalk", "-v2c", "-c", "gen", "-On", sim.target, ".1.3.6.1.2.1.2.2.1")
    )
    descr = [o for o in walk if o.startswith(".1.3.6.1.2.1.2.2.1.2.")]
    assert descr == [".1.3.6.1.2.1.2.2.1.2.1", ".1.3.6.1.2.1.2.2.1.2.2", ".1.3.6.1.2.1.2.2.1.2.3"]
    admin = [int(walk[f".1.3.6.1.2.1.2.2.1.7.{k}"].split()[-1]) for k in (1, 2, 3)]
    assert set(admin) <= {1, 2, 3}
    assert walk[".1.3.6.1.2.1.2.2.1.10.1"].startswith("Counter32")
    # ifPhysAddress has no size; ifStackStatus-like read-create columns appear too.
    assert (
        sim.post(
            "/simulator/profiles/gen/generate",
            json={"modules": ["NO-SUCH-MIB"], "rows": 1, "replace": True},
        ).status_code
        == 422
    )


def test_symbolic_walk_import(sim: SimulatorProcess) -> None:
    mibs = standard_dir() / "modules"
    text = netsnmp(
        "snmpwalk",
        "-v2c",
        "-c",
        "public",
        "-M",
        f"+{mibs}",
        "-m",
        "SNMPv2-MIB:IF-MIB",
        sim.target,
        ".1",
    )
    assert "IF-MIB::ifDescr.2" in text
    r = sim.post("/simulator/profiles/sym/import?format=walk", content=text)
    assert r.status_code == 200, r.text
    rep = r.json()["report"]
    assert rep["imported"] == 96, rep["issues"][:5]
    sim.post("/simulator/devices", json={"name": "sym", "profile": "sym", "community": "sym"})
    a = lines_by_oid(netsnmp("snmpwalk", "-v2c", "-c", "sym", "-On", sim.target, ".1.3.6.1.2.1.2"))
    assert a[".1.3.6.1.2.1.2.2.1.2.2"] == 'STRING: "eth0"'
    assert a[".1.3.6.1.2.1.2.2.1.8.4"] == "INTEGER: 2"


def test_set_checks_use_mib_syntax(sim: SimulatorProcess) -> None:
    promisc = "1.3.6.1.2.1.31.1.1.1.16"  # IF-MIB ifPromiscuousMode, TruthValue {1, 2}
    cfg = {"name": "m", "community": "m", "writable": [promisc], "creatable": [promisc]}
    assert sim.post("/simulator/devices", json=cfg).status_code == 201
    with pytest.raises(AssertionError, match="wrongValue"):
        netsnmp("snmpset", "-v2c", "-c", "m", sim.target, f"{promisc}.1", "i", "3")
    with pytest.raises(AssertionError, match="wrongType"):
        netsnmp("snmpset", "-v2c", "-c", "m", sim.target, f"{promisc}.1", "s", "true")
    out = netsnmp("snmpset", "-v2c", "-c", "m", "-On", sim.target, f"{promisc}.1", "i", "1")
    assert "INTEGER: 1" in out
