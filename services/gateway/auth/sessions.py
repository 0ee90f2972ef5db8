"""Sessions with sliding expiry, kept in memory and mirrored to the gateway store.

Validation is an in-memory lookup (it runs on every request and every WebSocket message);
the ``last_seen`` times it refreshes reach SQLite in batches from :meth:`flush`.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.gateway.auth.store import GatewayStore


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class Session:
    key: str
    username: str
    created: float
    last_seen: float


class SessionManager:
    def __init__(self, store: GatewayStore, timeout: Callable[[], float]) -> None:
        self._store = store
        self._timeout = timeout
        self._sessions: dict[str, Session] = {}
        self._touched: set[str] = set()

    def load(self) -> None:
        now = time.time()
        stale: list[str] = []
        for key, username, created, last_seen in self._store.load_sessions():
            if now - last_seen > self._timeout():
                stale.append(key)
            else:
                self._sessions[key] = Session(key, username, created, last_seen)
        if stale:
            self._store.delete_sessions(stale)

    def __len__(self) -> int:
        return len(self._sessions)

    async def create(self, username: str) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = time.time()
        session = Session(token_key(token), username, now, now)
        self._sessions[session.key] = session
        await asyncio.to_thread(self._store.put_session, session.key, username, now, now)
        return token, session

    def lookup(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The live session of ``token``, or None if unknown or expired."""
        if not token:
            return None
        session = self._sessions.get(token_key(token))
        if session is None:
            return None
        now = time.time()
        if now - session.last_seen > self._timeout():
            return None  # the sweeper removes it and closes its sockets
        if touch:
            session.last_seen = now
            self._touched.add(session.key)
        return session

    def known(self, token: str) -> bool:
        """True for a token that existed but whose window has passed (not yet swept)."""
        return token_key(token) in self._sessions

    def is_live(self, key: str) -> bool:
        session = self._sessions.get(key)
        return session is not None and time.time() - session.last_seen <= self._timeout()

    async def revoke(self, keys: list[str]) -> None:
        for key in keys:
            self._sessions.pop(key, None)
            self._touched.discard(key)
        if keys:
            await asyncio.to_thread(self._store.delete_sessions, keys)

    def keys_of_user(self, username: str) -> list[str]:
        return [s.key for s in self._sessions.values() if s.username == username]

    def take_expired(self) -> list[Session]:
        """Remove and return the sessions whose sliding window has passed."""
        now = time.time()
        limit = self._timeout()
        gone = [s for s in self._sessions.values() if now - s.last_seen > limit]
        for session in gone:
            del self._sessions[session.key]
            self._touched.discard(session.key)
        return gone

    async def flush(self) -> None:
        if not self._touched:
            return
        seen = [
            (key, self._sessions[key].last_seen) for key in self._touched if key in self._sessions
        ]
        self._touched.clear()
        await asyncio.to_thread(self._store.touch_sessions, seen)
