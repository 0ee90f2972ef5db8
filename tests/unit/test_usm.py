"""The I/O-free USM codec: RFC 3414 key vectors, and encode -> parse -> verify -> decrypt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.snmp import ber, usm
from services.common.snmp.ber import DecodeError

ENGINE = bytes.fromhex("000000000000000000000002")


@pytest.mark.parametrize(
    ("proto", "ku", "kul"),
    [
        ("MD5", "9faf3283884e92834ebc9847d8edd963", "526f5eed9fcce26f8964c2930787d82b"),
        (
            "SHA",
            "9fb5cc0381497b3793528939ff788d5d79145211",
            "6695febc9288e36282235fc7151f128497b38f3f",
        ),
    ],
)
def test_rfc3414_a3_vectors(proto: str, ku: str, kul: str) -> None:
    auth = usm.auth_protocol(proto)
    got = usm.password_to_key(auth, b"maplesyrup")
    assert got.hex() == ku
    assert usm.localize_key(auth, got, ENGINE).hex() == kul


def test_aliases_and_errors() -> None:
    assert usm.auth_protocol("sha256").name == "SHA-256"
    assert usm.priv_protocol("aes128").name == "AES"
    with pytest.raises(ValueError, match="unknown auth protocol"):
        usm.auth_protocol("SHA3")
    with pytest.raises(ValueError, match="unknown priv protocol"):
        usm.priv_protocol("3DES")


def test_key_extension_lengths() -> None:
    md5 = usm.auth_protocol("MD5")
    ku = usm.password_to_key(md5, b"privpass123")
    for name, n in (("AES-192", 24), ("AES-256", 32), ("AES-192-C", 24), ("AES-256-C", 32)):
        key = usm.priv_key(md5, usm.priv_protocol(name), ku, ENGINE)
        assert len(key) == n
        # Both extensions keep the localized key as the prefix.
        assert key[:16] == usm.localize_key(md5, ku, ENGINE)
    b = usm.priv_key(md5, usm.priv_protocol("AES-256"), ku, ENGINE)
    c = usm.priv_key(md5, usm.priv_protocol("AES-256-C"), ku, ENGINE)
    assert b != c


def keys_for(auth: str, priv: str | None) -> usm.SecurityKeys:
    a = usm.auth_protocol(auth)
    p = usm.priv_protocol(priv) if priv else None
    return usm.SecurityKeys(
        a,
        usm.localize_key(a, usm.password_to_key(a, b"authpass123"), ENGINE),
        p,
        usm.priv_key(a, p, usm.password_to_key(a, b"privpass123"), ENGINE) if p else b"",
    )


SCOPED = usm.encode_scoped_pdu(
    ENGINE, b"ctx", ber.SNMPV2_TRAP, 99, 0, 0,
    ber.tlv(ber.SEQUENCE, ber.oid_tlv((1, 3, 6, 1, 2, 1, 1, 3, 0)) + b"\x43\x01\x07"),
)  # fmt: skip


@pytest.mark.parametrize("priv", [None, "DES", "AES", "AES-192", "AES-256", "AES-256-C"])
@pytest.mark.parametrize("auth", list(usm.AUTH_PROTOCOLS))
def test_roundtrip(auth: str, priv: str | None) -> None:
    keys = keys_for(auth, priv)
    flags = usm.FLAG_AUTH | (usm.FLAG_PRIV if priv else 0)
    wire = usm.encode_message(
        msg_id=5, max_size=1500, flags=flags, engine_id=ENGINE, boots=3, etime=77,
        user=b"alice", scoped_pdu=SCOPED, keys=keys, salt=1234,
    )  # fmt: skip
    msg = usm.parse_message(wire)
    assert (msg.msg_id, msg.engine_id, msg.boots, msg.time, msg.user) == (
        5,
        ENGINE,
        3,
        77,
        b"alice",
    )
    assert msg.security_level == ("authPriv" if priv else "authNoPriv")
    assert keys.auth is not None
    assert usm.verify(keys.auth, keys.auth_key, wire, msg)
    data = usm.decrypt(keys.priv, keys.priv_key, msg) if keys.priv else msg.data
    scoped = usm.parse_scoped_pdu(data)
    assert scoped.request_id == 99 and scoped.context_name == b"ctx"
    assert scoped.varbinds[0][1] == b"\x43\x01\x07"
    # One flipped bit anywhere in the message breaks the digest.
    bad = bytearray(wire)
    bad[-1] ^= 1
    assert not usm.verify(keys.auth, keys.auth_key, bytes(bad), usm.parse_message(bytes(bad)))
    other = keys_for("SHA" if auth != "SHA" else "MD5", None)
    assert other.auth is not None
    if other.auth.mac_len == keys.auth.mac_len:
        assert not usm.verify(other.auth, other.auth_key, wire, msg)


def test_report_and_nopriv_message() -> None:
    scoped = usm.report_scoped_pdu(ENGINE, 7, usm.UNKNOWN_ENGINE_IDS, 3)
    wire = usm.encode_message(
        msg_id=1, max_size=1500, flags=0, engine_id=ENGINE, boots=1, etime=2, user=b"",
        scoped_pdu=scoped,
    )  # fmt: skip
    msg = usm.parse_message(wire)
    assert not msg.reportable and msg.security_level == "noAuthNoPriv"
    pdu = usm.parse_scoped_pdu(msg.data)
    assert pdu.pdu_type == ber.REPORT and pdu.request_id == 7
    assert pdu.varbinds[0][0] == ber.encode_oid(usm.UNKNOWN_ENGINE_IDS)


def test_priv_without_auth_is_malformed() -> None:
    wire = bytearray(
        usm.encode_message(
            msg_id=1,
            max_size=1500,
            flags=0,
            engine_id=ENGINE,
            boots=1,
            etime=2,
            user=b"u",
            scoped_pdu=SCOPED,
        )
    )
    flag_at = wire.index(b"\x04\x01\x00") + 2
    wire[flag_at] = usm.FLAG_PRIV
    with pytest.raises(DecodeError):
        usm.parse_message(bytes(wire))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 400))
def test_parse_never_crashes(noise: bytes, cut: int) -> None:
    keys = keys_for("SHA", "AES")
    wire = usm.encode_message(
        msg_id=5, max_size=1500, flags=3, engine_id=ENGINE, boots=3, etime=77,
        user=b"alice", scoped_pdu=SCOPED, keys=keys,
    )  # fmt: skip
    for data in (noise, wire[:cut], wire[:cut] + noise):
        try:
            msg = usm.parse_message(data)
        except DecodeError:
            continue
        try:
            assert keys.priv is not None
            usm.parse_scoped_pdu(usm.decrypt(keys.priv, keys.priv_key, msg))
        except (DecodeError, usm.UsmError):
            pass


@pytest.mark.parametrize("priv", ["DES", "AES", "AES-192", "AES-256-C"])
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 100, 333])
def test_priv_cipher_matches_decrypt(priv: str, size: int) -> None:
    keys = keys_for("SHA", priv)
    assert keys.priv is not None
    vb = ber.tlv(ber.SEQUENCE, ber.oid_tlv((1, 3, 6, 1)) + ber.tlv(ber.OCTET_STRING, b"z" * size))
    scoped = usm.encode_scoped_pdu(ENGINE, b"", ber.SNMPV2_TRAP, 5, 0, 0, vb)
    wire = usm.encode_message(
        msg_id=9, max_size=1500, flags=3, engine_id=ENGINE, boots=4, etime=1234,
        user=b"bob", scoped_pdu=scoped, keys=keys, salt=77,
    )  # fmt: skip
    msg = usm.parse_message(wire)
    ctx = usm.PrivCipher(keys.priv, keys.priv_key)
    assert ctx.decrypt(msg) == usm.decrypt(keys.priv, keys.priv_key, msg)
    assert usm.parse_scoped_pdu(ctx.decrypt(msg)).varbinds[0][1].endswith(b"z" * size)


def _general(fn_name: str, fast_name: str, data: bytes) -> object:
    saved = getattr(usm, fast_name)
    setattr(usm, fast_name, lambda _d: None)
    try:
        return getattr(usm, fn_name)(data)
    except DecodeError:
        return "refused"
    finally:
        setattr(usm, fast_name, saved)


def _mutate(base: bytes, seed: int, flips: int) -> bytes:
    import random

    rng = random.Random(seed)
    data = bytearray(base[: rng.randint(len(base) // 2, len(base))] if flips else base)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


V3_SEEDS = [
    usm.encode_message(
        msg_id=5,
        max_size=1500,
        flags=flags,
        engine_id=ENGINE,
        boots=3,
        etime=77,
        user=b"alice",
        scoped_pdu=SCOPED,
        keys=keys_for("SHA", "AES"),
        salt=9,
    )
    for flags in (usm.FLAG_AUTH | usm.FLAG_PRIV | usm.FLAG_REPORTABLE, usm.FLAG_AUTH, 0)
]


@settings(max_examples=600, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 4), st.sampled_from(V3_SEEDS))
def test_fast_parse_agrees_with_general_path(seed: int, flips: int, base: bytes) -> None:
    data = _mutate(base, seed, flips)
    fast = usm._fast_parse(data)
    assert fast is None or fast == _general("parse_message", "_fast_parse", data)
    if not flips:
        assert fast is not None


@settings(max_examples=600, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 4))
def test_fast_scoped_agrees_with_general_path(seed: int, flips: int) -> None:
    data = _mutate(SCOPED + b"\x00" * (seed % 8), seed, flips)
    try:
        fast: object = usm._fast_scoped(data)
    except DecodeError:
        fast = "refused"
    assert fast is None or fast == _general("parse_scoped_pdu", "_fast_scoped", data)
    if not flips:
        assert fast is not None
