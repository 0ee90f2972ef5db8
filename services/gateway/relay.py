"""Turns batches of verified service events into WebSocket messages.

- ``status``: cached per service, then the contract ``status`` (both parts) goes out at
  once and a ``stats`` push is scheduled after it.
- ``stats``: cached, pushed coalesced (at most one ``stats`` per ``stats_push_interval``).
- ``trap``: the contract ``trap`` (the record keeps its ``seq``); ``trap_ref``: fetched from
  trapd's ``GET /traps/{seq}`` first.
- ``mibs``, ``activity``, ``walk_progress``: relayed as messages of those types.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from services.gateway.events_listener import Received
from services.gateway.state import LiveState
from services.gateway.upstream import Upstream
from services.gateway.ws.manager import ConnectionManager, Item, frame_of

log = logging.getLogger("snmplab.gateway.relay")

# A status event is followed by the service's stats event within milliseconds; waiting
# this long before the stats push lets it carry the new counters.
_STATS_SETTLE = 0.05


class EventRelay:
    def __init__(
        self,
        live: LiveState,
        ws: ConnectionManager,
        upstream: Upstream,
        stats_interval: float,
    ) -> None:
        self.live = live
        self.ws = ws
        self.upstream = upstream
        self.stats_interval = stats_interval
        self._stats_handle: asyncio.TimerHandle | None = None
        self._last_stats_push = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self.trap_refs_failed = 0
        self.stats_pushes = 0

    def handle_batch(self, events: list[Received]) -> None:
        items: list[Item] = []
        stats_dirty = False
        for event, raw_data in events:
            kind = event.type
            if kind == "trap":
                if not isinstance(event.data, dict):
                    continue
                if raw_data is not None:
                    seq = event.data.get("seq")
                    text = '{"type":"trap","trap":' + raw_data.decode() + "}"
                    items.append((text, seq if isinstance(seq, int) else None, False))
                else:
                    items.append(frame_of({"type": "trap", "trap": event.data}))
            elif kind == "status":
                self.live.set_status(event.service, event.data)
                # Everything before it goes first, so the order of the stream is kept.
                items.append(frame_of(self.live.status_message()))
                stats_dirty = True
            elif kind == "stats":
                self.live.set_stats(event.service, event.data)
                stats_dirty = True
            elif kind == "trap_ref":
                self._spawn(self._resolve_trap_ref(event.data))
            elif kind == "mibs":
                items.append(frame_of({"type": "mibs", "mibs": event.data}))
            else:  # activity, walk_progress
                items.append(frame_of({"type": kind, "service": event.service, "data": event.data}))
        self.ws.broadcast(items)
        if stats_dirty:
            self.schedule_stats()

    def schedule_stats(self, settle: float = _STATS_SETTLE) -> None:
        """Push ``stats`` soon, merged with anything else that changes meanwhile."""
        if self._stats_handle is not None:
            return
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        delay = max(settle, self._last_stats_push + self.stats_interval - now)
        self._stats_handle = loop.call_later(delay, self._push_stats)

    def _push_stats(self) -> None:
        self._stats_handle = None
        self._last_stats_push = time.monotonic()
        self.stats_pushes += 1
        self.ws.broadcast_message(self.live.stats_message())

    def push_stats_now(self) -> None:
        if self._stats_handle is not None:
            self._stats_handle.cancel()
            self._stats_handle = None
        self._push_stats()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resolve_trap_ref(self, data: Any) -> None:
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int):
            self.trap_refs_failed += 1
            return
        record = await self.upstream.get_json("trapd", f"/traps/{seq}")
        if not isinstance(record, dict):
            self.trap_refs_failed += 1
            return
        # trapd may wrap the record; accept both shapes.
        if "seq" not in record and isinstance(record.get("trap"), dict):
            record = record["trap"]
        self.ws.broadcast([frame_of({"type": "trap", "trap": record})])

    async def aclose(self) -> None:
        if self._stats_handle is not None:
            self._stats_handle.cancel()
        for task in list(self._tasks):
            task.cancel()
