"""Interoperability: pysnmp as a second client (v2c and v3), Net-SNMP snmptable and
snmpbulkget, and a malformed-packet flood that must not disturb a running walk."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    OctetString,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    set_cmd,
    usmAesBlumenthalCfb192Protocol,
    usmAesCfb128Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACSHAAuthProtocol,
)

from tests.mib_helpers import standard_dir
from tests.service.simulator_harness import HOST, SimulatorProcess, lines_by_oid, netsnmp


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(Path(tmp_path_factory.mktemp("interop")) / "sim")
    proc.start()
    try:
        yield proc
    finally:
        proc.close()


async def _pysnmp(auth: object, port: int, fn: object, *args: object, ctx: str = "") -> object:
    engine = SnmpEngine()
    try:
        target = await UdpTransportTarget.create((HOST, port), timeout=2, retries=1)
        return await fn(engine, auth, target, ContextData(contextName=ctx), *args)  # type: ignore[operator]
    finally:
        engine.close_dispatcher()


def test_pysnmp_v2c_get_bulk_set(sim: SimulatorProcess) -> None:
    auth = CommunityData("public", mpModel=1)
    err, status, _, vbs = asyncio.run(
        _pysnmp(auth, sim.snmp_port, get_cmd, ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0")))
    )  # type: ignore[misc]
    assert err is None and not status and str(vbs[0][1]) == "snmplab-sim"
    err, status, _, vbs = asyncio.run(
        _pysnmp(
            auth, sim.snmp_port, bulk_cmd, 0, 10, ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.2"))
        )
    )  # type: ignore[misc]
    assert err is None and not status
    assert [str(v) for _, v in vbs[:4]] == ["lo", "eth0", "eth1", "eth2"]
    err, status, _, vbs = asyncio.run(
        _pysnmp(
            auth,
            sim.snmp_port,
            set_cmd,
            ObjectType(ObjectIdentity("1.3.6.1.2.1.1.4.0"), OctetString("pysnmp")),
        )
    )  # type: ignore[misc]
    assert err is None and not status and str(vbs[0][1]) == "pysnmp"
    v1 = CommunityData("public", mpModel=0)
    err, status, idx, _ = asyncio.run(
        _pysnmp(v1, sim.snmp_port, get_cmd, ObjectType(ObjectIdentity("1.3.6.1.2.1.1.99.0")))
    )  # type: ignore[misc]
    assert err is None and int(status) == 2 and int(idx) == 1  # noSuchName


@pytest.mark.parametrize(
    ("auth", "auth_proto", "priv", "priv_proto"),
    [
        ("SHA", usmHMACSHAAuthProtocol, "DES", usmDESPrivProtocol),
        ("SHA", usmHMACSHAAuthProtocol, "AES", usmAesCfb128Protocol),
        ("SHA-512", usmHMAC384SHA512AuthProtocol, "AES-192", usmAesBlumenthalCfb192Protocol),
        ("SHA-512", usmHMAC384SHA512AuthProtocol, "AES-256-C", usmAesCfb256Protocol),
    ],
)
def test_pysnmp_v3(
    sim: SimulatorProcess, auth: str, auth_proto: object, priv: str, priv_proto: object
) -> None:
    name = f"py-{auth}-{priv}"
    user = {
        "name": name,
        "auth": auth,
        "auth_key": "authpass-1",
        "priv": priv,
        "priv_key": "privpass-1",
    }
    assert sim.post("/simulator/users", json=user).status_code == 201
    usm = UsmUserData(
        name, "authpass-1", "privpass-1", authProtocol=auth_proto, privProtocol=priv_proto
    )
    err, status, _, vbs = asyncio.run(
        _pysnmp(usm, sim.snmp_port, get_cmd, ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0")))
    )  # type: ignore[misc]
    assert err is None and not status, (err, status)
    assert str(vbs[0][1]) == "snmplab-sim"


def test_snmptable_and_snmpbulkget(sim: SimulatorProcess) -> None:
    mibs = standard_dir() / "modules"
    out = netsnmp(
        "snmptable",
        "-v2c",
        "-c",
        "public",
        "-M",
        f"+{mibs}",
        "-m",
        "IF-MIB",
        "-Cf",
        ",",
        sim.target,
        "IF-MIB::ifTable",
    )
    rows = [line.split(",") for line in out.splitlines() if line.count(",") > 5]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["ifIndex", "ifDescr", "ifType"]
    assert [r[1] for r in body] == ["lo", "eth0", "eth1", "eth2"]
    out = netsnmp(
        "snmpbulkget",
        "-v2c",
        "-c",
        "public",
        "-On",
        "-Cn1",
        "-Cr3",
        sim.target,
        ".1.3.6.1.2.1.1.1",
        ".1.3.6.1.2.1.2.2.1.2",
    )
    got = list(lines_by_oid(out))
    assert got == [
        ".1.3.6.1.2.1.1.1.0",
        ".1.3.6.1.2.1.2.2.1.2.1",
        ".1.3.6.1.2.1.2.2.1.2.2",
        ".1.3.6.1.2.1.2.2.1.2.3",
    ]


def test_malformed_flood_does_not_disturb_a_walk(sim: SimulatorProcess) -> None:
    before = sim.get("/stats").json()["simulator"]["malformed_packets"]
    good = bytes.fromhex(
        "302602010104067075626c6963a019020400000001020100020100300b300906052b060102010500"
    )
    rng = random.Random(7)
    sent = 0
    stop = threading.Event()

    def flood() -> None:
        nonlocal sent
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            while not stop.is_set() and sent < 3000:
                pkt = bytearray(good)
                for _ in range(rng.randint(1, 4)):
                    pkt[rng.randrange(len(pkt))] = rng.randrange(256)
                cut = rng.randint(0, len(pkt))
                data = bytes(pkt[:cut]) if rng.random() < 0.5 else os.urandom(rng.randint(0, 90))
                s.sendto(data, (HOST, sim.snmp_port))
                sent += 1

    t = threading.Thread(target=flood)
    t.start()
    try:
        walk = lines_by_oid(
            netsnmp("snmpbulkwalk", "-v2c", "-c", "public", "-On", sim.target, ".1")
        )
    finally:
        stop.set()
        t.join()
    assert len(walk) == 96
    after = sim.get("/stats").json()["simulator"]["malformed_packets"]
    # Mutations may still parse as requests, and a stalled box may drop some datagrams.
    assert after - before >= sent * 0.3
    assert "snmplab-sim" in netsnmp(
        "snmpget", "-v2c", "-c", "public", sim.target, "1.3.6.1.2.1.1.5.0"
    )
