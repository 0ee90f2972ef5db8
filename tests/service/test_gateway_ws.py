"""The gateway's WebSocket API and events listener, over real sockets (contract/websocket.md)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from services.common.events import EventSender, encode_event
from tests.service.gateway_harness import (
    SECRET,
    GatewayProc,
    make_standin,
    recv_json,
    recv_until,
    run_gateway,
    serve_standin,
    trap_record,
)


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProc]:
    with run_gateway(tmp_path_factory.mktemp("gw")) as proc:
        yield proc


def sender(gw: GatewayProc, service: str) -> EventSender:
    return EventSender(SECRET.encode(), service, [gw.events])


async def _closed_code(url: str) -> int | None:
    async with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 5)
    assert info.value.rcvd is not None
    return info.value.rcvd.code


async def test_missing_or_bad_token_is_closed_with_4001(gw: GatewayProc) -> None:
    assert await _closed_code(f"{gw.ws_base}/api/ws") == 4001
    assert await _closed_code(f"{gw.ws_base}/api/ws?token=not-a-token") == 4001


async def test_full_state_has_every_contract_field_when_services_are_down(gw: GatewayProc) -> None:
    token = gw.login()
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        msg = await recv_json(ws)
    assert msg["type"] == "full_state"
    assert {"running", "pid", "port", "community", "uptime"} <= msg["simulator"].keys()
    assert {"running", "pid", "port", "resolve_mibs"} <= msg["traps"].keys()
    assert msg["simulator"]["running"] is False and msg["traps"]["running"] is False
    stats = msg["stats"]
    assert {"start_count", "stop_count"} <= stats["simulator"].keys()
    assert {"receiver_start_count", "traps_received_total"} <= stats["traps"].keys()
    assert {"walks_executed", "walks_failed", "oids_returned"} <= stats["walker"].keys()
    assert {
        "reload_count",
        "upload_count",
        "delete_count",
        "loaded_mibs",
        "failed_mibs",
        "total_mibs",
    } <= stats["mibs"].keys()
    assert {"loaded", "failed", "total", "traps_available"} <= msg["mibs"].keys()


async def test_ping_gets_pong(gw: GatewayProc) -> None:
    token = gw.login()
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        assert (await recv_json(ws))["type"] == "full_state"
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), 5) == "pong"


async def test_signed_trap_event_reaches_two_clients(gw: GatewayProc) -> None:
    token = gw.login()
    async with (
        connect(f"{gw.ws_base}/api/ws?token={token}") as a,
        connect(f"{gw.ws_base}/api/ws?token={token}") as b,
    ):
        await recv_until(a, "full_state")
        await recv_until(b, "full_state")
        sender(gw, "trapd").send("trap", trap_record(7))
        for ws in (a, b):
            msg = await recv_until(ws, "trap")
            assert msg["trap"]["seq"] == 7
            assert msg["trap"]["trap_type"] == "linkDown"


async def test_forged_and_unsigned_datagrams_are_counted_never_delivered(gw: GatewayProc) -> None:
    token = gw.login()
    before = gw.counters()["events_dropped"]
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        await recv_until(ws, "full_state")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            forged = encode_event(b"wrong-secret", "trapd", 1, "trap", trap_record(666))
            s.sendto(forged, gw.events)
            s.sendto(json.dumps({"type": "trap", "trap": trap_record(667)}).encode(), gw.events)
            s.sendto(b'{"sig":"' + b"0" * 64 + b'",garbage', gw.events)
            body = b'{"v":1,"svc":"trapd",not json'
            sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest().encode()
            s.sendto(b'{"sig":"' + sig + b'",' + body[1:], gw.events)
        # A good event sent after them: once it arrives, the bad ones were processed.
        sender(gw, "trapd").send("trap", trap_record(668))
        msg = await recv_until(ws, "trap")
        assert msg["trap"]["seq"] == 668
    after = gw.counters()["events_dropped"]
    assert after.get("bad_signature", 0) - before.get("bad_signature", 0) == 2
    assert after.get("unsigned", 0) - before.get("unsigned", 0) == 1
    assert after.get("malformed", 0) - before.get("malformed", 0) == 1


async def test_status_event_pushes_status_then_stats(gw: GatewayProc) -> None:
    token = gw.login()
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        await recv_until(ws, "full_state")
        sim = sender(gw, "simulator")
        sim.send(
            "status",
            {
                "running": True,
                "pid": 4242,
                "port": 1061,
                "community": "public",
                "uptime": "0:00:01",
            },
        )
        sim.send("stats", {"simulator": {"start_count": 9, "stop_count": 3}})
        status = await recv_until(ws, "status")
        assert status["simulator"]["running"] is True
        assert status["simulator"]["pid"] == 4242
        assert {"running", "pid", "port", "resolve_mibs"} <= status["traps"].keys()
        stats = await recv_until(ws, "stats")
        assert stats["data"]["simulator"]["start_count"] == 9


async def test_relays_activity_walk_progress_and_mibs(gw: GatewayProc) -> None:
    token = gw.login()
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        await recv_until(ws, "full_state")
        sender(gw, "walker").send(
            "walk_progress", {"walk_id": "w1", "oids": 5, "rate": 1.0, "done": False}
        )
        msg = await recv_until(ws, "walk_progress")
        assert msg["data"]["walk_id"] == "w1" and msg["service"] == "walker"
        sender(gw, "simulator").send("activity", {"requests": [{"type": "get"}]})
        msg = await recv_until(ws, "activity")
        assert msg["data"]["requests"][0]["type"] == "get"


async def test_logout_closes_that_tokens_socket_with_4001(gw: GatewayProc) -> None:
    token = gw.login()
    other = gw.login()
    async with (
        connect(f"{gw.ws_base}/api/ws?token={token}") as ws,
        connect(f"{gw.ws_base}/api/ws?token={other}") as ws_other,
    ):
        await recv_until(ws, "full_state")
        await recv_until(ws_other, "full_state")
        r = httpx.post(f"{gw.base}/api/logout", headers={"X-Auth-Token": token})
        assert r.status_code == 200
        with pytest.raises(ConnectionClosed) as info:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 4001
        await ws_other.send("ping")
        assert await asyncio.wait_for(ws_other.recv(), 5) == "pong"
    assert (
        httpx.get(f"{gw.base}/api/settings/check", headers={"X-Auth-Token": token}).status_code
        == 401
    )


async def test_expiry_closes_idle_socket_with_4001(tmp_path: Path) -> None:
    with run_gateway(tmp_path, SNMPLAB_SESSION_TIMEOUT="5") as gw:
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
            await recv_until(ws, "full_state")
            with pytest.raises(ConnectionClosed) as info:
                while True:  # no message from us: the timer must close it
                    await asyncio.wait_for(ws.recv(), 10)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4001
        r = httpx.get(f"{gw.base}/api/settings/check", headers={"X-Auth-Token": token})
        assert r.status_code == 401


async def test_full_state_pulls_running_services(tmp_path: Path) -> None:
    sim = make_standin("simulator")
    sim.status = {
        "running": True,
        "pid": 42,
        "port": 1061,
        "community": "public",
        "uptime": None,
        "uptime_seconds": 754,
    }
    sim.stats = {"simulator": {"start_count": 2, "stop_count": 1}}
    trapd = make_standin("trapd")
    trapd.status = {"running": True, "pid": 43, "port": 1162, "resolve_mibs": True}
    trapd.stats = {"traps": {"receiver_start_count": 2, "traps_received_total": 17}}
    with (
        serve_standin(sim),
        serve_standin(trapd),
        run_gateway(tmp_path, SNMPLAB_SIMULATOR_URL=sim.url, SNMPLAB_TRAPD_URL=trapd.url) as gw,
    ):
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
            msg = await recv_until(ws, "full_state")
    assert msg["simulator"]["running"] is True
    assert msg["simulator"]["pid"] == 42
    assert msg["simulator"]["uptime"] == "0:12:34"
    assert msg["traps"] == {**trapd.status, "reachable": True}
    assert msg["stats"]["simulator"]["start_count"] == 2
    assert msg["stats"]["traps"]["traps_received_total"] == 17


async def test_trap_ref_is_fetched_from_trapd(tmp_path: Path) -> None:
    trapd = make_standin("trapd")
    big = trap_record(31)
    big["varbinds"][0]["value"] = "y" * 70_000  # too big for a datagram
    trapd.traps = [big]
    with serve_standin(trapd), run_gateway(tmp_path, SNMPLAB_TRAPD_URL=trapd.url) as gw:
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}", max_size=None) as ws:
            await recv_until(ws, "full_state")
            seq = sender(gw, "trapd").send("trap", big, ref={"seq": 31})
            assert seq == 1
            msg = await recv_until(ws, "trap")
    assert msg["trap"]["seq"] == 31 and len(msg["trap"]["varbinds"][0]["value"]) == 70_000


async def test_mib_library_changes_reach_services_and_clients(tmp_path: Path) -> None:
    sim = make_standin("simulator")
    with serve_standin(sim), run_gateway(tmp_path, SNMPLAB_SIMULATOR_URL=sim.url) as gw:
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
            await recv_until(ws, "full_state", timeout=10)
            r = httpx.post(
                f"{gw.base}/api/mibs/reload", headers={"X-Auth-Token": token}, timeout=60
            )
            assert r.status_code == 200, r.text
            msg = await recv_until(ws, "mibs", timeout=30)
            assert {"loaded", "failed", "total"} <= msg["mibs"].keys()
            # A stats push already coalescing before the reload may arrive first; the
            # one that follows the change must carry the new count.
            deadline = asyncio.get_running_loop().time() + 10
            reloads = 0
            while reloads < 1 and asyncio.get_running_loop().time() < deadline:
                stats = await recv_until(ws, "stats", timeout=10)
                reloads = stats["data"]["mibs"]["reload_count"]
            assert reloads >= 1
    changed = [c for c in sim.calls if c[1] == "/mibs/changed"]
    assert changed and all(isinstance(c[2].get("etag"), str) for c in changed)


async def test_a_service_that_stops_without_an_event_is_pushed_as_not_running(
    tmp_path: Path,
) -> None:
    sim = make_standin("simulator")
    sim.status = {"running": True, "pid": 42, "port": 1061, "community": "public"}
    with (
        serve_standin(sim) as stand,
        run_gateway(
            tmp_path, SNMPLAB_SIMULATOR_URL=sim.url, SNMPLAB_STATUS_POLL_INTERVAL="0.3"
        ) as gw,
    ):
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
            msg = await recv_until(ws, "full_state")
            assert msg["simulator"]["running"] is True
            stand.status = {"running": False, "pid": None, "port": None, "community": None}
            status = await recv_until(ws, "status")
            assert status["simulator"]["running"] is False
            assert status["simulator"]["reachable"] is True


async def test_tokens_stay_out_of_the_log(tmp_path: Path) -> None:
    with run_gateway(tmp_path, SNMPLAB_LOG_LEVEL="INFO") as gw:
        token = gw.login()
        async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
            await recv_until(ws, "full_state")
        assert await _closed_code(f"{gw.ws_base}/api/ws?token=bogus-{token[:8]}") == 4001
        httpx.get(f"{gw.base}/api/settings/check", params={"token": token})
        deadline = asyncio.get_running_loop().time() + 5
        while "token=***" not in gw.log() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        text = gw.log()
    assert "token=***" in text
    assert token not in text and token[:8] not in text


async def test_full_state_is_first_even_while_events_stream(gw: GatewayProc) -> None:
    """Live messages that arrive while full_state is being pulled wait behind it."""
    token = gw.login()
    events = sender(gw, "trapd")
    streaming = True

    async def stream() -> None:
        n = 0
        while streaming:
            n += 1
            events.send("stats", {"traps": {"traps_received_total": n}})
            events.send("trap", trap_record(n))
            await asyncio.sleep(0.001)

    task = asyncio.create_task(stream())
    try:
        for _ in range(15):
            async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
                assert (await recv_json(ws))["type"] == "full_state"
    finally:
        streaming = False
        await task
        events.close()
