"""Traps and informs from the walker's sender arrive at Net-SNMP snmptrapd exactly as the
same notification sent with snmptrap/snmpinform does (v1, v2c, v3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.walker_peers import (
    LOOPBACK,
    NETSNMP_ENV,
    Walker,
    free_port,
    need,
    netsnmp,
    run_walker,
    stop,
)

ENGINE = "80001f88050102030405060708"
# Our sender is its own engine; snmptrapd keeps each engine's clock, so it gets its own ID.
OUR_ENGINE = "80001f8805aaaaaaaaaaaaaaaa"
CONF = f"""disableAuthorization yes
authCommunity log,net public
createUser -e 0x{ENGINE} tuser SHA-256 auth-pass-1 AES priv-pass-1
createUser -e 0x{OUR_ENGINE} tuser SHA-256 auth-pass-1 AES priv-pass-1
createUser iuser SHA auth-pass-1 AES-256 priv-pass-1
authUser log tuser
authUser log iuser
"""
# One line per notification: v1 fields (or their v2 translation) and every var-bind.
FORMAT = "TRAP %N %w %q|%v\n"

VARBINDS = [
    ("1.3.6.1.2.1.2.2.1.1.3", "i", "3", {"type": "Integer32", "value": 3}),
    ("1.3.6.1.2.1.1.5.0", "s", "hi there", {"type": "OctetString", "value": "hi there"}),
    (
        "1.3.6.1.2.1.1.6.0",
        "x",
        "00FF10",
        {"type": "OctetString", "value": "00 ff 10", "encoding": "hex"},
    ),
    ("1.3.6.1.4.1.9.1", "u", "4000000000", {"type": "Unsigned32", "value": 4000000000}),
    ("1.3.6.1.4.1.9.2", "c", "7", {"type": "Counter32", "value": 7}),
    (
        "1.3.6.1.4.1.9.3",
        "C",
        "18446744073709551615",
        {"type": "Counter64", "value": 18446744073709551615},
    ),
    ("1.3.6.1.4.1.9.4", "t", "4242", {"type": "TimeTicks", "value": 4242}),
    ("1.3.6.1.4.1.9.5", "a", "10.1.2.3", {"type": "IpAddress", "value": "10.1.2.3"}),
    ("1.3.6.1.4.1.9.6", "o", ".1.3.6.1.4.1.8072", {"type": "OID", "value": "1.3.6.1.4.1.8072"}),
]


def _cli_varbinds(version: str) -> list[str]:
    out: list[str] = []
    for oid, t, v, _ in VARBINDS:
        if version == "v1" and t == "C":
            continue  # SNMPv1 has no Counter64
        out += [oid, t, v]
    return out


def _api_varbinds(version: str) -> list[dict[str, object]]:
    return [
        {"oid": oid, **spec} for oid, t, _, spec in VARBINDS if not (version == "v1" and t == "C")
    ]


class Trapd:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.log = tmp / "traps.log"
        (tmp / "snmptrapd.conf").write_text(CONF)
        env = {**NETSNMP_ENV, "SNMP_PERSISTENT_DIR": str(tmp / "persist")}
        self.proc = __import__("subprocess").Popen(
            [
                need("snmptrapd"),
                "-f",
                "-n",
                "-On",
                "-C",
                "-c",
                str(tmp / "snmptrapd.conf"),
                "-Lf",
                str(self.log),
                "-F",
                FORMAT,
                f"udp:{LOOPBACK}:{self.port}",
            ],
            env=env,
            stdout=-3,
            stderr=-3,
        )
        self.seen = 0
        # Ready when an inform is acknowledged.
        deadline = time.monotonic() + 20
        while True:
            probe = __import__("subprocess").run(
                [
                    need("snmpinform"),
                    "-v2c",
                    "-c",
                    "public",
                    "-t",
                    "0.3",
                    "-r",
                    "0",
                    f"{LOOPBACK}:{self.port}",
                    "1",
                    "1.3.6.1.4.1.99.0.1",
                ],
                env=NETSNMP_ENV,
                capture_output=True,
                timeout=10,
            )
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("snmptrapd did not acknowledge an inform in 20 s")
        self.next_lines(1)

    def next_lines(self, n: int, timeout: float = 10.0) -> list[str]:
        """The next ``n`` notifications snmptrapd logged, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [ln for ln in self.log.read_text().splitlines() if ln.startswith("TRAP ")]
            if len(lines) >= self.seen + n:
                got = lines[self.seen : self.seen + n]
                self.seen += n
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"snmptrapd logged {len(lines) - self.seen} of {n}")
            time.sleep(0.02)


@pytest.fixture(scope="module")
def trapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trapd]:
    t = Trapd(tmp_path_factory.mktemp("trapd"))
    try:
        yield t
    finally:
        stop(t.proc)


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with run_walker(tmp_path_factory.mktemp("walker")) as w:
        yield w


