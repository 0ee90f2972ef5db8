"""Walk history against snmpd: store, show, re-run, diff, exports, delete, clear; typed SET."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from tests.service.walker_peers import (
    STATIC_OVERRIDES,
    Agent,
    Walker,
    netsnmp,
    parse_netsnmp_walk,
    run_snmpd,
    run_walker,
)

CONF = STATIC_OVERRIDES + (
    "rocommunity public 127.0.0.1 -V lab\nrwcommunity private 127.0.0.1 .1.3.6.1.4.1.99999\n"
)
LAB = "1.3.6.1.4.1.99999"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    with run_snmpd(tmp_path_factory.mktemp("snmpd"), CONF) as a:
        yield a


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with run_walker(tmp_path_factory.mktemp("walker")) as w:
        yield w


def _set(walker: Walker, agent: Agent, value: int, community: str = "private") -> dict:  # type: ignore[type-arg]
    with walker.client() as c:
        r = c.post(
            "/walk/set",
            json={
                "target": agent.host,
                "port": agent.port,
                "community": community,
                "varbinds": [{"oid": f"{LAB}.10.0", "type": "i", "value": value}],
            },
        )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_set_get_and_refusals(agent: Agent, walker: Walker) -> None:
    body = _set(walker, agent, 11)
    assert body["error_status"] is None
    assert body["varbinds"][0]["raw"] == 11
    assert "INTEGER: 11" in netsnmp(
        "snmpget", "-v2c", "-c", "public", "-On", agent.address, f"{LAB}.10.0"
    )
    with walker.client() as c:
        got = c.post(
            "/walk/get",
            json={"target": agent.host, "port": agent.port, "oids": [f"{LAB}.10.0", f"{LAB}.1.0"]},
        ).json()
        assert [v["raw"] for v in got["varbinds"]] == [11, -42]
        nxt = c.post(
            "/walk/getnext", json={"target": agent.host, "port": agent.port, "oids": [f"{LAB}.1.0"]}
        ).json()
        assert nxt["varbinds"][0]["oid"] == f"{LAB}.2.0"
        bulk_req = {"target": agent.host, "port": agent.port, "oids": [LAB], "max_repetitions": 3}
        bulk = c.post("/walk/getbulk", json=bulk_req).json()
        assert [v["oid"] for v in bulk["varbinds"]] == [f"{LAB}.1.0", f"{LAB}.2.0", f"{LAB}.3.0"]
        # A read-only object: the agent's refusal is reported, not hidden.
        ro = c.post(
            "/walk/set",
            json={
                "target": agent.host,
                "port": agent.port,
                "community": "private",
                "varbinds": [{"oid": f"{LAB}.1.0", "type": "Integer32", "value": 1}],
            },
        ).json()
        assert ro["error_status"] in ("notWritable", "noAccess", "noCreation")
        assert ro["message"].startswith("agent returned")
        bad = c.post(
            "/walk/set",
            json={
                "target": agent.host,
                "port": agent.port,
                "varbinds": [{"oid": f"{LAB}.10.0", "type": "i", "value": "ten"}],
            },
        )
        assert bad.status_code == 400 and "not an integer" in bad.json()["detail"]


def test_history_rerun_diff_exports(agent: Agent, walker: Walker) -> None:
    _set(walker, agent, 1)
    with walker.client() as c:
        first = c.post("/walk", json={"target": agent.host, "port": agent.port, "oid": LAB}).json()
        _set(walker, agent, 2)
        second = c.post(f"/walk/history/{first['history_id']}/rerun").json()
        assert second["rerun_of"] == first["history_id"]
        a, b = first["history_id"], second["history_id"]

        listing = c.get("/walk/history").json()
        assert [w["id"] for w in listing["walks"][:2]] == [b, a]
        assert listing["walks"][0]["count"] == first["count"]
        shown = c.get(f"/walk/history/{a}").json()
        assert shown["varbinds"] == first["varbinds"]
        assert shown["params"]["target"] == agent.host

        d = c.get("/walk/diff", params={"a": a, "b": b}).json()
        assert d["counts"] == {"added": 0, "removed": 0, "changed": 1}
        change = d["changed"][0]
        assert change["oid"] == f"{LAB}.10.0"
        assert (change["before"]["raw"], change["after"]["raw"]) == (1, 2)

        walk_text = c.get(f"/walk/history/{b}/export", params={"format": "walk"})
        assert walk_text.headers["content-disposition"].endswith('.txt"')
        expected = parse_netsnmp_walk(
            netsnmp("snmpwalk", "-v2c", "-c", "public", "-On", agent.address, LAB)
        )
        assert parse_netsnmp_walk(walk_text.text) == expected

        rec = c.get(f"/walk/history/{b}/export", params={"format": "snmprec"}).text.splitlines()
        assert f"{LAB}.1.0|2|-42" in rec
        assert f"{LAB}.9.0|4x|c3a9" in rec
        assert f"{LAB}.7.0|6|1.3.6.1.4.1.8072" in rec

        rows = list(
            csv.DictReader(
                io.StringIO(c.get(f"/walk/history/{b}/export", params={"format": "csv"}).text)
            )
        )
        assert [r["oid"] for r in rows] == [v["oid"] for v in second["varbinds"]]
        js = c.get(f"/walk/history/{b}/export", params={"format": "json"}).json()
        assert js["varbinds"] == second["varbinds"]

        assert c.delete(f"/walk/history/{a}").status_code == 200
        assert c.get(f"/walk/history/{a}").status_code == 404
        assert c.get("/walk/diff", params={"a": a, "b": b}).status_code == 404
        assert c.delete("/walk/history").json()["status"] == "cleared"
        assert c.get("/walk/history").json()["total"] == 0


def test_views_of_a_stored_walk(agent: Agent, walker: Walker) -> None:
    with walker.client() as c:
        walk = c.post(
            "/walk", json={"target": agent.host, "port": agent.port, "oid": "1.3.6.1.2.1.1"}
        ).json()
        hid = walk["history_id"]
        view = c.get(f"/walk/history/{hid}/table", params={"table": "1.3.6.1.2.1.1.9"}).json()
        assert [col["id"] for col in view["columns"]] == [2, 3, 4]
        parsed = c.get(f"/walk/history/{hid}/parsed").json()
        assert parsed["mode"] == "parsed"
        # sysORUpTime (TimeTicks) rows are metrics labelled by sysORDescr of the same row.
        assert any(m["labels"].get("1.3.6.1.2.1.1.9.1.3") for m in parsed["data"])
