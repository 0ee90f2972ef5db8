"""The query API over HTTP: filters, cursors in both directions, exports (JSON, NDJSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
from collections.abc import Iterator

import pytest

from services.common.snmp import ber, message
from tests.service.trapd_harness import HOST, EventsSink, Trapd, start_trapd

LINK_DOWN = (1, 3, 6, 1, 6, 3, 1, 1, 5, 3)
LINK_UP = (1, 3, 6, 1, 6, 3, 1, 1, 5, 4)


def trap(trap_oid: tuple[int, ...], descr: bytes, version: int = 1) -> bytes:
    vbs = message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)), ber.oid_tlv(trap_oid)
    ) + message.encode_varbind(
        ber.encode_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 1)), ber.tlv(ber.OCTET_STRING, descr)
    )
    return message.encode_message(version, b"public", ber.SNMPV2_TRAP, 1, 0, 0, vbs)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Trapd, int, float]]:
    sink = EventsSink()
    d = start_trapd(tmp_path_factory.mktemp("q") / "trapd", sink)
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind((HOST, 0))
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b.bind((HOST, 0))
    for i in range(30):
        (a if i % 2 else b).sendto(
            trap(LINK_DOWN if i % 3 else LINK_UP, f"port-{i},x".encode()), (HOST, d.snmp_port)
        )
    d.wait_traps(30)
    middle = time.time()
    time.sleep(0.05)
    b.sendto(trap(LINK_UP, b"late"), (HOST, d.snmp_port))
    d.wait_traps(31)
    yield d, a.getsockname()[1], middle
    a.close()
    b.close()
    d.stop()
    sink.close()


def seqs(d: Trapd, **params: object) -> list[int]:
    return [r["seq"] for r in d.get("/traps", params={"limit": 1000, **params}).json()["data"]]


def test_filters(loaded: tuple[Trapd, int, float]) -> None:
    d, port_a, middle = loaded
    assert len(seqs(d)) == 31
    assert len(seqs(d, trap="linkUp")) == 0  # no MIB index here: names are OIDs
    assert len(seqs(d, trap="1.3.6.1.6.3.1.1.5.4")) == 11
    assert len(seqs(d, trap="1.3.6.1.6.3.1.1.5")) == 31  # an OID prefix
    assert len(seqs(d, source=f"{HOST}:{port_a}")) == 15
    assert len(seqs(d, source=HOST)) == 31
    assert len(seqs(d, version="v2c")) == 31
    assert seqs(d, version="v1") == []
    assert len(seqs(d, q="port-1")) == 11  # port-1, port-10..19
    assert len(seqs(d, q="late")) == 1
    assert len(seqs(d, since=middle)) == 1
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(middle + 3600))
    assert seqs(d, since=iso) == []
    assert d.get("/traps", params={"since": "yesterday"}).status_code == 400
    assert d.get("/traps", params={"version": "v4"}).status_code == 400
    r = d.get("/traps", params={"before_seq": 5, "after_seq": 1})
    assert r.status_code == 400


def test_cursors(loaded: tuple[Trapd, int, float]) -> None:
    d, _, _ = loaded
    page = d.get("/traps", params={"limit": 10}).json()
    assert page["count"] == 10 and page["last_seq"] == 31
    older = d.get("/traps", params={"limit": 10, "before_seq": page["next_before_seq"]}).json()
    assert [r["seq"] for r in older["data"]] == list(range(21, 11, -1))
    resume = d.get("/traps", params={"after_seq": 25}).json()
    assert [r["seq"] for r in resume["data"]] == [26, 27, 28, 29, 30, 31]  # oldest first


def test_exports(loaded: tuple[Trapd, int, float]) -> None:
    d, _, _ = loaded
    arr = d.get("/traps/export", params={"format": "json"})
    assert arr.headers["content-type"].startswith("application/json")
    data = json.loads(arr.text)
    assert [r["seq"] for r in data] == list(range(1, 32))
    nd = d.get("/traps/export", params={"format": "ndjson", "q": "late"}).text
    (line,) = nd.strip().splitlines()
    assert json.loads(line)["varbinds"][1]["value"] == "late"
    text = d.get("/traps/export", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 31 and rows[0]["seq"] == "1"
    assert "port-0,x" in rows[0]["varbinds"]  # a comma inside a value survives quoting
    assert d.get("/traps/export", params={"format": "xml"}).status_code == 422
