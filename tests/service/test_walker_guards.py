"""A misbehaving agent (OIDs that do not increase) and a slow one (cancellation, progress)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from services.common.events import decode_event
from services.common.snmp import ber, message
from tests.service.walker_peers import LOOPBACK, SECRET, Walker, run_walker

BASE = (1, 3, 6, 1, 4, 1, 99999)


class TinyAgent:
    """Answers GETNEXT/GETBULK on a thread: ``mode`` "stuck" repeats one OID forever;
    "slow" returns ever-increasing OIDs, ``delay`` seconds per answer; "toobig" says tooBig
    to a GETBULK asking for more than 4 repetitions; "garbled" sends every answer twice,
    first broken in the middle (its framing intact) and ending elsewhere, then as it should."""

    def __init__(self, mode: str, delay: float = 0.0) -> None:
        self.mode = mode
        self.delay = delay
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            msg = message.decode_message(data)
            assert isinstance(msg, message.Message)
            self.requests += 1
            if self.mode == "toobig" and msg.max_repetitions > 4:
                self.sock.sendto(
                    message.encode_message(
                        msg.version, msg.community, ber.RESPONSE, msg.request_id, 1, 0, b""
                    ),
                    addr,
                )
                continue
            if self.mode == "stuck":
                vbs = [(ber.encode_oid((*BASE, 5)), ber.int_tlv(1))]
            else:
                last = ber.decode_oid(msg.varbinds[0][0])
                n = last[len(BASE)] + 1 if len(last) > len(BASE) else 1
                count = max(1, msg.max_repetitions) if msg.pdu_type == ber.GET_BULK_REQUEST else 1
                vbs = [(ber.encode_oid((*BASE, n + i)), ber.int_tlv(n + i)) for i in range(count)]
            if self.delay:
                time.sleep(self.delay)
            encoded = b"".join(message.encode_varbind(o, v) for o, v in vbs)
            if self.mode == "garbled" and len(vbs) > 2:
                # A last OID further on than the real one, and the second var-bind's name
                # tagged OCTET STRING instead of OID: only a full decode finds it broken.
                wrong = [*vbs[:-1], (ber.encode_oid((*BASE, 1000 + n)), ber.int_tlv(0))]
                parts = [message.encode_varbind(o, v) for o, v in wrong]
                parts[1] = parts[1][:2] + b"\x04" + parts[1][3:]
                bad = b"".join(parts)
                self.sock.sendto(
                    message.encode_message(
                        msg.version, msg.community, ber.RESPONSE, msg.request_id, 0, 0, bad
                    ),
                    addr,
                )
            self.sock.sendto(
                message.encode_message(
                    msg.version, msg.community, ber.RESPONSE, msg.request_id, 0, 0, encoded
                ),
                addr,
            )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def events() -> Iterator[socket.socket]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((LOOPBACK, 0))
    s.settimeout(10)
    yield s
    s.close()


@pytest.fixture
def walker(tmp_path: Path, events: socket.socket) -> Iterator[Walker]:
    with run_walker(tmp_path, events_port=events.getsockname()[1]) as w:
        yield w


@pytest.mark.parametrize("operation", ["walk", "bulkwalk"])
def test_non_increasing_oids_stop_the_walk(walker: Walker, operation: str) -> None:
    agent = TinyAgent("stuck")
    try:
        with walker.client() as c:
            r = c.post(
                "/walk",
                json={
                    "target": LOOPBACK,
                    "port": agent.port,
                    "oid": "1.3.6.1.4.1.99999",
                    "operation": operation,
                },
            )
    finally:
        agent.close()
    body = r.json()
    assert r.status_code == 200
    assert body["status"] == "error"
    assert "must increase" in body["message"]
    assert body["count"] == 1  # the first answer is fine; the repeat is caught
    assert agent.requests <= 3


def test_cancel_a_running_walk_with_progress(walker: Walker, events: socket.socket) -> None:
    agent = TinyAgent("slow", delay=0.02)
    try:
        with walker.client() as c, ThreadPoolExecutor(1) as pool:
            fut = pool.submit(
                c.post,
                "/walk",
                json={
                    "target": LOOPBACK,
                    "port": agent.port,
                    "oid": "1.3.6.1.4.1.99999",
                    "operation": "bulkwalk",
                    "max_repetitions": 5,
                    "walk_id": "slow-1",
                    "max_oids": 0,
                },
            )
            progress = None
            while progress is None:  # a progress event proves the walk is running
                ev = decode_event(SECRET.encode(), events.recv(65535))
                if ev.type == "walk_progress" and ev.data["walk_id"] == "slow-1":
                    progress = ev.data
            assert progress["done"] is False and progress["oids"] > 0
            running = c.get("/walk/running").json()["walks"]
            assert [w["walk_id"] for w in running] == ["slow-1"]
            assert c.post("/walk/slow-1/cancel").status_code == 200
            body = fut.result(timeout=10).json()
            assert c.post("/walk/slow-1/cancel").status_code == 404
            stats = c.get("/stats").json()["walker"]
    finally:
        agent.close()
    assert body["status"] == "cancelled"
    assert body["count"] >= progress["oids"]
    assert stats["walks_cancelled"] == 1
    while True:
        ev = decode_event(SECRET.encode(), events.recv(65535))
        if ev.type == "walk_progress" and ev.data["done"]:
            assert ev.data["walk_id"] == "slow-1"
            break


def test_oid_cap_truncates(walker: Walker) -> None:
    agent = TinyAgent("slow")
    try:
        with walker.client() as c:
            body = c.post(
                "/walk",
                json={
                    "target": LOOPBACK,
                    "port": agent.port,
                    "oid": "1.3.6.1.4.1.99999",
                    "max_oids": 42,
                },
            ).json()
    finally:
        agent.close()
    assert body["status"] == "truncated" and body["count"] == 42


def test_toobig_halves_max_repetitions(walker: Walker) -> None:
    agent = TinyAgent("toobig")
    try:
        with walker.client() as c:
            body = c.post(
                "/walk",
                json={
                    "target": LOOPBACK,
                    "port": agent.port,
                    "oid": "1.3.6.1.4.1.99999",
                    "max_repetitions": 25,
                    "max_oids": 30,
                },
            ).json()
    finally:
        agent.close()
    assert body["status"] == "truncated" and body["count"] == 30
    assert [v["raw"] for v in body["varbinds"]] == list(range(1, 31))


def test_answer_found_malformed_after_its_successor_left(walker: Walker) -> None:
    """The next request leaves before an answer is fully decoded; when the decode then
    fails, that request is taken back and the walk goes on from the good answer, in order."""
    agent = TinyAgent("garbled")
    try:
        with walker.client() as c:
            body = c.post(
                "/walk",
                json={
                    "target": LOOPBACK,
                    "port": agent.port,
                    "oid": "1.3.6.1.4.1.99999",
                    "max_repetitions": 5,
                    "max_oids": 40,
                },
            ).json()
    finally:
        agent.close()
    assert body["status"] == "truncated" and body["count"] == 40
    assert [v["raw"] for v in body["varbinds"]] == list(range(1, 41))
    assert body["resends"] == 0  # the good answer was used, not a retry after a timeout
