"""Sender and export logic without sockets: RFC 3584 fields, var-bind encoding, snmprec,
walk diffs."""

from __future__ import annotations

import pytest

from services.common.snmp import ber, values
from services.walker.diff import diff_rows
from services.walker.exports import snmprec_line
from services.walker.names import Names
from services.walker.requests import SendRequest
from services.walker.sender import build_notification, v1_fields
from services.walker.targets import BadInput
from services.walker.typed_values import TypedVarBind, encode_typed, parse_hex
from services.walker.varbinds import plain_describe, row


def test_rfc3584_v1_fields() -> None:
    assert v1_fields((1, 3, 6, 1, 6, 3, 1, 1, 5, 3), []) == ((1, 3, 6, 1, 6, 3, 1, 1, 5), 2, 0)
    assert v1_fields((1, 3, 6, 1, 4, 1, 8072, 0, 17), []) == ((1, 3, 6, 1, 4, 1, 8072), 6, 17)
    assert v1_fields((1, 3, 6, 1, 4, 1, 8072, 5), []) == ((1, 3, 6, 1, 4, 1, 8072), 6, 5)
    enterprise = (
        ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0)),
        ber.oid_tlv((1, 3, 6, 1, 4, 1, 9)),
    )
    assert v1_fields((1, 3, 6, 1, 6, 3, 1, 1, 5, 1), [enterprise])[0] == (1, 3, 6, 1, 4, 1, 9)


def test_caller_sysuptime_and_trapoid_are_not_sent_twice() -> None:
    req = SendRequest(
        target="h",
        oid="1.3.6.1.6.3.1.1.5.4",
        varbinds=[
            TypedVarBind(oid="1.3.6.1.2.1.1.3.0", type="TimeTicks", value=777),
            TypedVarBind(oid="1.3.6.1.6.3.1.1.4.1.0", type="OID", value="1.3.6.1.6.3.1.1.5.1"),
            TypedVarBind(oid="1.3.6.1.2.1.2.2.1.1.1", type="Integer32", value=1),
        ],
    )
    n = build_notification(req, Names())
    assert n.uptime == 777
    vbs = n.v2_varbinds(n.uptime)
    assert [ber.decode_oid(o) for o, _ in vbs] == [
        (1, 3, 6, 1, 2, 1, 1, 3, 0),
        (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0),
        (1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1),
    ]
    assert values.decode_value(vbs[1][1]) == ("ObjectIdentifier", "1.3.6.1.6.3.1.1.5.4")


@pytest.mark.parametrize(
    ("type_name", "value", "encoding", "expected"),
    [
        ("Counter64", 2**64 - 1, "text", ("Counter64", 2**64 - 1)),
        ("Unsigned32", 4000000000, "text", ("Gauge32", 4000000000)),
        ("s", "héllo", "text", ("OctetString", "héllo".encode())),
        ("OctetString", "0x00:1A 2b", "hex", ("OctetString", b"\x00\x1a\x2b")),
        ("HexString", "ff", "text", ("OctetString", b"\xff")),
        ("Opaque", "9f78043e0d8000", "text", ("Opaque", bytes.fromhex("9f78043e0d8000"))),
        ("a", "10.0.0.1", "text", ("IpAddress", "10.0.0.1")),
        ("TimeTicks", 5, "text", ("TimeTicks", 5)),
    ],
)
def test_typed_values(type_name: str, value: object, encoding: str, expected: tuple) -> None:  # type: ignore[type-arg]
    vb = TypedVarBind(oid="1.3.6.1.4.1.9.1.0", type=type_name, value=value, encoding=encoding)  # type: ignore[arg-type]
    _, tlv = encode_typed(vb, Names())
    assert values.decode_value(tlv) == expected


@pytest.mark.parametrize(
    ("vb", "needle"),
    [
        ({"type": "Integer32", "value": 2**31}, "outside"),
        ({"type": "Integer32", "value": True}, "not an integer"),
        ({"type": "Counter32", "value": 1.5}, "not an integer"),
        ({"type": "OctetString", "value": "abc", "encoding": "hex"}, "odd number"),
        ({"type": "noSuchObject", "value": None}, "exception"),
        ({"type": "Gauge32"}, "needs a value"),
        ({"type": "OID", "value": "not.an.oid!"}, "characters"),
    ],
)
def test_typed_value_errors(vb: dict[str, object], needle: str) -> None:
    with pytest.raises(BadInput, match=needle):
        encode_typed(TypedVarBind(oid="1.3.6.1.4.1.9.1.0", **vb), Names())  # type: ignore[arg-type]


def test_parse_hex_forms() -> None:
    assert parse_hex("0xDEAD beef", "x") == bytes.fromhex("deadbeef")
    with pytest.raises(BadInput):
        parse_hex("zz", "x")


def _r(oid: str, t: str, v: object) -> dict[str, object]:
    return row(ber.parse_oid(oid), values.encode_value(t, v), plain_describe)


def test_snmprec_lines() -> None:
    assert snmprec_line(_r("1.3.6.1.2.1.1.5.0", "OctetString", b"vm")) == "1.3.6.1.2.1.1.5.0|4|vm\n"
    assert snmprec_line(_r("1.3.6.1.2.1.1.5.0", "OctetString", b"a|b")) == (
        "1.3.6.1.2.1.1.5.0|4x|617c62\n"
    )
    assert snmprec_line(_r("1.3.6.1.2.1.2.2.1.10.1", "Counter32", 5)) == (
        "1.3.6.1.2.1.2.2.1.10.1|65|5\n"
    )
    assert snmprec_line(_r("1.3.6.1.2.1.1.2.0", "OID", "1.3.6.1.4.1.8072")) == (
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072\n"
    )


def test_diff() -> None:
    a = [_r("1.3.6.1.2.1.1.5.0", "s", b"a"), _r("1.3.6.1.2.1.1.6.0", "s", b"x")]
    b = [_r("1.3.6.1.2.1.1.5.0", "s", b"b"), _r("1.3.6.1.2.1.1.7.0", "i", 72)]
    d = diff_rows(a, b)
    assert d["counts"] == {"added": 1, "removed": 1, "changed": 1}
    assert d["changed"][0]["before"]["value"] == "a" and d["changed"][0]["after"]["value"] == "b"
