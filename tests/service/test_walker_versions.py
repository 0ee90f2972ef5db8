"""v1, v2c and v3 (every USM auth and priv protocol) walks of snmpd, vs snmpwalk -On."""

from __future__ import annotations

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

# (user, auth, priv): every auth protocol and every priv protocol at least once.
USERS = [
    ("u-none", "none", "none"),
    ("u-md5-des", "MD5", "DES"),
    ("u-sha-aes", "SHA", "AES"),
    ("u-sha224-aes192", "SHA-224", "AES-192"),
    ("u-sha256-aes256", "SHA-256", "AES-256"),
    ("u-sha384", "SHA-384", "none"),
    ("u-sha512-aes", "SHA-512", "AES"),
]
AUTH_KEY = "auth-pass-1"
PRIV_KEY = "priv-pass-1"


def _conf() -> str:
    lines = [STATIC_OVERRIDES, "rocommunity public 127.0.0.1 -V lab"]
    for user, auth, priv in USERS:
        parts = ["createUser", user]
        if auth != "none":
            parts += [auth, AUTH_KEY]
            if priv != "none":
                parts += [priv, PRIV_KEY]
        lines.append(" ".join(parts))
        level = "noauth" if auth == "none" else ("priv" if priv != "none" else "auth")
        lines.append(f"rouser {user} {level} -V lab")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    with run_snmpd(tmp_path_factory.mktemp("snmpd"), _conf()) as a:
        yield a


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with run_walker(tmp_path_factory.mktemp("walker")) as w:
        yield w


def _netsnmp_lines(rows: list[dict[str, object]]) -> list[str]:
    from services.walker.varbinds import netsnmp_line

    return [netsnmp_line(r) for r in rows]


def _stable(lines: list[str]) -> list[str]:
    return [ln for ln in lines if not ln.startswith(".1.3.6.1.2.1.1.3.0 ")]


def _walk(walker: Walker, agent: Agent, **params: object) -> dict[str, object]:
    with walker.client() as c:
        r = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": "1.3.6.1",
                "save": False,
                **params,
            },
        )
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    assert body["status"] == "complete", body
    return body


@pytest.mark.parametrize("operation", ["walk", "bulkwalk"])
def test_v1_walk_matches_snmpwalk(agent: Agent, walker: Walker, operation: str) -> None:
    expected = parse_netsnmp_walk(
        netsnmp("snmpwalk", "-v1", "-c", "public", "-On", agent.address, ".1.3.6.1")
    )
    body = _walk(walker, agent, version="v1", operation=operation)
    assert _stable(_netsnmp_lines(body["varbinds"])) == _stable(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(("user", "auth", "priv"), USERS)
def test_v3_walk_matches_snmpwalk(
    agent: Agent, walker: Walker, user: str, auth: str, priv: str
) -> None:
    args = ["-v3", "-u", user, "-On"]
    if auth == "none":
        args += ["-l", "noAuthNoPriv"]
    elif priv == "none":
        args += ["-l", "authNoPriv", "-a", auth, "-A", AUTH_KEY]
    else:
        args += ["-l", "authPriv", "-a", auth, "-A", AUTH_KEY, "-x", priv, "-X", PRIV_KEY]
    expected = parse_netsnmp_walk(netsnmp("snmpwalk", *args, agent.address, ".1.3.6.1"))
    params: dict[str, object] = {
        "version": "v3",
        "user": user,
        "auth_protocol": auth,
        "priv_protocol": priv,
    }
    if auth != "none":
        params["auth_key"] = AUTH_KEY
    if priv != "none":
        params["priv_key"] = PRIV_KEY
    body = _walk(walker, agent, **params)
    assert _stable(_netsnmp_lines(body["varbinds"])) == _stable(expected)  # type: ignore[arg-type]


def test_v3_wrong_passphrase_is_a_clear_error(agent: Agent, walker: Walker) -> None:
    with walker.client() as c:
        r = c.post(
            "/walk",
            json={
                "target": agent.host,
                "port": agent.port,
                "oid": "1.3.6.1",
                "version": "v3",
                "user": "u-sha-aes",
                "auth_protocol": "SHA",
                "auth_key": "wrong-passphrase",
                "priv_protocol": "AES",
                "priv_key": PRIV_KEY,
                "timeout": 0.5,
                "retries": 0,
            },
        )
        assert r.status_code in (502, 504), r.text
        weak = {"version": "v3", "user": "u", "auth_protocol": "SHA", "auth_key": "short"}
        short = c.post("/walk", json={"target": agent.host, "port": agent.port, **weak})
        assert short.status_code == 400
        assert "8 characters" in short.json()["detail"]


V3_PARAMS = {
    "version": "v3",
    "user": "u-sha256-aes256",
    "auth_protocol": "SHA-256",
    "auth_key": AUTH_KEY,
    "priv_protocol": "AES-256",
    "priv_key": PRIV_KEY,
}


def test_v3_get_and_async_walk_paths(agent: Agent, walker: Walker) -> None:
    # Single requests and parallel walks go through the asynchronous (pysnmp) session.
    with walker.client() as c:
        got = c.post(
            "/walk/get",
            json={
                "target": agent.host,
                "port": agent.port,
                "oids": ["1.3.6.1.4.1.99999.1.0"],
                **V3_PARAMS,
            },
        )
        assert got.status_code == 200, got.text
        assert got.json()["varbinds"][0]["raw"] == -42
    threaded = _walk(walker, agent, **V3_PARAMS)
    parallel = _walk(walker, agent, parallel=2, **V3_PARAMS)
    assert [r["oid"] for r in parallel["varbinds"]] == [r["oid"] for r in threaded["varbinds"]]
