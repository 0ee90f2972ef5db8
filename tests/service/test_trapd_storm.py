"""A storm: every trap of a bounded burst sent flat out ends up in storage, counted."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.snmp import ber, message
from tests.service.trapd_harness import HOST, EventsSink, Trapd, start_trapd

N = 20_000
KERNEL_BYTES_PER_TRAP = 1280  # what one small datagram costs in the socket buffer


def trap(i: int) -> bytes:
    vbs = b"".join(
        message.encode_varbind(ber.encode_oid(oid), value)
        for oid, value in (
            ((1, 3, 6, 1, 2, 1, 1, 3, 0), ber.tlv(ber.TIMETICKS, ber.encode_uint(i))),
            ((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), ber.oid_tlv((1, 3, 6, 1, 6, 3, 1, 1, 5, 3))),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1), ber.int_tlv(i % 48)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 1), ber.int_tlv(1)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 1), ber.int_tlv(2)),
        )
    )
    return message.encode_message(1, b"public", ber.SNMPV2_TRAP, i, 0, 0, vbs)


@pytest.fixture
def trapd(tmp_path: Path) -> Iterator[Trapd]:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink)
    yield d
    d.stop()
    sink.close()


def test_storm_every_trap_stored(trapd: Trapd) -> None:
    status = trapd.get("/traps/status").json()
    rcvbuf = status["listeners"][0]["rcvbuf"]
    if rcvbuf < N * KERNEL_BYTES_PER_TRAP:
        pytest.skip(f"socket buffer {rcvbuf} B is too small to take {N} traps with no reader")
    packets = [trap(i) for i in range(N)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for p in packets:
            s.sendto(p, (HOST, trapd.snmp_port))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        stats = trapd.get("/stats").json()["traps"]
        if stats["traps_stored"] + stats["kernel_drops"] >= N:
            break
        time.sleep(0.1)
    assert stats["kernel_drops"] == 0
    assert stats["datagrams_received"] == N
    assert stats["traps_stored"] == N
    assert stats["malformed_packets"] == 0
    newest = trapd.get("/traps", params={"limit": 1}).json()
    assert newest["last_seq"] == N
    # Paging with after_seq returns each trap once, in order, with no gap.
    seen: list[int] = []
    cursor = 0
    while True:
        page = trapd.get("/traps", params={"after_seq": cursor, "limit": 1000}).json()["data"]
        if not page:
            break
        seen.extend(r["seq"] for r in page)
        cursor = page[-1]["seq"]
    assert seen == list(range(1, N + 1))
    uptimes = sorted(
        r["varbinds"][0]["raw"]
        for r in trapd.get("/traps", params={"limit": 1000, "since": 0}).json()["data"]
    )
    assert len(set(uptimes)) == 1000


def test_kernel_drops_are_counted(tmp_path: Path) -> None:
    """Freeze trapd, overflow its (smallest allowed) socket buffer, thaw it: what the
    kernel dropped is in the stats, and stored + dropped = sent."""
    import os
    import signal

    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink, {"SNMPLAB_TRAPD_RCVBUF": "65536"})
    try:
        n = 3000
        os.kill(d.proc.pid, signal.SIGSTOP)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for i in range(n):
                    s.sendto(trap(i), (HOST, d.snmp_port))
        finally:
            os.kill(d.proc.pid, signal.SIGCONT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            stats = d.get("/stats").json()["traps"]
            if stats["traps_stored"] + stats["kernel_drops"] >= n:
                break
            time.sleep(0.05)
        assert stats["kernel_drops"] > 0
        assert stats["traps_stored"] + stats["kernel_drops"] == n
        listener = d.get("/traps/status").json()["listeners"][0]
        assert listener["kernel_drops"] == stats["kernel_drops"]
    finally:
        d.stop()
        sink.close()
