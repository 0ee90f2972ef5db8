"""Issue 2: the simulator on the wire -- Net-SNMP walks see the system group and ifTable,
sysUpTime ticks in real time, octet counters increase."""

from __future__ import annotations

import time

import pytest

from tests.e2e import netsnmp
from tests.e2e.endpoints import StackAddresses
from tests.e2e.polling import wait_until

pytestmark = pytest.mark.e2e

SYSTEM = "1.3.6.1.2.1.1"
IF_TABLE = "1.3.6.1.2.1.2.2"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"

# The system group issue 2 names, with the type Net-SNMP must print for each.
SYSTEM_OBJECTS = {
    f"{SYSTEM}.1.0": "STRING",  # sysDescr
    f"{SYSTEM}.2.0": "OID",  # sysObjectID
    f"{SYSTEM}.3.0": "Timeticks",  # sysUpTime
    f"{SYSTEM}.4.0": "STRING",  # sysContact
    f"{SYSTEM}.5.0": "STRING",  # sysName
    f"{SYSTEM}.6.0": "STRING",  # sysLocation
    f"{SYSTEM}.7.0": "INTEGER",  # sysServices
}
# ifTable columns issue 2 names (column number -> type).
IF_COLUMNS = {
    1: "INTEGER",  # ifIndex
    2: "STRING",  # ifDescr
    3: "INTEGER",  # ifType
    5: "Gauge32",  # ifSpeed
    8: "INTEGER",  # ifOperStatus
    10: "Counter32",  # ifInOctets
    16: "Counter32",  # ifOutOctets
}

WALKS = [
    pytest.param("snmpwalk", "1", id="snmpwalk-v1"),
    pytest.param("snmpwalk", "2c", id="snmpwalk-v2c"),
    pytest.param("snmpbulkwalk", "2c", id="snmpbulkwalk-v2c"),
]


def _walk(stack: StackAddresses, tool: str, version: str, oid: str) -> list[netsnmp.VarBind]:
    result = netsnmp.snmpwalk(
        stack.simulator,
        oid,
        version=version,
        community=stack.community,
        bulk=tool == "snmpbulkwalk",
    )
    return netsnmp.walk_lines(result)


@pytest.mark.parametrize(("tool", "version"), WALKS)
def test_walk_returns_system_group(stack: StackAddresses, tool: str, version: str) -> None:
    rows = _walk(stack, tool, version, SYSTEM)
    got = {vb.oid: vb for vb in rows}
    for oid, type_ in SYSTEM_OBJECTS.items():
        assert oid in got, f"{tool} -v{version}: {oid} missing from {[r.oid for r in rows]}"
        assert got[oid].type == type_, got[oid]
    assert all(vb.oid.startswith(SYSTEM + ".") for vb in rows), "walk left the subtree"
    assert got[f"{SYSTEM}.1.0"].value.strip('"'), "sysDescr is empty"


@pytest.mark.parametrize(("tool", "version"), WALKS)
def test_walk_returns_if_table(stack: StackAddresses, tool: str, version: str) -> None:
    rows = _walk(stack, tool, version, IF_TABLE)
    got = {vb.oid: vb for vb in rows}
    indexes = [int(vb.value) for vb in rows if vb.oid.startswith(f"{IF_TABLE}.1.1.")]
    assert len(indexes) >= 2, f"a few interfaces expected, ifIndex column: {indexes}"
    for index in indexes:
        assert got[f"{IF_TABLE}.1.1.{index}"].value == str(index), "ifIndex = its row index"
        for column, type_ in IF_COLUMNS.items():
            oid = f"{IF_TABLE}.1.{column}.{index}"
            assert oid in got, f"{tool} -v{version}: {oid} missing"
            assert got[oid].type == type_, got[oid]
    # GETNEXT order: strictly increasing OIDs, column by column.
    keys = [tuple(int(a) for a in vb.oid.split(".")) for vb in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "walk is not in OID order"


def test_walk_and_bulkwalk_agree_on_oids(stack: StackAddresses) -> None:
    plain = _walk(stack, "snmpwalk", "2c", "1.3.6.1.2.1")
    bulk = _walk(stack, "snmpbulkwalk", "2c", "1.3.6.1.2.1")
    assert [vb.oid for vb in plain] == [vb.oid for vb in bulk]
    assert [vb.type for vb in plain] == [vb.type for vb in bulk]


def _ticks(vb: netsnmp.VarBind) -> int:
    assert vb.type == "Timeticks", vb
    return int(vb.value.split(")")[0].lstrip("("))


def _read_uptime(stack: StackAddresses) -> tuple[int, float, float]:
    sent = time.monotonic()
    result = netsnmp.snmpget(stack.simulator, SYS_UPTIME, community=stack.community).check()
    received = time.monotonic()
    (vb,) = netsnmp.parse_numeric(result.stdout)
    return _ticks(vb), sent, received


@pytest.mark.parametrize("version", ["1", "2c"])
def test_sys_uptime_grows_in_real_time(stack: StackAddresses, version: str) -> None:
    first, sent1, recv1 = _read_uptime(stack)
    later = wait_until(
        lambda: _read_uptime(stack),
        lambda r: r[0] > first,
        timeout=3,
        what="sysUpTime to grow",
    )
    second, sent2, recv2 = later
    # Each value was made between its request and its answer, so the tick difference is
    # bounded by the wall time between them (1 tick = 10 ms, +-1 for rounding).
    low, high = (sent2 - recv1) * 100 - 1, (recv2 - sent1) * 100 + 1
    assert low <= second - first <= high, (first, second, low, high)


def test_octet_counters_increase(stack: StackAddresses) -> None:
    rows = _walk(stack, "snmpbulkwalk", "2c", f"{IF_TABLE}.1.10")
    assert rows, "no ifInOctets column"
    oids = [vb.oid for vb in rows]

    def read() -> list[int]:
        got = netsnmp.snmpget(stack.simulator, *oids, community=stack.community).check()
        return [int(vb.value) for vb in netsnmp.parse_numeric(got.stdout)]

    start = read()
    wait_until(
        read,
        lambda now: any(b > a for a, b in zip(start, now, strict=True)),
        timeout=5,
        what="ifInOctets to increase",
    )
