"""The manager side of USM against the shared codec acting as the agent."""

from __future__ import annotations

import pytest

from services.common.snmp import ber, message, usm
from services.walker.requests import AgentParams
from services.walker.usm_client import NOT_IN_TIME_WINDOW, UsmFramer, V3Report

ENGINE = bytes.fromhex("80001f8805aabbccddeeff0011")


@pytest.mark.parametrize(
    ("auth", "priv"), [("MD5", "DES"), ("SHA", "AES"), ("SHA-256", "AES-256"), ("SHA-512", "none")]
)
def test_request_and_answer_roundtrip(auth: str, priv: str) -> None:
    params = AgentParams(
        target="h",
        version="v3",
        user="alice",
        auth_protocol=auth,
        auth_key="auth-pass-1",
        priv_protocol=priv,
        priv_key="priv-pass-1" if priv != "none" else None,
    )
    framer = UsmFramer(params)
    # Discovery: the agent's Report names its engine and clock.
    report = usm.encode_message(
        msg_id=1,
        max_size=1500,
        flags=0,
        engine_id=ENGINE,
        boots=3,
        etime=1000,
        user=b"",
        scoped_pdu=usm.report_scoped_pdu(ENGINE, 1, (1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0), 1),
    )
    header, pdu = framer.decode(report)
    assert framer.report_action(header, pdu) == "discovered" and framer.ready
    vb = message.encode_varbind(ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 5, 0)), ber.NULL_TLV)
    datagram = framer.encode(ber.GET_REQUEST, 77, 0, 0, vb)
    # The agent's view: authenticate and decrypt with keys localized to its engine.
    keys = usm.SecurityKeys(
        usm.auth_protocol(auth),
        usm.localize_key(
            usm.auth_protocol(auth),
            usm.password_to_key(usm.auth_protocol(auth), b"auth-pass-1"),
            ENGINE,
        ),
        usm.priv_protocol(priv) if priv != "none" else None,
        usm.priv_key(
            usm.auth_protocol(auth),
            usm.priv_protocol(priv),
            usm.password_to_key(usm.auth_protocol(auth), b"priv-pass-1"),
            ENGINE,
        )
        if priv != "none"
        else b"",
    )
    msg = usm.parse_message(datagram)
    assert msg.user == b"alice" and msg.engine_id == ENGINE and msg.boots == 3
    assert usm.verify(keys.auth, keys.auth_key, datagram, msg)  # type: ignore[arg-type]
    data = usm.decrypt(keys.priv, keys.priv_key, msg) if keys.priv else msg.data
    spdu = usm.parse_scoped_pdu(data)
    assert (spdu.pdu_type, spdu.request_id, spdu.context_engine_id) == (ber.GET_REQUEST, 77, ENGINE)
    # The answer, signed (and encrypted) by the agent, decodes back into a PDU.
    answer_vb = message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 5, 0)), ber.tlv(ber.OCTET_STRING, b"vm")
    )
    answer = usm.encode_message(
        msg_id=77,
        max_size=1500,
        flags=msg.flags & 3,
        engine_id=ENGINE,
        boots=3,
        etime=1001,
        user=b"alice",
        keys=keys,
        scoped_pdu=usm.encode_scoped_pdu(ENGINE, b"", ber.RESPONSE, 77, 0, 0, answer_vb),
    )
    _, got = framer.decode(answer)
    assert got.request_id == 77 and got.varbinds[0][1] == b"\x04\x02vm"
    tampered = bytearray(answer)
    tampered[-1] ^= 1
    with pytest.raises(ber.DecodeError):
        framer.decode(bytes(tampered))


def test_reports_become_actions_or_errors() -> None:
    framer = UsmFramer(AgentParams(target="h", version="v3", user="bob"))

    def report(oid: tuple[int, ...]) -> bytes:
        return usm.encode_message(
            msg_id=5,
            max_size=1500,
            flags=0,
            engine_id=ENGINE,
            boots=1,
            etime=50,
            user=b"bob",
            scoped_pdu=usm.report_scoped_pdu(ENGINE, 5, oid, 1),
        )

    header, pdu = framer.decode(report(NOT_IN_TIME_WINDOW))
    assert framer.report_action(header, pdu) == "resync"
    header, pdu = framer.decode(report((1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0)))
    with pytest.raises(V3Report, match="does not know this USM user"):
        framer.report_action(header, pdu)
