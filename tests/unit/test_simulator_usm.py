"""The agent side of USM: discovery, Reports for each failed check, contexts, privacy."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.snmp import ber, message, usm, values
from services.simulator.device import Device, DeviceConfig
from services.simulator.responder import AgentStats, Responder
from services.simulator.store import OidStore, Record
from services.simulator.usm import Engine, UsmAgent, V3User, _Keys

SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)


def _dev(name: str, sysname: bytes, context: str = "") -> Device:
    return Device(
        DeviceConfig(name=name, community=name, context=context),
        OidStore([Record(SYS_NAME, "OctetString", sysname)]),
    )


@pytest.fixture
def agent(tmp_path: Path) -> UsmAgent:
    engine = Engine(tmp_path / "engine.json")
    engine.next_boot()
    edge = _dev("edge", b"edge", "edge1")
    a = UsmAgent(engine, {b"edge1": edge})
    a.default_device = _dev("default", b"main")
    a.set_users(
        [
            V3User(name="plain"),
            V3User(
                name="secret",
                auth="SHA-256",
                auth_key="authpass-1",
                priv="AES-256",
                priv_key="privpass-1",
            ),
        ]
    )
    return a


def _request(
    a: UsmAgent,
    user: str,
    flags: int,
    *,
    engine_id: bytes | None = None,
    boots: int | None = None,
    etime: int | None = None,
    context: bytes = b"",
    keys: usm.SecurityKeys | None = None,
) -> bytes:
    vb = message.encode_varbind(ber.encode_oid(SYS_NAME), ber.NULL_TLV)
    eid = a.engine.engine_id if engine_id is None else engine_id
    scoped = usm.encode_scoped_pdu(eid, context, ber.GET_REQUEST, 77, 0, 0, vb)
    return usm.encode_message(
        msg_id=5,
        max_size=65507,
        flags=flags | usm.FLAG_REPORTABLE,
        engine_id=eid,
        boots=a.engine.boots if boots is None else boots,
        etime=a.engine.time() if etime is None else etime,
        user=user.encode(),
        scoped_pdu=scoped,
        keys=keys,
    )


def _answer(a: UsmAgent, wire: bytes, keys: usm.SecurityKeys | None = None) -> usm.ScopedPDU:
    out = a.handle(wire, None, Responder(AgentStats()))
    assert out is not None
    msg = usm.parse_message(out)
    data = msg.data
    if msg.flags & usm.FLAG_PRIV:
        assert keys is not None and keys.priv is not None
        data = usm.decrypt(keys.priv, keys.priv_key, msg)
    return usm.parse_scoped_pdu(data)


def _keys(a: UsmAgent) -> usm.SecurityKeys:
    user = V3User(
        name="secret", auth="SHA-256", auth_key="authpass-1", priv="AES-256", priv_key="privpass-1"
    )
    return _Keys(user, a.engine.engine_id).keys


def test_discovery_report_carries_engine_id(agent: UsmAgent) -> None:
    out = agent.handle(
        _request(agent, "", 0, engine_id=b"", boots=0, etime=0), None, Responder(AgentStats())
    )
    assert out is not None
    msg = usm.parse_message(out)
    assert msg.engine_id == agent.engine.engine_id and msg.boots == agent.engine.boots
    pdu = usm.parse_scoped_pdu(msg.data)
    assert pdu.pdu_type == ber.REPORT
    assert ber.decode_oid(pdu.varbinds[0][0]) == usm.UNKNOWN_ENGINE_IDS


def test_no_auth_get_and_context(agent: UsmAgent) -> None:
    pdu = _answer(agent, _request(agent, "plain", 0))
    assert pdu.pdu_type == ber.RESPONSE and values.decode_value(pdu.varbinds[0][1])[1] == b"main"
    pdu = _answer(agent, _request(agent, "plain", 0, context=b"edge1"))
    assert values.decode_value(pdu.varbinds[0][1])[1] == b"edge"
    assert (
        agent.handle(_request(agent, "plain", 0, context=b"nope"), None, Responder(AgentStats()))
        is None
    )
    assert agent.stats["unknown_contexts"] == 1


def test_auth_priv_round_trip(agent: UsmAgent) -> None:
    keys = _keys(agent)
    pdu = _answer(agent, _request(agent, "secret", usm.FLAG_AUTH | usm.FLAG_PRIV, keys=keys), keys)
    assert values.decode_value(pdu.varbinds[0][1])[1] == b"main"


@pytest.mark.parametrize(
    ("case", "counter"),
    [
        ("unknown_user", usm.UNKNOWN_USER_NAMES),
        ("level", usm.UNSUPPORTED_SEC_LEVELS),
        ("digest", usm.WRONG_DIGESTS),
        ("time", usm.NOT_IN_TIME_WINDOWS),
    ],
)
def test_failed_checks_answer_reports(agent: UsmAgent, case: str, counter: tuple[int, ...]) -> None:
    keys = _keys(agent)
    auth_only = usm.SecurityKeys(keys.auth, keys.auth_key)
    if case == "unknown_user":
        wire = _request(agent, "ghost", 0)
    elif case == "level":
        wire = _request(agent, "plain", usm.FLAG_AUTH, keys=auth_only)
    elif case == "digest":
        wrong = usm.SecurityKeys(keys.auth, bytes(len(keys.auth_key)))
        wire = _request(agent, "secret", usm.FLAG_AUTH, keys=wrong)
    else:
        wire = _request(agent, "secret", usm.FLAG_AUTH, keys=auth_only, etime=10_000)
    pdu = _answer(agent, wire)
    assert pdu.pdu_type == ber.REPORT
    assert ber.decode_oid(pdu.varbinds[0][0]) == counter
