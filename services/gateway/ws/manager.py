"""Connected WebSocket clients and the bounded queue that protects the gateway from slow ones.

Every client has one sender task, the only writer of its socket, fed by a bounded deque of
pre-serialised frames. A broadcast never awaits a client: when a client's queue is full, the
frame is dropped and counted, and once the client catches up it is told what it missed
(``{"type": "missed", "count": N, "after_seq": S}``) so it can fetch the traps over REST
(``GET /api/traps?after_seq=S``). Dropped state messages (``status``, ``stats``, ``mibs``) are
not counted as missed: the client gets fresh ones instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket

log = logging.getLogger("snmplab.gateway.ws")

CLOSE_UNAUTHORIZED = 4001
_YIELD_EVERY = 32
STATE_TYPES = frozenset({"status", "stats", "mibs", "full_state"})

# (frame, trap seq or None, is a state message)
Item = tuple[str, int | None, bool]


def frame_of(message: dict[str, Any]) -> Item:
    """Serialise one message once, for every client."""
    seq: int | None = None
    if message.get("type") == "trap":
        raw = message.get("trap", {}).get("seq") if isinstance(message.get("trap"), dict) else None
        seq = raw if isinstance(raw, int) else None
    text = json.dumps(message, separators=(",", ":"), default=str)
    return text, seq, message.get("type") in STATE_TYPES


@dataclass
class WsCounters:
    connects: int = 0
    rejected: int = 0
    sent: int = 0
    dropped_traps: int = 0
    dropped_other: int = 0
    missed_notices: int = 0
    closed_unauthorized: int = 0


class WsClient:
    def __init__(
        self,
        ws: WebSocket,
        session_key: str,
        username: str,
        *,
        max_queue: int,
        counters: WsCounters,
        state_frames: Callable[[], list[Item]],
        max_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.ws = ws
        self.session_key = session_key
        self.username = username
        self.max_queue = max_queue
        # Messages are bounded by count and by size: a few thousand large traps would
        # otherwise hold a lot of memory for one stuck client.
        self.max_bytes = max_bytes
        self.queued_bytes = 0
        self.counters = counters
        self._state_frames = state_frames
        self.queue: deque[str] = deque()
        self._wake = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()
        self.last_trap_seq: int | None = None
        self.missed = 0
        self.missed_other = 0
        self.missed_after: int | None = None
        self.state_stale = False
        # While resuming (after_seq), live items wait here so the back-fill comes first.
        self.holding: list[Item] | None = None
        # After a back-fill up to seq N, a live trap <= N was already sent from the store
        # (trapd's store is gap-free up to what it returned): a datagram that was still in
        # flight when the back-fill ended must not be sent twice.
        self.resume_floor: int | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = asyncio.Event()
        self.sender: asyncio.Task[None] | None = None

    # -- producing -------------------------------------------------------------------
    def offer(self, items: list[Item]) -> None:
        """Queue live items (or hold them while resuming); drop what does not fit."""
        if self.close_code is not None:
            return
        if self.holding is not None:
            room = self.max_queue * 4 - len(self.holding)
            if len(items) <= room:
                self.holding.extend(items)
            else:
                for item in items:
                    if len(self.holding) < self.max_queue * 4:
                        self.holding.append(item)
                    else:
                        self._drop(item, self._held_last_seq())
            return
        if self.resume_floor is not None:
            floor = self.resume_floor
            items = [item for item in items if item[1] is None or item[1] > floor]
        self.enqueue(items)

    def _held_last_seq(self) -> int | None:
        assert self.holding is not None
        for _, seq, _ in reversed(self.holding):
            if seq is not None:
                return seq
        return None

    def enqueue(self, items: Iterable[Item]) -> None:
        queue = self.queue
        for item in items:
            if (self.missed or self.state_stale or self.missed_other) and self.below_half():
                self._emit_missed()
            if len(queue) >= self.max_queue or self.queued_bytes >= self.max_bytes:
                self._drop(item, self.last_trap_seq)
                continue
            queue.append(item[0])
            self.queued_bytes += len(item[0])
            if item[1] is not None:
                self.last_trap_seq = item[1]
        if not self.below_half():
            self._space.clear()
        self._wake.set()

    def below_half(self) -> bool:
        return len(self.queue) <= self.max_queue // 2 and self.queued_bytes <= self.max_bytes // 2

    def _append(self, frame: str) -> None:
        self.queue.append(frame)
        self.queued_bytes += len(frame)

    def _drop(self, item: Item, last_kept: int | None) -> None:
        _, seq, is_state = item
        if is_state:
            self.state_stale = True
            self.counters.dropped_other += 1
        elif seq is not None:
            if self.missed == 0:
                self.missed_after = last_kept if last_kept is not None else seq - 1
            self.missed += 1
            self.counters.dropped_traps += 1
        else:
            self.missed_other += 1
            self.counters.dropped_other += 1

    def _emit_missed(self) -> None:
        if self.missed or self.missed_other:
            notice: dict[str, Any] = {
                "type": "missed",
                "count": self.missed,
                "after_seq": self.missed_after,
            }
            if self.missed_other:
                notice["other"] = self.missed_other
            self._append(json.dumps(notice, separators=(",", ":")))
            self.counters.missed_notices += 1
            self.missed = 0
            self.missed_other = 0
            self.missed_after = None
        if self.state_stale:
            self.state_stale = False
            for frame, _, _ in self._state_frames():
                self._append(frame)

    def send_first(self, frame: str) -> None:
        """Jump the queue (``full_state``, ``pong``): these must not wait behind a storm."""
        self.queue.appendleft(frame)
        self.queued_bytes += len(frame)
        self._wake.set()

    async def wait_for_space(self) -> None:
        """For back-fill, which paces itself instead of dropping."""
        while not self.below_half() and self.close_code is None:
            self._space.clear()
            await self._space.wait()

    def release_holding(self, after_seq: int | None) -> None:
        """End of back-fill: queue what arrived meanwhile, skipping traps already sent."""
        held, self.holding = self.holding or [], None
        self.resume_floor = after_seq
        self.enqueue(
            item for item in held if item[1] is None or after_seq is None or item[1] > after_seq
        )

    def close(self, code: int, reason: str) -> None:
        if self.close_code is not None:
            return
        self.close_code = code
        self.close_reason = reason
        self.queue.clear()
        self.queued_bytes = 0
        self._wake.set()
        self._space.set()

    # -- sending ---------------------------------------------------------------------
    async def run_sender(self) -> None:
        ws = self.ws
        queue = self.queue
        sent = 0
        try:
            while True:
                if self.close_code is not None:
                    break
                if not queue:
                    if self.missed or self.missed_other or self.state_stale:
                        self._emit_missed()
                        continue
                    self._space.set()
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                frame = queue.popleft()
                self.queued_bytes -= len(frame)
                await ws.send_text(frame)
                self.counters.sent += 1
                sent += 1
                if sent % _YIELD_EVERY == 0:
                    # A send that need not wait never yields: let other clients, pings
                    # and new batches in during a long drain.
                    await asyncio.sleep(0)
                if self.below_half():
                    self._space.set()
        except Exception as exc:  # the peer went away; the receive side cleans up
            log.debug("ws send ended: %s", exc)
            self.close_code = self.close_code or 1006
        else:
            if self.close_code == CLOSE_UNAUTHORIZED:
                self.counters.closed_unauthorized += 1
            with contextlib.suppress(Exception):
                await ws.close(code=self.close_code or 1000, reason=self.close_reason)
        finally:
            self.closed.set()


@dataclass
class ConnectionManager:
    max_queue: int
    state_frames: Callable[[], list[Item]]
    max_bytes: int = 16 * 1024 * 1024
    clients: set[WsClient] = field(default_factory=set)
    counters: WsCounters = field(default_factory=WsCounters)

    def new_client(self, ws: WebSocket, session_key: str, username: str) -> WsClient:
        return WsClient(
            ws,
            session_key,
            username,
            max_queue=self.max_queue,
            max_bytes=self.max_bytes,
            counters=self.counters,
            state_frames=self.state_frames,
        )

    def register(self, client: WsClient) -> None:
        self.clients.add(client)
        self.counters.connects += 1

    def unregister(self, client: WsClient) -> None:
        self.clients.discard(client)

    def broadcast(self, items: list[Item]) -> None:
        if not items:
            return
        for client in list(self.clients):
            client.offer(items)

    def broadcast_message(self, message: dict[str, Any]) -> None:
        self.broadcast([frame_of(message)])

    def close_sessions(self, keys: set[str], reason: str) -> int:
        n = 0
        for client in list(self.clients):
            if client.session_key in keys:
                client.close(CLOSE_UNAUTHORIZED, reason)
                n += 1
        return n

    async def close_all(self, code: int = 1001, reason: str = "server shutting down") -> None:
        clients = list(self.clients)
        for client in clients:
            client.close(code, reason)
        if clients:
            await asyncio.wait([asyncio.ensure_future(c.closed.wait()) for c in clients], timeout=2)

    def snapshot(self) -> dict[str, Any]:
        c = self.counters
        return {
            "ws_clients": len(self.clients),
            "ws_connects": c.connects,
            "ws_rejected": c.rejected,
            "ws_messages_sent": c.sent,
            "ws_dropped_traps": c.dropped_traps,
            "ws_dropped_other": c.dropped_other,
            "ws_missed_notices": c.missed_notices,
            "ws_closed_unauthorized": c.closed_unauthorized,
        }
