"""The walker service walking Net-SNMP snmpd, compared with snmpwalk/snmpbulkwalk -On."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.events import decode_event
from tests.service.walker_peers import (
    LOOPBACK,
    SECRET,
    STATIC_OVERRIDES,
    Agent,
    Walker,
    netsnmp,
    parse_netsnmp_walk,
    run_snmpd,
    run_walker,
)

CONF = STATIC_OVERRIDES + "rocommunity public 127.0.0.1 -V lab\n"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    with run_snmpd(tmp_path_factory.mktemp("snmpd"), CONF) as a:
        yield a


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with run_walker(tmp_path_factory.mktemp("walker")) as w:
        yield w


def _stable(lines: list[str]) -> list[str]:
    # sysUpTime ticks between two walks; everything else in this view is fixed.
    return [ln for ln in lines if not ln.startswith(".1.3.6.1.2.1.1.3.0 ")]


@pytest.mark.parametrize("operation", ["walk", "bulkwalk"])
def test_walk_matches_netsnmp(agent: Agent, walker: Walker, operation: str) -> None:
    tool = "snmpbulkwalk" if operation == "bulkwalk" else "snmpwalk"
    expected = parse_netsnmp_walk(netsnmp(tool, "-v2c", "-c", "public", "-On", agent.address, ".1"))
    with walker.client() as c:
        r = c.post(
            "/walk/execute",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": ".1",
                "parse": False,
                "use_mibs": False,
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["mode"] == "raw"
        assert _stable(body["data"]) == _stable(expected)
        r = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": "1.3.6.1.4.1.99999",
                "operation": operation,
                "max_repetitions": 3,
            },
        )
        assert r.status_code == 200, r.text
        walk = r.json()
    assert walk["status"] == "complete", walk
    assert len(walk["varbinds"]) == 8, walk
    by_oid = {v["oid"]: v for v in walk["varbinds"]}
    assert by_oid["1.3.6.1.4.1.99999.1.0"] == {
        "oid": "1.3.6.1.4.1.99999.1.0",
        "name": "1.3.6.1.4.1.99999.1.0",
        "type": "Integer32",
        "value": "-42",
        "raw": -42,
    }
    assert by_oid["1.3.6.1.4.1.99999.2.0"]["type"] == "Gauge32"
    assert by_oid["1.3.6.1.4.1.99999.5.0"]["value"] == 'hello "world"'
    assert by_oid["1.3.6.1.4.1.99999.9.0"]["raw"] == "c3a9"
    assert by_oid["1.3.6.1.4.1.99999.8.0"]["raw"] == 123456
    assert by_oid["1.3.6.1.4.1.99999.7.0"]["value"] == "1.3.6.1.4.1.8072"


def test_walk_of_a_leaf_returns_the_instance(agent: Agent, walker: Walker) -> None:
    with walker.client() as c:
        r = c.post(
            "/walk", json={"target": agent.host, "port": agent.port, "oid": "1.3.6.1.4.1.99999.1.0"}
        )
    assert [v["oid"] for v in r.json()["varbinds"]] == ["1.3.6.1.4.1.99999.1.0"]


def test_counters_and_signed_stats_event(agent: Agent, tmp_path: Path) -> None:
    events = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    events.bind((LOOPBACK, 0))
    events.settimeout(10)
    with events, run_walker(tmp_path, events_port=events.getsockname()[1]) as w:
        with w.client() as c:
            r = c.post(
                "/walk", json={"target": agent.host, "port": agent.port, "oid": "1.3.6.1.2.1.1"}
            )
            n = r.json()["count"]
            assert n > 10
            # A dead port: no answer, a clear 504, counted as failed.
            dead = c.post(
                "/walk",
                json={
                    "target": agent.host,
                    "port": 9,
                    "oid": "1.3.6.1.2.1.1",
                    "timeout": 0.2,
                    "retries": 0,
                },
            )
            assert dead.status_code == 504
            assert "no response" in dead.json()["detail"]
            stats = c.get("/stats").json()
        assert stats["walker"]["walks_executed"] == 1
        assert stats["walker"]["walks_failed"] == 1
        assert stats["walker"]["oids_returned"] == n
        assert stats["walker"]["last_walk_oids"] == n
        assert stats["traps"]["traps_sent_total"] == 0
        seen: set[str] = set()
        while not {"stats", "walk_progress"} <= seen:
            ev = decode_event(SECRET.encode(), events.recv(65535))
            assert ev.service == "walker"
            seen.add(ev.type)
            if ev.type == "walk_progress":
                assert set(ev.data) == {"walk_id", "oids", "rate", "done"}
    # Counters survive a restart.
    with run_walker(tmp_path) as w2, w2.client() as c:
        assert c.get("/stats").json()["walker"]["oids_returned"] == n
        assert c.delete("/stats").status_code == 200
        assert c.get("/stats").json()["walker"]["walks_executed"] == 0


def test_control_api_needs_the_secret(walker: Walker) -> None:
    import httpx

    assert httpx.get(walker.url + "/health").status_code == 200
    assert httpx.get(walker.url + "/stats").status_code == 401


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"target": "-oProxyCommand=x", "oid": "1.3"}, "target"),
        ({"target": "127.0.0.1", "port": 70000, "oid": "1.3"}, "port"),
        ({"target": "127.0.0.1", "community": "has space", "oid": "1.3"}, "community"),
        ({"target": "127.0.0.1", "oid": ""}, "oid"),
        ({"target": "127.0.0.1", "oid": "1.3; rm -rf /"}, "OID"),
        ({"target": "127.0.0.1", "oid": "NO-SUCH-MIB::thing"}, "MIB"),
    ],
)
def test_execute_rejects_bad_input(walker: Walker, body: dict[str, object], needle: str) -> None:
    with walker.client() as c:
        r = c.post("/walk/execute", json=body)
    assert r.status_code == 400, r.text
    assert needle.lower() in r.json()["detail"].lower()


def test_table_view_of_sysortable(agent: Agent, walker: Walker) -> None:
    expected = parse_netsnmp_walk(
        netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", agent.address, ".1.3.6.1.2.1.1.9")
    )
    with walker.client() as c:
        r = c.post(
            "/walk/table",
            json={"target": agent.host, "port": agent.port, "table": "1.3.6.1.2.1.1.9"},
        )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["entry"] == "1.3.6.1.2.1.1.9.1"
    assert [c["id"] for c in view["columns"]] == [2, 3, 4]
    assert len(view["rows"]) * 3 == len(expected)
    descr = {ln.split(" = ")[0]: ln.split(" = ", 1)[1] for ln in expected}
    for row in view["rows"]:
        text = descr[f".1.3.6.1.2.1.1.9.1.3.{row['instance']}"]
        assert text == f'STRING: "{row["values"]["3"]}"'


def test_ipv6_and_host_names(tmp_path: Path, walker: Walker) -> None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    with (
        run_snmpd(
            tmp_path / "v6",
            CONF.replace("127.0.0.1", "::1").replace("rocommunity public", "rocommunity6 public"),
            host="::1",
        ) as v6,
        walker.client() as c,
    ):
        expected = parse_netsnmp_walk(
            netsnmp(
                "snmpwalk",
                "-v2c",
                "-c",
                "public",
                "-On",
                f"udp6:[::1]:{v6.port}",
                ".1.3.6.1.4.1.99999",
            )
        )
        for target in ("::1", "[::1]"):
            r = c.post(
                "/walk",
                json={"target": target, "port": v6.port, "oid": "1.3.6.1.4.1.99999", "save": False},
            )
            assert r.status_code == 200, r.text
            assert [f".{v['oid']}" for v in r.json()["varbinds"]] == [
                ln.split(" = ")[0] for ln in expected
            ]


def test_host_name_target(agent: Agent, walker: Walker) -> None:
    name = socket.gethostbyaddr(agent.host)[0]  # "localhost" on most machines
    with walker.client() as c:
        r = c.post(
            "/walk",
            json={"target": name, "port": agent.port, "oid": "1.3.6.1.4.1.99999", "save": False},
        )
        assert r.status_code == 200, r.text
        assert r.json()["count"] == 8
        bad = c.post("/walk", json={"target": "no-such-host.invalid", "port": agent.port})
        assert bad.status_code == 400 and "cannot resolve" in bad.json()["detail"]
