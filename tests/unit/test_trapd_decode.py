"""Decoding notifications into records: v1 -> v2 per RFC 3584, informs, rendering."""

from __future__ import annotations

import json

import pytest
from pyasn1.codec.ber import encoder
from pysnmp.proto import api

from services.common.snmp import ber, message
from services.trapd.decode import Decoder, NotANotification, v1_trap_oid
from services.trapd.naming import Naming

ADDR = ("192.0.2.7", 40000)


def decoder() -> Decoder:
    return Decoder(Naming())


def pysnmp_v2c(pdu_type: str, request_id: int = 77) -> bytes:
    """A notification encoded by pysnmp (an independent encoder)."""
    p = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = p.SNMPv2TrapPDU() if pdu_type == "trap" else p.InformRequestPDU()
    p.apiPDU.set_defaults(pdu)
    p.apiPDU.set_request_id(pdu, request_id)
    p.apiPDU.set_varbinds(
        pdu,
        [
            ((1, 3, 6, 1, 2, 1, 1, 3, 0), p.TimeTicks(4242)),
            ((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), p.ObjectIdentifier((1, 3, 6, 1, 6, 3, 1, 1, 5, 4))),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1), p.OctetString(b"eth0")),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 1), p.OctetString(b"\x00\x11\xff\x01")),
            ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), p.Counter64(2**40)),
        ],
    )
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, "s3cret")
    p.apiMessage.set_pdu(msg, pdu)
    return bytes(encoder.encode(msg))


def test_v2c_trap_from_pysnmp() -> None:
    d = decoder().decode_v1v2c(pysnmp_v2c("trap"), ADDR, 1700000000.5, "default")
    rec = json.loads(d.record_json(9))
    assert rec["seq"] == 9 and rec["source"] == "192.0.2.7:40000"
    assert rec["time_str"] == "2023-11-14 22:13:20"
    assert rec["community"] == "s3cret" and rec["version"] == "v2c" and rec["pdu"] == "trap"
    assert rec["trap_oid"] == "1.3.6.1.6.3.1.1.5.4"
    vbs = rec["varbinds"]
    assert vbs[2]["value"] == "eth0" and vbs[2]["type"] == "OctetString"
    assert vbs[3]["value"] == "00 11 FF 01" and vbs[3]["raw"] == "0011ff01"
    assert vbs[4] == {
        "oid": "1.3.6.1.2.1.31.1.1.1.6.1",
        "name": "1.3.6.1.2.1.31.1.1.1.6.1",
        "type": "Counter64",
        "value": str(2**40),
        "raw": 2**40,
        "resolved": False,
    }
    assert d.ack is None
    assert "eth0" in d.vbtext


def test_inform_ack_is_a_matching_response() -> None:
    data = pysnmp_v2c("inform", request_id=31337)
    d = decoder().decode_v1v2c(data, ADDR, 1.0, "default")
    assert d.pdu == "inform" and d.ack is not None
    ack = message.decode_message(d.ack)
    assert isinstance(ack, message.Message)
    assert ack.pdu_type == ber.RESPONSE and ack.request_id == 31337
    assert ack.community == b"s3cret" and ack.error_status == 0
    orig = message.decode_message(data)
    assert isinstance(orig, message.Message)
    assert ack.varbinds == orig.varbinds


def test_get_request_is_not_a_notification() -> None:
    data = message.encode_message(1, b"public", ber.GET_REQUEST, 1, 0, 0, b"")
    with pytest.raises(NotANotification):
        decoder().decode_v1v2c(data, ADDR, 1.0, "default")


@pytest.mark.parametrize(
    ("generic", "specific", "expected"),
    [
        (0, 0, (1, 3, 6, 1, 6, 3, 1, 1, 5, 1)),
        (3, 0, (1, 3, 6, 1, 6, 3, 1, 1, 5, 4)),
        (5, 0, (1, 3, 6, 1, 6, 3, 1, 1, 5, 6)),
        (6, 42, (1, 3, 6, 1, 4, 1, 9, 0, 42)),
    ],
)
def test_rfc3584_trap_oid(generic: int, specific: int, expected: tuple[int, ...]) -> None:
    trap = message.TrapV1(0, b"c", ber.encode_oid((1, 3, 6, 1, 4, 1, 9)), b"\n\0\0\1",
                          generic, specific, 5, [])  # fmt: skip
    assert v1_trap_oid(trap) == expected


def test_v1_keeps_agent_varbinds_and_adds_proxy_objects_once() -> None:
    community_vb = message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 6, 3, 18, 1, 4, 0)), ber.tlv(ber.OCTET_STRING, b"given")
    )
    data = message.encode_trap_v1(
        b"pub", ber.encode_oid((1, 3, 6, 1, 4, 1, 9)), b"\x0a\x00\x00\x01", 6, 3, 100,
        community_vb,
    )  # fmt: skip
    rec = json.loads(decoder().decode_v1v2c(data, ADDR, 1.0, "default").record_json(1))
    oids = [vb["oid"] for vb in rec["varbinds"]]
    assert oids.count("1.3.6.1.6.3.18.1.4.0") == 1
    assert oids[:2] == ["1.3.6.1.2.1.1.3.0", "1.3.6.1.6.3.1.1.4.1.0"]
    assert rec["v1"]["agent_addr"] == "10.0.0.1"


def test_trap_without_trap_oid_is_kept_as_unknown() -> None:
    vb = message.encode_varbind(ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 3, 0)), b"\x43\x01\x05")
    data = message.encode_message(1, b"public", ber.SNMPV2_TRAP, 5, 0, 0, vb)
    d = decoder().decode_v1v2c(data, ADDR, 1.0, "default")
    assert d.trap_type == "Unknown" and d.resolved is False
