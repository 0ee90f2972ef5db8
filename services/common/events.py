"""The internal event datagram: services -> gateway, one way, signed, fire-and-forget.

Wire format (one UDP datagram, UTF-8 JSON, at most :data:`MAX_DATAGRAM` bytes)::

    {"sig":"<64 hex>","v":1,"svc":"trapd","seq":17,"type":"trap","ts":1739890234.1,"data":{...}}

``sig`` is HMAC-SHA256, keyed by the internal secret, over the same datagram with the
``"sig":"…",`` member removed, i.e. over ``b"{" + datagram[SIG_PREFIX_LEN:]``. Putting the
signature first with a fixed length lets the receiver verify before it parses JSON, without
re-serialising anything, and the datagram stays plain JSON for tcpdump and humans.

A service makes a fact durable *before* it sends the event; a lost datagram costs a live
update, never data. An event whose JSON would exceed one datagram is sent as a reference
(``type`` = ``"<type>_ref"`` with a small ``data``) that the gateway resolves over the
sending service's control API.
"""

from __future__ import annotations

import functools
import hmac
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from services.common.config import CommonSettings

VERSION = 1
MAX_DATAGRAM = 60_000
_SIG_HEAD = b'{"sig":"'
SIG_HEX_LEN = 64
SIG_PREFIX_LEN = len(_SIG_HEAD) + SIG_HEX_LEN + 2  # '{"sig":"' + hex + '",'


class BadEvent(ValueError):
    """The datagram is not a well-formed, correctly signed event. ``reason`` is a counter key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Event:
    version: int
    service: str
    seq: int
    type: str
    ts: float
    data: Any


def _sign(secret: bytes, body: bytes) -> bytes:
    # hmac.digest is the one-shot C path: a third of hmac.new(...).hexdigest()'s cost,
    # which matters at one signature per trap.
    return hmac.digest(secret, body, "sha256").hex().encode()


def encode_event(
    secret: bytes, service: str, seq: int, type_: str, data: Any, ts: float | None = None
) -> bytes:
    payload = json.dumps(
        {
            "v": VERSION,
            "svc": service,
            "seq": seq,
            "type": type_,
            "ts": time.time() if ts is None else ts,
            "data": data,
        },
        separators=(",", ":"),
        default=str,
    ).encode()
    return _SIG_HEAD + _sign(secret, payload) + b'",' + payload[1:]


def encode_event_json(
    secret: bytes, service: str, seq: int, type_: str, data_json: str, ts: float | None = None
) -> bytes:
    """As :func:`encode_event`, with ``data`` already serialised as compact JSON text.

    For hot paths that serialise a record once and reuse the text (the trap store and the
    trap event carry the same record).
    """
    stamp = time.time() if ts is None else ts
    svc_json, type_json = _json_names(service, type_)
    payload = (
        f'{{"v":{VERSION},"svc":{svc_json},"seq":{seq},"type":{type_json},'
        f'"ts":{stamp!r},"data":{data_json}}}'
    ).encode()
    return _SIG_HEAD + _sign(secret, payload) + b'",' + payload[1:]


@functools.lru_cache(maxsize=64)
def _json_names(service: str, type_: str) -> tuple[str, str]:
    return json.dumps(service), json.dumps(type_)


def decode_event(secret: bytes, datagram: bytes) -> Event:
    if len(datagram) < SIG_PREFIX_LEN + 2 or not datagram.startswith(_SIG_HEAD):
        raise BadEvent("unsigned")
    sig = datagram[len(_SIG_HEAD) : len(_SIG_HEAD) + SIG_HEX_LEN]
    if datagram[len(_SIG_HEAD) + SIG_HEX_LEN : SIG_PREFIX_LEN] != b'",':
        raise BadEvent("unsigned")
    payload = b"{" + datagram[SIG_PREFIX_LEN:]
    if not hmac.compare_digest(sig, _sign(secret, payload)):
        raise BadEvent("bad_signature")
    try:
        obj = json.loads(payload)
        return Event(
            version=int(obj["v"]),
            service=str(obj["svc"]),
            seq=int(obj["seq"]),
            type=str(obj["type"]),
            ts=float(obj["ts"]),
            data=obj.get("data"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BadEvent("malformed") from exc


class EventSender:
    """Sends signed events to every configured gateway address. Thread-safe, never blocks.

    Sequence numbers are per sender (per service process) and start at 1, so the gateway
    can notice gaps. Send errors (no gateway listening yet, buffer full) are counted and
    otherwise ignored: the fact is already durable in the sender's own store.
    """

    def __init__(self, secret: bytes, service: str, targets: list[tuple[str, int]]) -> None:
        self._secret = secret
        self.service = service
        self._targets = self._resolve(targets)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0
        self.oversize = 0
        self._socks: dict[int, socket.socket] = {}

    @classmethod
    def from_settings(cls, settings: CommonSettings, service: str) -> EventSender:
        return cls(settings.secret_bytes(), service, settings.event_target_list())

    @staticmethod
    def _resolve(targets: list[tuple[str, int]]) -> list[tuple[int, tuple[Any, ...]]]:
        out: list[tuple[int, tuple[Any, ...]]] = []
        for host, port in targets:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
            except OSError:
                # Compose may start us before the gateway's name resolves; keep the name
                # and let sendto() resolve it per datagram.
                out.append((socket.AF_INET, (host, port)))
                continue
            family, _, _, _, addr = infos[0]
            out.append((family, addr))
        return out

    def _sock(self, family: int) -> socket.socket:
        sock = self._socks.get(family)
        if sock is None:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)
            self._socks[family] = sock
        return sock

    def next_seq(self) -> int:
        with self._lock:
            return next(self._seq)

    def send(self, type_: str, data: Any, *, ref: Any = None) -> int:
        """Sign and send one event; returns its sequence number.

        ``ref`` is what to send instead when ``data`` is too large for one datagram.
        """
        seq = self.next_seq()
        datagram = encode_event(self._secret, self.service, seq, type_, data)
        if len(datagram) > MAX_DATAGRAM:
            self.oversize += 1
            datagram = encode_event(self._secret, self.service, seq, f"{type_}_ref", ref)
            if len(datagram) > MAX_DATAGRAM:
                self.failed += 1
                return seq
        self.send_raw(datagram)
        return seq

    def send_json(self, type_: str, data_json: str, *, ref: Any = None) -> int:
        """As :meth:`send`, with ``data`` already serialised (see :func:`encode_event_json`)."""
        seq = self.next_seq()
        datagram = encode_event_json(self._secret, self.service, seq, type_, data_json)
        if len(datagram) > MAX_DATAGRAM:
            self.oversize += 1
            datagram = encode_event(self._secret, self.service, seq, f"{type_}_ref", ref)
            if len(datagram) > MAX_DATAGRAM:
                self.failed += 1
                return seq
        self.send_raw(datagram)
        return seq

    def send_raw(self, datagram: bytes) -> None:
        with self._lock:
            for family, addr in self._targets:
                try:
                    self._sock(family).sendto(datagram, addr)
                    self.sent += 1
                except OSError:
                    self.failed += 1

    def close(self) -> None:
        with self._lock:
            for sock in self._socks.values():
                sock.close()
            self._socks.clear()
