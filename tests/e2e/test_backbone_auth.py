"""Issue 2: login, 401 on a wrong password, and close code 4001 for a bad WebSocket token."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.e2e.api_client import api_client, login
from tests.e2e.endpoints import StackAddresses
from tests.e2e.ws_client import WsClient

pytestmark = pytest.mark.e2e


def test_login_returns_a_token_that_opens_the_api(stack: StackAddresses) -> None:
    response = login(stack)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body.get("token"), str) and len(body["token"]) >= 16, body
    assert body.get("username") == stack.username
    with api_client(stack, body["token"]) as client:
        check = client.get("/api/settings/check")
        assert check.status_code == 200, check.text
    # Both header styles the architecture names carry the same token.
    with httpx.Client(base_url=stack.gateway_url, timeout=10, trust_env=False) as client:
        bearer = client.get(
            "/api/settings/check", headers={"Authorization": f"Bearer {body['token']}"}
        )
        assert bearer.status_code == 200, bearer.text


def test_wrong_password_is_401_with_a_message(stack: StackAddresses) -> None:
    response = login(stack, password=stack.password + "-wrong")
    assert response.status_code == 401, response.text
    detail = response.json().get("detail")
    assert isinstance(detail, str) and detail.strip(), response.text
    assert "token" not in response.json()


def test_api_without_token_is_401(stack: StackAddresses) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=10, trust_env=False) as client:
        for path in ("/api/stats", "/api/simulator/status", "/api/traps"):
            response = client.get(path)
            assert response.status_code == 401, f"{path}: {response.status_code} {response.text}"
        bad = client.get("/api/stats", headers={"X-Auth-Token": "not-a-session"})
        assert bad.status_code == 401, bad.text


@pytest.mark.parametrize("token", ["not-a-session-token", ""], ids=["invalid", "missing"])
def test_ws_with_bad_token_is_closed_with_4001(
    ws_connect: Callable[..., WsClient], token: str
) -> None:
    try:
        client = ws_connect(token)
    except InvalidStatus as exc:
        pytest.fail(
            f"handshake rejected with HTTP {exc.response.status_code}: a browser sees 1006, "
            "the contract says the client receives close code 4001"
        )
    code = client.wait_closed(timeout=5)
    assert code == 4001, f"close code {code} ({client.close_reason!r}), expected 4001"
    assert client.messages_of("full_state") == [], "no state may reach an unauthenticated socket"


def test_logout_closes_that_tokens_sockets_with_4001(
    stack: StackAddresses, ws_connect: Callable[..., WsClient], api_token: str
) -> None:
    response = login(stack)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    doomed = ws_connect(token)
    doomed.wait_for("full_state")
    bystander = ws_connect()  # the session-wide token: must stay open
    bystander.wait_for("full_state")

    with api_client(stack, token) as client:
        out = client.post("/api/logout")
        assert out.status_code == 200, out.text
        assert client.get("/api/settings/check").status_code == 401, "token still valid"

    code = doomed.wait_closed(timeout=5)
    assert code == 4001, f"close code {code} ({doomed.close_reason!r}), expected 4001"
    mark = bystander.mark()
    bystander.send("ping")
    bystander.wait_for(None, text="pong", timeout=2, since=mark)
    assert token != api_token


def test_health_and_meta_are_public_openapi_is_behind_login(
    stack: StackAddresses, api: httpx.Client
) -> None:
    with httpx.Client(base_url=stack.gateway_url, timeout=10, trust_env=False) as anonymous:
        health = anonymous.get("/api/health")
        assert health.status_code == 200, health.text
        meta = anonymous.get("/api/meta")
        assert meta.status_code == 200, meta.text
        assert isinstance(meta.json().get("version"), str), meta.text
        assert anonymous.get("/api/openapi.json").status_code == 401
    schema = api.get("/api/openapi.json")
    assert schema.status_code == 200, schema.text
    assert "/api/login" in schema.json().get("paths", {})


def test_openapi_documents_the_forwarded_service_routes(api: httpx.Client) -> None:
    paths = api.get("/api/openapi.json").json().get("paths", {})
    for path in ("/api/simulator/status", "/api/traps", "/api/walk/execute"):
        assert path in paths, f"{path} missing from the public OpenAPI document"
    internal = [p for p in paths if not p.startswith("/api/")]
    assert internal == [], f"internal routes in the public document: {internal}"
