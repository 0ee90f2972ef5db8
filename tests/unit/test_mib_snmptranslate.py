"""Our resolution agrees with Net-SNMP's ``snmptranslate`` on the same MIB files.

snmptranslate is pointed at the very files the library compiles (``-M`` the standard MIB
cache), so any difference is a difference in resolution, not in MIB versions.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from services.common.mibs.index import MibIndex
from tests.mib_helpers import compile_to, standard_dir, standard_index

pytestmark = pytest.mark.skipif(
    shutil.which("snmptranslate") is None, reason="Net-SNMP snmptranslate is not installed"
)

MODULES = "IF-MIB:IP-MIB:TCP-MIB:UDP-MIB:HOST-RESOURCES-MIB:ENTITY-MIB:BRIDGE-MIB:RMON-MIB"
MODULES += ":DISMAN-EVENT-MIB:NOTIFICATION-LOG-MIB:SNMPv2-MIB:SNMP-FRAMEWORK-MIB:UCD-SNMP-MIB"
MODULES += ":SNMP-TARGET-MIB:NET-SNMP-AGENT-MIB:SNMP-VIEW-BASED-ACM-MIB"

NAMES = [
    "IF-MIB::ifOperStatus", "IF-MIB::ifDescr", "IF-MIB::ifHCInOctets", "IF-MIB::linkDown",
    "IF-MIB::linkUp", "IF-MIB::ifStackStatus", "IP-MIB::ipAdEntAddr", "IP-MIB::ipAddressIfIndex",
    "IP-MIB::ipSystemStatsInReceives", "TCP-MIB::tcpConnectionState", "TCP-MIB::tcpCurrEstab",
    "UDP-MIB::udpEndpointProcess", "HOST-RESOURCES-MIB::hrSWRunName",
    "HOST-RESOURCES-MIB::hrStorageUsed", "HOST-RESOURCES-MIB::hrProcessorLoad",
    "ENTITY-MIB::entPhysicalDescr", "ENTITY-MIB::entConfigChange",
    "BRIDGE-MIB::dot1dTpFdbAddress", "BRIDGE-MIB::newRoot", "BRIDGE-MIB::topologyChange",
    "RMON-MIB::etherStatsPkts", "RMON-MIB::risingAlarm", "DISMAN-EVENT-MIB::mteTriggerFired",
    "NOTIFICATION-LOG-MIB::nlmLogVariableID", "SNMPv2-MIB::sysDescr", "SNMPv2-MIB::sysUpTime",
    "SNMPv2-MIB::coldStart", "SNMPv2-MIB::snmpTrapOID", "SNMP-FRAMEWORK-MIB::snmpEngineID",
    "SNMP-TARGET-MIB::snmpTargetAddrTAddress", "UCD-SNMP-MIB::laLoad",
    "NET-SNMP-AGENT-MIB::nsModuleName",
]  # fmt: skip

INSTANCES = [
    "1.3.6.1.2.1.2.2.1.8.3",
    "1.3.6.1.2.1.2.2.1.2.12",
    "1.3.6.1.2.1.31.1.1.1.6.2",
    "1.3.6.1.2.1.1.5.0",
    "1.3.6.1.2.1.25.4.2.1.2.4242",
    "1.3.6.1.2.1.4.20.1.1.192.168.10.1",
    "1.3.6.1.2.1.31.1.2.1.3.5.0",
    "1.3.6.1.2.1.25.2.3.1.6.31",
    "1.3.6.1.4.1.2021.10.1.3.2",
    "1.3.6.1.2.1.47.1.1.1.1.2.1001",
    # InetAddressType + InetAddress indexes, as Net-SNMP writes them
    "1.3.6.1.2.1.4.34.1.3.1.4.192.168.1.1",
    "1.3.6.1.2.1.4.34.1.3.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1",
    "1.3.6.1.2.1.6.19.1.7.1.4.10.0.0.1.22.1.4.10.0.0.2.40000",
    # IMPLIED string ('x'), length-prefixed string ("x"), OID index with its length
    "1.3.6.1.6.3.12.1.2.1.9.97.98.99",
    "1.3.6.1.6.3.16.1.2.1.3.1.3.97.98.99",
    "1.3.6.1.6.3.16.1.5.2.1.6.3.97.98.99.3.1.3.6",
]


def snmptranslate(*args: str) -> str:
    mib_dir = str(standard_dir() / "modules")
    out = subprocess.run(
        ["snmptranslate", "-M", mib_dir, "-m", MODULES, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return out.stdout.strip()


@pytest.fixture(scope="module")
def idx() -> MibIndex:
    return standard_index()


@pytest.mark.parametrize("name", NAMES)
def test_name_to_oid_matches_snmptranslate(idx: MibIndex, name: str) -> None:
    expected = snmptranslate("-On", name).lstrip(".")
    assert ".".join(map(str, idx.oid(name))) == expected


@pytest.mark.parametrize("name", NAMES)
def test_oid_to_name_matches_snmptranslate(idx: MibIndex, name: str) -> None:
    oid = snmptranslate("-On", name)
    assert snmptranslate("-OS", oid) == name  # Net-SNMP's own round trip, as the reference
    assert idx.name(oid) == name


@pytest.mark.parametrize("oid", INSTANCES)
def test_instances_match_snmptranslate(idx: MibIndex, oid: str) -> None:
    # -OS: MODULE::name.index, the form our resolver gives (IpAddress index shown dotted).
    expected = snmptranslate("-OS", oid)
    assert idx.name(oid) == expected


@pytest.mark.parametrize("oid", INSTANCES)
def test_instance_names_read_back_to_the_same_oid(idx: MibIndex, oid: str) -> None:
    name = snmptranslate("-OS", oid)
    assert ".".join(map(str, idx.oid(name))) == oid


def test_syntax_and_access_match_snmptranslate(idx: MibIndex) -> None:
    detail = snmptranslate("-Td", "IF-MIB::ifOperStatus")
    node = idx.lookup_name("IF-MIB::ifOperStatus")
    assert node is not None and node.syntax is not None and node.syntax.enums is not None
    for value, label in node.syntax.enums.items():
        assert f"{label}({value})" in detail
    assert f"MAX-ACCESS\t{node.access}" in detail
    assert f"STATUS\t{node.status}" in detail


def test_sysuptime_instance_is_named_after_the_object(idx: MibIndex) -> None:
    # The one deliberate difference: with DISMAN-EVENT-MIB loaded Net-SNMP names .1.3.0
    # after that module's sysUpTimeInstance alias; we name it after the object, as people
    # write it. Both spellings mean the same OID.
    assert snmptranslate("-OS", "1.3.6.1.2.1.1.3.0") == "DISMAN-EVENT-MIB::sysUpTimeInstance"
    assert idx.name("1.3.6.1.2.1.1.3.0") == "SNMPv2-MIB::sysUpTime.0"
    assert snmptranslate("-On", "SNMPv2-MIB::sysUpTime.0") == ".1.3.6.1.2.1.1.3.0"


VENDOR = """SNMPLAB-TEST-VENDOR-MIB DEFINITIONS ::= BEGIN
IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, enterprises FROM SNMPv2-SMI
    DisplayString, MacAddress FROM SNMPv2-TC
    InetAddressType, InetAddress FROM INET-ADDRESS-MIB
    ifIndex FROM IF-MIB;

