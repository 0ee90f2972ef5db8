"""Gateway logic without sockets: routing rule, queues, limits, settings, state shapes."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import ValidationError
from starlette.websockets import WebSocket

from services.gateway.app_settings import AppSettingsUpdate, check_sources
from services.gateway.auth.ratelimit import LoginLimiter
from services.gateway.auth.sessions import SessionManager
from services.gateway.auth.store import GatewayStore
from services.gateway.forwarding import service_for
from services.gateway.openapi_merge import merge_service_schema
from services.gateway.state import deep_merge, format_uptime, simulator_part, traps_part
from services.gateway.ws.manager import WsClient, WsCounters, frame_of


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/simulator/status", "simulator"),
        ("/simulator", "simulator"),
        ("/traps", "trapd"),
        ("/traps/", "trapd"),
        ("/traps/status", "trapd"),
        ("/traps/42", "trapd"),
        ("/traps/send", "walker"),
        ("/traps/send/inform", "walker"),
        ("/walk/execute", "walker"),
        ("/stats", None),
        ("/mibs/status", None),
        ("/simulatorx", None),
        ("/trapsx", None),
    ],
)
def test_one_path_rule(path: str, service: str | None) -> None:
    assert service_for(path) == service


def test_login_limiter_locks_out_and_doubles() -> None:
    limiter = LoginLimiter(max_failures=2, lockout=10)
    keys = ["ip:1.2.3.4"]
    limiter.failure(keys)
    assert limiter.retry_after(keys) == 0
    limiter.failure(keys)
    first = limiter.retry_after(keys)
    assert 9 < first <= 10
    limiter.failure(keys)
    assert 19 < limiter.retry_after(keys) <= 20
    assert limiter.retry_after(["ip:5.6.7.8"]) == 0
    limiter.success(keys)
    assert limiter.retry_after(keys) == 0


@pytest.mark.parametrize(
    "sources",
    [
        [],
        ["http://example.org/@mib@"],
        ["https://example.org/mibs/"],
        ["https:///@mib@"],
        ["https://user:pw@example.org/@mib@"],
        ["ftp://example.org/@mib@"],
    ],
)
def test_mib_sources_refused(sources: list[str]) -> None:
    with pytest.raises(ValueError):
        check_sources(sources)


def test_mib_sources_accepted_and_trimmed() -> None:
    assert check_sources([" https://mibs.example.org/asn1/@mib@ ", ""]) == [
        "https://mibs.example.org/asn1/@mib@"
    ]


def test_app_settings_update_bounds() -> None:
    assert AppSettingsUpdate(session_timeout=60).session_timeout == 60
    for bad in (59, 86401):
        with pytest.raises(ValidationError):
            AppSettingsUpdate(session_timeout=bad)
    with pytest.raises(ValidationError):
        AppSettingsUpdate.model_validate({"unknown": 1})


def test_state_shapes() -> None:
    assert format_uptime(754) == "0:12:34"
    assert format_uptime(90061) == "25:01:01"
    down = simulator_part(None, reachable=False)
    assert down == {
        "running": False,
        "pid": None,
        "port": None,
        "community": None,
        "uptime": None,
        "reachable": False,
    }
    up = simulator_part({"running": True, "pid": 1, "uptime_seconds": 61.5})
    assert up["uptime"] == "0:01:01"
    assert traps_part({"running": True})["resolve_mibs"] is None
    merged = deep_merge({"traps": {"a": 1}}, {"traps": {"b": 2}, "walker": {"c": 3}})
    assert merged == {"traps": {"a": 1, "b": 2}, "walker": {"c": 3}}


def _client(max_queue: int = 4) -> WsClient:
    state = [frame_of({"type": "status"}), frame_of({"type": "stats", "data": {}})]
    return WsClient(
        cast(WebSocket, None),
        "key",
        "admin",
        max_queue=max_queue,
        counters=WsCounters(),
        state_frames=lambda: state,
    )


def _trap(seq: int) -> Any:
    return frame_of({"type": "trap", "trap": {"seq": seq}})


def _types(client: WsClient) -> list[Any]:
    out = []
    for frame in client.queue:
        msg = json.loads(frame)
        out.append(msg["trap"]["seq"] if msg["type"] == "trap" else msg)
    return out


async def test_full_queue_drops_and_then_reports_missed() -> None:
    client = _client(max_queue=8)
    client.offer([_trap(s) for s in range(1, 12)])  # 1-8 queued, 9-11 dropped
    assert _types(client) == list(range(1, 9))
    assert client.missed == 3 and client.missed_after == 8
    client.offer([frame_of({"type": "stats", "data": {}})])  # dropped: state goes stale
    assert client.state_stale
    for _ in range(5):  # the client reads five; the queue is below half
        client.queue.popleft()
    client.offer([_trap(12)])
    queued = _types(client)
    assert queued[:3] == [6, 7, 8]
    assert queued[3] == {"type": "missed", "count": 3, "after_seq": 8}
    assert [m["type"] for m in queued[4:6]] == ["status", "stats"]
    assert queued[6] == 12
    assert client.counters.dropped_traps == 3


async def test_queue_is_bounded_by_bytes_too() -> None:
    client = _client(max_queue=1000)
    client.max_bytes = 3000
    big = [
        (json.dumps({"type": "trap", "trap": {"seq": s, "v": "x" * 1000}}), s, False)
        for s in range(1, 6)
    ]
    client.offer(big)
    assert len(client.queue) == 3 and client.missed == 2 and client.missed_after == 3
    assert client.queued_bytes == sum(len(f) for f in client.queue)


async def test_first_drop_without_any_trap_before_points_before_it() -> None:
    client = _client(max_queue=1)
    client.offer([frame_of({"type": "status"}), _trap(10), _trap(11)])
    assert client.missed == 2 and client.missed_after == 9


async def test_holding_during_backfill_skips_what_was_replayed() -> None:
    client = _client(max_queue=100)
    client.holding = []
    client.offer([_trap(5), frame_of({"type": "stats", "data": {}}), _trap(6), _trap(7)])
    assert not client.queue
    client.enqueue([_trap(4), _trap(5), _trap(6)])  # what the back-fill found in the store
    client.release_holding(6)
    queued = _types(client)
    assert queued[:3] == [4, 5, 6]
    assert queued[3]["type"] == "stats"
    assert queued[4] == 7
    assert client.holding is None


async def test_late_datagram_after_backfill_is_not_sent_twice() -> None:
    client = _client(max_queue=100)
    client.holding = []
    client.enqueue([_trap(5), _trap(6)])  # the back-fill, up to 6
    client.release_holding(6)
    # Announcements of 5 and 6 that were still in flight when the back-fill ended.
    client.offer([_trap(5), _trap(6), _trap(7), frame_of({"type": "stats", "data": {}})])
    queued = _types(client)
    assert queued[:3] == [5, 6, 7]
    assert queued[3]["type"] == "stats"


async def test_send_first_jumps_the_queue() -> None:
    client = _client(max_queue=10)
    client.offer([_trap(1), _trap(2)])
    client.send_first("pong")
    assert client.queue[0] == "pong"


async def test_sessions_slide_and_expire(tmp_path: Path) -> None:
    store = GatewayStore(tmp_path / "g.sqlite3")
    timeout = [3600.0]
    sessions = SessionManager(store, lambda: timeout[0])
    token, session = await sessions.create("admin")
    assert sessions.lookup(token) is session
    assert sessions.lookup("other") is None
    # restart: sessions survive, stored by hash only
    again = SessionManager(store, lambda: timeout[0])
    again.load()
    assert again.lookup(token) is not None
    assert token not in (tmp_path / "g.sqlite3").read_bytes().decode("latin-1")
    session.last_seen = time.time() - 10
    timeout[0] = 5
    assert sessions.lookup(token) is None and sessions.known(token)
    assert [s.key for s in sessions.take_expired()] == [session.key]
    assert not sessions.known(token)
    await asyncio.sleep(0)
    store.close()


def test_openapi_merge_renames_refs_and_keeps_only_forwarded_paths() -> None:
    doc: dict[str, Any] = {"paths": {"/api/login": {}}}
    schema = {
        "paths": {
            "/walk/execute": {"post": {"requestBody": {"$ref": "#/components/schemas/Walk"}}},
            "/traps/send": {"post": {}},
            "/health": {"get": {}},
        },
        "components": {"schemas": {"Walk": {"type": "object"}}},
    }
    assert merge_service_schema(doc, "walker", schema) == 2
    assert doc["paths"]["/api/walk/execute"]["post"]["requestBody"]["$ref"] == (
        "#/components/schemas/walker.Walk"
    )
    assert "/api/health" not in doc["paths"]
    assert "walker.Walk" in doc["components"]["schemas"]
