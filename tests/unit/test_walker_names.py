"""Walker names through the shared MIB index: numeric fallback, enums, symbolic input."""

from __future__ import annotations

import pytest

from services.common.mibs.index import FORMAT, MibIndex
from services.walker.names import Names
from services.walker.targets import BadInput

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
