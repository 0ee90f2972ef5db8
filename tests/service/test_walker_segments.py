"""Segmented walks (cut at the tables the MIB index knows, walked side by side) return
exactly what snmpwalk returns, in order; names come from the index served by a stand-in
gateway."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from services.walker.varbinds import netsnmp_line
from tests.service.walker_peers import (
    STATIC_OVERRIDES,
    Agent,
    Walker,
    netsnmp,
    parse_netsnmp_walk,
    run_snmpd,
    run_walker,
    serve_mib_index,
)

CONF = STATIC_OVERRIDES + "rocommunity public 127.0.0.1 -V lab\n"
LAB = "1.3.6.1.4.1.99999"
NODES: list[dict[str, object]] = [
    {"oid": "1.3.6.1.2.1.1", "module": "SNMPv2-MIB", "name": "system", "kind": "node"},
    {
        "oid": "1.3.6.1.2.1.1.5",
        "module": "SNMPv2-MIB",
        "name": "sysName",
        "kind": "scalar",
        "syntax": {"type": "DisplayString", "base": "OctetString"},
    },
    {"oid": "1.3.6.1.2.1.1.9", "module": "SNMPv2-MIB", "name": "sysORTable", "kind": "table"},
    {
        "oid": "1.3.6.1.2.1.1.9.1",
        "module": "SNMPv2-MIB",
        "name": "sysOREntry",
        "kind": "row",
        "indexes": [{"module": "SNMPv2-MIB", "name": "sysORIndex"}],
    },
    # Split points that are not instances, between and before real values.
    {"oid": f"{LAB}.3", "module": "LAB-MIB", "name": "labThree", "kind": "table"},
    {"oid": f"{LAB}.6", "module": "LAB-MIB", "name": "labSix", "kind": "table"},
    {"oid": f"{LAB}.8", "module": "LAB-MIB", "name": "labEight", "kind": "table"},
    {"oid": f"{LAB}.50", "module": "LAB-MIB", "name": "labEmpty", "kind": "table"},
    {"oid": "1.3.6.1.4.1.99998", "module": "LAB-MIB", "name": "labBefore", "kind": "table"},
]


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    with run_snmpd(tmp_path_factory.mktemp("snmpd"), CONF) as a:
        yield a


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with (
        serve_mib_index(NODES) as gateway,
        run_walker(tmp_path_factory.mktemp("walker"), SNMPLAB_GATEWAY_URL=gateway) as w,
    ):
        with w.client() as c:
            deadline = time.monotonic() + 20
            while not c.get("/mibs/status").json()["loaded"]:
                assert time.monotonic() < deadline, "the walker did not load the MIB index"
                time.sleep(0.05)
        yield w


def _stable(lines: list[str]) -> list[str]:
    return [ln for ln in lines if not ln.startswith(".1.3.6.1.2.1.1.3.0 ")]


@pytest.mark.parametrize("operation", ["walk", "bulkwalk"])
@pytest.mark.parametrize("reps", [1, 3, 25])
def test_segmented_walk_equals_snmpwalk(
    agent: Agent, walker: Walker, operation: str, reps: int
) -> None:
    expected = parse_netsnmp_walk(
        netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", agent.address, ".1")
    )
    with walker.client() as c:
        body = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": ".1",
                "operation": operation,
                "max_repetitions": reps,
                "parallel": 4,
                "save": False,
            },
        ).json()
    assert body["status"] == "complete", body
    assert body["segments"] == 1 + sum(n["kind"] == "table" for n in NODES)
    assert _stable([netsnmp_line(r) for r in body["varbinds"]]) == _stable(expected)
    names = {r["oid"]: r["name"] for r in body["varbinds"]}
    assert names["1.3.6.1.2.1.1.5.0"] == "SNMPv2-MIB::sysName.0"
    assert names["1.3.6.1.2.1.1.9.1.3.1"] == "SNMPv2-MIB::sysOREntry.3.1"


def test_segmented_cap_is_a_prefix(agent: Agent, walker: Walker) -> None:
    with walker.client() as c:
        full = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": ".1",
                "parallel": 1,
                "save": False,
            },
        ).json()
        capped = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": ".1",
                "parallel": 8,
                "max_oids": 20,
                "max_repetitions": 2,
                "save": False,
            },
        ).json()
    assert capped["status"] == "truncated"
    assert 0 < capped["count"] <= 20
    oids = [r["oid"] for r in capped["varbinds"]]
    assert oids == [r["oid"] for r in full["varbinds"]][: len(oids)]
