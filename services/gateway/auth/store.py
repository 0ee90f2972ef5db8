"""The gateway's own SQLite store: users, sessions and app settings.

Sessions are stored by the SHA-256 of their token, so a copy of the database does not
hand out live tokens. Every method is synchronous and short; callers on the event loop
run the writes in a thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS app_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class GatewayStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # users
    def user_hash(self, username: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT password_hash FROM users WHERE username = ?", (username,)
            ).fetchone()
        return None if row is None else str(row[0])

    def has_users(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def set_user(self, username: str, password_hash: str, now: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO users(username, password_hash, updated) VALUES (?, ?, ?)"
                " ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash,"
                " updated = excluded.updated",
                (username, password_hash, now),
            )

    def delete_user(self, username: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM users WHERE username = ?", (username,))

    # sessions
    def load_sessions(self) -> list[tuple[str, str, float, float]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT token_hash, username, created, last_seen FROM sessions"
            ).fetchall()
        return [(str(a), str(b), float(c), float(d)) for a, b, c, d in rows]

    def put_session(self, token_hash: str, username: str, created: float, last_seen: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sessions(token_hash, username, created, last_seen)"
                " VALUES (?, ?, ?, ?)",
                (token_hash, username, created, last_seen),
            )

    def delete_sessions(self, token_hashes: Iterable[str]) -> None:
        with self._lock:
            self._db.executemany(
                "DELETE FROM sessions WHERE token_hash = ?", [(t,) for t in token_hashes]
            )

    def touch_sessions(self, seen: Iterable[tuple[str, float]]) -> None:
        with self._lock:
            self._db.executemany(
                "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                [(ts, token) for token, ts in seen],
            )

    # app settings
    def app_settings(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM app_settings").fetchall()
        out: dict[str, Any] = {}
        for key, value in rows:
            try:
                out[str(key)] = json.loads(value)
            except ValueError:
                continue
        return out

    def put_app_settings(self, values: dict[str, Any]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO app_settings(key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )
