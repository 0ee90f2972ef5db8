"""The gateway's public REST API as a test sees it: log in, then call with the token."""

from __future__ import annotations

import httpx

from tests.e2e.endpoints import StackAddresses


def login(
    stack: StackAddresses, *, username: str | None = None, password: str | None = None
) -> httpx.Response:
    """``POST /api/login``; returns the raw response so tests can check failures too."""
    with httpx.Client(base_url=stack.gateway_url, timeout=10, trust_env=False) as client:
        return client.post(
            "/api/login",
            json={
                "username": stack.username if username is None else username,
                "password": stack.password if password is None else password,
            },
        )


def new_token(stack: StackAddresses) -> str:
    response = login(stack)
    if response.status_code != 200:
        raise AssertionError(
            f"login as {stack.username!r} failed: {response.status_code} {response.text}"
        )
    token = response.json().get("token")
    if not isinstance(token, str) or not token:
        raise AssertionError(f"login response has no token: {response.text}")
    return token


def api_client(stack: StackAddresses, token: str, *, timeout: float = 15.0) -> httpx.Client:
    """An httpx client on the gateway carrying ``token`` (trust_env=False: no proxies)."""
    return httpx.Client(
        base_url=stack.gateway_url,
        headers={"X-Auth-Token": token},
        timeout=timeout,
        trust_env=False,
    )


def ok_json(response: httpx.Response) -> object:
    """The JSON body of a 2xx response; anything else fails with the request and body."""
    if not response.is_success:
        raise AssertionError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:2000]}"
        )
    return response.json()
