"""The SNMP data plane: threads that read UDP sockets in tight blocking loops.

The shared agent port gets a dedicated thread doing ``recvfrom`` -> respond -> ``sendto``
with nothing in between: no event loop, no callbacks, no per-packet futures (asyncio's
per-datagram machinery costs more than the whole SNMP work, see perf-anchors.md).
Devices with their own port or address share one more thread that waits on all their
sockets with ``epoll`` and drains each ready socket. Delayed responses (the delay fault)
go to a timer thread so that one slow device never holds up the others.

The asyncio control plane never sees packets: it reads the responders' counters and the
sampled activity queue.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from services.simulator.device import Device
from services.simulator.responder import AgentStats, Responder

log = logging.getLogger(__name__)

RCVBUF = 4 * 1024 * 1024  # rides out bursts; the kernel caps it at rmem_max
MAX_DATAGRAM = 65535


class Listener:
    """One bound UDP socket and the devices it serves, selected by community."""

    def __init__(self, host: str, port: int, responder: Responder) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.host = host
        self.port = sock.getsockname()[1]
        self.responder = responder
        self.communities: dict[bytes, Device] = {}

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class _Delayer:
    """Sends responses after a delay, from one thread with a heap of due times."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket, bytes, Any]] = []
        self._cv = threading.Condition()
        self._seq = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="sim-delayer", daemon=True)
        self._thread.start()

    def schedule(self, delay: float, sock: socket.socket, data: bytes, addr: Any) -> None:
        with self._cv:
            self._seq += 1
            heapq.heappush(self._heap, (time.monotonic() + delay, self._seq, sock, data, addr))
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                if self._stop:
                    return
                _, _, sock, data, addr = heapq.heappop(self._heap)
            with contextlib.suppress(OSError):
                sock.sendto(data, addr)

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(2)


class Agent:
    """The running data plane. ``make_responder`` builds one responder per thread, so
    counters are never written by two threads."""

    def __init__(self, make_responder: Callable[[], Responder]) -> None:
        self._make_responder = make_responder
        self.main: Listener | None = None
        self.extra: dict[tuple[str, int], Listener] = {}
        self._threads: list[threading.Thread] = []
        self._stop = False
        self._delayer = _Delayer()
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._extra_responder = make_responder()
        self._sel_lock = threading.Lock()
        self.internal_errors = 0

    # -- lifecycle -------------------------------------------------------------------

    def bind_main(self, host: str, port: int) -> Listener:
        self.main = Listener(host, port, self._make_responder())
        return self.main

    def start(self) -> None:
        if self.main is not None:
            t = threading.Thread(target=self._serve_blocking, args=(self.main,),
                                 name="sim-agent", daemon=True)  # fmt: skip
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._serve_many, name="sim-agent-ports", daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self) -> None:
        self._stop = True
        if self.main is not None:
            self.main.close()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        for t in self._threads:
            t.join(3)
        for lst in list(self.extra.values()):
            lst.close()
        self.extra.clear()
        self._delayer.stop()
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()

    def add_port(self, host: str, port: int) -> Listener:
        """Bind an extra socket (a device's own port/address); raises OSError."""
        key = (host, port)
        lst = self.extra.get(key)
        if lst is not None:
            return lst
        lst = Listener(host, port, self._extra_responder)
        lst.sock.setblocking(False)
        with self._sel_lock:
            self._sel.register(lst.sock, selectors.EVENT_READ, lst)
        self.extra[(host, lst.port)] = lst
        return lst

    def remove_port(self, host: str, port: int) -> None:
        lst = self.extra.pop((host, port), None)
        if lst is None:
            return
        with self._sel_lock, contextlib.suppress(KeyError, ValueError):
            self._sel.unregister(lst.sock)
        lst.sock.close()

    def responders(self) -> list[Responder]:
        out = [self._extra_responder]
        if self.main is not None:
            out.append(self.main.responder)
        return out

    def _internal_error(self) -> None:
        self.internal_errors += 1
        if self.internal_errors <= 5:
            log.exception("internal error answering a request (dropped)")

    # -- loops -----------------------------------------------------------------------

    def _serve_blocking(self, lst: Listener) -> None:
        sock = lst.sock
        recv = sock.recvfrom
        send = sock.sendto
        responder = lst.responder
        handle = responder.handle
        communities = lst.communities
        delayer = self._delayer
        while True:
            try:
                data, addr = recv(MAX_DATAGRAM)
            except OSError:
                if self._stop:
                    return
                continue
            if self._stop:
                return
            try:
                out = handle(data, addr, communities)
            except Exception:  # a bug must cost one request, never the data plane
                self._internal_error()
                continue
            if responder.delay:
                delay = responder.delay
                responder.delay = 0.0
                if out is not None:
                    delayer.schedule(delay, sock, out, addr)
                continue
            if out is not None:
                # try/except, not contextlib.suppress: this is the per-packet hot path.
                try:  # noqa: SIM105
                    send(out, addr)
                except OSError:
                    pass

    def _serve_many(self) -> None:
        delayer = self._delayer
        while not self._stop:
            try:
                events = self._sel.select(1.0)
            except (OSError, ValueError):
                if self._stop:
                    return
                continue
            for key, _ in events:
                lst = key.data
                if lst is None:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(64)
                    continue
                sock = lst.sock
                responder = lst.responder
                for _ in range(64):
                    try:
                        data, addr = sock.recvfrom(MAX_DATAGRAM)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break
                    try:
                        out = responder.handle(data, addr, lst.communities)
                    except Exception:
                        self._internal_error()
                        continue
                    if responder.delay:
                        delay = responder.delay
                        responder.delay = 0.0
                        if out is not None:
                            delayer.schedule(delay, sock, out, addr)
                        continue
                    if out is None:
                        continue
                    with contextlib.suppress(OSError):
                        sock.sendto(out, addr)


def collect(responders: list[Responder]) -> dict[str, int]:
    out = {"malformed": 0, "bad_community": 0, "requests": 0, "v3_packets": 0}
    for r in responders:
        s: AgentStats = r.stats
        out["malformed"] += s.malformed
        out["bad_community"] += s.bad_community
        out["requests"] += s.requests
        out["v3_packets"] += s.v3_packets
    return out
