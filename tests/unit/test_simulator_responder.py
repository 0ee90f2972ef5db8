"""The v1/v2c request path, byte for byte against pysnmp's encoder and against a plain
reference model of GET/GETNEXT/GETBULK semantics."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pysnmp.proto import api

from services.common.snmp import ber, message, values
from services.simulator.device import Device, DeviceConfig, Faults
from services.simulator.responder import AgentStats, Responder
from services.simulator.store import OidStore, Record
from services.simulator.values_live import LiveRule

V2 = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
V1 = api.PROTOCOL_MODULES[api.SNMP_VERSION_1]

RECORDS = [
    Record((1, 3, 6, 1, 2, 1, 1, 1, 0), "OctetString", b"box"),
    Record((1, 3, 6, 1, 2, 1, 1, 2, 0), "ObjectIdentifier", "1.3.6.1.4.1.8072.3.2.10"),
    Record((1, 3, 6, 1, 2, 1, 1, 3, 0), "TimeTicks", 4242),
    Record((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), "Counter32", 77),
    Record((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1), "IpAddress", "10.0.0.1"),
    Record((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), "Counter64", 2**64 - 1),
    Record((1, 3, 6, 1, 4, 1, 200, 1), "Integer32", -5),
    Record((1, 3, 6, 1, 4, 1, 16383, 1), "Gauge32", 1),
    Record((1, 3, 6, 1, 4, 1, 16384, 1), "Gauge32", 2),
]


def _device(records: list[Record] = RECORDS, **cfg: object) -> Device:
    return Device(DeviceConfig(name="d", **cfg), OidStore(records))  # type: ignore[arg-type]


def _handle(dev: Device, wire: bytes) -> bytes | None:
    return Responder(AgentStats()).handle(wire, ("127.0.0.1", 9), {b"public": dev})


def _request(
    pmod: object, pdu_cls: str, oids: list[str], rid: int = 7, nonrep: int = 0, maxrep: int = 0
) -> bytes:
    m = pmod  # type: ignore[assignment]
    pdu = getattr(m, pdu_cls)()
    m.apiPDU.set_defaults(pdu)
    m.apiPDU.set_request_id(pdu, rid)
    if pdu_cls == "GetBulkRequestPDU":
        m.apiBulkPDU.set_non_repeaters(pdu, nonrep)
        m.apiBulkPDU.set_max_repetitions(pdu, maxrep)
    m.apiPDU.set_varbinds(pdu, [(o, m.Null("")) for o in oids])
    msg = m.Message()
    m.apiMessage.set_defaults(msg)
    m.apiMessage.set_community(msg, "public")
    m.apiMessage.set_pdu(msg, pdu)
    return bytes(pyasn1_encoder.encode(msg))


def _pysnmp_value(type_name: str, value: object) -> object:
    v = V2
    return {
        "OctetString": lambda x: v.OctetString(x),
        "ObjectIdentifier": lambda x: v.ObjectIdentifier(x),
        "TimeTicks": lambda x: v.TimeTicks(x),
        "Counter32": lambda x: v.Counter32(x),
        "Counter64": lambda x: v.Counter64(x),
        "IpAddress": lambda x: v.IpAddress(x),
        "Integer32": lambda x: v.Integer(x),
        "Gauge32": lambda x: v.Gauge32(x),
    }[type_name](value)


def _expected_response(
    pmod: object, rid: int, varbinds: list[tuple[str, object]], err: int = 0, idx: int = 0
) -> bytes:
    m = pmod  # type: ignore[assignment]
    pdu = m.GetResponsePDU()
    m.apiPDU.set_defaults(pdu)
    m.apiPDU.set_request_id(pdu, rid)
    m.apiPDU.set_error_status(pdu, err)
    m.apiPDU.set_error_index(pdu, idx)
    m.apiPDU.set_varbinds(pdu, varbinds)
    msg = m.Message()
    m.apiMessage.set_defaults(msg)
    m.apiMessage.set_community(msg, "public")
    m.apiMessage.set_pdu(msg, pdu)
    return bytes(pyasn1_encoder.encode(msg))


def _vb(rec: Record) -> tuple[str, object]:
    return ber.oid_str(rec.oid), _pysnmp_value(rec.type, rec.value)


def test_get_matches_pysnmp_byte_for_byte() -> None:
    dev = _device()
    oids = [ber.oid_str(r.oid) for r in RECORDS]
    got = _handle(dev, _request(V2, "GetRequestPDU", oids, rid=123456))
    assert got == _expected_response(V2, 123456, [_vb(r) for r in RECORDS])


def test_get_exceptions_v2c_and_v1() -> None:
    dev = _device()
    req = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.1.1", "1.3.6.1.2.1.99.0"]
    got = _handle(dev, _request(V2, "GetRequestPDU", req))
    expected = _expected_response(
        V2,
        7,
        [
            _vb(RECORDS[0]),
            ("1.3.6.1.2.1.1.1.1", V2.NoSuchInstance("")),
            ("1.3.6.1.2.1.99.0", V2.NoSuchObject("")),
        ],
    )
    assert got == expected
    got = _handle(dev, _request(V1, "GetRequestPDU", req))
    # v1: noSuchName on the first missing one, the request's var-binds echoed.
    assert got == _expected_response(V1, 7, [(o, V1.Null("")) for o in req], err=2, idx=2)


def test_getnext_numeric_order_and_end() -> None:
    dev = _device()
    # 16383 (FF 7F) sorts after 16384 (81 80 00) as bytes, not as numbers.
    got = _handle(
        dev,
        _request(
            V2, "GetNextRequestPDU", ["1.3.6.1.4.1.200.1", "1.3.6.1.4.1.16383.1", "1.3.6.1.9"]
        ),
    )
    assert got == _expected_response(
        V2,
        7,
        [
            _vb(RECORDS[7]),
            _vb(RECORDS[8]),
            ("1.3.6.1.9", V2.EndOfMibView("")),
        ],
    )


def test_v1_getnext_skips_counter64() -> None:
    dev = _device()
    got = _handle(dev, _request(V1, "GetNextRequestPDU", ["1.3.6.1.2.1.4.20"]))
    assert got == _expected_response(V1, 7, [_vb(RECORDS[4])])
    got = _handle(dev, _request(V1, "GetNextRequestPDU", ["1.3.6.1.2.1.4.20.1.1.10.0.0.1"]))
    assert got == _expected_response(V1, 7, [_vb(RECORDS[6])])


def _reference_bulk(
    records: list[Record], oids: list[tuple[int, ...]], nonrep: int, maxrep: int
) -> list[tuple[str, object]]:
    srt = sorted(records, key=lambda r: r.oid)

    def nxt(o: tuple[int, ...]) -> Record | None:
        return next((r for r in srt if r.oid > o), None)

    out: list[tuple[str, object]] = []
    for o in oids[:nonrep]:
        r = nxt(o)
        out.append(_vb(r) if r else (ber.oid_str(o), V2.EndOfMibView("")))
    reps = list(oids[nonrep:])
    for _ in range(maxrep if reps else 0):
        ended = 0
        for k, o in enumerate(reps):
            r = nxt(o)
            if r is None:
                out.append((ber.oid_str(o), V2.EndOfMibView("")))
                ended += 1
            else:
                out.append(_vb(r))
                reps[k] = r.oid
        if ended == len(reps):
            break
    return out


@settings(max_examples=150, deadline=None)
@given(
    starts=st.lists(
        st.sampled_from([r.oid for r in RECORDS] + [(1, 3), (1, 3, 6, 1, 4, 1, 300), (2, 0)]),
        min_size=1,
        max_size=4,
    ),
    nonrep=st.integers(0, 3),
    maxrep=st.integers(0, 12),
)
def test_getbulk_matches_reference(starts: list[tuple[int, ...]], nonrep: int, maxrep: int) -> None:
    dev = _device()
    wire = _request(
        V2, "GetBulkRequestPDU", [ber.oid_str(o) for o in starts], nonrep=nonrep, maxrep=maxrep
    )
    expected = _reference_bulk(RECORDS, starts, min(nonrep, len(starts)), maxrep)
    assert _handle(dev, wire) == _expected_response(V2, 7, expected)


def test_getbulk_truncates_to_max_size_and_too_big() -> None:
    big = [Record((1, 3, 6, 1, 4, 1, 9, i), "OctetString", b"x" * 100) for i in range(1, 40)]
    dev = _device(big)
    r = Responder(AgentStats())
    r.max_size = 1000
    out = r.handle(
        _request(V2, "GetBulkRequestPDU", ["1.3.6.1.4.1.9"], maxrep=30), None, {b"public": dev}
    )
    assert out is not None and len(out) <= 1000
    msg = message.decode_message(out)
    assert isinstance(msg, message.Message) and msg.error_status == 0
    assert 5 <= len(msg.varbinds) < 30
    r.max_size = 484
    huge = _device([Record((1, 3, 6, 1, 4, 1, 9, 1), "OctetString", b"y" * 600)])
    out = r.handle(
        _request(V2, "GetBulkRequestPDU", ["1.3.6.1.4.1.9"], maxrep=5), None, {b"public": huge}
    )
    msg = message.decode_message(out or b"")
    assert isinstance(msg, message.Message) and msg.error_status == 1 and msg.varbinds == []


def test_live_values_consistent_within_a_request() -> None:
    rec = Record(
        (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), "Counter32", 0, LiveRule("numeric", {"rate": "1000000"})
    )
    dev = _device(
        [
            rec,
            Record(
                (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2),
                "Counter32",
                0,
                LiveRule("numeric", {"rate": "1000000"}),
            ),
        ]
    )
    out = _handle(
        dev, _request(V2, "GetRequestPDU", ["1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.2.2.1.10.2"])
    )
    msg = message.decode_message(out or b"")
    assert isinstance(msg, message.Message)
    a, b = (values.decode_value(v)[1] for _, v in msg.varbinds)
    assert a == b


def test_forced_error_and_drop() -> None:
    dev = _device(faults=Faults(error_status=5))
    out = _handle(dev, _request(V2, "GetRequestPDU", ["1.3.6.1.2.1.1.1.0"]))
    assert out == _expected_response(V2, 7, [("1.3.6.1.2.1.1.1.0", V2.Null(""))], err=5, idx=1)
    dev = _device(faults=Faults(drop_rate=1.0))
    assert _handle(dev, _request(V2, "GetRequestPDU", ["1.3.6.1.2.1.1.1.0"])) is None
    assert dev.counts[5] == 1


def test_truncated_and_random_packets_are_counted_not_raised() -> None:
    dev = _device()
    r = Responder(AgentStats())
    wire = _request(V2, "GetBulkRequestPDU", ["1.3.6.1.2.1.1", "1.3.6.1.2.1.2"], maxrep=3)
    for cut in range(len(wire)):
        assert r.handle(wire[:cut], None, {b"public": dev}) is None
    assert r.stats.malformed == len(wire)
    assert r.handle(wire, None, {b"public": dev}) is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120), st.integers(0, 60))
def test_fuzz_never_raises(junk: bytes, at: int) -> None:
    dev = _device()
    r = Responder(AgentStats())
    wire = bytearray(_request(V2, "GetRequestPDU", ["1.3.6.1.2.1.1.1.0"]))
    if junk:
        wire[at % len(wire)] = junk[0]
    for data in (bytes(wire), junk, bytes(wire) + junk):
        r.handle(data, None, {b"public": dev})  # must not raise


def _bulk_answer(dev: Device, maxrep: int, start: str = "1.3.6.1") -> message.Message | None:
    out = _handle(dev, _request(V2, "GetBulkRequestPDU", [start], maxrep=maxrep))
    if out is None:
        return None
    msg = message.decode_message(out)
    assert isinstance(msg, message.Message)
    return msg


def test_quirks() -> None:
    many = [Record((1, 3, 6, 1, 4, 1, 9, i), "OctetString", b"v" * 30) for i in range(1, 100)]
    msg = _bulk_answer(_device(many, faults=Faults(quirks=["bulk_ignores_max_repetitions"])), 2)
    assert msg is not None and len(msg.varbinds) == 64
    assert _bulk_answer(_device(many, faults=Faults(quirks=["no_bulk"])), 5) is None
    msg = _bulk_answer(_device(many, faults=Faults(quirks=["too_big"])), 20)
    assert msg is not None and msg.error_status == 1 and msg.varbinds == []
    msg = _bulk_answer(_device(many), 20)
    assert msg is not None and msg.error_status == 0 and len(msg.varbinds) == 20


def test_counter32_wrap_quirk_starts_near_the_wrap() -> None:
    from services.simulator.builder import build_records
    from services.simulator.values_live import LiveValue

    rec = Record(
        (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), "Counter32", 0, LiveRule("numeric", {"rate": "1000"})
    )
    cfg = DeviceConfig(name="w", faults=Faults(quirks=["counter32_wrap"]))
    (out,) = build_records([rec], cfg)
    assert out.rule is not None
    live = LiveValue(ber.COUNTER32, out.rule)
    assert live.value(0) > 2**32 - 40_000 and live.value(31) < 10_000
