"""Walker names through the shared MIB index: numeric fallback, enums, symbolic input."""

from __future__ import annotations

import pytest

from services.common.mibs.index import FORMAT, MibIndex
from services.common.snmp import ber, message
from services.walker.names import Names
from services.walker.operations import WalkControl
from services.walker.targets import BadInput
from services.walker.walking import OidCache, walk_blocking

IF = "1.3.6.1.2.1.2.2.1"


def _index() -> MibIndex:
    nodes = [
        {
            "oid": "1.3.6.1.2.1.1.5",
            "module": "SNMPv2-MIB",
            "name": "sysName",
            "kind": "scalar",
            "syntax": {"type": "DisplayString", "base": "OctetString", "display_hint": "255a"},
        },
        {"oid": "1.3.6.1.2.1.2.2", "module": "IF-MIB", "name": "ifTable", "kind": "table"},
        {
            "oid": IF,
            "module": "IF-MIB",
            "name": "ifEntry",
            "kind": "row",
            "indexes": [{"module": "IF-MIB", "name": "ifIndex"}],
        },
        {
            "oid": IF + ".1",
            "module": "IF-MIB",
            "name": "ifIndex",
            "kind": "column",
            "syntax": {"type": "Integer32", "base": "Integer32"},
        },
        {
            "oid": IF + ".8",
            "module": "IF-MIB",
            "name": "ifOperStatus",
            "kind": "column",
            "syntax": {"type": "INTEGER", "base": "Integer32", "enums": {"1": "up", "2": "down"}},
        },
    ]
    return MibIndex({"format": FORMAT, "modules": {"IF-MIB": {}, "SNMPv2-MIB": {}}, "nodes": nodes})


def test_numeric_without_index() -> None:
    names = Names()
    assert names.describe(
        (1, 3, 6, 1, 2, 1, 1, 5, 0), "1.3.6.1.2.1.1.5.0", "OctetString", b"vm"
    ) == (
        "1.3.6.1.2.1.1.5.0",
        "vm",
    )
    assert names.parse(".1.3.6.1") == (1, 3, 6, 1)
    with pytest.raises(BadInput, match="not loaded"):
        names.parse("IF-MIB::ifTable")


def test_names_and_values_from_the_index() -> None:
    names = Names(_index())
    oid = tuple(int(x) for x in (IF + ".8.3").split("."))
    assert names.describe(oid, IF + ".8.3", "Integer32", 2) == ("IF-MIB::ifOperStatus.3", "down(2)")
    assert names.parse("IF-MIB::ifTable") == (1, 3, 6, 1, 2, 1, 2, 2)
    assert names.parse("ifOperStatus.3") == oid
    with pytest.raises(BadInput, match="NO-SUCH-MIB"):
        names.parse("NO-SUCH-MIB::thing")
    with pytest.raises(BadInput, match="characters"):
        names.parse("ifTable; rm -rf /")


class _Agent:
    """An in-memory agent for walk_blocking: ifOperStatus of three interfaces."""

    version = message.V2C

    def __init__(self, status: int) -> None:
        self.status = status
        self.out: list[tuple[int, bytes]] = []
        self.ids = 0

    def submit(self, pdu_type: int, oid_content: bytes, max_repetitions: int) -> int:
        self.ids += 1
        start = ber.decode_oid(oid_content)
        rows = [(1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i) for i in (1, 2, 3)]
        after = [o for o in rows if o > start][:max_repetitions]
        vbs = [(ber.encode_oid(o), ber.int_tlv(self.status)) for o in after]
        vbs = vbs or [(oid_content, ber.END_OF_MIB_VIEW_TLV)]
        encoded = b"".join(message.encode_varbind(o, v) for o, v in vbs)
        self.out.append(
            (self.ids, message.encode_message(1, b"p", ber.RESPONSE, self.ids, 0, 0, encoded))
        )
        return self.ids

    def next_answer(self, control: object = None, early: object = None) -> tuple[int, object]:
        request_id, datagram = self.out.pop(0)
        return request_id, message.decode_message(datagram)

    def readable(self) -> bool:
        return False

    def forget(self, request_id: int) -> None:
        pass


def _walk(names: Names, status: int) -> list[dict[str, object]]:
    outcome = walk_blocking(
        _Agent(status),  # type: ignore[arg-type]
        (1, 3, 6, 1, 2, 1, 2, 2, 1, 8),
        names.describe,
        WalkControl("t"),
        bulk=True,
        max_repetitions=2,
        oid_cache=OidCache(),
        row_cache=names.rows,
    )
    assert outcome.status == "complete"
    return outcome.rows


def test_rows_reused_only_for_the_same_value_and_index() -> None:
    names = Names(_index())
    first = _walk(names, 1)
    assert [r["value"] for r in first] == ["up(1)"] * 3
    again = _walk(names, 1)
    assert again == first and all(a is not b for a, b in zip(again, first, strict=True))
    assert [r["value"] for r in _walk(names, 2)] == ["down(2)"] * 3  # a changed value
    names.resolver = MibIndex.empty()  # a new index: nothing rendered through the old one
    plain = _walk(names, 2)
    assert [r["name"] for r in plain] == [f"{IF}.8.{i}" for i in (1, 2, 3)]
    assert [r["value"] for r in plain] == ["2"] * 3
