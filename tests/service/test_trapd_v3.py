"""SNMPv3 traps and informs from Net-SNMP under every auth and priv protocol it has."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.trapd_harness import HOST, EventsSink, Trapd, run_tool, start_trapd

pytestmark = pytest.mark.skipif(shutil.which("snmptrap") is None, reason="Net-SNMP tools")

AUTHS = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"]
PRIVS = [None, "DES", "AES", "AES-192", "AES-256"]
AUTH_PASS = "auth-pass-123"
PRIV_PASS = "priv-pass-456"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"


@pytest.fixture(scope="module")
def events() -> Iterator[EventsSink]:
    sink = EventsSink()
    yield sink
    sink.close()


@pytest.fixture(scope="module")
def trapd(tmp_path_factory: pytest.TempPathFactory, events: EventsSink) -> Iterator[Trapd]:
    d = start_trapd(tmp_path_factory.mktemp("trapd-v3"), events)
    for auth in AUTHS:
        for priv in PRIVS:
            body: dict[str, str] = {
                "name": user_name(auth, priv),
                "auth_protocol": auth,
                "auth_passphrase": AUTH_PASS,
            }
            if priv:
                body |= {"priv_protocol": priv, "priv_passphrase": PRIV_PASS}
            r = d.post("/traps/users", json=body)
            assert r.status_code == 201, r.text
    yield d
    d.stop()


def user_name(auth: str, priv: str | None) -> str:
    return f"u-{auth}-{priv or 'nopriv'}".lower()


def v3_args(
    auth: str, priv: str | None, *, auth_pass: str = AUTH_PASS, priv_pass: str = PRIV_PASS
) -> list[str]:
    args = ["-v3", "-u", user_name(auth, priv), "-a", auth, "-A", auth_pass]
    if priv:
        return [*args, "-l", "authPriv", "-x", priv, "-X", priv_pass]
    return [*args, "-l", "authNoPriv"]


def send(d: Trapd, tool: str, args: list[str], marker: str) -> None:
    res = run_tool(
        [tool, "-r", "1", "-t", "3", *args, f"udp:{HOST}:{d.snmp_port}", "42", LINK_UP,
         "1.3.6.1.2.1.1.5.0", "s", marker]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("priv", PRIVS)
@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("tool", ["snmptrap", "snmpinform"])
def test_v3_notification(trapd: Trapd, tool: str, auth: str, priv: str | None) -> None:
    marker = f"{tool}-{auth}-{priv}"
    send(trapd, tool, v3_args(auth, priv), marker)
    (rec,) = trapd.wait_traps(1, q=marker)
    assert rec["version"] == "v3"
    assert rec["pdu"] == ("inform" if tool == "snmpinform" else "trap")
    assert rec["trap_oid"] == LINK_UP
    assert rec["v3"]["user"] == user_name(auth, priv)
    assert rec["v3"]["security_level"] == ("authPriv" if priv else "authNoPriv")
    assert rec["varbinds"][-1]["value"] == marker
    assert rec["community"] is None


def refused(d: Trapd) -> dict[str, int]:
    result: dict[str, int] = d.get("/traps/status").json()["refused"]
    return result


def wait_refused(d: Trapd, reason: str, at_least: int) -> int:
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        n = refused(d).get(reason, 0)
        if n >= at_least:
            return n
        time.sleep(0.02)
    return refused(d).get(reason, 0)


def test_failures_counted_by_reason(trapd: Trapd) -> None:
    before = refused(trapd)
    # Unknown user.
    res = run_tool(
        ["snmptrap", "-v3", "-u", "nobody", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH_PASS,
         f"udp:{HOST}:{trapd.snmp_port}", "1", LINK_UP]
    )  # fmt: skip
    assert res.returncode == 0
    assert wait_refused(trapd, "unknown_user", before.get("unknown_user", 0) + 1) > before.get(
        "unknown_user", 0
    )
    # Wrong auth passphrase: the digest does not match.
    send(trapd, "snmptrap", v3_args("SHA", None, auth_pass="wrong-pass-999"), "x")
    assert wait_refused(trapd, "wrong_digest", before.get("wrong_digest", 0) + 1) > before.get(
        "wrong_digest", 0
    )
    # Right auth, wrong priv passphrase: decryption yields garbage.
    send(trapd, "snmptrap", v3_args("SHA", "AES", priv_pass="wrong-priv-999"), "x")
    n = wait_refused(trapd, "decryption_error", before.get("decryption_error", 0) + 1)
    assert n > before.get("decryption_error", 0)
    # A trap from an engine that went back in time (same boots, time far behind).
    engine = "8000000001020304050607"
    for boots_time in ("7,5000", "7,100"):
        res = run_tool(
            ["snmptrap", *v3_args("MD5", None), "-e", engine, "-Z", boots_time,
             f"udp:{HOST}:{trapd.snmp_port}", "1", LINK_UP]
        )  # fmt: skip
        assert res.returncode == 0
    n = wait_refused(trapd, "not_in_time_window", before.get("not_in_time_window", 0) + 1)
    assert n > before.get("not_in_time_window", 0)
    stats = trapd.get("/stats").json()["traps"]
    assert stats["refused_unknown_user"] >= 1 and stats["refused_wrong_digest"] >= 1
    assert stats["auth_refused"] >= 4


def test_user_api_validation_and_listing(trapd: Trapd) -> None:
    assert trapd.post("/traps/users", json={"name": "a", "auth_protocol": "SHA"}).status_code == 400
    r = trapd.post(
        "/traps/users", json={"name": "b", "auth_protocol": "XYZ", "auth_passphrase": "12345678"}
    )
    assert r.status_code == 400 and "XYZ" in r.json()["detail"]
    r = trapd.post(
        "/traps/users", json={"name": "c", "priv_protocol": "AES", "priv_passphrase": "12345678"}
    )
    assert r.status_code == 400
    users = trapd.get("/traps/users").json()
    assert len(users["engine_id"]) >= 10
    names = {u["name"] for u in users["users"]}
    assert user_name("SHA-512", "AES-256") in names
    assert all("auth_ku" not in u and "auth_passphrase" not in u for u in users["users"])
    assert trapd.delete("/traps/users/nobody-here").status_code == 404


def test_user_bound_to_one_engine(trapd: Trapd) -> None:
    body = {"name": "pinned", "auth_protocol": "SHA", "auth_passphrase": AUTH_PASS,
            "engine_id": "80000000010a0b0c0d"}  # fmt: skip
    assert trapd.post("/traps/users", json=body).status_code == 201
    before = refused(trapd).get("unknown_user", 0)
    res = run_tool(
        ["snmptrap", "-v3", "-u", "pinned", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH_PASS,
         "-e", "80000000010a0b0c0e", f"udp:{HOST}:{trapd.snmp_port}", "1", LINK_UP,
         "1.3.6.1.2.1.1.5.0", "s", "pinned-other"]
    )  # fmt: skip
    assert res.returncode == 0
    assert wait_refused(trapd, "unknown_user", before + 1) == before + 1
    res = run_tool(
        ["snmptrap", "-v3", "-u", "pinned", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH_PASS,
         "-e", "80000000010a0b0c0d", f"udp:{HOST}:{trapd.snmp_port}", "1", LINK_UP,
         "1.3.6.1.2.1.1.5.0", "s", "pinned-right"]
    )  # fmt: skip
    assert res.returncode == 0
    assert len(trapd.wait_traps(1, q="pinned-right")) == 1


def test_users_persist(trapd: Trapd, tmp_path: Path) -> None:
    # Keys are stored as Ku digests, never as passphrases.
    text = (trapd.data_dir / "v3_users.json").read_text()
    assert AUTH_PASS not in text and PRIV_PASS not in text


def test_changed_user_keys_apply_at_once(trapd: Trapd) -> None:
    body = {"name": "rotating", "auth_protocol": "SHA", "auth_passphrase": "first-pass-1",
            "priv_protocol": "AES", "priv_passphrase": "first-priv-1"}  # fmt: skip
    assert trapd.post("/traps/users", json=body).status_code == 201
    old = ["-v3", "-u", "rotating", "-l", "authPriv", "-a", "SHA", "-A", "first-pass-1",
           "-x", "AES", "-X", "first-priv-1"]  # fmt: skip
    send(trapd, "snmptrap", old, "rotating-1")
    assert len(trapd.wait_traps(1, q="rotating-1")) == 1
    body |= {"auth_passphrase": "second-pass-2"}
    assert trapd.post("/traps/users", json=body).status_code == 201
    before = refused(trapd).get("wrong_digest", 0)
    send(trapd, "snmptrap", old, "rotating-2")  # the old key no longer authenticates
    assert wait_refused(trapd, "wrong_digest", before + 1) == before + 1
    new = [*old[:8], "second-pass-2", *old[9:]]
    send(trapd, "snmptrap", new, "rotating-3")
    assert len(trapd.wait_traps(1, q="rotating-3")) == 1
