"""Walk history in SQLite: each stored walk is its parameters, summary and rows.

Rows are kept as one zlib-compressed JSON blob per walk (a walk is read and written
whole), so storing an 8,000-OID walk costs one insert. Passphrases are never stored: a
v3 walk is re-run with the keys given again. The oldest walks go beyond the limit.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Any

import orjson

SECRET_FIELDS = ("auth_key", "priv_key")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS walks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    walk_id TEXT NOT NULL,
    created REAL NOT NULL,
    source TEXT NOT NULL,
    meta TEXT NOT NULL,
    params TEXT NOT NULL,
    rows BLOB NOT NULL
);
"""


class History:
    def __init__(self, path: Path, limit: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.limit = limit

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writes ---------------------------------------------------------------------

    def _save(self, meta: dict[str, Any], params: dict[str, Any], rows: list[dict[str, Any]],
              source: str) -> int:  # fmt: skip
        clean = {k: v for k, v in params.items() if k not in SECRET_FIELDS}
        try:
            text = orjson.dumps(rows)
        except TypeError:  # an integer beyond 64 bits: exact, by the slow path, marked
            text = b"J" + json.dumps(rows, separators=(",", ":")).encode()
        blob = zlib.compress(text, 1)
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO walks (walk_id, created, source, meta, params, rows) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (meta["walk_id"], meta["started_at"], source, json.dumps(meta),
                 json.dumps(clean), blob),
            )  # fmt: skip
            new_id = int(cur.lastrowid or 0)
            self._db.execute(
                "DELETE FROM walks WHERE id NOT IN (SELECT id FROM walks ORDER BY id DESC LIMIT ?)",
                (self.limit,),
            )
        return new_id

    async def save(self, meta: dict[str, Any], rows: list[dict[str, Any]], source: str,
                   params: dict[str, Any] | None = None) -> int:  # fmt: skip
        return await asyncio.to_thread(self._save, meta, params or {}, rows, source)

    def delete(self, walk: int) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM walks WHERE id = ?", (walk,)).rowcount > 0

    def clear(self) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM walks").rowcount

    # -- reads ----------------------------------------------------------------------

    def summaries(self, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM walks").fetchone()[0]
            got = self._db.execute(
                "SELECT id, source, meta FROM walks ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return int(total), [{"id": i, "source": src, **json.loads(meta)} for i, src, meta in got]

    def get(self, walk: int) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]] | None:
        """``(meta, params, rows)`` of one stored walk, or None."""
        with self._lock:
            got = self._db.execute(
                "SELECT source, meta, params, rows FROM walks WHERE id = ?", (walk,)
            ).fetchone()
        if got is None:
            return None
        source, meta, params, blob = got
        text = zlib.decompress(blob)
        # orjson would read an integer beyond 64 bits as a float; those rows were marked.
        rows = json.loads(text[1:]) if text[:1] == b"J" else orjson.loads(text)
        return {"id": walk, "source": source, **json.loads(meta)}, json.loads(params), rows

    async def aget(
        self, walk: int
    ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]] | None:
        return await asyncio.to_thread(self.get, walk)
