"""The gateway's REST API over real sockets: auth, forwarding, settings, stats."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.service.gateway_harness import (
    GatewayProc,
    StandIn,
    make_standin,
    recv_until,
    run_gateway,
    serve_standin,
)


@pytest.fixture(scope="module")
def sim() -> Iterator[StandIn]:
    stand = make_standin("simulator")
    stand.status = {"running": False, "pid": None, "port": None, "community": None}
    stand.stats = {"simulator": {"start_count": 5}}
    seen: list[dict[str, Any]] = []
    stand_release = threading.Event()
    stand.app.state.release = stand_release

    @stand.app.post("/simulator/inspect")
    async def inspect(request: Request) -> dict[str, Any]:
        body = await request.body()
        entry = {
            "headers": dict(request.headers),
            "query": request.url.query,
            "body": body.decode(),
        }
        seen.append(entry)
        return entry

    @stand.app.get("/simulator/teapot")
    async def teapot() -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse(
            {"detail": "short and stout"}, status_code=418, headers={"X-Kind": "tea"}
        )

    @stand.app.get("/simulator/stream")
    async def stream() -> Any:
        from fastapi.responses import StreamingResponse

        async def body() -> Any:
            yield b"first-chunk\n"
            # The rest only once the client has the first: proves nothing buffers it all.
            await asyncio.to_thread(stand_release.wait, 20)
            yield b"second-chunk\n"

        return StreamingResponse(body(), media_type="text/plain")

    # The control app serves app.openapi() at /openapi.json behind the secret; a real
    # service generates it, the stand-in answers with a fixed document.
    def schema() -> dict[str, Any]:
        return {
            "openapi": "3.1.0",
            "paths": {
                "/simulator/inspect": {
                    "post": {
                        "summary": "Echo",
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            }
                        },
                        "responses": {"200": {"description": "ok"}},
                    }
                },
                "/stats": {"get": {"responses": {"200": {"description": "internal"}}}},
            },
            "components": {"schemas": {"Thing": {"type": "object"}}},
        }

    stand.app.openapi = schema  # type: ignore[method-assign]
    with serve_standin(stand):
        yield stand


@pytest.fixture(scope="module")
def gw(tmp_path_factory: pytest.TempPathFactory, sim: StandIn) -> Iterator[GatewayProc]:
    with run_gateway(tmp_path_factory.mktemp("gwapi"), SNMPLAB_SIMULATOR_URL=sim.url) as proc:
        yield proc


def auth(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token}


def test_login_returns_token_and_username(gw: GatewayProc) -> None:
    r = httpx.post(f"{gw.base}/api/login", json={"username": "admin", "password": "admin123"})
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "admin" and len(body["token"]) >= 32
    # the previous product's path still works
    r = httpx.post(
        f"{gw.base}/api/settings/login", json={"username": "admin", "password": "admin123"}
    )
    assert r.status_code == 200 and r.json()["token"] != body["token"]


def test_wrong_password_is_401_with_a_message(gw: GatewayProc) -> None:
    r = httpx.post(f"{gw.base}/api/login", json={"username": "admin", "password": "nope"})
    assert r.status_code == 401
    assert "Invalid" in r.json()["detail"]
    r = httpx.post(f"{gw.base}/api/login", json={"username": "ghost", "password": "admin123"})
    assert r.status_code == 401


def test_password_is_stored_only_as_argon2(gw: GatewayProc) -> None:
    import sqlite3

    db = sqlite3.connect(gw.data_dir / "gateway.sqlite3")
    (stored,) = db.execute("SELECT password_hash FROM users WHERE username='admin'").fetchone()
    assert stored.startswith("$argon2id$") and "admin123" not in stored
    tokens = [row[0] for row in db.execute("SELECT token_hash FROM sessions")]
    assert all(len(t) == 64 for t in tokens)


def test_token_in_header_or_bearer_and_public_routes(gw: GatewayProc) -> None:
    token = gw.login()
    assert httpx.get(f"{gw.base}/api/settings/check").status_code == 401
    r = httpx.get(f"{gw.base}/api/settings/check", headers=auth(token))
    assert r.status_code == 200 and r.json()["user"] == "admin"
    r = httpx.get(f"{gw.base}/api/settings/check", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert httpx.get(f"{gw.base}/api/health").json()["status"] == "healthy"
    meta = httpx.get(f"{gw.base}/api/meta").json()
    assert meta["name"] == "snmplab" and meta["version"] and meta["description"]
    assert httpx.get(f"{gw.base}/api/stats").status_code == 401
    assert httpx.get(f"{gw.base}/api/openapi.json").status_code == 401
    assert httpx.get(f"{gw.base}/api/openapi.json", headers=auth(token)).status_code == 200


def test_security_headers_and_no_cors_by_default(gw: GatewayProc) -> None:
    r = httpx.get(f"{gw.base}/api/health", headers={"Origin": "http://evil.example"})
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in r.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in r.headers


def test_forwarding_keeps_method_query_body_status_and_hides_the_user_token(
    gw: GatewayProc, sim: StandIn
) -> None:
    token = gw.login()
    r = httpx.post(
        f"{gw.base}/api/simulator/inspect?a=1&b=two",
        headers=auth(token),
        content=b'{"x": 1}',
    )
    assert r.status_code == 200
    seen = r.json()
    assert seen["query"] == "a=1&b=two"
    assert seen["body"] == '{"x": 1}'
    assert "x-auth-token" not in seen["headers"]
    assert "authorization" not in seen["headers"]
    assert seen["headers"]["x-snmplab-internal"]  # the stand-in checked it, too
    r = httpx.get(f"{gw.base}/api/simulator/teapot", headers=auth(token))
    assert r.status_code == 418 and r.headers["x-kind"] == "tea"
    assert r.json()["detail"] == "short and stout"


def test_forwarding_needs_login(gw: GatewayProc) -> None:
    assert httpx.get(f"{gw.base}/api/simulator/status").status_code == 401


def test_unreachable_service_is_503_naming_it(gw: GatewayProc) -> None:
    token = gw.login()
    for path, service in (
        ("/api/traps/status", "trapd"),
        ("/api/traps?limit=5", "trapd"),
        ("/api/walk/execute", "walker"),
        ("/api/traps/send", "walker"),
    ):
        r = httpx.post(f"{gw.base}{path}", headers=auth(token), json={})
        assert r.status_code == 503, path
        body = r.json()
        assert body["service"] == service
        assert service in body["detail"] and "python -m services." in body["detail"]


def test_unknown_api_path_is_a_json_404(gw: GatewayProc) -> None:
    token = gw.login()
    r = httpx.get(f"{gw.base}/api/nothing-here", headers=auth(token))
    assert r.status_code == 404 and "detail" in r.json()


def test_stats_merge_services_mibs_and_gateway(gw: GatewayProc, sim: StandIn) -> None:
    token = gw.login()
    stats = httpx.get(f"{gw.base}/api/stats", headers=auth(token)).json()
    assert stats["simulator"]["start_count"] == 5
    assert {"walker", "traps", "mibs", "gateway"} <= stats.keys()
    assert "events_dropped" in stats["gateway"]
    one = httpx.get(f"{gw.base}/api/stats/simulator", headers=auth(token))
    assert one.json() == {"simulator": stats["simulator"]}
    assert httpx.get(f"{gw.base}/api/stats/nope", headers=auth(token)).status_code == 404


async def test_stats_reset_fans_out_and_pushes_stats(gw: GatewayProc, sim: StandIn) -> None:
    token = gw.login()
    async with connect(f"{gw.ws_base}/api/ws?token={token}") as ws:
        await recv_until(ws, "full_state")
        r = httpx.delete(f"{gw.base}/api/stats", headers=auth(token))
        assert r.status_code == 200
        assert r.json()["services"]["simulator"] == "reset"
        assert r.json()["services"]["trapd"] == "unreachable"
        await recv_until(ws, "stats")
    assert ("DELETE", "/stats", None) in sim.calls


def test_app_settings_validate_persist_and_forward_autostart(gw: GatewayProc, sim: StandIn) -> None:
    token = gw.login()
    current = httpx.get(f"{gw.base}/api/settings/app", headers=auth(token)).json()
    assert set(current) == {
        "auto_start_simulator",
        "auto_start_trap_receiver",
        "session_timeout",
        "mib_auto_fetch",
        "mib_remote_sources",
    }
    for bad in (
        {"session_timeout": 59},
        {"session_timeout": 86401},
        {"mib_remote_sources": ["http://example.org/@mib@"]},
        {"mib_remote_sources": ["https://example.org/mibs/"]},
        {"mib_remote_sources": []},
    ):
        r = httpx.post(f"{gw.base}/api/settings/app", headers=auth(token), json=bad)
        assert r.status_code == 422, bad
        assert r.json()["detail"]
    r = httpx.post(
        f"{gw.base}/api/settings/app",
        headers=auth(token),
        json={
            "auto_start_simulator": not current["auto_start_simulator"],
            "session_timeout": 120,
            "mib_remote_sources": ["https://mibs.example.org/asn1/@mib@"],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "saved" and body["restart_required"] is True
    assert body["autostart_forwarded"] == {"simulator": "applied"}
    assert (
        "PUT",
        "/simulator/config",
        {"autostart": not current["auto_start_simulator"]},
    ) in sim.calls
    again = httpx.get(f"{gw.base}/api/settings/app", headers=auth(token)).json()
    assert again["session_timeout"] == 120
    assert again["mib_remote_sources"] == ["https://mibs.example.org/asn1/@mib@"]
    # trapd is down: the change is saved and the outcome says so
    r = httpx.post(
        f"{gw.base}/api/settings/app",
        headers=auth(token),
        json={"auto_start_trap_receiver": not current["auto_start_trap_receiver"]},
    )
    assert r.json()["autostart_forwarded"] == {"trapd": "unreachable"}
    assert r.json()["settings"]["session_timeout"] == 120


async def test_password_change_closes_other_sessions_only(tmp_path: Path) -> None:
    with run_gateway(tmp_path) as gw:
        mine = gw.login()
        other = gw.login()
        r = httpx.post(
            f"{gw.base}/api/settings/auth",
            headers=auth(mine),
            json={"current_password": "admin123", "password": "short"},
        )
        assert r.status_code == 422 and "at least" in r.json()["detail"]
        r = httpx.post(
            f"{gw.base}/api/settings/auth",
            headers=auth(mine),
            json={"current_password": "wrong-one", "password": "a-much-longer-one"},
        )
        assert r.status_code == 403
        async with (
            connect(f"{gw.ws_base}/api/ws?token={other}") as ws_other,
            connect(f"{gw.ws_base}/api/ws?token={mine}") as ws_mine,
        ):
            await recv_until(ws_other, "full_state")
            await recv_until(ws_mine, "full_state")
            r = httpx.post(
                f"{gw.base}/api/settings/auth",
                headers=auth(mine),
                json={"current_password": "admin123", "password": "a-much-longer-one"},
            )
            assert r.status_code == 200 and r.json()["revoked_sessions"] == 1
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await asyncio.wait_for(ws_other.recv(), 5)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4001
            await ws_mine.send("ping")
            assert await asyncio.wait_for(ws_mine.recv(), 5) == "pong"
        assert httpx.get(f"{gw.base}/api/settings/check", headers=auth(other)).status_code == 401
        assert httpx.get(f"{gw.base}/api/settings/check", headers=auth(mine)).status_code == 200
        assert gw.login("admin", "a-much-longer-one")
        r = httpx.post(f"{gw.base}/api/login", json={"username": "admin", "password": "admin123"})
        assert r.status_code == 401


def test_repeated_failed_logins_are_slowed_down(tmp_path: Path) -> None:
    with run_gateway(tmp_path, SNMPLAB_LOGIN_MAX_FAILURES="3") as gw:
        codes = [
            httpx.post(
                f"{gw.base}/api/login", json={"username": "admin", "password": f"x{i}"}
            ).status_code
            for i in range(4)
        ]
        assert codes[:3] == [401, 401, 401]
        assert codes[3] == 429
        r = httpx.post(f"{gw.base}/api/login", json={"username": "admin", "password": "admin123"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_admin_account_from_environment(tmp_path: Path) -> None:
    with run_gateway(
        tmp_path, SNMPLAB_ADMIN_USERNAME="ops", SNMPLAB_ADMIN_PASSWORD="s3cret-pass"
    ) as gw:
        assert gw.login("ops", "s3cret-pass")
        r = httpx.post(f"{gw.base}/api/login", json={"username": "admin", "password": "admin123"})
        assert r.status_code == 401


def test_openapi_is_behind_login_and_merges_services(gw: GatewayProc) -> None:
    token = gw.login()
    assert httpx.get(f"{gw.base}/api/openapi.json").status_code == 401
    doc = httpx.get(f"{gw.base}/api/openapi.json", headers=auth(token)).json()
    assert "/api/login" in doc["paths"] and "/api/settings/app" in doc["paths"]
    merged = doc["paths"]["/api/simulator/inspect"]["post"]
    ref = merged["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/simulator.Thing"
    assert "simulator.Thing" in doc["components"]["schemas"]
    assert "/api/stats" in doc["paths"] and "/stats" not in doc["paths"]
    assert doc["info"]["x-merged-services"]["simulator"] == 1
    assert [p for p in doc["paths"] if not p.startswith("/api/")] == []
    page = httpx.get(f"{gw.base}/api/docs")
    assert page.status_code == 200 and '<script type="module" src="/api/docs/docs.js">' in page.text
    assert "<script>" not in page.text  # no inline script: the CSP forbids it
    js = httpx.get(f"{gw.base}/api/docs/docs.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{gw.base}/api/docs/nope.js").status_code == 404


def test_serves_the_web_ui_with_security_headers(tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "js").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>snmplab</title>")
    (web / "js" / "app.js").write_text("export const x = 1;")
    with run_gateway(tmp_path, SNMPLAB_WEB_DIR=str(web)) as gw:
        page = httpx.get(f"{gw.base}/")
        assert page.status_code == 200 and "<title>snmplab</title>" in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        js = httpx.get(f"{gw.base}/js/app.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        missing = httpx.get(f"{gw.base}/api/not-a-route")
        assert missing.status_code == 404 and missing.json()["detail"]


def test_refuses_to_start_without_internal_secret(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.service.gateway_harness import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
    env["SNMPLAB_GATEWAY_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "services.gateway"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SNMPLAB_INTERNAL_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def test_forwarded_responses_stream(gw: GatewayProc, sim: StandIn) -> None:
    token = gw.login()
    release: threading.Event = sim.app.state.release
    with httpx.stream(
        "GET", f"{gw.base}/api/simulator/stream", headers=auth(token), timeout=30
    ) as r:
        assert r.status_code == 200
        lines = r.iter_lines()
        assert next(lines) == "first-chunk"
        release.set()
        assert next(lines) == "second-chunk"


def test_reset_admin_restores_a_forgotten_password(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.service.gateway_harness import ROOT, SECRET

    with run_gateway(tmp_path) as gw:
        token = gw.login()
        r = httpx.post(
            f"{gw.base}/api/settings/auth",
            headers=auth(token),
            json={"current_password": "admin123", "password": "forgotten-at-once"},
        )
        assert r.status_code == 200
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
    env.update(
        SNMPLAB_INTERNAL_SECRET=SECRET,
        SNMPLAB_GATEWAY_DATA_DIR=str(gw.data_dir),
        SNMPLAB_ADMIN_PASSWORD="brand-new-pass",
    )
    done = subprocess.run(
        [sys.executable, "-m", "services.gateway", "reset-admin"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout
    with run_gateway(tmp_path) as gw:
        assert httpx.get(f"{gw.base}/api/settings/check", headers=auth(token)).status_code == 401
        assert gw.login("admin", "brand-new-pass")
