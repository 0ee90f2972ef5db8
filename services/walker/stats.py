"""The walker's counters (persisted) and the ``stats`` events that announce them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from services.common.counters import PersistentCounters
from services.common.events import EventSender

WALKER_DEFAULTS: dict[str, Any] = {
    "walks_executed": 0,
    "walks_failed": 0,
    "oids_returned": 0,  # running total over all walks
    "last_walk_oids": 0,
    "walks_cancelled": 0,
    "requests_executed": 0,  # get / getnext / getbulk / set
    "requests_failed": 0,
    "sets_executed": 0,
}
TRAPS_DEFAULTS: dict[str, Any] = {
    "traps_sent_total": 0,
    "informs_sent_total": 0,
    "informs_acked_total": 0,
    "informs_failed_total": 0,
    "traps_send_failed": 0,
}


class WalkerStats:
    """Counters in ``<data_dir>/counters.json``; :meth:`body` is the ``GET /stats`` shape."""

    def __init__(self, data_dir: Path, events: EventSender | None) -> None:
        self.counters = PersistentCounters(
            data_dir / "counters.json", {**WALKER_DEFAULTS, **TRAPS_DEFAULTS}
        )
        self.events = events
        self._last_sent = 0.0
        self._scheduled: asyncio.TimerHandle | None = None

    def body(self) -> dict[str, Any]:
        snap = self.counters.snapshot()
        return {
            "walker": {k: snap.get(k, v) for k, v in WALKER_DEFAULTS.items()},
            "traps": {k: snap.get(k, v) for k, v in TRAPS_DEFAULTS.items()},
        }

    def walk_done(self, oids: int, ok: bool, cancelled: bool = False) -> None:
        c = self.counters
        if ok:
            c.incr("walks_executed")
            c.incr("oids_returned", oids)
            c.set("last_walk_oids", oids)
        else:
            c.incr("walks_failed")
            if cancelled:
                c.incr("walks_cancelled")
        self.publish()

    def reset(self) -> None:
        self.counters.reset()
        self.publish(now=True)

    def publish(self, now: bool = False) -> None:
        """Send a ``stats`` event, at most one a second; a burst ends with a fresh one."""
        if self.events is None:
            return
        wait = self._last_sent + 1.0 - time.monotonic()
        if now or wait <= 0:
            self._send()
            return
        if self._scheduled is None:
            loop = asyncio.get_running_loop()
            self._scheduled = loop.call_later(wait, self._send)

    def _send(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        self._last_sent = time.monotonic()
        assert self.events is not None
        self.events.send("stats", self.body())

    def flush(self) -> None:
        if self.counters.dirty:
            self.counters.flush()
