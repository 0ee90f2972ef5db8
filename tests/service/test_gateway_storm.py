"""Storm behaviour of the gateway's WebSocket fan-out: slow clients and resume (issue 4 §4)."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from services.common.events import EventSender
from tests.service.gateway_harness import (
    LOOPBACK,
    SECRET,
    make_standin,
    recv_until,
    run_gateway,
    serve_standin,
    trap_record,
)


def big_trap(seq: int, size: int) -> dict[str, Any]:
    record = trap_record(seq)
    record["varbinds"].append({"oid": "1.3.6.1.4.1.9.9.1", "name": "x", "value": "x" * size})
    return record


async def test_slow_client_is_told_what_it_missed(tmp_path: Path) -> None:
    total = 800
    with run_gateway(tmp_path, SNMPLAB_WS_CLIENT_QUEUE="40") as gw:
        token = gw.login()
        # A client that does not read: a tiny receive buffer and one-frame queue, so the
        # gateway's socket to it fills up quickly.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.connect((LOOPBACK, int(gw.base.rsplit(":", 1)[1])))
        sender = EventSender(SECRET.encode(), "trapd", [gw.events])
        async with (
            connect(
                f"{gw.ws_base}/api/ws?token={token}", sock=sock, max_queue=1, max_size=None
            ) as slow,
            connect(f"{gw.ws_base}/api/ws?token={token}", max_size=None) as fast,
        ):
            await recv_until(slow, "full_state")
            await recv_until(fast, "full_state")
            fast_seen: list[int] = []
            # The fast client keeps up (each burst is smaller than its queue); the slow
            # one never reads until the end.
            for start in range(1, total + 1, 20):
                end = min(start + 19, total)
                for seq in range(start, end + 1):
                    sender.send("trap", big_trap(seq, 16_000))
                while not fast_seen or fast_seen[-1] < end:
                    msg = json.loads(await asyncio.wait_for(fast.recv(), 20))
                    assert msg["type"] != "missed", msg
                    if msg["type"] == "trap":
                        fast_seen.append(msg["trap"]["seq"])
            # Now the slow client reads everything it was given.
            received: list[int] = []
            missed: list[dict[str, Any]] = []
            while len(received) + sum(m["count"] for m in missed) < total:
                msg = json.loads(await asyncio.wait_for(slow.recv(), 20))
                if msg["type"] == "trap":
                    received.append(msg["trap"]["seq"])
                elif msg["type"] == "missed":
                    missed.append(msg)
        sender.close()
        counters = gw.counters()
    assert missed, "the slow client should have been told it missed traps"
    assert received == sorted(received) and len(set(received)) == len(received)
    # every gap starts right after a trap the client saw (or before the first one)
    for notice in missed:
        assert notice["after_seq"] == 0 or notice["after_seq"] in received
    assert len(received) + sum(m["count"] for m in missed) == total
    # the fast client was not held back by the slow one
    assert fast_seen == list(range(1, total + 1))
    assert counters["ws_dropped_traps"] >= sum(m["count"] for m in missed)


async def test_resume_after_seq_has_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    trapd = make_standin("trapd")
    trapd.status = {"running": True, "pid": 1, "port": 1162, "resolve_mibs": True}
    trapd.traps = [trap_record(seq) for seq in range(1, 2501)]
    with serve_standin(trapd), run_gateway(tmp_path, SNMPLAB_TRAPD_URL=trapd.url) as gw:
        token = gw.login()
        sender = EventSender(SECRET.encode(), "trapd", [gw.events])
        async with connect(f"{gw.ws_base}/api/ws?token={token}&after_seq=100") as ws:
            first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert first["type"] == "full_state"
            # Traps keep arriving during the back-fill: stored first, then announced,
            # some of them also announced twice (late datagrams) — as trapd would.
            for seq in range(2501, 2601):
                trapd.traps.append(trap_record(seq))
                sender.send("trap", trap_record(seq))
                if seq % 10 == 0:
                    sender.send("trap", trap_record(seq - 5))
            seen: list[int] = []
            while not seen or seen[-1] < 2600:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if msg["type"] == "trap":
                    seen.append(msg["trap"]["seq"])
            # a live one after the back-fill ends arrives too
            trapd.traps.append(trap_record(2601))
            sender.send("trap", trap_record(2601))
            msg = await recv_until(ws, "trap")
            seen.append(msg["trap"]["seq"])
        sender.close()
    assert seen == list(range(101, 2602))
