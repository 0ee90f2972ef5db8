"""The INDEX-aware table view: rows by columns, instance decoded by the entry's INDEX."""

from __future__ import annotations

from typing import Any

from services.common.mibs.index import FORMAT, MibIndex
from services.common.snmp import ber, values
from services.walker.table_view import build_table
from services.walker.varbinds import plain_describe, row

T = "1.3.6.1.2.1.4.35"  # ipNetToPhysicalTable


def _index() -> MibIndex:
    entry = T + ".1"
    nodes = [
        {"oid": T, "module": "IP-MIB", "name": "ipNetToPhysicalTable", "kind": "table"},
        {
            "oid": entry,
            "module": "IP-MIB",
            "name": "ipNetToPhysicalEntry",
            "kind": "row",
            "indexes": [
                {"module": "IP-MIB", "name": "ipNetToPhysicalIfIndex"},
                {"module": "IP-MIB", "name": "ipNetToPhysicalNetAddressType"},
                {"module": "IP-MIB", "name": "ipNetToPhysicalNetAddress"},
            ],
        },
        {
            "oid": entry + ".1",
            "module": "IP-MIB",
            "name": "ipNetToPhysicalIfIndex",
            "kind": "column",
            "syntax": {"type": "Integer32", "base": "Integer32"},
        },
        {
            "oid": entry + ".2",
            "module": "IP-MIB",
            "name": "ipNetToPhysicalNetAddressType",
            "kind": "column",
            "syntax": {
                "type": "InetAddressType",
                "base": "Integer32",
                "enums": {"1": "ipv4", "2": "ipv6"},
            },
        },
        {
            "oid": entry + ".3",
            "module": "IP-MIB",
            "name": "ipNetToPhysicalNetAddress",
            "kind": "column",
            "syntax": {"type": "InetAddress", "base": "OctetString"},
        },
        {
            "oid": entry + ".4",
            "module": "IP-MIB",
            "name": "ipNetToPhysicalPhysAddress",
            "kind": "column",
            "syntax": {"type": "PhysAddress", "base": "OctetString", "display_hint": "1x:"},
        },
        {
            "oid": entry + ".7",
            "module": "IP-MIB",
            "name": "ipNetToPhysicalState",
            "kind": "column",
            "syntax": {
                "type": "INTEGER",
                "base": "Integer32",
                "enums": {"1": "reachable", "2": "stale"},
            },
        },
    ]
    return MibIndex({"format": FORMAT, "modules": {"IP-MIB": {}}, "nodes": nodes})


def _rows() -> list[dict[str, Any]]:
    out = []
    for inst, mac, state in (
        ("4.1.4.192.0.2.1", b"\x02\xfc\x00\x00\x00\x05", 1),
        ("2.1.4.10.0.0.9", b"\x00\x11\x22\x33\x44\x55", 2),
    ):
        for col, tlv in (
            (4, values.encode_value("OctetString", mac)),
            (7, values.encode_value("Integer32", state)),
        ):
            out.append(row(ber.parse_oid(f"{T}.1.{col}.{inst}"), tlv, plain_describe))
    out.append(
        row(
            ber.parse_oid("1.3.6.1.2.1.4.36.0"), values.encode_value("Integer32", 1), plain_describe
        )
    )  # outside the table: ignored
    return out


def test_table_rows_with_decoded_index() -> None:
    view = build_table(_rows(), ber.parse_oid(T), _index())
    assert view["table"] == "IP-MIB::ipNetToPhysicalTable"
    assert view["entry"] == T + ".1"
    assert [c["name"] for c in view["columns"]] == [
        "ipNetToPhysicalPhysAddress",
        "ipNetToPhysicalState",
    ]
    assert view["index_objects"][1] == "IP-MIB::ipNetToPhysicalNetAddressType"
    first, second = view["rows"]  # sorted by instance
    assert first["instance"] == "2.1.4.10.0.0.9"
    assert [p["text"] for p in second["index"]] == ["4", "ipv4", "c0:00:02:01"]
    assert second["raw"]["ipNetToPhysicalState"] == 1
    assert second["values"]["ipNetToPhysicalPhysAddress"] == "02 FC 00 00 00 05"


def test_table_without_mibs_is_numeric() -> None:
    view = build_table(_rows(), ber.parse_oid(T), None)
    assert [c["name"] for c in view["columns"]] == ["4", "7"]
    assert view["rows"][1]["index"] is None
    assert view["rows"][1]["values"]["7"] == "1"
