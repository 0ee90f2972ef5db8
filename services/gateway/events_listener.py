"""The UDP listener for signed service events.

A trap storm means tens of thousands of datagrams a second, so the socket is read by a
dedicated thread in a tight blocking loop (asyncio's per-datagram callbacks cost more than
the work itself), each datagram is verified there, and the accepted events are handed to
the event loop in batches, one ``call_soon_threadsafe`` per batch. Unsigned, forged and
malformed datagrams are dropped and counted by reason; they never reach a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable

from services.common.config import parse_hostport
from services.common.events import SIG_PREFIX_LEN, BadEvent, Event, decode_event

log = logging.getLogger("snmplab.gateway.events")

BATCH_MAX = 1024
# Batches handed to the loop but not yet handled; beyond this the loop is drowning and
# the thread drops instead of queueing without bound.
PENDING_MAX = 256
_SO_RCVBUFFORCE = 33  # Linux <asm/socket.h>; the socket module does not name it
_DATA_KEY = b',"data":'

# An accepted event, and for a trap the JSON text of its data as signed (``data`` is the
# last member of every encoded event), so the relay forwards it without re-serialising.
Received = tuple[Event, bytes | None]

KNOWN_TYPES = frozenset(
    {"status", "stats", "trap", "trap_ref", "activity", "walk_progress", "mibs"}
)


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port``; port 0 picks a free port (tests read it back from ``/api/health``)."""
    host, sep, port = value.strip().rpartition(":")
    if sep and port == "0":
        return host.strip("[]"), 0
    return parse_hostport(value)


class EventsListener:
    def __init__(
        self,
        listen: str,
        secret: bytes,
        deliver: Callable[[list[Received]], None],
        *,
        rcvbuf: int = 8 * 1024 * 1024,
    ) -> None:
        self.host, self.port = parse_listen(listen)
        self._secret = secret
        self._deliver = deliver
        self._rcvbuf = rcvbuf
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending = 0
        self._pending_lock = threading.Lock()
        self.received = 0
        self.accepted = 0
        self.batches = 0
        self.dropped: Counter[str] = Counter()
        self.by_type: Counter[str] = Counter()
        self.rcvbuf_effective = 0

    def bind(self) -> None:
        """Take the port (early, so that a port in use stops the start with a clear message)."""
        if self._sock is not None:
            return
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            # Past net.core.rmem_max where allowed (CAP_NET_ADMIN), else up to that cap.
            if not sys.platform.startswith("linux"):
                raise OSError("SO_RCVBUFFORCE is Linux only")
            sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, self._rcvbuf)
        except OSError:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
        self.rcvbuf_effective = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        sock.setblocking(True)  # plain blocking recv: no poll() per datagram
        self._sock = sock

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read the socket in a dedicated thread, handing batches to ``loop``."""
        self.bind()
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="events-listener", daemon=True)
        self._thread.start()
        log.info(
            "events listener on %s:%s (SO_RCVBUF %s)", self.host, self.port, self.rcvbuf_effective
        )

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            # Linux wakes a recv() blocked on a UDP socket when it is shut down.
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()

    def _run(self) -> None:
        sock = self._sock
        loop = self._loop
        assert sock is not None and loop is not None
        secret = self._secret
        dropped = self.dropped
        by_type = self.by_type
        recv = sock.recv
        dontwait = socket.MSG_DONTWAIT
        while not self._stop.is_set():
            try:
                first = recv(65535)
            except OSError:
                if self._stop.is_set():
                    return
                continue
            if self._stop.is_set():
                return
            raw = [first]
            while len(raw) < BATCH_MAX:
                try:
                    raw.append(recv(65535, dontwait))
                except OSError:  # BlockingIOError: drained
                    break
            self.received += len(raw)
            events: list[Received] = []
            for datagram in raw:
                try:
                    event = decode_event(secret, datagram)
                except BadEvent as exc:
                    dropped[exc.reason] += 1
                    continue
                if event.type not in KNOWN_TYPES:
                    dropped["unknown_type"] += 1
                    continue
                by_type[event.type] += 1
                raw_data = None
                if event.type == "trap":
                    at = datagram.find(_DATA_KEY, SIG_PREFIX_LEN)
                    if at > 0 and datagram[at + 8 : at + 9] == b"{":
                        raw_data = datagram[at + 8 : -1]
                events.append((event, raw_data))
            if not events:
                continue
            with self._pending_lock:
                if self._pending >= PENDING_MAX:
                    dropped["overload"] += len(events)
                    continue
                self._pending += 1
            self.accepted += len(events)
            self.batches += 1
            try:
                loop.call_soon_threadsafe(self._hand_over, events)
            except RuntimeError:  # the loop is closing
                return

    def _hand_over(self, events: list[Received]) -> None:
        with self._pending_lock:
            self._pending -= 1
        try:
            self._deliver(events)
        except Exception:
            log.exception("handling a batch of %d events failed", len(events))

    def snapshot(self) -> dict[str, object]:
        return {
            "events_listen": f"{self.host}:{self.port}",
            "events_received": self.received,
            "events_accepted": self.accepted,
            "events_batches": self.batches,
            "events_dropped": dict(self.dropped),
            "events_dropped_total": sum(self.dropped.values()),
            "events_by_type": dict(self.by_type),
            "events_rcvbuf": self.rcvbuf_effective,
            "events_kernel_drops": self.kernel_drops(),
        }

    def kernel_drops(self) -> int | None:
        """Datagrams the kernel dropped because the receive buffer was full (Linux)."""
        if self._sock is None:
            return None
        try:
            inode = str(os.fstat(self._sock.fileno()).st_ino)
        except OSError:
            return None
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                with open(table) as fh:
                    next(fh)
                    for line in fh:
                        fields = line.split()
                        if len(fields) > 12 and fields[9] == inode:
                            return int(fields[-1])
            except (OSError, StopIteration, ValueError):
                continue
        return None
