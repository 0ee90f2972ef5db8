"""Per-source rate limit: a token bucket per sender IP; traps over it are dropped."""

from __future__ import annotations

import time

from services.trapd.decode import Decoded
from services.trapd.rules.config import RateLimitConfig

MAX_SOURCES = 100_000


class RateLimit:
    def __init__(self, cfg: RateLimitConfig) -> None:
        self.rate = cfg.per_second
        self.burst = float(cfg.burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # ip -> (tokens, last time)

    def __call__(self, d: Decoded) -> str | None:
        now = time.monotonic()
        ip = d.source.rsplit(":", 1)[0]
        tokens, last = self._buckets.get(ip, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[ip] = (tokens, now)
            return "rate_limited"
        if len(self._buckets) >= MAX_SOURCES and ip not in self._buckets:
            self._buckets.clear()
        self._buckets[ip] = (tokens - 1.0, now)
        return None
