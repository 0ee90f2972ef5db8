"""A listener: one UDP socket read in a tight loop on its own thread.

The thread drains its non-blocking socket into a batch (one ``recvfrom`` per datagram,
no other syscall while data is waiting), hands the batch to the pipeline, and only polls
when the socket is empty. No asyncio and no per-datagram hand-off between threads: that
per-datagram machinery, not the decoding, is what makes Python receivers slow. While a
batch is being stored, new datagrams wait in the (large) socket buffer.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RECV_SIZE = 65535
STEADY_S = 0.02  # traffic this close to the previous batch counts as a steady stream
# SO_RCVBUFFORCE may exceed net.core.rmem_max (needs CAP_NET_ADMIN); fall back to SO_RCVBUF.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)

Item = tuple[bytes, Any, float, "Listener"]
Handler = Callable[[list[Item]], None]


class BindError(OSError):
    """The listener's address cannot be bound; the message says why, for a 409."""


class Listener:
    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        rcvbuf: int,
        handler: Handler,
        batch_max: int,
        linger: float = 0.0,
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.rcvbuf_requested = rcvbuf
        self.rcvbuf = 0
        self._handler = handler
        self.batch_max = batch_max
        self.linger = linger
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.started_at: float | None = None
        self.datagrams = 0
        self.recv_errors = 0
        self.inode: int | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self._size_buffer(sock)
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
                raise BindError(
                    exc.errno,
                    f"cannot listen on UDP {self.host}:{self.port}: {exc.strerror}; "
                    "choose another port or stop what is using it",
                ) from exc
            raise
        self.port = sock.getsockname()[1]
        # Non-blocking: drain with plain recvfrom calls (one syscall each) and poll only
        # when the socket is empty, which also lets stop() end the loop within 0.2 s.
        sock.setblocking(False)
        self.inode = os.fstat(sock.fileno()).st_ino
        self._sock = sock
        self._stop.clear()
        self.started_at = time.time()
        self._thread = threading.Thread(
            target=self._run, name=f"trapd-recv-{self.name}", daemon=True
        )
        self._thread.start()

    def _size_buffer(self, sock: socket.socket) -> None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, self.rcvbuf_requested)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf_requested)
        # The kernel reports twice what it accounts for payload; report what it granted.
        self.rcvbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)

    def _run(self) -> None:
        sock = self._sock
        assert sock is not None
        recvfrom = sock.recvfrom
        handler = self._handler
        batch_max = self.batch_max
        now = time.time
        stop = self._stop.is_set
        linger = self.linger
        sleep = time.sleep
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        last = 0.0
        while not stop():
            batch: list[Item] = []
            append = batch.append
            try:
                while len(batch) < batch_max:
                    data, addr = recvfrom(RECV_SIZE)
                    append((data, addr, now(), self))
            except BlockingIOError:
                pass
            except OSError as exc:
                self.recv_errors += 1
                log.warning("listener %s: recvfrom failed: %s", self.name, exc)
            if batch:
                self.datagrams += len(batch)
                handler(batch)
                last = now()
            elif poller.poll(200) and linger and now() - last < STEADY_S:
                # Woken in a steady trickle: let a few more datagrams arrive, so that it
                # is stored in small batches rather than one transaction per trap. A
                # trap after a quiet spell is handled at once.
                sleep(linger)

    def _drain_last(self) -> None:
        """What arrived before the stop is processed, not thrown away with the socket."""
        assert self._sock is not None
        batch: list[Item] = []
        try:
            while True:
                data, addr = self._sock.recvfrom(RECV_SIZE)
                batch.append((data, addr, time.time(), self))
        except OSError:
            pass
        if batch:
            self.datagrams += len(batch)
            self._handler(batch)

    def send(self, data: bytes, addr: Any) -> None:
        """Send a reply (inform Response, v3 Report) from this listener's socket."""
        sock = self._sock
        if sock is None:
            return
        try:
            sock.sendto(data, addr)
        except OSError as exc:
            log.debug("listener %s: reply to %s failed: %s", self.name, addr, exc)

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)
        self._thread = None
        if self._sock is not None:
            self._drain_last()
            self._sock.close()
            self._sock = None
        self.inode = None

    def kernel_drops(self) -> int | None:
        """The kernel's drop count for this socket (``/proc/net/udp[6]``, last column)."""
        inode = self.inode
        if inode is None:
            return None
        for path in ("/proc/net/udp", "/proc/net/udp6"):
            try:
                with open(path) as fh:
                    next(fh, None)
                    for line in fh:
                        parts = line.split()
                        if len(parts) >= 13 and parts[9] == str(inode):
                            return int(parts[12])
            except OSError:
                continue
        return None

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "host": self.host,
            "port": self.port,
            "running": self.running,
            "rcvbuf": self.rcvbuf,
            "datagrams": self.datagrams,
            "kernel_drops": self.kernel_drops(),
            "started_at": self.started_at if self.running else None,
        }
