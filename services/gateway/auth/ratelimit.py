"""Slows down password guessing: a lockout that doubles with each further failure.

Failures are counted per username and per client address, in memory (a restart forgets
them, which is acceptable for a lab tool; the argon2 cost already limits the rate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

_FORGET_AFTER = 900.0  # a quiet quarter of an hour clears a key's record


@dataclass(slots=True)
class _Record:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass
class LoginLimiter:
    max_failures: int = 5
    lockout: float = 30.0
    max_lockout: float = 300.0
    _records: dict[str, _Record] = field(default_factory=dict)
    refused: int = 0

    def retry_after(self, keys: list[str]) -> float:
        """Seconds the caller must wait before trying again (0: allowed)."""
        now = time.monotonic()
        wait = 0.0
        for key in keys:
            record = self._records.get(key)
            if record is not None and record.locked_until > now:
                wait = max(wait, record.locked_until - now)
        if wait:
            self.refused += 1
        return wait

    def failure(self, keys: list[str]) -> None:
        now = time.monotonic()
        self._prune(now)
        for key in keys:
            record = self._records.setdefault(key, _Record())
            record.failures += 1
            record.last = now
            excess = record.failures - self.max_failures
            if excess >= 0:
                record.locked_until = now + min(self.lockout * (2**excess), self.max_lockout)

    def success(self, keys: list[str]) -> None:
        for key in keys:
            self._records.pop(key, None)

    def _prune(self, now: float) -> None:
        if len(self._records) < 1024:
            return
        for key in [k for k, r in self._records.items() if now - r.last > _FORGET_AFTER]:
            del self._records[key]
