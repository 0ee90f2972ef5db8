"""Names and renderings of trap var-binds from a MIB index compiled from real MIB modules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.common.mibs.index import MibIndex
from services.common.snmp import ber, message
from services.trapd.decode import Decoder
from services.trapd.naming import Naming

ROOT = Path(__file__).resolve().parents[2]
STANDARD = ROOT / "build" / "standard-mibs"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> MibIndex:
    if not (STANDARD / "modules" / "IF-MIB").exists():
        pytest.skip("standard MIBs not fetched (tools/standard-mibs/fetch.sh)")
    from services.gateway.mibs.compiler import compile_library

    tmp = tmp_path_factory.mktemp("mibs")
    (tmp / "user").mkdir()
    out = tmp / "index.json"
    compile_library(
        str(tmp / "user"), str(STANDARD), str(tmp / "cache"), str(out), ["SNMPv2-MIB", "IF-MIB"]
    )
    return MibIndex.from_json(out.read_bytes())


def vb(oid: tuple[int, ...], value_tlv: bytes) -> bytes:
    return message.encode_varbind(ber.encode_oid(oid), value_tlv)


def link_down(extra: bytes = b"") -> bytes:
    vbs = (
        vb((1, 3, 6, 1, 2, 1, 1, 3, 0), ber.tlv(ber.TIMETICKS, ber.encode_uint(360000)))
        + vb((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), ber.oid_tlv((1, 3, 6, 1, 6, 3, 1, 1, 5, 3)))
        + vb((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 3), ber.int_tlv(3))
        + vb((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 3), ber.int_tlv(1))
        + vb((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 3), ber.int_tlv(2))
        + vb((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 3), ber.tlv(ber.OCTET_STRING, b"eth3"))
        + vb(
            (1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 3),
            ber.tlv(ber.OCTET_STRING, b"\x00\x1a\x2b\x3c\x4d\x5e"),
        )
        + extra
    )
    return message.encode_message(1, b"public", ber.SNMPV2_TRAP, 1, 0, 0, vbs)


def test_link_down_named_and_rendered(index: MibIndex) -> None:
    naming = Naming()
    naming.set_index(index)
    d = Decoder(naming).decode_v1v2c(link_down(), ("10.0.0.1", 162), 1.0, "default")
    rec = json.loads(d.record_json(1))
    assert rec["trap_type"] == "linkDown"
    assert rec["resolved"] is True
    by_name = {v["name"]: v for v in rec["varbinds"]}
    assert by_name["SNMPv2-MIB::sysUpTime.0"]["value"] == "(360000) 1:00:00.00"
    assert by_name["SNMPv2-MIB::sysUpTime.0"]["raw"] == 360000
    assert by_name["SNMPv2-MIB::snmpTrapOID.0"]["value"] == "IF-MIB::linkDown"
    assert by_name["IF-MIB::ifAdminStatus.3"]["value"] == "up(1)"
    assert by_name["IF-MIB::ifOperStatus.3"]["value"] == "down(2)"
    assert by_name["IF-MIB::ifOperStatus.3"]["raw"] == 2
    assert by_name["IF-MIB::ifDescr.3"]["value"] == "eth3"
    assert by_name["IF-MIB::ifPhysAddress.3"]["value"].lower() == "00:1a:2b:3c:4d:5e"
    assert all(v["resolved"] for v in rec["varbinds"])


@pytest.mark.parametrize(
    ("trap", "name"),
    [((1, 3, 6, 1, 6, 3, 1, 1, 5, n), name) for n, name in
     [(1, "coldStart"), (2, "warmStart"), (3, "linkDown"), (4, "linkUp"),
      (5, "authenticationFailure")]],
)  # fmt: skip
def test_standard_notifications(index: MibIndex, trap: tuple[int, ...], name: str) -> None:
    naming = Naming()
    naming.set_index(index)
    data = message.encode_message(
        1, b"public", ber.SNMPV2_TRAP, 1, 0, 0,
        vb((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), ber.oid_tlv(trap)),
    )  # fmt: skip
    d = Decoder(naming).decode_v1v2c(data, ("10.0.0.1", 162), 1.0, "default")
    assert d.trap_type == name and d.resolved


def test_unknown_enterprise_varbind_is_not_resolved(index: MibIndex) -> None:
    naming = Naming()
    naming.set_index(index)
    extra = vb((1, 3, 6, 1, 4, 1, 99999, 1, 2, 3), ber.int_tlv(7))
    rec = json.loads(
        Decoder(naming).decode_v1v2c(link_down(extra), ("h", 1), 1.0, "x").record_json(1)
    )
    last = rec["varbinds"][-1]
    assert last["resolved"] is False and last["value"] == "7"
    assert rec["resolved"] is False  # one var-bind stayed unnamed
    assert rec["trap_type"] == "linkDown"


def test_index_swap_and_resolve_off(index: MibIndex) -> None:
    naming = Naming()
    dec = Decoder(naming)
    before = dec.decode_v1v2c(link_down(), ("h", 1), 1.0, "x")
    assert before.trap_type == "1.3.6.1.6.3.1.1.5.3" and not before.resolved
    naming.set_index(index)  # a MIB reload: the next trap is named, no restart
    assert dec.decode_v1v2c(link_down(), ("h", 1), 1.0, "x").trap_type == "linkDown"
    naming.enabled = False
    naming.set_index(index)
    assert not dec.decode_v1v2c(link_down(), ("h", 1), 1.0, "x").resolved
