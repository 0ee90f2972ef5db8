"""The trap store: SQLite in WAL mode, written in batches by one writer thread.

Each trap is one row: a few indexed columns for queries and the full record as JSON, so
reads return exactly what was pushed. Sequence numbers come from this store and never go
back, not even after a clear (``AUTOINCREMENT`` keeps the high-water mark), so a client's
``after_seq`` cursor stays meaningful.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS traps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    source TEXT NOT NULL,
    version TEXT NOT NULL,
    trap_oid TEXT NOT NULL,
    trap_type TEXT NOT NULL,
    listener TEXT NOT NULL DEFAULT '',
    vbtext TEXT NOT NULL DEFAULT '',
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS traps_ts ON traps(ts);
"""

# Columns a stored row is written with, in order (see :meth:`TrapStore.insert_rows`).
Row = tuple[int, float, str, str, str, str, str, str, str]


@dataclass(slots=True)
class TrapQuery:
    """Filters for :meth:`TrapStore.query`; every field narrows the result."""

    limit: int = 50
    before_seq: int | None = None  # newest first, strictly older than this
    after_seq: int | None = None  # oldest first, strictly newer than this (resume)
    since: float | None = None
    until: float | None = None
    source: str | None = None  # "ip" or "ip:port"
    trap: str | None = None  # trap type name or numeric trap OID (prefix)
    version: str | None = None
    text: str | None = None  # substring of var-bind names or values
    listener: str | None = None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (the commit is in the WAL); only a power
    # loss can take the last transactions, which is the usual trade for a lab receiver.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class TrapStore:
    """One writer connection (the pipeline thread) and one reader connection (the API)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._write = _connect(path)
        self._write.executescript(_SCHEMA)
        # Checkpoints (and their fsyncs) run on the maintenance thread, not in the commit
        # of a batch on a listener thread: see checkpoint().
        self._write.execute("PRAGMA wal_autocheckpoint=0")
        self._ckpt = _connect(path)
        self._ckpt_lock = threading.Lock()
        self._read = _connect(path)
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()
        row = self._write.execute("SELECT seq FROM sqlite_sequence WHERE name='traps'").fetchone()
        self._next_seq = (row[0] if row else 0) + 1
        self._count_at: tuple[float, int] = (-1e9, 0)

    # -- writing (pipeline thread) ------------------------------------------------

    def reserve(self, n: int) -> int:
        """Reserve ``n`` sequence numbers; returns the first. Only the writer calls this."""
        first = self._next_seq
        self._next_seq += n
        return first

    def insert_rows(self, rows: Sequence[Row]) -> None:
        """Store a batch in one transaction; rows carry their reserved ``seq``."""
        if not rows:
            return
        with self._write_lock:
            conn = self._write
            conn.execute("BEGIN")
            try:
                conn.executemany(
                    "INSERT INTO traps(seq, ts, source, version, trap_oid, trap_type, listener,"
                    " vbtext, record) VALUES (?,?,?,?,?,?,?,?,?)",
                    rows,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def apply_retention(self, max_count: int, max_age_s: float, chunk: int = 5000) -> int:
        """Delete at most ``chunk`` rows past the limits; returns how many went.

        Small chunks keep each write transaction short, so the pipeline never waits long.
        """
        deleted = 0
        with self._write_lock:
            conn = self._write
            if max_count > 0:
                cutoff = self._next_seq - 1 - max_count
                cur = conn.execute(
                    "DELETE FROM traps WHERE seq IN (SELECT seq FROM traps WHERE seq <= ?"
                    " ORDER BY seq LIMIT ?)",
                    (cutoff, chunk),
                )
                deleted += cur.rowcount
            if max_age_s > 0:
                cur = conn.execute(
                    "DELETE FROM traps WHERE seq IN (SELECT seq FROM traps WHERE ts < ?"
                    " ORDER BY seq LIMIT ?)",
                    (time.time() - max_age_s, chunk),
                )
                deleted += cur.rowcount
        return deleted

    def checkpoint(self) -> None:
        """Copy committed WAL frames into the database without blocking the writer."""
        with self._ckpt_lock:
            self._ckpt.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def clear(self) -> int:
        with self._write_lock:
            cur = self._write.execute("DELETE FROM traps")
            self._count_at = (-1e9, 0)
            return cur.rowcount

    # -- reading (API threads) ----------------------------------------------------

    def get(self, seq: int) -> dict[str, Any] | None:
        with self._read_lock:
            row = self._read.execute("SELECT record FROM traps WHERE seq = ?", (seq,)).fetchone()
        return json.loads(row[0]) if row else None

    def count(self, max_age: float = 0.0) -> int:
        """Rows stored; with ``max_age``, a count at most that old (a full count of a large
        store costs tens of milliseconds, too much for every status call)."""
        now = time.monotonic()
        if max_age and now - self._count_at[0] <= max_age:
            return self._count_at[1]
        with self._read_lock:
            n = int(self._read.execute("SELECT count(*) FROM traps").fetchone()[0])
        self._count_at = (now, n)
        return n

    def last_seq(self) -> int:
        return self._next_seq - 1

    @staticmethod
    def _where(q: TrapQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if q.before_seq is not None:
            clauses.append("seq < ?")
            args.append(q.before_seq)
        if q.after_seq is not None:
            clauses.append("seq > ?")
            args.append(q.after_seq)
        if q.since is not None:
            clauses.append("ts >= ?")
            args.append(q.since)
        if q.until is not None:
            clauses.append("ts <= ?")
            args.append(q.until)
        if q.source:
            src = q.source.strip()
            if (src.startswith("[") and "]:" in src) or src.count(":") == 1:
                clauses.append("source = ?")  # ip:port or [v6]:port
                args.append(src)
            else:
                host = src.strip("[]")
                prefix = f"[{host}]" if ":" in host else host
                clauses.append("source LIKE ? ESCAPE '\\'")
                args.append(_like_prefix(prefix) + ":%")
        if q.trap:
            t = q.trap.strip().lstrip(".")
            if t and t[0].isdigit():
                clauses.append("(trap_oid = ? OR trap_oid LIKE ? ESCAPE '\\')")
                args.extend([t, _like_prefix(t) + ".%"])
            else:
                name = t.split("::", 1)[-1]
                clauses.append("trap_type = ?")
                args.append(name)
        if q.version:
            clauses.append("version = ?")
            args.append(q.version)
        if q.listener:
            clauses.append("listener = ?")
            args.append(q.listener)
        if q.text:
            clauses.append("vbtext LIKE ? ESCAPE '\\'")
            args.append("%" + _like_prefix(q.text) + "%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def query(self, q: TrapQuery) -> list[dict[str, Any]]:
        """Newest first, or oldest first when resuming with ``after_seq``."""
        where, args = self._where(q)
        order = "ASC" if q.after_seq is not None else "DESC"
        sql = f"SELECT record FROM traps{where} ORDER BY seq {order} LIMIT ?"
        with self._read_lock:
            rows = self._read.execute(sql, [*args, q.limit]).fetchall()
        return [json.loads(r[0]) for r in rows]

    def iter_records(self, q: TrapQuery, page: int = 1000) -> Iterator[str]:
        """Every matching record as JSON text, oldest first, read in pages (for exports)."""
        cursor = q.after_seq if q.after_seq is not None else 0
        while True:
            page_q = TrapQuery(**{**_fields(q), "after_seq": cursor, "limit": page})
            where, args = self._where(page_q)
            sql = f"SELECT seq, record FROM traps{where} ORDER BY seq ASC LIMIT ?"
            with self._read_lock:
                rows = self._read.execute(sql, [*args, page]).fetchall()
            if not rows:
                return
            for seq, record in rows:
                yield record
                cursor = seq
            if len(rows) < page:
                return

    def close(self) -> None:
        with self._write_lock:
            # A reader still open elsewhere may refuse; the next start checkpoints then.
            with contextlib.suppress(sqlite3.Error):
                self._write.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._write.close()
        with self._read_lock:
            self._read.close()
        with self._ckpt_lock:
            self._ckpt.close()


def _fields(q: TrapQuery) -> dict[str, Any]:
    return {name: getattr(q, name) for name in TrapQuery.__dataclass_fields__}


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
