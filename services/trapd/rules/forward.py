"""Forwarding stored traps to a webhook (JSON) and to syslog (RFC 5424 text).

Runs on its own thread with a bounded queue: the pipeline hands over what it stored and
moves on. Each trap is retried per target with exponential backoff; when the queue is
full, new traps are not queued and are counted as dropped for forwarding (they are still
stored and pushed).
"""

from __future__ import annotations

import collections
import functools
import json
import logging
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.trapd.decode import Decoded
from services.trapd.rules.config import ForwardConfig, SyslogConfig

log = logging.getLogger(__name__)

SEVERITY_NOTICE = 5


def syslog_line(cfg: SyslogConfig, hostname: str, record: dict[str, Any]) -> bytes:
    """One RFC 5424 message: the trap's type, source and var-binds as readable text."""
    pri = cfg.facility * 8 + SEVERITY_NOTICE
    stamp = datetime.fromtimestamp(float(record.get("timestamp", time.time())), UTC)
    vbs = " ".join(
        f"{vb.get('name')}={json.dumps(vb.get('value'), ensure_ascii=False)}"
        for vb in record.get("varbinds", [])
    )
    msg = (
        f"trap seq={record.get('seq')} source={record.get('source')} "
        f"version={record.get('version')} type={record.get('trap_type')} {vbs}"
    )
    head = f"<{pri}>1 {stamp.isoformat(timespec='milliseconds').replace('+00:00', 'Z')} "
    return f"{head}{hostname or '-'} {cfg.app_name} - trap - {msg}".encode()


class SyslogSender:
    def __init__(self, cfg: SyslogConfig) -> None:
        self.cfg = cfg
        parts = urlsplit(cfg.target)
        if parts.scheme not in ("udp", "tcp") or not parts.hostname:
            raise ValueError("syslog target must be udp://host:port or tcp://host:port")
        self.proto = parts.scheme
        self.addr = (parts.hostname, parts.port or (514 if self.proto == "udp" else 601))
        self.hostname = socket.gethostname()
        self._sock: socket.socket | None = None

    def send(self, record: dict[str, Any]) -> None:
        line = syslog_line(self.cfg, self.hostname, record)
        if self.proto == "udp":
            if self._sock is None:
                info = socket.getaddrinfo(*self.addr, type=socket.SOCK_DGRAM)[0]
                self._sock = socket.socket(info[0], socket.SOCK_DGRAM)
                self._sock.connect(info[4])
            self._sock.send(line)
            return
        try:
            if self._sock is None:
                self._sock = socket.create_connection(self.addr, timeout=5)
            # RFC 6587 octet counting, so a message may contain newlines.
            self._sock.sendall(f"{len(line)} ".encode() + line)
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class Forwarder:
    def __init__(self, cfg: ForwardConfig) -> None:
        self.cfg = cfg
        self.counts: dict[str, int] = collections.defaultdict(int)
        self._queue: collections.deque[tuple[int, str]] = collections.deque()
        self._cond = threading.Condition()
        self._stop = False
        self._http: httpx.Client | None = None
        self._syslog: SyslogSender | None = None
        if cfg.webhook.enabled:
            if not cfg.webhook.url.startswith(("http://", "https://")):
                raise ValueError("webhook url must start with http:// or https://")
            self._http = httpx.Client(timeout=cfg.webhook.timeout_s)
        if cfg.syslog.enabled:
            self._syslog = SyslogSender(cfg.syslog)
        self._thread: threading.Thread | None = None
        if self.active:
            self._thread = threading.Thread(target=self._run, name="trapd-forward", daemon=True)
            self._thread.start()

    @property
    def active(self) -> bool:
        return self._http is not None or self._syslog is not None

    def submit(self, done: list[tuple[Decoded, int, str]]) -> None:
        """Called by the pipeline after a batch is stored."""
        if not self.active:
            return
        with self._cond:
            room = self.cfg.queue_max - len(self._queue)
            take = done[: max(room, 0)]
            if len(take) < len(done):
                self.counts["dropped_queue_full"] += len(done) - len(take)
            self._queue.extend((seq, text) for _d, seq, text in take)
            self._cond.notify()

    def pending(self) -> int:
        return len(self._queue)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stop:
                    self._cond.wait(0.5)
                if self._stop:
                    return
                _seq, text = self._queue.popleft()
            if self._http is not None:
                self._deliver("webhook", functools.partial(self._post, text))
            if self._syslog is not None:
                self._deliver("syslog", functools.partial(self._syslog.send, json.loads(text)))

    def _post(self, text: str) -> None:
        assert self._http is not None
        resp = self._http.post(
            self.cfg.webhook.url,
            content=text.encode(),
            headers={"Content-Type": "application/json"},
        )
        if resp.status_code >= 300:
            raise RuntimeError(f"webhook answered {resp.status_code}")

    def _deliver(self, target: str, attempt: Any) -> None:
        delay = self.cfg.backoff_s
        for n in range(self.cfg.retries + 1):
            if self._stop:
                return
            try:
                attempt()
                self.counts[f"{target}_sent"] += 1
                return
            except Exception as exc:
                self.counts[f"{target}_errors"] += 1
                if n == self.cfg.retries:
                    self.counts[f"{target}_gave_up"] += 1
                    log.warning("trapd: %s forwarding gave up: %s", target, exc)
                    return
                with self._cond:
                    self._cond.wait(delay)  # stop() wakes this up
                delay = min(delay * 2, self.cfg.backoff_max_s)

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._http is not None:
            self._http.close()
        if self._syslog is not None:
            self._syslog.close()

    def status(self) -> dict[str, Any]:
        return {"active": self.active, "pending": self.pending(), **self.counts}
