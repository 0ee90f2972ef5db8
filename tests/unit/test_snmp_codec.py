"""The wire codec against pysnmp's encoder (an independent implementation)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pysnmp.proto import api

from services.common.snmp import ber, message, values

OIDS = st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=12).flatmap(
    lambda tail: st.tuples(st.sampled_from([0, 1]), st.integers(0, 39)).map(
        lambda h: h + tuple(tail)
    )
)


@given(OIDS)
def test_oid_roundtrip(oid: tuple[int, ...]) -> None:
    assert ber.decode_oid(ber.encode_oid(oid)) == oid


@given(st.integers(-(2**63), 2**63))
def test_int_roundtrip(n: int) -> None:
    assert ber.decode_int(ber.encode_int(n)) == n


@given(st.integers(-(2**31), 2**31 - 1))
def test_int_matches_pyasn1(n: int) -> None:
    # pyasn1 pads some negative values (-128 as FF 80); ours is minimal, so compare values.
    decoded, rest = pyasn1_decoder.decode(ber.int_tlv(n), asn1Spec=api.v2c.Integer())
    assert rest == b"" and int(decoded) == n
    if n >= 0:
        assert ber.int_tlv(n) == pyasn1_encoder.encode(api.v2c.Integer(n))


@given(OIDS)
def test_oid_matches_pyasn1(oid: tuple[int, ...]) -> None:
    assert ber.oid_tlv(oid) == pyasn1_encoder.encode(api.v2c.ObjectIdentifier(oid))


def _pysnmp_get(community: str, oids: list[str], request_id: int = 42) -> bytes:
    pmod = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = pmod.GetRequestPDU()
    pmod.apiPDU.set_defaults(pdu)
    pmod.apiPDU.set_request_id(pdu, request_id)
    pmod.apiPDU.set_varbinds(pdu, [(o, pmod.Null("")) for o in oids])
    msg = pmod.Message()
    pmod.apiMessage.set_defaults(msg)
    pmod.apiMessage.set_community(msg, community)
    pmod.apiMessage.set_pdu(msg, pdu)
    return pyasn1_encoder.encode(msg)


def test_decode_pysnmp_get() -> None:
    wire = _pysnmp_get("public", ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"])
    msg = message.decode_message(wire)
    assert isinstance(msg, message.Message)
    assert msg.version == message.V2C and msg.community == b"public"
    assert msg.pdu_type == ber.GET_REQUEST and msg.request_id == 42
    assert [ber.decode_oid(o) for o, _ in msg.varbinds] == [
        (1, 3, 6, 1, 2, 1, 1, 1, 0),
        (1, 3, 6, 1, 2, 1, 1, 3, 0),
    ]
    assert all(v == ber.NULL_TLV for _, v in msg.varbinds)


def test_encode_response_decodes_in_pysnmp() -> None:
    vbs = message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 1, 0)), values.encode_value("OctetString", "lab")
    )
    vbs += message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 3, 0)), values.encode_value("TimeTicks", 4242)
    )
    vbs += message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1)),
        values.encode_value("Counter64", 2**64 - 1),
    )
    wire = message.encode_message(1, b"public", ber.RESPONSE, 7, 0, 0, vbs)
    decoded, rest = pyasn1_decoder.decode(wire, asn1Spec=api.v2c.Message())
    assert rest == b""
    pdu = api.v2c.apiMessage.get_pdu(decoded)
    got = [(str(o), v.prettyPrint()) for o, v in api.v2c.apiPDU.get_varbinds(pdu)]
    assert got == [
        ("1.3.6.1.2.1.1.1.0", "lab"),
        ("1.3.6.1.2.1.1.3.0", "4242"),
        ("1.3.6.1.2.1.31.1.1.1.6.1", str(2**64 - 1)),
    ]
    assert pyasn1_encoder.encode(decoded) == wire


@pytest.mark.parametrize(
    "type_name,value,expected",
    [
        ("Integer32", -5, ("Integer32", -5)),
        ("IpAddress", "10.1.2.3", ("IpAddress", "10.1.2.3")),
        ("ObjectIdentifier", "1.3.6.1.4.1.8072", ("ObjectIdentifier", "1.3.6.1.4.1.8072")),
        ("Gauge32", 2**32 - 1, ("Gauge32", 2**32 - 1)),
        ("OctetString", b"\x00\xff", ("OctetString", b"\x00\xff")),
    ],
)
def test_value_roundtrip(type_name: str, value: object, expected: tuple[str, object]) -> None:
    assert values.decode_value(values.encode_value(type_name, value)) == expected


def test_value_range_is_checked() -> None:
    with pytest.raises(ValueError, match="outside the range"):
        values.encode_value("Counter32", 2**32)


@given(st.binary(max_size=200))
def test_decoder_never_crashes_on_garbage(data: bytes) -> None:
    with contextlib.suppress(ber.DecodeError):
        message.decode_message(data)


def test_truncations_are_decode_errors() -> None:
    wire = _pysnmp_get("public", ["1.3.6.1.2.1.1.1.0"])
    for cut in range(len(wire)):
        with pytest.raises(ber.DecodeError):
            message.decode_message(wire[:cut])


def test_timeticks_render() -> None:
    assert values.format_timeticks(123456) == "(123456) 0:20:34.56"
    assert values.format_timeticks(8640000 * 2 + 1) == "(17280001) 2 days, 0:00:00.01"
