"""SNMPv3 against the simulator with Net-SNMP, under every auth and priv protocol it has."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.simulator_harness import SimulatorProcess, lines_by_oid, netsnmp

AUTHS = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"]
PRIVS = ["DES", "AES", "AES-192", "AES-256"]
SYS_NAME = ".1.3.6.1.2.1.1.5.0"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(Path(tmp_path_factory.mktemp("simv3")) / "sim")
    proc.start()
    users = [{"name": "plain"}]
    users += [{"name": f"a-{a}", "auth": a, "auth_key": "authpass-1"} for a in AUTHS]
    users += [
        {
            "name": f"p-{a}-{p}",
            "auth": a,
            "auth_key": "authpass-1",
            "priv": p,
            "priv_key": "privpass-1",
        }
        for a, p in itertools.product(AUTHS, PRIVS)
    ]
    users.append({"name": "reader", "auth": "SHA", "auth_key": "authpass-1", "write": False})
    for u in users:
        assert proc.post("/simulator/users", json=u).status_code == 201, u
    try:
        yield proc
    finally:
        proc.close()


def test_no_auth_no_priv(sim: SimulatorProcess) -> None:
    out = netsnmp(
        "snmpget", "-v3", "-l", "noAuthNoPriv", "-u", "plain", "-On", sim.target, SYS_NAME
    )
    assert lines_by_oid(out)[SYS_NAME] == 'STRING: "snmplab-sim"'


@pytest.mark.parametrize("auth", AUTHS)
def test_auth_no_priv(sim: SimulatorProcess, auth: str) -> None:
    out = netsnmp(
        "snmpget",
        "-v3",
        "-l",
        "authNoPriv",
        "-u",
        f"a-{auth}",
        "-a",
        auth,
        "-A",
        "authpass-1",
        "-On",
        sim.target,
        SYS_NAME,
    )
    assert lines_by_oid(out)[SYS_NAME] == 'STRING: "snmplab-sim"'


@pytest.mark.parametrize(("auth", "priv"), list(itertools.product(AUTHS, PRIVS)))
def test_auth_priv_get_and_bulkwalk(sim: SimulatorProcess, auth: str, priv: str) -> None:
    common = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        f"p-{auth}-{priv}",
        "-a",
        auth,
        "-A",
        "authpass-1",
        "-x",
        priv,
        "-X",
        "privpass-1",
        "-On",
    ]
    out = netsnmp("snmpget", *common, sim.target, SYS_NAME)
    assert lines_by_oid(out)[SYS_NAME] == 'STRING: "snmplab-sim"'
    walk = lines_by_oid(netsnmp("snmpbulkwalk", *common, "-Cr10", sim.target, ".1.3.6.1.2.1.2"))
    assert walk[".1.3.6.1.2.1.2.2.1.2.2"] == 'STRING: "eth0"'


def test_wrong_password_and_unknown_user_fail(sim: SimulatorProcess) -> None:
    with pytest.raises(AssertionError, match="Authentication failure"):
        netsnmp(
            "snmpget",
            "-v3",
            "-l",
            "authNoPriv",
            "-u",
            "a-SHA",
            "-a",
            "SHA",
            "-A",
            "wrong-pass",
            sim.target,
            SYS_NAME,
        )
    with pytest.raises(AssertionError, match="Unknown user name"):
        netsnmp("snmpget", "-v3", "-l", "noAuthNoPriv", "-u", "nobody", sim.target, SYS_NAME)
    stats = sim.get("/simulator/users").json()["stats"]
    assert stats["wrong_digests"] >= 1 and stats["unknown_user_names"] >= 1


def test_v3_set_and_read_only_user(sim: SimulatorProcess) -> None:
    common = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        "p-SHA-256-AES",
        "-a",
        "SHA-256",
        "-A",
        "authpass-1",
        "-x",
        "AES",
        "-X",
        "privpass-1",
        "-On",
    ]
    out = netsnmp("snmpset", *common, sim.target, ".1.3.6.1.2.1.1.6.0", "s", "v3 room")
    assert 'STRING: "v3 room"' in out
    assert "v3 room" in netsnmp("snmpget", *common, sim.target, ".1.3.6.1.2.1.1.6.0")
    with pytest.raises(AssertionError, match="noAccess"):
        netsnmp(
            "snmpset",
            "-v3",
            "-l",
            "authNoPriv",
            "-u",
            "reader",
            "-a",
            "SHA",
            "-A",
            "authpass-1",
            sim.target,
            ".1.3.6.1.2.1.1.6.0",
            "s",
            "nope",
        )


def test_context_selects_the_device(sim: SimulatorProcess) -> None:
    r = sim.post(
        "/simulator/devices",
        json={
            "name": "ctxdev",
            "community": "ctxdev",
            "context": "edge1",
            "overrides": {"sysName": "edge-router"},
        },
    )
    assert r.status_code == 201, r.text
    out = netsnmp(
        "snmpget",
        "-v3",
        "-l",
        "authNoPriv",
        "-u",
        "a-SHA",
        "-a",
        "SHA",
        "-A",
        "authpass-1",
        "-n",
        "edge1",
        "-On",
        sim.target,
        SYS_NAME,
    )
    assert lines_by_oid(out)[SYS_NAME] == 'STRING: "edge-router"'
