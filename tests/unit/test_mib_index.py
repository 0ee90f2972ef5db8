"""The shared resolver (services/common/mibs/index.py) over the compiled standard MIBs."""

from __future__ import annotations

import pytest

from services.common.mibs.index import (
    MibIndex,
    MibResolveError,
    render_int_hint,
    render_octets_hint,
)
from tests.mib_helpers import standard_index


@pytest.fixture(scope="module")
def idx() -> MibIndex:
    return standard_index()


def test_standard_modules_are_all_loaded(idx: MibIndex) -> None:
    for name in [
        "SNMPv2-SMI",
        "SNMPv2-TC",
        "SNMPv2-MIB",
        "SNMP-FRAMEWORK-MIB",
        "IF-MIB",
        "IP-MIB",
        "TCP-MIB",
        "UDP-MIB",
        "HOST-RESOURCES-MIB",
        "ENTITY-MIB",
        "BRIDGE-MIB",
        "RMON-MIB",
        "DISMAN-EVENT-MIB",
        "NOTIFICATION-LOG-MIB",
        "IANAifType-MIB",
        "INET-ADDRESS-MIB",
        "RFC1213-MIB",
    ]:
        assert name in idx.modules, name


def test_link_down_and_its_varbinds(idx: MibIndex) -> None:
    trap = idx.notification("1.3.6.1.6.3.1.1.5.3")
    assert trap is not None and trap.full_name == "IF-MIB::linkDown"
    assert [o.full_name for o in idx.notification_objects(trap)] == [
        "IF-MIB::ifIndex",
        "IF-MIB::ifAdminStatus",
        "IF-MIB::ifOperStatus",
    ]
    assert trap.description.startswith("A linkDown trap signifies")
    assert idx.name("1.3.6.1.2.1.2.2.1.1.7") == "IF-MIB::ifIndex.7"
    assert idx.name((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 7)) == "IF-MIB::ifAdminStatus.7"
    assert idx.format_value("1.3.6.1.2.1.2.2.1.8.7", "Integer32", 2) == "down(2)"
    assert idx.format_value("1.3.6.1.2.1.2.2.1.7.7", "Integer32", 1) == "up(1)"
    assert idx.format_value("1.3.6.1.2.1.2.2.1.8.7", "Integer32", 99) == "99"


def test_scalars_prefer_the_object_over_an_instance_alias(idx: MibIndex) -> None:
    assert idx.name("1.3.6.1.2.1.1.3.0") == "SNMPv2-MIB::sysUpTime.0"
    assert idx.name("1.3.6.1.2.1.1.1.0") == "SNMPv2-MIB::sysDescr.0"
    assert idx.name("1.3.6.1.6.3.1.1.4.1.0") == "SNMPv2-MIB::snmpTrapOID.0"


def test_table_indexes_are_decoded_by_their_syntax(idx: MibIndex) -> None:
    # MacAddress index (fixed size, no length prefix), with its display hint
    mac = "1.3.6.1.2.1.17.4.3.1.1.0.17.34.170.187.204"
    assert idx.name(mac) == "BRIDGE-MIB::dot1dTpFdbAddress.00:11:22:aa:bb:cc"
    # IpAddress index
    assert idx.name("1.3.6.1.2.1.4.20.1.2.10.0.0.1") == "IP-MIB::ipAdEntIfIndex.10.0.0.1"
    # Two integer indexes (ifStackTable)
    assert idx.name("1.3.6.1.2.1.31.1.2.1.3.5.0") == "IF-MIB::ifStackStatus.5.0"
    # AUGMENTS: ifXTable is indexed by ifEntry's INDEX
    r = idx.resolve("1.3.6.1.2.1.31.1.1.1.1.3")
    assert r is not None and r.full_name == "IF-MIB::ifName.3"
    assert r.index_parts is not None and r.index_parts[0].name == "IF-MIB::ifIndex"
    # enum-typed index then a length-prefixed string (IP-MIB ipAddressTable)
    r = idx.resolve("1.3.6.1.2.1.4.34.1.3.1.4.192.168.1.1")
    assert r is not None and r.node.name == "ipAddressIfIndex"
    assert r.index_parts is not None and r.index_parts[0].text == "ipv4"
    assert r.index_parts[1].value == bytes([192, 168, 1, 1])
    # A string index that reads as text
    r = idx.resolve("1.3.6.1.6.3.12.1.2.1.9.97.98.99")  # snmpTargetAddrRowStatus."abc" IMPLIED
    assert r is not None and r.full_name == "SNMP-TARGET-MIB::snmpTargetAddrRowStatus.'abc'"


def test_an_index_that_does_not_fit_stays_numeric(idx: MibIndex) -> None:
    r = idx.resolve("1.3.6.1.2.1.4.20.1.2.10.0.0")  # 3 arcs for an IpAddress
    assert r is not None and r.full_name == "IP-MIB::ipAdEntIfIndex.10.0.0"
    assert r.index_parts is None


def test_unknown_oids(idx: MibIndex) -> None:
    assert idx.name("2.999.1") is None
    assert idx.name_or_oid("2.999.1") == "2.999.1"
    assert idx.resolve("not an oid") is None
    r = idx.resolve("1.3.6.1.4.1.99999.1.2")
    assert r is not None and r.node.name == "enterprises" and r.index_text == "99999.1.2"


