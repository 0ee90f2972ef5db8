"""Notifications sent by simulated devices: v1/v2c/v3 traps and informs.

Sent on demand (API), on a schedule, on state change (an ``ifOperStatus`` change by SET
or API emits ``linkDown``/``linkUp`` with ``ifIndex``, ``ifAdminStatus``,
``ifOperStatus`` as IF-MIB defines them), and as storms at a chosen rate and count for
load-testing a manager. One UDP socket sends everything; a thread reads the responses
to informs (and the Reports of SNMPv3 engine discovery) and wakes the waiting sender.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.common.snmp import ber, message, usm, values
from services.simulator.device import (
    IF_ADMIN_STATUS_COL,
    IF_OPER_STATUS_COL,
    IF_TABLE_ENTRY,
    Device,
    NotificationTarget,
)

SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
SNMP_TRAPS = (1, 3, 6, 1, 6, 3, 1, 1, 5)
SYS_UPTIME_0 = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_OBJECT_ID = (1, 3, 6, 1, 2, 1, 1, 2, 0)
STANDARD_TRAPS = {
    "coldStart": (*SNMP_TRAPS, 1),
    "warmStart": (*SNMP_TRAPS, 2),
    "linkDown": (*SNMP_TRAPS, 3),
    "linkUp": (*SNMP_TRAPS, 4),
    "authenticationFailure": (*SNMP_TRAPS, 5),
}


class NotifyError(ValueError):
    pass


@dataclass(slots=True)
class Storm:
    id: str
    device: str
    total: int
    rate: float
    sent: int = 0
    acked: int = 0
    failed: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    stop: bool = False
    errors: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        end = self.finished or time.time()
        return {"id": self.id, "device": self.device, "total": self.total, "rate": self.rate,
                "sent": self.sent, "acked": self.acked, "failed": self.failed,
                "running": self.finished is None, "elapsed": round(end - self.started, 3),
                "errors": self.errors[:10]}  # fmt: skip


class Notifier:
    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # A client socket: the wildcard lets the kernel pick the source for each target
        # (binding the agent's address would make loopback-only agents unable to notify).
        self.sock.bind(("0.0.0.0", 0))
        self._ids = itertools.count(int(time.time()) & 0xFFFFFF)
        self._pending: dict[int, threading.Event] = {}
        self._reports: dict[int, bytes] = {}
        self._lock = threading.Lock()
        self._stop = False
        self.storms: dict[str, Storm] = {}
        self._due: dict[tuple[str, int], float] = {}
        self._remote_engines: dict[tuple[str, int], tuple[bytes, int, int, float]] = {}
        self._thread = threading.Thread(target=self._read, name="sim-notify-rx", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop = True
        for s in self.storms.values():
            s.stop = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(2)

    # -- receiving responses ---------------------------------------------------------

    def _read(self) -> None:
        while not self._stop:
            try:
                data, _addr = self.sock.recvfrom(65535)
            except OSError:
                if self._stop:
                    return
                continue
            if not data:
                continue
            with contextlib.suppress(ber.DecodeError, ValueError, IndexError):
                rid = self._response_id(data)
                with self._lock:
                    ev = self._pending.get(rid)
                    if ev is not None:
                        self._reports[rid] = data
                        ev.set()

    @staticmethod
    def _response_id(data: bytes) -> int:
        if message.peek_version(data) == usm.V3:
            msg = usm.parse_message(data)
            if msg.flags & usm.FLAG_PRIV:
                return msg.msg_id
            return msg.msg_id
        decoded = message.decode_message(data)
        if not isinstance(decoded, message.Message):
            raise ValueError("not a response")
        return decoded.request_id

    def _wait(self, rid: int, send: Any, timeout: float, retries: int) -> bytes | None:
        ev = threading.Event()
        with self._lock:
            self._pending[rid] = ev
        try:
            for _ in range(retries + 1):
                send()
                if ev.wait(timeout):
                    with self._lock:
                        return self._reports.pop(rid, None)
            return None
        finally:
            with self._lock:
                self._pending.pop(rid, None)
                self._reports.pop(rid, None)

    # -- building ----------------------------------------------------------------------

    def trap_oid(self, trap: str) -> tuple[int, ...]:
        if trap in STANDARD_TRAPS:
            return STANDARD_TRAPS[trap]
        try:
            return ber.parse_oid(trap)
        except ValueError:
            pass
        index = self.sim.mib_index
        if index is not None:
            try:
                return tuple(index.oid(trap))
            except ValueError:
                pass
        raise NotifyError(
            f"unknown notification {trap!r}: give a numeric OID, a standard name "
            f"({', '.join(STANDARD_TRAPS)}) or MODULE::name with its MIB loaded"
        )

    @staticmethod
    def object_varbinds(device: Device, oids: list[tuple[int, ...]]) -> list[tuple[bytes, bytes]]:
        out = []
        store = device.store
        t = device.elapsed()
        for oid in oids:
            i = store.index(oid)
            tlv_ = store.value_tlv(i, t) if i is not None else ber.NULL_TLV
            out.append((ber.encode_oid(oid), tlv_))
        return out

    def link_varbinds(self, device: Device, if_index: int) -> list[tuple[bytes, bytes]]:
        cols = (1, IF_ADMIN_STATUS_COL, IF_OPER_STATUS_COL)
        return self.object_varbinds(device, [(*IF_TABLE_ENTRY, c, if_index) for c in cols])

    def _uptime(self, device: Device) -> int:
        return int(device.elapsed() * 100) & 0xFFFFFFFF

    def _v2_body(self, device: Device, trap_oid: tuple[int, ...],
                 vbs: list[tuple[bytes, bytes]]) -> bytes:  # fmt: skip
        uptime = values.encode_value("TimeTicks", self._uptime(device))
        head = [(ber.encode_oid(SYS_UPTIME_0), uptime),
                (ber.encode_oid(SNMP_TRAP_OID), ber.oid_tlv(trap_oid))]  # fmt: skip
        return b"".join(message.encode_varbind(o, v) for o, v in head + vbs)

    def _v1_message(self, device: Device, target: NotificationTarget, trap_oid: tuple[int, ...],
                    vbs: list[tuple[bytes, bytes]]) -> bytes:  # fmt: skip
        """RFC 3584 section 3.2: SNMPv2 notification parameters -> Trap-PDU."""
        if trap_oid[:-1] == SNMP_TRAPS and 1 <= trap_oid[-1] <= 6:
            generic, specific = trap_oid[-1] - 1, 0
            sysoid = device.store.get(SYS_OBJECT_ID)
            enterprise = ber.parse_oid(sysoid.value) if sysoid and sysoid.value else SNMP_TRAPS
        else:
            generic, specific = 6, trap_oid[-1]
            enterprise = trap_oid[:-2] if trap_oid[-2] == 0 else trap_oid[:-1]
        addr = device.config.address or "0.0.0.0"
        try:
            agent_addr = socket.inet_aton(addr)
        except OSError:
            agent_addr = bytes(4)
        return message.encode_trap_v1(
            target.community.encode(), ber.encode_oid(enterprise), agent_addr, generic, specific,
            self._uptime(device), b"".join(message.encode_varbind(o, v) for o, v in vbs),
        )  # fmt: skip

    # -- sending -----------------------------------------------------------------------

    def send(self, device: Device, trap_oid: tuple[int, ...], vbs: list[tuple[bytes, bytes]],
             targets: list[NotificationTarget] | None = None,
             inform: bool | None = None) -> list[dict[str, Any]]:  # fmt: skip
        results = []
        for target in targets if targets is not None else device.config.targets:
            is_inform = target.inform if inform is None else inform
            # An unacknowledged inform was sent and failed; a refused one was never sent.
            try:
                acked = self._send_one(device, target, trap_oid, vbs, is_inform)
                sent = True
                err = None if acked is not False else "no acknowledgement (timeout)"
            except (NotifyError, OSError, ValueError) as exc:
                sent, acked, err = False, False, str(exc)
            counters = self.sim.counters
            if sent:
                counters.incr("notifications_sent")
            if acked is True:
                counters.incr("notifications_acked")
            if err:
                counters.incr("notifications_failed")
            results.append({"target": f"{target.host}:{target.port}", "version": target.version,
                            "inform": is_inform, "sent": sent,
                            "acked": acked if is_inform else None, "error": err})  # fmt: skip
        return results

    def _send_one(self, device: Device, target: NotificationTarget, trap_oid: tuple[int, ...],
                  vbs: list[tuple[bytes, bytes]], inform: bool) -> bool | None:  # fmt: skip
        addr = (target.host, target.port)
        timeout = target.timeout_ms / 1000
        if target.version == "v1":
            if inform:
                raise NotifyError("SNMPv1 has no informs")
            self.sock.sendto(self._v1_message(device, target, trap_oid, vbs), addr)
            return None
        rid = next(self._ids) & 0x7FFFFFFF
        pdu_type = ber.INFORM_REQUEST if inform else ber.SNMPV2_TRAP
        body = self._v2_body(device, trap_oid, vbs)
        if target.version == "v2c":
            wire = message.encode_message(message.V2C, target.community.encode(), pdu_type, rid,
                                          0, 0, body)  # fmt: skip
            if not inform:
                self.sock.sendto(wire, addr)
                return None
            return self._wait(rid, lambda: self.sock.sendto(wire, addr), timeout,
                              target.retries) is not None  # fmt: skip
        return self._send_v3(device, target, pdu_type, rid, body, inform)

    def _send_v3(self, device: Device, target: NotificationTarget, pdu_type: int, rid: int,
                 body: bytes, inform: bool) -> bool | None:  # fmt: skip
        user = self.sim.users.get(target.user or "")
        if user is None:
            raise NotifyError(f"SNMPv3 target needs a configured user (got {target.user!r})")
        addr = (target.host, target.port)
        timeout = target.timeout_ms / 1000
        if inform:
            # The receiver is authoritative for informs: learn its engine ID, boots, time.
            remote = self._discover(addr, timeout, target.retries)
            if remote is None:
                return False
            engine_id, boots, etime = remote
        else:
            engine = self.sim.usm.engine
            engine_id, boots, etime = engine.engine_id, engine.boots, engine.time()
        keys = _localized(user, engine_id)
        flags = (usm.FLAG_AUTH if keys.auth else 0) | (usm.FLAG_PRIV if keys.priv else 0)
        if inform:
            flags |= usm.FLAG_REPORTABLE
        ctx = device.config.context.encode()
        pdu = ber.tlv(
            pdu_type, ber.int_tlv(rid) + b"\x02\x01\x00\x02\x01\x00" + ber.tlv(0x30, body)
        )
        scoped = ber.tlv(0x30, ber.tlv(0x04, engine_id) + ber.tlv(0x04, ctx) + pdu)
        msg_id = next(self._ids) & 0x7FFFFFFF
        wire = usm.encode_message(msg_id=msg_id, max_size=65507, flags=flags, engine_id=engine_id,
                                  boots=boots, etime=etime, user=user.name.encode(),
                                  scoped_pdu=scoped, keys=keys)  # fmt: skip
        if not inform:
            self.sock.sendto(wire, addr)
            return None
        return self._wait(msg_id, lambda: self.sock.sendto(wire, addr), timeout,
                          target.retries) is not None  # fmt: skip

    def _discover(self, addr: tuple[str, int], timeout: float,
                  retries: int) -> tuple[bytes, int, int] | None:  # fmt: skip
        cached = self._remote_engines.get(addr)
        if cached is not None:
            engine_id, boots, etime, at = cached
            return engine_id, boots, etime + int(time.monotonic() - at)
        msg_id = next(self._ids) & 0x7FFFFFFF
        scoped = usm.encode_scoped_pdu(b"", b"", ber.GET_REQUEST, msg_id, 0, 0, b"")
        probe = usm.encode_message(msg_id=msg_id, max_size=65507, flags=usm.FLAG_REPORTABLE,
                                   engine_id=b"", boots=0, etime=0, user=b"",
                                   scoped_pdu=scoped)  # fmt: skip
        reply = self._wait(msg_id, lambda: self.sock.sendto(probe, addr), timeout, retries)
        if reply is None:
            return None
        msg = usm.parse_message(reply)
        self._remote_engines[addr] = (msg.engine_id, msg.boots, msg.time, time.monotonic())
        return msg.engine_id, msg.boots, msg.time

    # -- state changes, schedules, storms -----------------------------------------------

    def on_write(self, device: Device, changes: list[Any]) -> None:
        """Called after a SET or an API change; emits linkDown/linkUp on ifOperStatus."""
        if not device.config.link_traps or not device.config.targets:
            return
        for ch in changes:
            oid = ch.oid
            if len(oid) != len(IF_TABLE_ENTRY) + 2 or oid[: len(IF_TABLE_ENTRY)] != IF_TABLE_ENTRY:
                continue
            if oid[len(IF_TABLE_ENTRY)] != IF_OPER_STATUS_COL:
                continue
            old = ch.old.value if ch.old is not None else None
            new = ch.new.value
            if old == new or new not in (1, 2):
                continue
            trap = STANDARD_TRAPS["linkUp" if new == 1 else "linkDown"]
            vbs = self.link_varbinds(device, oid[-1])
            threading.Thread(target=self.send, args=(device, trap, vbs), daemon=True,
                             name="sim-notify").start()  # fmt: skip

    def default_varbinds(self, device: Device, trap_oid: tuple[int, ...],
                         index: str | None) -> list[tuple[bytes, bytes]]:  # fmt: skip
        """The notification's OBJECTS at ``index`` (linkDown/linkUp without the MIB)."""
        suffix = ber.parse_oid("0." + index)[1:] if index else ()
        if trap_oid in (STANDARD_TRAPS["linkDown"], STANDARD_TRAPS["linkUp"]):
            return self.link_varbinds(device, suffix[0] if suffix else 1)
        mib = self.sim.mib_index
        node = mib.notification(trap_oid) if mib is not None else None
        if node is None:
            return []
        objs = [tuple(o.oid) for o in mib.notification_objects(node)]
        return self.object_varbinds(device, [o + (suffix or (0,)) for o in objs])

    def run_schedules(self, devices: dict[str, Device]) -> None:
        now = time.monotonic()
        for dev in devices.values():
            if not dev.running or not dev.config.schedules or not dev.config.targets:
                continue
            for k, sched in enumerate(dev.config.schedules):
                key = (dev.name, k)
                due = self._due.get(key)
                if due is None:
                    self._due[key] = now + sched.every_s
                    continue
                if now < due:
                    continue
                self._due[key] = (
                    due + sched.every_s if due + sched.every_s > now else now + sched.every_s
                )
                try:
                    trap = self.trap_oid(sched.trap)
                    vbs = self.default_varbinds(dev, trap, sched.index)
                except (NotifyError, ValueError):
                    continue
                threading.Thread(target=self.send, args=(dev, trap, vbs, None, sched.inform),
                                 daemon=True, name="sim-notify").start()  # fmt: skip

    def send_start_traps(self, devices: list[Device], trap: str) -> None:
        """coldStart/warmStart from each device that has targets, from one thread."""
        chosen = [d for d in devices
                  if d.running and d.config.targets and d.config.start_traps]  # fmt: skip
        if not chosen:
            return

        def run() -> None:
            for dev in chosen:
                if self._stop:
                    return
                self.send(dev, STANDARD_TRAPS[trap], [])

        threading.Thread(target=run, name="sim-start-traps", daemon=True).start()

    def start_storm(self, device: Device, trap_oid: tuple[int, ...],
                    vbs: list[tuple[bytes, bytes]], rate: float, count: int,
                    targets: list[NotificationTarget] | None,
                    inform: bool | None) -> Storm:  # fmt: skip
        storm = Storm(uuid.uuid4().hex[:12], device.name, count, rate)
        self.storms[storm.id] = storm
        while len(self.storms) > 50:
            oldest = next(iter(self.storms))
            if self.storms[oldest].finished is None:
                break
            del self.storms[oldest]

        def run() -> None:
            start = time.monotonic()
            try:
                for k in range(count):
                    if storm.stop or self._stop:
                        break
                    due = start + k / rate
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    for r in self.send(device, trap_oid, vbs, targets, inform):
                        storm.sent += 1 if r["sent"] else 0
                        storm.acked += 1 if r["acked"] else 0
                        if r["error"]:
                            storm.failed += 1
                            if len(storm.errors) < 10:
                                storm.errors.append(r["error"])
            finally:
                storm.finished = time.time()

        threading.Thread(target=run, name=f"sim-storm-{storm.id}", daemon=True).start()
        return storm


def _localized(user: Any, engine_id: bytes) -> usm.SecurityKeys:
    auth = usm.auth_protocol(user.auth) if user.auth else None
    priv = usm.priv_protocol(user.priv) if user.priv else None
    auth_key = priv_key = b""
    if auth is not None:
        auth_key = usm.localize_key(auth, _ku(auth, user.auth_key), engine_id)
        if priv is not None:
            priv_key = usm.priv_key(auth, priv, _ku(auth, user.priv_key), engine_id)
    return usm.SecurityKeys(auth, auth_key, priv, priv_key)


_KU_CACHE: dict[tuple[str, str], bytes] = {}


def _ku(auth: usm.AuthProtocol, password: str) -> bytes:
    key = (auth.name, password)
    ku = _KU_CACHE.get(key)
    if ku is None:
        ku = usm.password_to_key(auth, password.encode())
        _KU_CACHE[key] = ku
    return ku
