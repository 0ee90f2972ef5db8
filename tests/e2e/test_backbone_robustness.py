"""Issue 2: what must never get through -- forged or unsigned event datagrams, malformed
SNMP packets -- is counted and dropped, and the services keep answering."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.e2e import forged_events, netsnmp, raw_udp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import Endpoint, StackAddresses
from tests.e2e.polling import wait_until
from tests.e2e.ws_client import WsClient

pytestmark = pytest.mark.e2e

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"


def _stats(api: httpx.Client) -> dict[str, Any]:
    body = ok_json(api.get("/api/stats"))
    assert isinstance(body, dict), body
    return body


def _dropped_events(stats: dict[str, Any]) -> dict[str, int]:
    """The gateway's counts of dropped event datagrams, by reason."""
    gateway = stats.get("gateway")
    assert isinstance(gateway, dict), f"GET /api/stats has no gateway section: {list(stats)}"
    dropped = gateway.get("events_dropped")
    assert isinstance(dropped, dict), f"gateway stats lack events_dropped: {gateway}"
    return {str(k): int(v) for k, v in dropped.items()}


def test_forged_and_unsigned_events_never_reach_clients(
    stack: StackAddresses,
    api: httpx.Client,
    ws: WsClient,
    events_endpoint: Endpoint,
    clean_traps: None,
) -> None:
    before = _dropped_events(_stats(api))
    marker = f"forged-{secrets.token_hex(8)}"
    fake_trap = {
        "seq": 10**9,
        "timestamp": 1.0,
        "time_str": "1970-01-01 00:00:01",
        "source": "10.6.6.6:666",
        "trap_type": marker,
        "resolved": True,
        "varbinds": [],
    }
    fake_status = {"running": False, "pid": None, "port": None, "community": marker}
    mark = ws.mark()
    for datagram in (
        forged_events.unsigned("trapd", "trap", fake_trap),
        forged_events.forged("trapd", "trap", fake_trap),
        forged_events.forged("simulator", "status", fake_status),
    ):
        raw_udp.send_datagram(events_endpoint, datagram)

    # Then a legitimate event: once it is pushed, anything sent before it was processed.
    index = 1000 + secrets.randbelow(2_000_000_000)
    netsnmp.snmptrap_v2c(stack.trapd, LINK_DOWN, [(f"{IF_INDEX}.{index}", "i", str(index))]).check()
    ws.wait_for(
        "trap",
        lambda m: any(vb.get("oid") == f"{IF_INDEX}.{index}" for vb in m["trap"]["varbinds"]),
        timeout=5,
        since=mark,
    )
    leaked = [m.text for m in ws.messages[mark:] if marker in m.text]
    assert leaked == [], f"forged events reached a WebSocket client: {leaked}"
    # Counted by reason: one unsigned, two signed with the wrong key.
    expected = {"unsigned": 1, "bad_signature": 2}
    after = _dropped_events(_stats(api))
    grown = {k: after.get(k, 0) - before.get(k, 0) for k in expected}
    assert grown == expected, f"dropped-event counters grew by {grown}; all: {after}"

    if stack.internal_secret is not None:
        # Positive control: the very same record signed with the real secret is pushed, so
        # the forged ones were stopped by their signature, not by anything else about them.
        mark = ws.mark()
        genuine = forged_events.signed_with(
            stack.internal_secret.encode(), "trapd", "trap", fake_trap
        )
        raw_udp.send_datagram(events_endpoint, genuine)
        got = ws.wait_for("trap", lambda m: m["trap"].get("trap_type") == marker, since=mark)
        assert got.json["trap"] == fake_trap


def _malformed(stats: dict[str, Any], section: str) -> int:
    value = stats.get(section, {}).get("malformed_packets")
    assert isinstance(value, int), (
        f"stats.{section}.malformed_packets missing: {stats.get(section)}"
    )
    return value


def test_malformed_packets_to_simulator_are_counted_and_dropped(
    stack: StackAddresses, api: httpx.Client, simulator_running: None
) -> None:
    before = _malformed(_stats(api), "simulator")
    request_id = secrets.randbelow(2**31 - 1)
    get = raw_udp.v2c_get(stack.community, request_id, SYS_UPTIME)
    # Junk first, then a valid GET from the same socket: the first answer must be the GET's,
    # so the junk got none.
    answer = raw_udp.exchange(stack.simulator, [*raw_udp.MALFORMED_SNMP, get])
    assert raw_udp.response_request_id(answer) == request_id, answer.hex()
    count = len(raw_udp.MALFORMED_SNMP)
    after = wait_until(
        lambda: _malformed(_stats(api), "simulator"),
        lambda n: n >= before + count,
        timeout=5,
        what=f"simulator malformed_packets to grow by {count}",
    )
    assert after == before + count, f"counted {after - before} for {count} malformed packets"
    netsnmp.snmpget(stack.simulator, SYS_UPTIME, community=stack.community).check()


def test_malformed_packets_to_trapd_are_counted_and_dropped(
    stack: StackAddresses, api: httpx.Client, ws: WsClient, clean_traps: None
) -> None:
    before = _malformed(_stats(api), "traps")
    received_before = _stats(api)["traps"]["traps_received_total"]
    mark = ws.mark()
    for datagram in raw_udp.MALFORMED_SNMP:
        raw_udp.send_datagram(stack.trapd, datagram)
    count = len(raw_udp.MALFORMED_SNMP)
    after = wait_until(
        lambda: _malformed(_stats(api), "traps"),
        lambda n: n >= before + count,
        timeout=5,
        what=f"trapd malformed_packets to grow by {count}",
    )
    assert after == before + count, f"counted {after - before} for {count} malformed packets"

    # Still receiving: an inform is acknowledged and is the only trap pushed or stored.
    index = 1000 + secrets.randbelow(2_000_000_000)
    netsnmp.snmpinform(
        stack.trapd, LINK_DOWN, [(f"{IF_INDEX}.{index}", "i", str(index))], retries=0
    ).check()
    ws.wait_for("trap", timeout=5, since=mark)
    assert len(ws.messages_of("trap", since=mark)) == 1, "junk must not become a trap"
    stored = ok_json(api.get("/api/traps", params={"limit": 10}))
    assert isinstance(stored, dict) and len(stored["data"]) == 1, stored
    assert _stats(api)["traps"]["traps_received_total"] == received_before + 1
