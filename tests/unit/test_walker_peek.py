"""``message.peek_response``: what the walker sends its next request from, before the
answer is decoded. Whatever it accepts, the full decoder reads the same way, or refuses."""

from __future__ import annotations

import random

from services.common.snmp import ber, message


def _response(count: int, *, rid: int = 4242, status: int = 0, long_value: bool = False) -> bytes:
    vbs = [
        message.encode_varbind(ber.encode_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, i)), ber.int_tlv(i))
        for i in range(1, count + 1)
    ]
    if long_value:
        vbs.append(message.encode_varbind(ber.encode_oid((1, 3, 6, 1, 9)), ber.tlv(4, b"x" * 200)))
    return message.encode_message(1, b"public", ber.RESPONSE, rid, status, 0, b"".join(vbs))


def test_peek_agrees_with_decode() -> None:
    for count in (1, 2, 25, 60):
        d = _response(count, rid=count * 1000)
        m = message.decode_message(d)
        assert isinstance(m, message.Message)
        assert message.peek_response(d) == (
            m.request_id,
            len(m.varbinds),
            m.varbinds[-1][0],
            m.varbinds[-1][1][0],
        )


def test_peek_declines_what_is_not_a_plain_answer() -> None:
    assert message.peek_response(_response(3, status=1)) is None  # tooBig
    assert message.peek_response(_response(0)) is None  # no var-binds
    assert message.peek_response(_response(3, long_value=True)) is None  # long-form length
    request = message.encode_message(
        1, b"public", ber.GET_BULK_REQUEST, 7, 0, 25, message.encode_varbind(b"\x2b", b"\x05\x00")
    )
    assert message.peek_response(request) is None
    assert message.peek_response(b"") is None
    assert message.peek_response(b"\x30\x03\x02\x01\x01") is None


def test_peek_of_mangled_datagrams_never_disagrees_with_decode() -> None:
    rng = random.Random(7)
    seeds = [_response(n, rid=rng.randrange(1, 1 << 31)) for n in (1, 3, 25)]
    accepted = 0
    for _ in range(20_000):
        d = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            d[rng.randrange(len(d))] = rng.randrange(256)
        if rng.random() < 0.2:
            d = d[: rng.randrange(len(d))]
        peeked = message.peek_response(bytes(d))
        if peeked is None:
            continue
        accepted += 1
        try:
            m = message.decode_message(bytes(d))
        except ber.DecodeError:
            continue  # the walker takes its early request back (test_walker_guards)
        assert isinstance(m, message.Message)
        assert m.pdu_type == ber.RESPONSE and m.error_status == 0
        assert peeked == (m.request_id, len(m.varbinds), m.varbinds[-1][0], m.varbinds[-1][1][0])
    assert accepted > 1000
