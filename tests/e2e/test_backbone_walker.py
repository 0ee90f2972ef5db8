"""Issue 2: the walker API walking the simulator returns what ``snmpbulkwalk -On`` does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.e2e

MIB2_SUBTREES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.2"]  # system, interfaces (ifTable)
# Values that move between two walks: compare their order (the walker walked first).
VOLATILE = {"TimeTicks", "Counter32", "Counter64"}


def _reference(stack: StackAddresses, oid: str) -> list[tuple[str, str, int | str]]:
    result = netsnmp.snmpbulkwalk(stack.simulator, oid, community=stack.community)
    return [(vb.oid, *netsnmp.canonical(vb)) for vb in netsnmp.walk_lines(result)]


def _compare(
    ours: list[tuple[str, str, int | str]], reference: list[tuple[str, str, int | str]]
) -> None:
    assert [o for o, _, _ in ours] == [o for o, _, _ in reference], "OIDs differ"
    for (oid, our_type, our_value), (_, ref_type, ref_value) in zip(ours, reference, strict=True):
        assert our_type == ref_type, f"{oid}: walker {our_type}, Net-SNMP {ref_type}"
        if our_type in VOLATILE:
            assert isinstance(our_value, int) and isinstance(ref_value, int), (oid, our_value)
            assert our_value <= ref_value, f"{oid}: {our_value} then {ref_value} went back"
        else:
            assert our_value == ref_value, f"{oid}: walker {our_value!r}, Net-SNMP {ref_value!r}"


def _walks_executed(api: httpx.Client) -> int:
    stats = ok_json(api.get("/api/stats"))
    assert isinstance(stats, dict)
    return int(stats["walker"]["walks_executed"])


@pytest.mark.parametrize("oid", MIB2_SUBTREES, ids=["system", "interfaces"])
def test_walker_bulkwalk_matches_snmpbulkwalk(
    stack: StackAddresses, api: httpx.Client, oid: str
) -> None:
    executed = _walks_executed(api)
    target = stack.simulator_from_walker
    body = ok_json(
        api.post(
            "/api/walk",
            json={
                "target": target.host,
                "port": target.port,
                "community": stack.community,
                "version": "v2c",
                "operation": "bulkwalk",
                "oid": oid,
            },
        )
    )
    assert isinstance(body, dict) and body.get("status") == "complete", body
    rows: list[dict[str, Any]] = body["varbinds"]
    for row in rows:
        missing = [k for k in ("oid", "name", "type", "value") if k not in row]
        assert not missing, f"row lacks {missing}: {row}"
        assert row["name"], row
    ours = [(r["oid"], r["type"], r["raw"]) for r in rows]
    _compare(ours, _reference(stack, oid))
    assert body["count"] == len(rows)
    assert _walks_executed(api) == executed + 1


def test_walk_execute_raw_lines_match_snmpbulkwalk(
    stack: StackAddresses, api: httpx.Client
) -> None:
    """The previous product's route: ``parse=false`` gives Net-SNMP's own lines."""
    target = stack.simulator_from_walker
    body = ok_json(
        api.post(
            "/api/walk/execute",
            json={
                "target": target.host,
                "port": target.port,
                "community": stack.community,
                "oid": "1.3.6.1.2.1.1",
                "parse": False,
                "use_mibs": False,
            },
        )
    )
    assert isinstance(body, dict) and body.get("mode") == "raw", body
    assert body["count"] == len(body["data"])
    lines = netsnmp.parse_numeric("\n".join(body["data"]))
    ours = [(vb.oid, *netsnmp.canonical(vb)) for vb in lines]
    _compare(ours, _reference(stack, "1.3.6.1.2.1.1"))


def test_walk_execute_rejects_bad_input_with_a_message(api: httpx.Client) -> None:
    response = api.post(
        "/api/walk/execute", json={"target": "-oProxyCommand=x", "port": 1061, "oid": "1.3"}
    )
    assert response.status_code == 400, response.text
    assert isinstance(response.json().get("detail"), str)


def test_walk_execute_without_target_walks_the_simulator(
    stack: StackAddresses, api: httpx.Client
) -> None:
    """The previous product's default: no ``target`` means the lab's own simulator."""
    body = ok_json(
        api.post(
            "/api/walk/execute",
            json={"oid": "1.3.6.1.2.1.1.5", "parse": False, "use_mibs": False},
        )
    )
    assert isinstance(body, dict) and body.get("mode") == "raw", body
    ours = [
        (vb.oid, *netsnmp.canonical(vb)) for vb in netsnmp.parse_numeric("\n".join(body["data"]))
    ]
    _compare(ours, _reference(stack, "1.3.6.1.2.1.1.5"))