tvRoot MODULE-IDENTITY
    LAST-UPDATED "202601010000Z" ORGANIZATION "snmplab" CONTACT-INFO "-"
    DESCRIPTION "A vendor-style module for the tests." ::= { enterprises 64999 }

tvPeerTable OBJECT-TYPE
    SYNTAX SEQUENCE OF TvPeerEntry MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "Peers." ::= { tvRoot 1 }
tvPeerEntry OBJECT-TYPE
    SYNTAX TvPeerEntry MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "A peer." INDEX { ifIndex, tvPeerAddrType, tvPeerAddr } ::= { tvPeerTable 1 }
TvPeerEntry ::= SEQUENCE {
    tvPeerAddrType InetAddressType, tvPeerAddr InetAddress, tvPeerMac MacAddress,
    tvPeerName DisplayString }
tvPeerAddrType OBJECT-TYPE
    SYNTAX InetAddressType MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "Address type." ::= { tvPeerEntry 1 }
tvPeerAddr OBJECT-TYPE
    SYNTAX InetAddress (SIZE (4|16)) MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "Address." ::= { tvPeerEntry 2 }
tvPeerMac OBJECT-TYPE
    SYNTAX MacAddress MAX-ACCESS read-only STATUS current
    DESCRIPTION "MAC." ::= { tvPeerEntry 3 }
tvPeerName OBJECT-TYPE
    SYNTAX DisplayString MAX-ACCESS read-only STATUS current
    DESCRIPTION "Name." ::= { tvPeerEntry 4 }

tvPeerLost NOTIFICATION-TYPE
    OBJECTS { tvPeerMac, tvPeerName } STATUS current
    DESCRIPTION "A peer was lost." ::= { tvRoot 0 1 }
END
"""


def test_an_uploaded_vendor_module_resolves_like_snmptranslate(tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "SNMPLAB-TEST-VENDOR-MIB").write_text(VENDOR)
    compile_to(user, tmp_path / "index.json")
    idx = MibIndex.from_json((tmp_path / "index.json").read_bytes())
    mib_path = f"{standard_dir() / 'modules'}:{user}"
    oids = [
        "1.3.6.1.4.1.64999.1.1.3.7.1.4.10.1.2.3",
        "1.3.6.1.4.1.64999.1.1.4.12.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1",
        "1.3.6.1.4.1.64999.0.1",
    ]
    for oid in oids:
        out = subprocess.run(
            ["snmptranslate", "-M", mib_path, "-m", "SNMPLAB-TEST-VENDOR-MIB", "-OS", oid],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert idx.name(oid) == out.stdout.strip()
        assert ".".join(map(str, idx.oid(out.stdout.strip()))) == oid
