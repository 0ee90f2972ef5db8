"""The SQLite trap store: sequence numbers, queries, retention, export paging."""

from __future__ import annotations

import json
from pathlib import Path

from services.trapd.store import Row, TrapQuery, TrapStore


def rows(store: TrapStore, specs: list[tuple[float, str, str, str, str, str]]) -> list[Row]:
    first = store.reserve(len(specs))
    out: list[Row] = []
    for i, (ts, source, version, trap_oid, trap_type, text) in enumerate(specs):
        seq = first + i
        rec = json.dumps({"seq": seq, "timestamp": ts, "source": source, "trap_type": trap_type})
        out.append((seq, ts, source, version, trap_oid, trap_type, "default", text, rec))
    return out


def seqs(recs: list[dict[str, object]]) -> list[object]:
    return [r["seq"] for r in recs]


def test_sequence_survives_clear_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    s = TrapStore(path)
    s.insert_rows(rows(s, [(1.0, "a:1", "v2c", "1.3.6", "x", "")] * 3))
    assert s.last_seq() == 3
    s.clear()
    s.close()
    s2 = TrapStore(path)
    s2.insert_rows(rows(s2, [(2.0, "a:1", "v2c", "1.3.6", "x", "")]))
    assert seqs(s2.query(TrapQuery())) == [4]
    s2.close()


def test_filters(tmp_path: Path) -> None:
    s = TrapStore(tmp_path / "t.sqlite3")
    s.insert_rows(
        rows(
            s,
            [
                (10.0, "10.0.0.1:161", "v1", "1.3.6.1.6.3.1.1.5.3", "linkDown", "ifDescr=eth0"),
                (20.0, "10.0.0.2:5000", "v2c", "1.3.6.1.6.3.1.1.5.4", "linkUp", "ifDescr=eth1"),
                (30.0, "10.0.0.1:162", "v3", "1.3.6.1.4.1.9.0.1", "1.3.6.1.4.1.9.0.1", "100%_x"),
                (40.0, "[fe80::1]:162", "v2c", "1.3.6.1.6.3.1.1.5.1", "coldStart", ""),
            ],
        )
    )
    assert seqs(s.query(TrapQuery())) == [4, 3, 2, 1]
    assert seqs(s.query(TrapQuery(source="10.0.0.1"))) == [3, 1]
    assert seqs(s.query(TrapQuery(source="10.0.0.10"))) == []
    assert seqs(s.query(TrapQuery(source="fe80::1"))) == [4]
    assert seqs(s.query(TrapQuery(source="[fe80::1]:162"))) == [4]
    assert seqs(s.query(TrapQuery(source="10.0.0.1:161"))) == [1]
    assert seqs(s.query(TrapQuery(trap="linkUp"))) == [2]
    assert seqs(s.query(TrapQuery(trap="IF-MIB::linkUp"))) == [2]
    assert seqs(s.query(TrapQuery(trap="1.3.6.1.4.1.9"))) == [3]
    assert seqs(s.query(TrapQuery(trap=".1.3.6.1.6.3.1.1.5.3"))) == [1]
    assert seqs(s.query(TrapQuery(version="v2c"))) == [4, 2]
    assert seqs(s.query(TrapQuery(text="eth"))) == [2, 1]
    assert seqs(s.query(TrapQuery(text="0%_"))) == [3]  # LIKE wildcards are literal
    assert seqs(s.query(TrapQuery(text="0%x"))) == []
    assert seqs(s.query(TrapQuery(since=15, until=25))) == [2]
    assert seqs(s.query(TrapQuery(trap="1.3.6.1.6.3.1.1.5"))) == [4, 2, 1]
    assert seqs(s.query(TrapQuery(after_seq=1, limit=1))) == [2]
    assert seqs(s.query(TrapQuery(before_seq=3, limit=1))) == [2]
    s.close()


def test_retention_by_count_and_age(tmp_path: Path) -> None:
    s = TrapStore(tmp_path / "t.sqlite3")
    s.insert_rows(rows(s, [(float(i), "a:1", "v2c", "1.3", "x", "") for i in range(10)]))
    assert s.apply_retention(max_count=4, max_age_s=0) == 6
    assert seqs(s.query(TrapQuery())) == [10, 9, 8, 7]
    assert s.apply_retention(max_count=0, max_age_s=1.0) == 4  # ts 6..9 are ancient
    assert s.count() == 0
    s.close()


def test_iter_records_pages_in_order(tmp_path: Path) -> None:
    s = TrapStore(tmp_path / "t.sqlite3")
    s.insert_rows(rows(s, [(float(i), "a:1", "v2c", "1.3", "x", "") for i in range(25)]))
    got = [json.loads(t)["seq"] for t in s.iter_records(TrapQuery(), page=10)]
    assert got == list(range(1, 26))
    s.close()
