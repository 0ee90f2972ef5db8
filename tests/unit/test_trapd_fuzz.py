"""Fuzzing the receive path: mutated and truncated datagrams never crash the pipeline,
and every datagram is accounted for (stored, malformed, refused or not a notification)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.snmp import ber, message, usm
from services.common.snmp.ber import DecodeError, read_tlv
from services.trapd.decode import Decoder
from services.trapd.naming import Naming
from services.trapd.pipeline import Pipeline
from services.trapd.store import TrapStore
from services.trapd.v3 import LocalEngine, UserTable, V3Receiver, make_user


def vb(oid: tuple[int, ...], value_tlv: bytes) -> bytes:
    return message.encode_varbind(ber.encode_oid(oid), value_tlv)


VBS = (
    vb((1, 3, 6, 1, 2, 1, 1, 3, 0), ber.tlv(ber.TIMETICKS, ber.encode_uint(99)))
    + vb((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), ber.oid_tlv((1, 3, 6, 1, 6, 3, 1, 1, 5, 3)))
    + vb((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1), ber.tlv(ber.OCTET_STRING, b"x" * 150))
    + vb((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1), ber.tlv(ber.IP_ADDRESS, b"\n\0\0\1"))
    + vb((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), ber.tlv(ber.COUNTER64, ber.encode_uint(2**63)))
)
ENGINE = bytes.fromhex("80001f8805aabbccddeeff0011")
V3_USER = make_user("fuzz", "SHA", "fuzzpass1", "AES", "fuzzpass2")


def v3_trap() -> bytes:
    auth = V3_USER.auth
    priv = V3_USER.priv
    assert auth is not None and priv is not None
    keys = usm.SecurityKeys(
        auth,
        usm.localize_key(auth, V3_USER.auth_ku, ENGINE),
        priv,
        usm.priv_key(auth, priv, V3_USER.priv_ku, ENGINE),
    )
    scoped = usm.encode_scoped_pdu(ENGINE, b"", ber.SNMPV2_TRAP, 7, 0, 0, VBS)
    return usm.encode_message(
        msg_id=1, max_size=1500, flags=3, engine_id=ENGINE, boots=1, etime=1,
        user=b"fuzz", scoped_pdu=scoped, keys=keys, salt=1,
    )  # fmt: skip


SEEDS = [
    message.encode_message(1, b"public", ber.SNMPV2_TRAP, 5, 0, 0, VBS),
    message.encode_message(1, b"public", ber.INFORM_REQUEST, 6, 0, 0, VBS),
    message.encode_trap_v1(
        b"public", ber.encode_oid((1, 3, 6, 1, 4, 1, 9)), b"\n\0\0\1", 6, 1, 5, VBS
    ),
    v3_trap(),
]


class NullListener:
    name = "fuzz"

    def __init__(self) -> None:
        self.replies = 0

    def send(self, data: bytes, addr: Any) -> None:
        self.replies += 1


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    d: Path = tmp_path_factory.mktemp("fuzz")
    naming = Naming()
    decoder = Decoder(naming)
    p = Pipeline(TrapStore(d / "t.sqlite3"), decoder, None)
    users = UserTable(d / "users.json")
    users.put(V3_USER)
    p.v3 = V3Receiver(users, LocalEngine(d / "engine.json"), decoder).handle
    return p


def accounted(p: Pipeline) -> int:
    c = p.counters
    return (
        c.stored
        + c.malformed
        + c.not_notification
        + sum(c.refused.values())
        + sum(c.dropped.values())
    )


def test_seeds_are_stored(pipeline: Pipeline) -> None:
    before = pipeline.counters.stored
    pipeline.process([(s, ("192.0.2.1", 1), 1.0, NullListener()) for s in SEEDS])  # type: ignore[misc]
    assert pipeline.counters.stored == before + len(SEEDS)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(0, 400),
    flips=st.lists(st.tuples(st.integers(0, 399), st.integers(0, 255)), max_size=4),
    junk=st.binary(max_size=8),
)
def test_mutations_never_crash(
    pipeline: Pipeline, seed: bytes, cut: int, flips: list[tuple[int, int]], junk: bytes
) -> None:
    data = bytearray(seed[:cut] if cut < len(seed) else seed)
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    data += junk
    before_total = pipeline.counters.datagrams
    before = accounted(pipeline)
    pipeline.process([(bytes(data), ("192.0.2.1", 1), 1.0, NullListener())])  # type: ignore[list-item]
    assert pipeline.counters.datagrams == before_total + 1
    assert accounted(pipeline) == before + 1


def reference_varbinds(buf: bytes, pos: int, end: int) -> list[tuple[bytes, bytes]]:
    """The general path only, for comparison with the codec's fast path."""
    out = []
    while pos < end:
        tag, start, stop = read_tlv(buf, pos, end)
        if tag != ber.SEQUENCE:
            raise DecodeError("x")
        otag, ostart, ostop = read_tlv(buf, start, stop)
        if otag != ber.OBJECT_IDENTIFIER or ostart == ostop:
            raise DecodeError("x")
        _t, _s, vstop = read_tlv(buf, ostop, stop)
        if vstop != stop:
            raise DecodeError("x")
        out.append((buf[ostart:ostop], buf[ostop:stop]))
        pos = stop
    return out


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 6))
def test_fast_varbind_path_matches_general_path(seed: int, nflips: int) -> None:
    rng = random.Random(seed)
    data = bytearray(VBS[: rng.randint(0, len(VBS))])
    for _ in range(nflips):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    buf = bytes(data)
    try:
        expected: list[tuple[bytes, bytes]] | None = reference_varbinds(buf, 0, len(buf))
    except DecodeError:
        expected = None
    try:
        got: list[tuple[bytes, bytes]] | None = message.decode_varbinds(buf, 0, len(buf))
    except DecodeError:
        got = None
    assert got == expected


def _general_decode(buf: bytes) -> object:
    saved = message._fast_message
    message._fast_message = lambda _d: None  # type: ignore[assignment]
    try:
        return message.decode_message(buf)
    finally:
        message._fast_message = saved


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 4), st.sampled_from(SEEDS[:2]))
def test_fast_message_path_matches_general_path(seed: int, nflips: int, base: bytes) -> None:
    rng = random.Random(seed)
    data = bytearray(base[: rng.randint(len(base) // 2, len(base))] if nflips else base)
    for _ in range(nflips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    buf = bytes(data)
    try:
        general: object = _general_decode(buf)
    except DecodeError:
        general = "refused"
    try:
        fast: object = message._fast_message(buf)
    except DecodeError:
        fast = "refused"  # from the var-binds, which the general path decodes alike
    # Whatever the fast path decides (a message, or a refusal), the general path agrees;
    # None means it stepped aside.
    assert fast is None or fast == general


def test_fast_message_path_takes_the_usual_messages() -> None:
    for base in SEEDS[:2]:
        assert message._fast_message(base) == _general_decode(base)
        assert message._fast_message(base) is not None
    assert message._fast_message(SEEDS[2]) is None  # a v1 Trap-PDU: the general path
