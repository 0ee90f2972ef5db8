"""trapd as a process: Net-SNMP snmptrap/snmpinform to it, the control API and its events."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.trapd_harness import (
    HOST,
    EventsSink,
    Trapd,
    free_port,
    run_tool,
    start_trapd,
)

pytestmark = pytest.mark.skipif(shutil.which("snmptrap") is None, reason="Net-SNMP tools")

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX_1 = "1.3.6.1.2.1.2.2.1.1.1"
IF_ADMIN_1 = "1.3.6.1.2.1.2.2.1.7.1"
IF_OPER_1 = "1.3.6.1.2.1.2.2.1.8.1"


@pytest.fixture
def events() -> Iterator[EventsSink]:
    sink = EventsSink()
    yield sink
    sink.close()


@pytest.fixture
def trapd(tmp_path: Path, events: EventsSink) -> Iterator[Trapd]:
    d = start_trapd(tmp_path / "trapd", events)
    yield d
    d.stop()


def target(d: Trapd) -> str:
    return f"udp:{HOST}:{d.snmp_port}"


def send_link_down(d: Trapd, version: str = "2c", tool: str = "snmptrap") -> None:
    res = run_tool(
        [tool, f"-v{version}", "-c", "public", "-r", "1", "-t", "3", target(d), "12345",
         LINK_DOWN, IF_INDEX_1, "i", "1", IF_ADMIN_1, "i", "2", IF_OPER_1, "i", "2"]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr


def test_status_after_autostart(trapd: Trapd) -> None:
    st = trapd.get("/traps/status").json()
    assert st["running"] is True
    assert st["port"] == trapd.snmp_port
    assert isinstance(st["pid"], int)
    assert st["resolve_mibs"] is True
    h, m, s = st["uptime"].split(":")
    assert int(h) >= 0 and 0 <= int(m) < 60 and 0 <= int(s) < 60


def test_v2c_trap_stored_then_pushed(trapd: Trapd, events: EventsSink) -> None:
    send_link_down(trapd)
    ev = events.wait_for(lambda e: e.type == "trap")
    rec = ev.data
    # The event is sent only after the record is durable: it is readable already.
    stored = trapd.get(f"/traps/{rec['seq']}").json()
    assert stored == rec
    assert rec["version"] == "v2c" and rec["pdu"] == "trap" and rec["community"] == "public"
    assert rec["trap_oid"] == LINK_DOWN
    assert rec["source"].startswith(f"{HOST}:")
    oids = [vb["oid"] for vb in rec["varbinds"]]
    assert oids == ["1.3.6.1.2.1.1.3.0", "1.3.6.1.6.3.1.1.4.1.0", IF_INDEX_1, IF_ADMIN_1, IF_OPER_1]
    uptime = rec["varbinds"][0]
    assert uptime["type"] == "TimeTicks" and uptime["raw"] == 12345
    assert uptime["value"] == "(12345) 0:02:03.45"
    for vb in rec["varbinds"]:
        assert set(vb) >= {"oid", "name", "type", "value", "raw", "resolved"}
    # No MIB index is reachable in this test: resolution did not happen and says so.
    assert rec["resolved"] is False
    assert all(vb["resolved"] is False for vb in rec["varbinds"])
    assert rec["trap_type"] == LINK_DOWN


def test_v1_trap_rfc3584(trapd: Trapd, events: EventsSink) -> None:
    res = run_tool(
        ["snmptrap", "-v1", "-c", "public", target(trapd), "1.3.6.1.4.1.8072.3.2.10",
         "10.1.2.3", "6", "17", "555", "1.3.6.1.2.1.1.5.0", "s", "router-1"]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rec = events.wait_for(lambda e: e.type == "trap").data
    assert rec["version"] == "v1"
    assert rec["v1"] == {
        "enterprise": "1.3.6.1.4.1.8072.3.2.10",
        "agent_addr": "10.1.2.3",
        "generic": 6,
        "specific": 17,
        "time_stamp": 555,
    }
    assert rec["trap_oid"] == "1.3.6.1.4.1.8072.3.2.10.0.17"
    by_oid = {vb["oid"]: vb for vb in rec["varbinds"]}
    assert by_oid["1.3.6.1.2.1.1.3.0"]["raw"] == 555
    assert by_oid["1.3.6.1.6.3.1.1.4.1.0"]["value"] == "1.3.6.1.4.1.8072.3.2.10.0.17"
    assert by_oid["1.3.6.1.2.1.1.5.0"]["value"] == "router-1"
    assert by_oid["1.3.6.1.6.3.18.1.3.0"]["value"] == "10.1.2.3"  # snmpTrapAddress.0
    assert by_oid["1.3.6.1.6.3.18.1.4.0"]["value"] == "public"  # snmpTrapCommunity.0
    assert by_oid["1.3.6.1.6.3.1.1.4.3.0"]["value"] == "1.3.6.1.4.1.8072.3.2.10"


def test_v1_generic_trap_maps_to_snmp_traps(trapd: Trapd, events: EventsSink) -> None:
    res = run_tool(
        ["snmptrap", "-v1", "-c", "public", target(trapd), "1.3.6.1.4.1.8072", "10.1.2.3",
         "2", "0", "7"]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rec = events.wait_for(lambda e: e.type == "trap").data
    assert rec["trap_oid"] == LINK_DOWN


def test_inform_is_acknowledged_after_storage(trapd: Trapd) -> None:
    # snmpinform exits 0 only when our Response arrives.
    send_link_down(trapd, tool="snmpinform")
    recs = trapd.wait_traps(1)
    assert recs[0]["pdu"] == "inform"
    stats = trapd.get("/stats").json()["traps"]
    assert stats["informs_acked"] == 1


def test_malformed_counted_and_receiver_keeps_working(trapd: Trapd, events: EventsSink) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for junk in (b"garbage", b"\x30\x03\x02\x01", b"\x30\x82\xff\xff" + b"\x00" * 10, b""):
            s.sendto(junk, (HOST, trapd.snmp_port))
    send_link_down(trapd)
    events.wait_for(lambda e: e.type == "trap")
    stats = trapd.get("/stats").json()["traps"]
    assert stats["malformed_packets"] == 4
    assert stats["traps_received_total"] == 1


def test_stop_start_events_and_counters(trapd: Trapd, events: EventsSink) -> None:
    events.drain()
    events.events.clear()
    assert trapd.post("/traps/stop").json() == {"status": "stopped"}
    st = events.wait_for(lambda e: e.type == "status")
    assert st.data["running"] is False and st.data["pid"] is None
    events.wait_for(lambda e: e.type == "stats" and e.seq > st.seq)
    assert trapd.post("/traps/stop").json() == {"status": "not_running"}
    new_port = free_port()
    body = trapd.post("/traps/start", json={"port": new_port, "resolve_mibs": False}).json()
    assert body["status"] == "started" and body["port"] == new_port
    assert body["resolve_mibs"] is False
    st2 = events.wait_for(lambda e: e.type == "status" and e.data["running"] is True)
    events.wait_for(lambda e: e.type == "stats" and e.seq > st2.seq)
    stats = trapd.get("/stats").json()["traps"]
    assert stats["receiver_start_count"] == 2 and stats["receiver_stop_count"] == 1
    again = trapd.post("/traps/start").json()
    assert again["status"] == "already_running"


def test_start_on_taken_port_is_409(trapd: Trapd) -> None:
    trapd.post("/traps/stop")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        taken = s.getsockname()[1]
        r = trapd.post("/traps/start", json={"port": taken})
    assert r.status_code == 409
    assert str(taken) in r.json()["detail"]


def test_list_bounds_detail_and_clear(trapd: Trapd) -> None:
    assert trapd.get("/traps", params={"limit": 1001}).status_code == 422
    assert trapd.get("/traps", params={"limit": 0}).status_code == 422
    assert trapd.get("/traps/999999").status_code == 404
    for _ in range(3):
        send_link_down(trapd)
    recs = trapd.wait_traps(3)
    seqs = [r["seq"] for r in recs]
    assert seqs == sorted(seqs, reverse=True)
    assert trapd.get("/traps", params={"limit": 2}).json()["count"] == 2
    assert trapd.delete("/traps").json()["status"] == "cleared"
    assert trapd.get("/traps").json()["data"] == []
    send_link_down(trapd)
    (after,) = trapd.wait_traps(1)
    assert after["seq"] > max(seqs)  # sequence numbers never go back
    assert trapd.get("/stats").json()["traps"]["traps_cleared_count"] == 1


def test_stats_persist_across_restart(tmp_path: Path, events: EventsSink) -> None:
    d = start_trapd(tmp_path / "trapd", events)
    try:
        send_link_down(d)
        d.wait_traps(1)
    finally:
        d.stop()
    d2 = start_trapd(tmp_path / "trapd", events)
    try:
        stats = d2.get("/stats").json()["traps"]
        assert stats["traps_received_total"] == 1
        assert stats["receiver_start_count"] == 2
        assert stats["receiver_stop_count"] == 0
        assert stats["receiver_run_seconds"] > 0
        assert len(d2.get("/traps").json()["data"]) == 1
        assert d2.delete("/stats").json()["traps"]["traps_received_total"] == 0
    finally:
        d2.stop()


def test_control_api_needs_the_secret(trapd: Trapd) -> None:
    import httpx

    assert httpx.get(trapd.control + "/traps/status").status_code == 401
    assert httpx.get(trapd.control + "/health").status_code == 200


def test_oversized_record_is_pushed_as_trap_ref(trapd: Trapd, events: EventsSink) -> None:
    from services.common.snmp import ber, message

    blob = bytes(range(256)) * 80  # 20 KiB of binary: rendered as hex, twice over
    vbs = message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)), ber.oid_tlv((1, 3, 6, 1, 4, 1, 9, 9))
    ) + message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 4, 1, 9, 9, 1)), ber.tlv(ber.OCTET_STRING, blob)
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode_message(1, b"public", ber.SNMPV2_TRAP, 1, 0, 0, vbs),
                 (HOST, trapd.snmp_port))  # fmt: skip
    ev = events.wait_for(lambda e: e.type == "trap_ref")
    rec = trapd.get(f"/traps/{ev.data['seq']}").json()
    assert rec["varbinds"][1]["raw"] == blob.hex()
