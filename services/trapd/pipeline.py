"""The pipeline: decode a batch, store it in one transaction, then ack and push.

Order matters: a trap is committed to SQLite before its inform is acknowledged and before
its event leaves for the gateway, so an acknowledged or displayed trap is never lost.
It runs on the listener threads, one batch at a time, with no asyncio and no hand-off
between threads per datagram; counters are added once per batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.common.events import EventSender
from services.common.snmp import message
from services.common.snmp.ber import DecodeError
from services.trapd.decode import Decoded, Decoder, NotANotification
from services.trapd.receiver import Item
from services.trapd.store import Row, TrapStore

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 5.0


class Refused(Exception):
    """The datagram is well-formed but refused; ``reason`` is a counter suffix."""

    def __init__(self, reason: str, reply: bytes | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply  # e.g. an SNMPv3 Report to send back


# v3: (datagram, addr, ts, listener name) -> Decoded, may raise Refused/DecodeError
V3Handler = Callable[[bytes, Any, float, str], Decoded]
# rules: a decoded trap -> None to keep it, or a drop reason
RuleCheck = Callable[[Decoded], str | None]
# after storage: (decoded, seq, record_json) for forwarding
AfterStore = Callable[[list[tuple[Decoded, int, str]]], None]


@dataclass
class PipelineCounters:
    """Counters the pipeline thread owns; others read them (ints are read atomically)."""

    datagrams: int = 0
    decoded: int = 0
    stored: int = 0
    pushed: int = 0
    malformed: int = 0
    not_notification: int = 0
    informs_acked: int = 0
    store_errors: int = 0
    decoder_errors: int = 0
    retention_deleted: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    last_trap_at: float | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "datagrams": self.datagrams,
            "decoded": self.decoded,
            "stored": self.stored,
            "pushed": self.pushed,
            "malformed": self.malformed,
            "not_notification": self.not_notification,
            "informs_acked": self.informs_acked,
            "store_errors": self.store_errors,
            "decoder_errors": self.decoder_errors,
            "retention_deleted": self.retention_deleted,
            "refused": dict(self.refused),
            "dropped": dict(self.dropped),
            "last_trap_at": self.last_trap_at,
        }


class Pipeline:
    def __init__(
        self,
        store: TrapStore,
        decoder: Decoder,
        sender: EventSender | None,
        *,
        batch_max: int = 2000,
        retention: Callable[[], tuple[int, float]] = lambda: (0, 0.0),
    ) -> None:
        self.store = store
        self.decoder = decoder
        self.sender = sender
        self.batch_max = batch_max
        self.retention = retention
        self.v3: V3Handler | None = None
        self.community_allowed: Callable[[str], bool] | None = None
        self.rules: list[RuleCheck] = []
        self.after_store: list[AfterStore] = []
        self.counters = PipelineCounters()
        self.lock = threading.Lock()
        self._last_retention = 0.0
        self._stop = threading.Event()
        self._maintenance: threading.Thread | None = None

    def handle(self, batch: list[Item]) -> None:
        """Process a batch a listener thread drained from its socket.

        Listeners call this from their own threads; the lock keeps one batch in the store
        at a time (SQLite has one writer anyway) and keeps counters consistent.
        """
        with self.lock:
            try:
                self.process(batch)
            except Exception:
                # Never let one bad batch end reception; the counters show the loss.
                log.exception("trapd pipeline: batch of %d failed", len(batch))
                self._drop("internal_error", len(batch))

    def start(self) -> None:
        """Start the maintenance thread (retention)."""
        if self._maintenance is not None:
            return
        self._stop.clear()
        self._maintenance = threading.Thread(
            target=self._maintain, name="trapd-retention", daemon=True
        )
        self._maintenance.start()

    def stop(self) -> None:
        self._stop.set()
        if self._maintenance is not None:
            self._maintenance.join(timeout=10)
        self._maintenance = None

    def _maintain(self) -> None:
        while not self._stop.wait(0.5):
            self._maybe_retain(force=False)
            try:
                self.store.checkpoint()
            except Exception:
                log.exception("trapd: WAL checkpoint failed")

    def _drop(self, reason: str, n: int = 1) -> None:
        d = self.counters.dropped
        d[reason] = d.get(reason, 0) + n

    def _refuse(self, reason: str) -> None:
        r = self.counters.refused
        r[reason] = r.get(reason, 0) + 1

    def process(self, batch: list[Item]) -> None:
        c = self.counters
        c.datagrams += len(batch)
        decode = self.decoder.decode_v1v2c
        allowed = self.community_allowed
        rules = self.rules
        kept: list[Decoded] = []
        for data, addr, ts, listener in batch:
            try:
                version = message.peek_version(data)
                if version == message.V3:
                    if self.v3 is None:
                        raise Refused("v3_not_configured")
                    d = self.v3(data, addr, ts, listener.name)
                else:
                    d = decode(data, addr, ts, listener.name)
                    if allowed is not None and not allowed(d.community or ""):
                        raise Refused("community")
            except (DecodeError, ValueError, IndexError):
                c.malformed += 1
                continue
            except NotANotification:
                c.not_notification += 1
                continue
            except Refused as exc:
                self._refuse(exc.reason)
                if exc.reply is not None:
                    listener.send(exc.reply, addr)
                continue
            except Exception:
                # A decoder bug met by a strange datagram: count it with the malformed
                # ones and keep going; one packet never takes the batch down.
                c.malformed += 1
                c.decoder_errors += 1
                log.debug("trapd: datagram from %s broke the decoder", addr, exc_info=True)
                continue
            d.reply_via = listener
            c.decoded += 1
            reason = None
            for rule in rules:
                reason = rule(d)
                if reason is not None:
                    break
            if reason is not None:
                self._drop(reason)
                # A deduplicated inform is still acknowledged: the sender did its part.
                if d.ack is not None:
                    listener.send(d.ack, d.ack_addr)
                continue
            kept.append(d)
        if not kept:
            return
        first = self.store.reserve(len(kept))
        rows: list[Row] = []
        jsons: list[str] = []
        for i, d in enumerate(kept):
            rec = d.record_json(first + i)
            jsons.append(rec)
            rows.append(
                (first + i, d.ts, d.source, d.version, d.trap_oid, d.trap_type, d.listener,
                 d.vbtext, rec)
            )  # fmt: skip
        try:
            self.store.insert_rows(rows)
        except Exception:
            log.exception("trapd: storing %d traps failed", len(rows))
            c.store_errors += len(rows)
            self._drop("store_error", len(rows))
            return
        c.stored += len(rows)
        c.last_trap_at = kept[-1].ts
        acked = 0
        for d in kept:
            if d.ack is not None:
                d.reply_via.send(d.ack, d.ack_addr)
                acked += 1
        c.informs_acked += acked
        sender = self.sender
        if sender is not None:
            send = sender.send_json
            for i, rec in enumerate(jsons):
                send("trap", rec, ref={"seq": first + i})
            c.pushed += len(jsons)
        if self.after_store:
            done = [(d, first + i, jsons[i]) for i, d in enumerate(kept)]
            for hook in self.after_store:
                try:
                    hook(done)
                except Exception:
                    log.exception("trapd: after-store hook failed")

    def _maybe_retain(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_retention < RETENTION_EVERY_S:
            return
        self._last_retention = now
        max_count, max_age = self.retention()
        if max_count <= 0 and max_age <= 0:
            return
        try:
            deleted = self.store.apply_retention(max_count, max_age)
        except Exception:
            log.exception("trapd: retention failed")
            return
        if deleted:
            self.counters.retention_deleted += deleted
            if deleted >= 5000:
                # More to delete: come back soon rather than in 5 s.
                self._last_retention = now - RETENTION_EVERY_S + 0.2
