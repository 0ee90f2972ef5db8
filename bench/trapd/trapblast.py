"""Send SNMPv2c traps at a fixed rate from one blocking socket (bench only, not a test).

Each trap is 5 var-binds (sysUpTime.0, snmpTrapOID.0 = linkDown, ifIndex, ifAdminStatus,
ifOperStatus), ~125 bytes, built once with the project's codec; sysUpTime and request-id
vary so that receivers cannot cache whole packets. Pacing is per millisecond: each tick
sends rate/1000 traps, then sleeps to the next tick. ``--rate 0`` sends flat out.

    python bench/trapd/trapblast.py 127.0.0.1:11162 --count 20000 --rate 1000 --json
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.common.snmp import ber, message, usm

DISTINCT = 4096


STAMP_OID = ber.encode_oid((1, 3, 6, 1, 4, 1, 99999, 1, 0))


def build(i: int, stamp_us: int | None = None) -> bytes:
    """Trap ``i``; with ``stamp_us``, a 6th var-bind (Counter64) carries the send time."""
    extra = b""
    if stamp_us is not None:
        extra = message.encode_varbind(STAMP_OID, ber.tlv(ber.COUNTER64, ber.encode_uint(stamp_us)))
    vbs = b"".join(
        message.encode_varbind(ber.encode_oid(oid), value)
        for oid, value in (
            ((1, 3, 6, 1, 2, 1, 1, 3, 0), ber.tlv(ber.TIMETICKS, ber.encode_uint(100_000 + i))),
            ((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), ber.oid_tlv((1, 3, 6, 1, 6, 3, 1, 1, 5, 3))),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1 + i % 24), ber.int_tlv(1 + i % 24)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 1 + i % 24), ber.int_tlv(1)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 1 + i % 24), ber.int_tlv(2)),
        )
    )
    return message.encode_message(1, b"public", ber.SNMPV2_TRAP, 0x10000000 + i, 0, 0, vbs + extra)


V3_ENGINE = bytes.fromhex("80001f8805") + b"trapblast"


def v3_wrap(spec: str, packets: list[bytes]) -> list[bytes]:
    """The same traps as SNMPv3 authPriv messages from one engine, ``spec`` being
    ``user:AUTH:authpass:PRIV:privpass`` (e.g. ``bench:SHA:authpass1:AES:privpass1``)."""
    user, auth_name, auth_pass, priv_name, priv_pass = spec.split(":")
    auth = usm.auth_protocol(auth_name)
    priv = usm.priv_protocol(priv_name)
    keys = usm.SecurityKeys(
        auth,
        usm.localize_key(auth, usm.password_to_key(auth, auth_pass.encode()), V3_ENGINE),
        priv,
        usm.priv_key(auth, priv, usm.password_to_key(auth, priv_pass.encode()), V3_ENGINE),
    )
    out = []
    for i, p in enumerate(packets):
        msg = message.decode_message(p)
        assert isinstance(msg, message.Message)
        scoped = usm.encode_scoped_pdu(
            V3_ENGINE, b"", msg.pdu_type, msg.request_id, 0, 0,
            b"".join(message.encode_varbind(o, v) for o, v in msg.varbinds),
        )  # fmt: skip
        out.append(
            usm.encode_message(
                msg_id=i + 1,
                max_size=65507,
                flags=usm.FLAG_AUTH | usm.FLAG_PRIV,
                engine_id=V3_ENGINE,
                boots=1,
                etime=1,
                user=user.encode(),
                scoped_pdu=scoped,
                keys=keys,
                salt=i + 1,
            )
        )
    return out


def blast(
    addr: tuple[str, int], count: int, rate: float, stamp: bool = False, v3: str | None = None
) -> dict[str, float]:
    packets = [build(i) for i in range(DISTINCT)]
    if v3:
        packets = v3_wrap(v3, packets)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(addr)

    def send(packet: bytes) -> int:
        if stamp:
            # Built at send time with the current time in it (for latency).
            return s.send(build(sent, time.time_ns() // 1000))
        return s.send(packet)

    sent = 0
    errors = 0
    t0 = time.perf_counter()
    if rate <= 0:
        for i in range(count):
            try:
                send(packets[i % DISTINCT])
                sent += 1
            except OSError:
                errors += 1
    else:
        per_tick = rate / 1000.0
        due = 0.0
        tick = 0
        while sent + errors < count:
            due += per_tick
            n = min(int(due) - (sent + errors), count - sent - errors)
            for _ in range(max(n, 0)):
                try:
                    send(packets[(sent + errors) % DISTINCT])
                    sent += 1
                except OSError:
                    errors += 1
            tick += 1
            delay = t0 + tick / 1000.0 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
    seconds = time.perf_counter() - t0
    s.close()
    return {"sent": sent, "errors": errors, "seconds": seconds, "rate": sent / seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target", help="host:port")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--rate", type=float, default=1000.0, help="traps/s; 0 = flat out")
    ap.add_argument("--stamp", action="store_true", help="carry the send time (latency)")
    ap.add_argument("--v3", help="send SNMPv3 authPriv: user:AUTH:authpass:PRIV:privpass")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    host, _, port = args.target.rpartition(":")
    result = blast((host, int(port)), args.count, args.rate, args.stamp, args.v3)
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