def test_names_to_oids(idx: MibIndex) -> None:
    assert idx.oid("IF-MIB::ifDescr.1") == (1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1)
    assert idx.oid("ifDescr") == (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
    assert idx.oid("sysUpTime.0") == (1, 3, 6, 1, 2, 1, 1, 3, 0)
    assert idx.oid("IF-MIB::linkDown") == (1, 3, 6, 1, 6, 3, 1, 1, 5, 3)
    assert idx.oid(".1.3.6.1.2.1") == (1, 3, 6, 1, 2, 1)
    assert idx.oid("IP-MIB::ipAdEntIfIndex.10.0.0.1")[-4:] == (10, 0, 0, 1)
    target = idx.oid('SNMP-TARGET-MIB::snmpTargetAddrRowStatus."abc"')
    assert target[-3:] == (97, 98, 99)  # IMPLIED: no length
    with pytest.raises(MibResolveError, match="not loaded"):
        idx.oid("NO-SUCH-MIB::thing")
    with pytest.raises(MibResolveError, match="defines no object"):
        idx.oid("IF-MIB::noSuchThing")
    with pytest.raises(MibResolveError):
        idx.oid("noSuchObjectAnywhere")


def test_values_are_rendered_by_syntax(idx: MibIndex) -> None:
    phys = "1.3.6.1.2.1.2.2.1.6.1"
    assert (
        idx.format_value(phys, "OctetString", bytes.fromhex("001a2b3c4d5e")) == "00:1a:2b:3c:4d:5e"
    )
    assert idx.format_value("1.3.6.1.2.1.2.2.1.2.1", "OctetString", b"eth0") == "eth0"
    assert (
        idx.format_value("1.3.6.1.2.1.1.3.0", "TimeTicks", 8640000) == "(8640000) 1 day, 0:00:00.00"
    )
    assert idx.format_value("1.3.6.1.2.1.1.2.0", "ObjectIdentifier", "1.3.6.1.4.1.8072.3.2.10") == (
        "NET-SNMP-TC::linux"
    )
    assert idx.format_value("1.3.6.1.6.3.1.1.4.1.0", "ObjectIdentifier", "1.3.6.1.6.3.1.1.5.3") == (
        "IF-MIB::linkDown"
    )
    described = idx.describe_varbind("1.3.6.1.2.1.2.2.1.8.2", "Integer32", 1)
    assert described == {
        "oid": "1.3.6.1.2.1.2.2.1.8.2",
        "name": "IF-MIB::ifOperStatus.2",
        "value": "up(1)",
        "resolved": True,
    }


def test_describe_oid_for_receivers(idx: MibIndex) -> None:
    d = idx.describe_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 4))
    assert d is not None
    assert d["name"] == "IF-MIB::ifOperStatus.4" and d["object"] == "ifOperStatus"
    assert d["enums"][2] == "down"
    assert idx.describe_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 4))["display"] == "hex"  # type: ignore[index]
    assert idx.describe_oid((1, 3, 6, 1, 2, 1, 1, 5, 0))["display"] == "text"  # type: ignore[index]
    assert idx.describe_oid((2, 999)) is None


def test_node_details_carry_syntax_and_descriptions(idx: MibIndex) -> None:
    node = idx.lookup_name("IF-MIB::ifDescr")
    assert node is not None and node.syntax is not None
    assert node.syntax.base == "OctetString" and node.syntax.tc == "SNMPv2-TC::DisplayString"
    assert node.syntax.display_hint == "255a" and node.syntax.sizes == [[0, 255]]
    assert node.access == "read-only" and node.status == "current" and node.description
    mem = idx.lookup_name("HOST-RESOURCES-MIB::hrSWRunPerfMem")
    assert mem is not None and mem.units == "KBytes"
    row = idx.lookup_name("IF-MIB::ifEntry")
    assert row is not None and row.indexes == [
        {"module": "IF-MIB", "name": "ifIndex", "implied": False}
    ]
    # Every object of an SMIv2 module has its DESCRIPTION (RFC1158-MIB, SMIv1, has none).
    undescribed = {
        n.full_name
        for n in idx.nodes
        if n.kind in ("scalar", "column") and not n.description and n.module != "RFC1158-MIB"
    }
    assert not undescribed


def test_display_hints() -> None:
    assert render_octets_hint("1d.1d.1d.1d", bytes([10, 1, 2, 3])) == "10.1.2.3"
    assert render_octets_hint("255a", b"hello") == "hello"
    assert render_octets_hint("1x:", bytes([0, 255])) == "00:ff"
    date = bytes([0x07, 0xE6, 5, 17, 13, 30, 15, 0, ord("+"), 2, 0])
    assert render_octets_hint("2d-1d-1d,1d:1d:1d.1d,1a1d:1d", date) == "2022-5-17,13:30:15.0,+2:0"
    assert render_int_hint("d-2", 1234) == "12.34"
    assert render_int_hint("d-2", -5) == "-0.05"
    assert render_int_hint("x", 255) == "ff"


def test_resolution_is_cached(idx: MibIndex) -> None:
    first = idx.resolve("1.3.6.1.2.1.2.2.1.8.9")
    assert idx.resolve("1.3.6.1.2.1.2.2.1.8.9") is first
    assert idx.resolve((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 9)) is not None


def test_empty_index() -> None:
    empty = MibIndex.empty()
    assert empty.name("1.3.6.1") is None and len(empty) == 0
    with pytest.raises(ValueError):
        MibIndex.from_json(b'{"format": "something-else"}')


def test_bits_are_rendered_by_their_labels(idx: MibIndex) -> None:
    node = idx.lookup_name("DISMAN-EVENT-MIB::mteTriggerTest")
    assert node is not None and node.syntax is not None and node.syntax.base == "Bits"
    oid = (*node.oid, 1)
    assert idx.format_value(oid, "OctetString", bytes([0xC0])) == "existence(0) boolean(1)"
