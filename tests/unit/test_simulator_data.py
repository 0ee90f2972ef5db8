"""Device data: snmprec and walk imports with their reports, exports that round-trip,
live values, templating, SET checks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.snmp import ber, values
from services.simulator.builder import build_records
from services.simulator.device import Device, DeviceConfig
from services.simulator.exports.snmprec import to_snmprec
from services.simulator.exports.walkfile import to_walk
from services.simulator.imports.snmprec import parse_snmprec
from services.simulator.imports.walkfile import parse_walk
from services.simulator.profiles_lib import ProfileLibrary
from services.simulator.setter import apply_set
from services.simulator.store import OidStore, Record
from services.simulator.values_live import LiveRule, LiveValue


def test_snmprec_types_hex_and_variations() -> None:
    text = (
        "1.3.6.1.2.1.1.1.0|4|hello | world\n"
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9\n"
        "1.3.6.1.2.1.1.3.0|67:numeric|rate=100,function=sin\n"
        "1.3.6.1.2.1.1.4.0|4x|00ff10\n"
        "1.3.6.1.2.1.1.5.0|2:writecache|value=42\n"
        "1.3.6.1.2.1.1.6.0|4:redis|key=x\n"
        "1.3.6.1.2.1.1.7.0|2|notanumber\n"
        "1.3.6.1.2.1.1.1.0|4|again\n"
        "1.3.6.1.2.1.1.8.0|64|300.1.1.1\n"
    )
    records, report = parse_snmprec(text)
    got = {ber.oid_str(r.oid): (r.type, r.value, r.rule) for r in records}
    assert got["1.3.6.1.2.1.1.1.0"] == ("OctetString", b"again", None)
    assert got["1.3.6.1.2.1.1.4.0"] == ("OctetString", b"\x00\xff\x10", None)
    assert got["1.3.6.1.2.1.1.5.0"][:2] == ("Integer32", 42)
    assert got["1.3.6.1.2.1.1.3.0"][2] == LiveRule("numeric", {"rate": "100"})
    issues = {i.line: (i.action, i.reason) for i in report.issues}
    assert issues[3][0] == "coerced" and "function" in issues[3][1]
    assert issues[5][0] == "coerced" and "writecache" in issues[5][1]
    assert issues[6][0] == "skipped" and "redis" in issues[6][1]
    assert issues[7][0] == "skipped" and "integer" in issues[7][1]
    assert issues[8][0] == "coerced" and "duplicate" in issues[8][1]
    assert issues[9][0] == "skipped"
    assert report.imported == len(records) == 5


VALUE_STRATEGY = st.one_of(
    st.tuples(st.just("OctetString"), st.binary(max_size=40)),
    st.tuples(st.just("OctetString"), st.text(max_size=30).map(str.encode)),
    st.tuples(st.just("Integer32"), st.integers(-(2**31), 2**31 - 1)),
    st.tuples(st.just("Counter32"), st.integers(0, 2**32 - 1)),
    st.tuples(st.just("Counter64"), st.integers(0, 2**64 - 1)),
    st.tuples(st.just("Gauge32"), st.integers(0, 2**32 - 1)),
    st.tuples(st.just("TimeTicks"), st.integers(0, 2**32 - 1)),
    st.tuples(
        st.just("IpAddress"),
        st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
    ),
    st.tuples(
        st.just("ObjectIdentifier"),
        st.lists(st.integers(0, 2**32 - 1), max_size=6).map(
            lambda t: ".".join(map(str, (1, 3, *t)))
        ),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUE_STRATEGY, min_size=1, max_size=12))
def test_exports_round_trip_losslessly(items: list[tuple[str, object]]) -> None:
    records = [Record((1, 3, 6, 1, 4, 1, 7, i, 0), t, v) for i, (t, v) in enumerate(items)]
    back, report = parse_snmprec(to_snmprec(records))
    assert report.issues == []
    assert [(r.oid, r.type, r.value) for r in back] == [(r.oid, r.type, r.value) for r in records]
    snap = OidStore(records).snapshot(0.0)
    walked, report = parse_walk(to_walk(snap))
    assert report.skipped == 0, report.to_dict()
    wire = [(r.oid, values.encode_value(r.type, r.value)) for r in walked]
    assert wire == [(o, values.encode_value(t, v)) for o, t, v in snap]


def test_walk_forms_and_report() -> None:
    text = (
        'iso.3.6.1.2.1.1.1.0 = STRING: "say \\"hi\\""\n'
        ".1.3.6.1.2.1.1.3.0 = Timeticks: (8640000) 1 day, 0:00:00.00\n"
        '.1.3.6.1.2.1.1.4.0 = ""\n'
        ".1.3.6.1.2.1.1.9.0 = No Such Object available on this agent at this OID\n"
        ".1.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.8072\n"
        "SNMPv2-MIB::sysName.0 = STRING: lab\n"
        ".1.3.6.1.2.1.1.7.0 = Opaque: Float: 1.5\n"
    )
    names = {"SNMPv2-MIB::sysName.0": (1, 3, 6, 1, 2, 1, 1, 5, 0)}
    records, report = parse_walk(text, resolver=lambda n: names[n])
    got = {ber.oid_str(r.oid): r.value for r in records}
    assert got == {
        "1.3.6.1.2.1.1.1.0": b'say "hi"',
        "1.3.6.1.2.1.1.3.0": 8640000,
        "1.3.6.1.2.1.1.4.0": b"",
        "1.3.6.1.2.1.1.2.0": "1.3.6.1.4.1.8072",
        "1.3.6.1.2.1.1.5.0": b"lab",
    }
    assert [(i.line, i.action) for i in report.issues] == [(4, "note"), (7, "skipped")]
    _, report = parse_walk("SNMPv2-MIB::sysName.0 = STRING: lab\n")
    assert "without MIBs" in report.issues[0].reason


def test_counters_wrap_and_gauges_stay_in_bounds() -> None:
    c32 = LiveValue(
        ber.COUNTER32, LiveRule("numeric", {"rate": "1000", "initial": str(2**32 - 500)})
    )
    assert c32.value(0.0) == 2**32 - 500
    assert c32.value(1.0) == 500  # wrapped
    c64 = LiveValue(ber.COUNTER64, LiveRule("numeric", {"rate": "10", "initial": str(2**64 - 5)}))
    assert c64.value(1.0) == 5
    g = LiveValue(
        ber.GAUGE32,
        LiveRule(
            "numeric", {"initial": "50", "deviation": "30", "min": "40", "max": "70", "period": "1"}
        ),
    )
    seen = {g.value(t / 10) for t in range(500)}
    assert min(seen) >= 40 and max(seen) <= 70 and len(seen) > 5
    assert g.value(12.3) == g.value(12.3)  # a pure function of time


def test_build_records_interfaces_seed_overrides() -> None:
    profile = ProfileLibrary.__new__(ProfileLibrary)
    profile.__init__(__import__("pathlib").Path("/nonexistent"))  # type: ignore[misc]
    base = profile.get("default")
    cfg = DeviceConfig(
        name="x",
        interfaces=10,
        seed=5,
        overrides={"sysName": "x.lab", "1.3.6.1.4.1.1.0": {"type": "Gauge32", "value": 7}},
    )
    recs = {r.oid: r for r in build_records(base, cfg)}
    assert recs[(1, 3, 6, 1, 2, 1, 2, 1, 0)].value == 10
    assert recs[(1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 10)].value == 10
    assert recs[(1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 10)].value == b"eth9"
    assert (1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 11) not in recs
    assert recs[(1, 3, 6, 1, 2, 1, 1, 5, 0)].value == b"x.lab"
    assert recs[(1, 3, 6, 1, 4, 1, 1, 0)].type == "Gauge32"
    other = {r.oid: r for r in build_records(base, cfg.model_copy(update={"seed": 6}))}
    key = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2)
    assert recs[key].rule != other[key].rule


def _set_dev() -> Device:
    recs = [
        Record((1, 3, 6, 1, 2, 1, 1, 4, 0), "OctetString", b"a"),
        Record((1, 3, 6, 1, 2, 1, 1, 5, 0), "OctetString", b"b"),
    ]
    return Device(DeviceConfig(name="s", writable=["1.3.6.1.2.1.1.4"]), OidStore(recs))


def test_set_checks_every_varbind_before_writing() -> None:
    dev = _set_dev()
    ok = values.encode_value("OctetString", b"new")
    keys = [
        ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 4, 0)),
        ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 5, 0)),
    ]
    status, index, _ = apply_set(dev, keys, [ok, ok], False, True, 0.0, None)
    assert (status, index) == (17, 2)  # notWritable, second var-bind
    assert dev.store.records[0].value == b"a"  # nothing written
    status, index, _ = apply_set(dev, keys[:1], [ok], False, True, 0.0, None)
    assert status == 0 and dev.store.records[0].value == b"new"
    status, _, _ = apply_set(
        dev, keys[:1], [values.encode_value("Integer32", 1)], False, True, 0.0, None
    )
    assert status == 7  # wrongType
    status, _, _ = apply_set(dev, keys[:1], [ok], False, False, 0.0, None)
    assert status == 6  # noAccess without write permission
