"""Deduplication: a trap whose key was seen within the window is dropped ("duplicate")."""

from __future__ import annotations

import time

from services.common.snmp import ber
from services.trapd.decode import Decoded
from services.trapd.rules.config import DedupConfig

MAX_KEYS = 200_000


class Dedup:
    def __init__(self, cfg: DedupConfig) -> None:
        self.window = cfg.window_s
        self.fields = list(cfg.key)
        self.vb_oids = [ber.encode_oid(ber.parse_oid(o)) for o in cfg.varbind_oids]
        self._seen: dict[tuple[object, ...], float] = {}

    def _key(self, d: Decoded) -> tuple[object, ...]:
        parts: list[object] = []
        for f in self.fields:
            if f == "source":
                parts.append(d.source.rsplit(":", 1)[0])
            elif f == "trap_oid":
                parts.append(d.trap_oid)
            elif f == "community":
                parts.append(d.community)
            else:
                parts.append(d.version)
        if self.vb_oids:
            values = dict(d.varbinds or ())
            parts.extend(values.get(o) for o in self.vb_oids)
        return tuple(parts)

    def __call__(self, d: Decoded) -> str | None:
        now = time.monotonic()
        key = self._key(d)
        last = self._seen.get(key)
        if last is not None and now - last < self.window:
            return "duplicate"
        if len(self._seen) >= MAX_KEYS:
            cutoff = now - self.window
            self._seen = {k: t for k, t in self._seen.items() if t >= cutoff}
            if len(self._seen) >= MAX_KEYS:
                self._seen.clear()
        self._seen[key] = now
        return None
