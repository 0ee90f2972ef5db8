"""Pure rendering of walk results: Net-SNMP text, human values, the legacy parse view."""

from __future__ import annotations

from services.common.snmp import ber, values
from services.walker.parse_view import parse_rows
from services.walker.varbinds import netsnmp_line, netsnmp_value, plain_describe, row


def _row(oid: str, type_name: str, value: object) -> dict[str, object]:
    return row(ber.parse_oid(oid), values.encode_value(type_name, value), plain_describe)


def test_netsnmp_text_matches_snmpwalk_formats() -> None:
    assert netsnmp_value("OctetString", b'say "hi" \\') == 'STRING: "say \\"hi\\" \\\\"'
    assert netsnmp_value("OctetString", b"") == '""'
    assert netsnmp_value("OctetString", bytes(range(17))) == (
        "Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n10 "
    )
    assert netsnmp_value("TimeTicks", 123456) == "Timeticks: (123456) 0:20:34.56"
    assert netsnmp_value("Integer32", -4) == "INTEGER: -4"
    assert netsnmp_value("ObjectIdentifier", "1.3.6") == "OID: .1.3.6"
    assert netsnmp_value("Opaque", bytes.fromhex("9f78043e0d8000")) == "Opaque: Float: 0.138184"
    assert netsnmp_line(_row("1.3.6.1.2.1.1.5.0", "OctetString", "vm")) == (
        '.1.3.6.1.2.1.1.5.0 = STRING: "vm"'
    )


def test_row_shape() -> None:
    r = _row("1.3.6.1.2.1.2.2.1.10.1", "Counter32", 42)
    assert r == {
        "oid": "1.3.6.1.2.1.2.2.1.10.1",
        "name": "1.3.6.1.2.1.2.2.1.10.1",
        "type": "Counter32",
        "value": "42",
        "raw": 42,
    }
    octets = _row("1.3.6.1.2.1.2.2.1.6.1", "OctetString", b"\x00\x1a\x2b")
    assert octets["value"] == "00 1A 2B" and octets["raw"] == "001a2b"


def test_parse_view_metrics_labelled_by_row() -> None:
    rows = [
        {
            "oid": "1.3.6.1.2.1.2.2.1.2.1",
            "name": "IF-MIB::ifDescr.1",
            "type": "OctetString",
            "value": "eth0",
            "raw": "65746830",
        },
        {
            "oid": "1.3.6.1.2.1.2.2.1.3.1",
            "name": "IF-MIB::ifType.1",
            "type": "Integer32",
            "value": "6",
            "raw": 6,
        },
        {
            "oid": "1.3.6.1.2.1.2.2.1.10.1",
            "name": "IF-MIB::ifInOctets.1",
            "type": "Counter32",
            "value": "42",
            "raw": 42,
        },
        {
            "oid": "1.3.6.1.2.1.2.2.1.9.1",
            "name": "IF-MIB::ifLastChange.1",
            "type": "TimeTicks",
            "value": "(250) 0:00:02.50",
            "raw": 250,
        },
        {
            "oid": "1.3.6.1.2.1.2.2.1.2.2",
            "name": "IF-MIB::ifDescr.2",
            "type": "OctetString",
            "value": "lo",
            "raw": "6c6f",
        },
    ]
    out = parse_rows(rows, "10.0.0.1", "IF-MIB::ifTable")
    by_metric = {m["metric_name"]: m for m in out}
    assert set(by_metric) == {"ifInOctets", "ifLastChange"}  # row 2 has no metric
    m = by_metric["ifInOctets"]
    assert m["value"] == 42 and m["mib_module"] == "IF-MIB"
    assert m["metric_category"] == "ifTable" and m["agent_host"] == "10.0.0.1"
    assert m["labels"] == {"ifDescr": "eth0", "ifType": "6", "snmp_index": "1"}
    assert by_metric["ifLastChange"]["value"] == 2.5
