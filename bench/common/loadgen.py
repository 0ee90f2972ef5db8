"""A closed-loop SNMP load generator on a raw blocking socket (bench only, not a test).

Keeps ``window`` requests outstanding against one agent for ``duration`` seconds and
reports responses per second, and, given the agent's PID, the agent's CPU time per
response read from /proc (user + system, all threads). Requests are built once with the
project's codec; only the request-id changes.

    python bench/common/loadgen.py 127.0.0.1:1061 --op get --oid 1.3.6.1.2.1.1.1.0 \\
        --agent-pid 1234 --window 32 --duration 10 --json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.common.snmp import ber, message

OPS = {"get": ber.GET_REQUEST, "getnext": ber.GET_NEXT_REQUEST, "getbulk": ber.GET_BULK_REQUEST}
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def build(op: str, oid: str, community: str, reps: int, rid: int) -> bytes:
    vb = message.encode_varbind(ber.encode_oid(ber.parse_oid(oid)), ber.NULL_TLV)
    a, b = (0, reps) if op == "getbulk" else (0, 0)
    return message.encode_message(message.V2C, community.encode(), OPS[op], rid, a, b, vb)


def run(
    target: str,
    op: str,
    oid: str,
    community: str,
    reps: int,
    window: int,
    duration: float,
    agent_pid: int | None,
) -> dict[str, float]:
    host, _, port = target.rpartition(":")
    addr = (host, int(port))
    # Request ids 0x10000000.. keep a fixed 4-octet encoding, so only 4 bytes change.
    template = bytearray(build(op, oid, community, reps, 0x10000000))
    pos = template.find(b"\x02\x04\x10\x00\x00\x00") + 2
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    s.connect(addr)
    s.settimeout(1.0)
    rid = 0x10000000

    def send() -> None:
        nonlocal rid
        rid += 1
        template[pos : pos + 4] = rid.to_bytes(4, "big")
        s.send(template)

    # Warm up and check the agent answers.
    send()
    s.recv(65535)
    cpu0 = cpu_seconds(agent_pid) if agent_pid else 0.0
    t0 = time.monotonic()
    end = t0 + duration
    for _ in range(window):
        send()
    got = 0
    timeouts = 0
    while True:
        try:
            s.recv(65535)
        except TimeoutError:
            timeouts += 1
            if time.monotonic() >= end:
                break
            for _ in range(window):
                send()
            continue
        got += 1
        if time.monotonic() < end:
            send()
        else:
            break
    elapsed = time.monotonic() - t0
    cpu = (cpu_seconds(agent_pid) - cpu0) if agent_pid else 0.0
    s.close()
    return {
        "responses": got,
        "req_per_s": got / elapsed,
        "agent_cpu_s": cpu,
        "agent_cpu_us_per_req": cpu / got * 1e6 if got and agent_pid else 0.0,
        "agent_cpu_share": cpu / elapsed if agent_pid else 0.0,
        "timeouts": timeouts,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("target")
    ap.add_argument("--op", choices=sorted(OPS), default="get")
    ap.add_argument("--oid", default="1.3.6.1.2.1.1.1.0")
    ap.add_argument("--community", default="public")
    ap.add_argument("--reps", type=int, default=25)
    ap.add_argument("--window", type=int, default=32)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--agent-pid", type=int)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    res = run(
        a.target, a.op, a.oid, a.community, a.reps, a.window, min(a.duration, 120), a.agent_pid
    )
    print(json.dumps(res) if a.json else res)


if __name__ == "__main__":
    main()