def _send(walker: Walker, **body: object) -> dict[str, object]:
    with walker.client() as c:
        r = c.post("/traps/send", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


V3_TRAP = [
    "-v3",
    "-u",
    "tuser",
    "-l",
    "authPriv",
    "-a",
    "SHA-256",
    "-A",
    "auth-pass-1",
    "-x",
    "AES",
    "-X",
    "priv-pass-1",
    "-e",
    ENGINE,
]
V3_TRAP_API = {
    "version": "v3",
    "user": "tuser",
    "auth_protocol": "SHA-256",
    "auth_key": "auth-pass-1",
    "priv_protocol": "AES",
    "priv_key": "priv-pass-1",
    "engine_id": OUR_ENGINE,
}


@pytest.mark.parametrize("version", ["v1", "v2c", "v3"])
def test_traps_match_snmptrap(trapd: Trapd, walker: Walker, version: str) -> None:
    addr = f"{LOOPBACK}:{trapd.port}"
    trap_oid = "1.3.6.1.4.1.8072.9999.0.17"
    if version == "v1":
        cli = ["-v1", "-c", "public", addr, ".1.3.6.1.4.1.8072.9999", LOOPBACK, "6", "17", "4200"]
    elif version == "v2c":
        cli = ["-v2c", "-c", "public", addr, "4200", trap_oid]
    else:
        cli = [*V3_TRAP, addr, "4200", trap_oid]
    netsnmp("snmptrap", *cli, *_cli_varbinds(version))
    expected = trapd.next_lines(1)
    creds = V3_TRAP_API if version == "v3" else {"version": version, "community": "public"}
    body = _send(
        walker,
        target=LOOPBACK,
        port=trapd.port,
        oid=trap_oid,
        uptime=4200,
        varbinds=_api_varbinds(version),
        agent_address=LOOPBACK,
        **creds,
    )
    assert body["sent"] == 1 and body["status"] == "sent"
    assert trapd.next_lines(1) == expected


def test_informs_acknowledged_and_repeated(trapd: Trapd, walker: Walker) -> None:
    addr = f"{LOOPBACK}:{trapd.port}"
    netsnmp(
        "snmpinform",
        "-v2c",
        "-c",
        "public",
        addr,
        "77",
        "1.3.6.1.6.3.1.1.5.3",
        *_cli_varbinds("v2c"),
    )
    expected = trapd.next_lines(1)
    body = _send(
        walker,
        target=LOOPBACK,
        port=trapd.port,
        notification="inform",
        oid="1.3.6.1.6.3.1.1.5.3",
        uptime=77,
        varbinds=_api_varbinds("v2c"),
        count=5,
        rate=500,
    )
    assert body["acknowledged"] == 5 and body["timed_out"] == 0
    assert trapd.next_lines(5) == expected * 5
    v3 = _send(
        walker,
        target=LOOPBACK,
        port=trapd.port,
        notification="inform",
        oid="1.3.6.1.6.3.1.1.5.3",
        uptime=77,
        varbinds=_api_varbinds("v2c"),
        version="v3",
        user="iuser",
        auth_protocol="SHA",
        auth_key="auth-pass-1",
        priv_protocol="AES-256",
        priv_key="priv-pass-1",
    )
    assert v3["acknowledged"] == 1
    assert trapd.next_lines(1) == expected


def test_inform_timeout_is_reported(walker: Walker) -> None:
    body = _send(
        walker,
        target=LOOPBACK,
        port=free_port(),
        notification="inform",
        oid="1.3.6.1.6.3.1.1.5.1",
        timeout=0.2,
        retries=0,
    )
    assert body["acknowledged"] == 0 and body["timed_out"] == 1
    assert body["status"] == "failed"
    assert "no response" in str(body["results"])


def test_sender_counters(walker: Walker, trapd: Trapd) -> None:
    with walker.client() as c:
        before = c.get("/stats").json()["traps"]["traps_sent_total"]
    _send(walker, target=LOOPBACK, port=trapd.port, oid="1.3.6.1.6.3.1.1.5.1", count=3)
    trapd.next_lines(3)
    with walker.client() as c:
        assert c.get("/stats").json()["traps"]["traps_sent_total"] == before + 3


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"oid": "NO-SUCH-MIB::nothing"}, "mib"),
        (
            {
                "oid": "1.3.6.1.6.3.1.1.5.1",
                "varbinds": [{"oid": "1.3.6.1.2.1.1.5.0", "type": "Integer32", "value": "abc"}],
            },
            "not an integer",
        ),
        (
            {
                "oid": "1.3.6.1.6.3.1.1.5.1",
                "varbinds": [{"oid": "1.3.6.1.2.1.1.5.0", "type": "Counter32", "value": -1}],
            },
            "outside",
        ),
        (
            {
                "oid": "1.3.6.1.6.3.1.1.5.1",
                "varbinds": [
                    {"oid": "1.3.6.1.2.1.1.5.0", "type": "IpAddress", "value": "300.1.1.1"}
                ],
            },
            "ipv4",
        ),
        (
            {
                "oid": "1.3.6.1.6.3.1.1.5.1",
                "varbinds": [
                    {
                        "oid": "1.3.6.1.2.1.1.5.0",
                        "type": "OctetString",
                        "value": "zz",
                        "encoding": "hex",
                    }
                ],
            },
            "hex",
        ),
        (
            {
                "oid": "1.3.6.1.6.3.1.1.5.1",
                "varbinds": [{"oid": "1.3.6.1.2.1.1.5.0", "type": "Float", "value": 1}],
            },
            "unknown snmp type",
        ),
        ({"oid": "1.3.6.1.6.3.1.1.5.1", "version": "v1", "notification": "inform"}, "inform"),
        ({"oid": "1.3.6.1.6.3.1.1.5.1", "target": "bad host!"}, "target"),
    ],
)
def test_bad_sends_are_4xx(walker: Walker, body: dict[str, object], needle: str) -> None:
    payload = {"target": LOOPBACK, "port": 162, **body}
    with walker.client() as c:
        r = c.post("/traps/send", json=payload)
    assert r.status_code == 400, r.text
    assert needle in r.json()["detail"].lower()
