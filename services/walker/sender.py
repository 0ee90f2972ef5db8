"""The trap and inform sender: v1 traps, v2c traps and informs, v3 traps and informs.

A notification is ``sysUpTime.0``, ``snmpTrapOID.0`` and the caller's var-binds (a
``sysUpTime.0``/``snmpTrapOID.0`` given by the caller replaces ours instead of being sent
twice). SNMPv1 gets the RFC 3584 translation of the trap OID into enterprise,
generic-trap and specific-trap. SNMPv3 uses the shared USM codec: a trap is sent as our
own (authoritative) engine, an inform discovers the receiver's engine first. Informs
report each acknowledgement or timeout.
Repeats are paced to the asked rate; the sum is what the caller gets back.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from services.common.snmp import ber, message
from services.common.snmp.message import VarBind
from services.walker.client import CommunitySession, Endpoint, SnmpFailure
from services.walker.names import Names
from services.walker.requests import SendRequest
from services.walker.targets import BadInput, check_community, resolve
from services.walker.typed_values import encode_typed
from services.walker.usm_client import UsmFramer

SYS_UPTIME_0 = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SNMP_TRAP_OID_0 = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
SNMP_TRAP_ENTERPRISE_0 = (1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0)
SNMP_TRAPS = (1, 3, 6, 1, 6, 3, 1, 1, 5)
_UPTIME_C = ber.encode_oid(SYS_UPTIME_0)
_TRAPOID_C = ber.encode_oid(SNMP_TRAP_OID_0)
MAX_RESULTS = 50  # per-send detail kept in the answer; counts cover every send


@dataclass
class SendReport:
    sent: int = 0
    acknowledged: int = 0
    timed_out: int = 0
    failed: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)

    def note(self, entry: dict[str, Any]) -> None:
        if len(self.results) < MAX_RESULTS:
            self.results.append(entry)


@dataclass
class Notification:
    """What to send, encoded once and reused by every repeat."""

    trap_oid: tuple[int, ...]
    uptime: int | None  # None: ticks since this service started, read per send
    varbinds: list[VarBind]  # the caller's, without sysUpTime.0 / snmpTrapOID.0

    def v2_varbinds(self, uptime: int) -> list[VarBind]:
        return [
            (_UPTIME_C, ber.tlv(ber.TIMETICKS, ber.encode_uint(uptime))),
            (_TRAPOID_C, ber.oid_tlv(self.trap_oid)),
            *self.varbinds,
        ]


def build_notification(req: SendRequest, names: Names) -> Notification:
    trap_text = req.oid or req.trap_oid
    if not trap_text:
        raise BadInput("oid (the notification OID or name, e.g. IF-MIB::linkDown) is required")
    trap_oid = names.parse_instance(trap_text, "trap oid")
    uptime = req.uptime
    vbs: list[VarBind] = []
    for i, vb in enumerate(req.varbinds):
        oid_c, tlv = encode_typed(vb, names, f"varbinds[{i}]")
        if oid_c == _UPTIME_C:
            if tlv[0] != ber.TIMETICKS:
                raise BadInput(f"varbinds[{i}]: sysUpTime.0 must be TimeTicks")
            _, start, stop = ber.read_tlv(tlv, 0, len(tlv))
            uptime = ber.decode_uint(tlv[start:stop])  # the caller's value replaces ours
            continue
        if oid_c == _TRAPOID_C:
            continue  # the oid field says which notification this is
        vbs.append((oid_c, tlv))
    return Notification(trap_oid, uptime, vbs)


def v1_fields(
    trap_oid: tuple[int, ...], varbinds: list[VarBind]
) -> tuple[tuple[int, ...], int, int]:
    """RFC 3584 section 3.2: enterprise, generic-trap and specific-trap from a v2 OID."""
    if trap_oid[:-1] == SNMP_TRAPS and 1 <= trap_oid[-1] <= 6:
        enterprise: tuple[int, ...] = SNMP_TRAPS
        for oid_c, tlv in varbinds:
            if oid_c == ber.encode_oid(SNMP_TRAP_ENTERPRISE_0) and tlv[0] == ber.OBJECT_IDENTIFIER:
                _, start, stop = ber.read_tlv(tlv, 0, len(tlv))
                enterprise = ber.decode_oid(tlv[start:stop])
        return enterprise, trap_oid[-1] - 1, 0
    if len(trap_oid) >= 3 and trap_oid[-2] == 0:
        return trap_oid[:-2], 6, trap_oid[-1]
    return trap_oid[:-1], 6, trap_oid[-1]


class Sender:
    def __init__(self, names: Names, started: float, engine_id: bytes, boots: int = 1) -> None:
        self.names = names
        self.started = started
        self.engine_id = engine_id
        self.boots = boots

    def uptime(self, n: Notification) -> int:
        if n.uptime is not None:
            return n.uptime
        return int((time.monotonic() - self.started) * 100) & 0xFFFFFFFF

    async def send(self, req: SendRequest) -> dict[str, Any]:
        inform = req.notification == "inform" or bool(req.inform)
        if inform and req.version == "v1":
            raise BadInput("SNMPv1 has no InformRequest; send a v1 trap or use v2c/v3 informs")
        notification = build_notification(req, self.names)
        endpoint = await resolve(req.target, req.port)
        report = SendReport()
        t0 = time.monotonic()
        if inform:
            await self._informs(endpoint, req, notification, report)
        else:
            await self._traps(endpoint, req, notification, report)
        seconds = time.monotonic() - t0
        ok = report.acknowledged if inform else report.sent
        bad = report.failed + report.timed_out
        return {
            "status": "sent" if ok and not bad else ("failed" if not ok else "partial"),
            "target": req.target,
            "port": req.port,
            "version": req.version,
            "notification": "inform" if inform else "trap",
            "trap_oid": ber.oid_str(notification.trap_oid),
            "count": req.count,
            "sent": report.sent,
            "acknowledged": report.acknowledged if inform else None,
            "timed_out": report.timed_out if inform else None,
            "failed": report.failed,
            "seconds": round(seconds, 4),
            "rate": round(report.sent / seconds, 1) if seconds > 0 else None,
            "results": report.results,
        }

    async def pace(self, i: int, t0: float, rate: float | None) -> None:
        if rate:
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    def _encode_trap(self, req: SendRequest, n: Notification, community: bytes,
                     agent_addr: bytes) -> bytes:  # fmt: skip
        uptime = self.uptime(n)
        if req.version == "v1":
            enterprise, generic, specific = v1_fields(n.trap_oid, n.varbinds)
            if req.enterprise:
                enterprise = self.names.parse_instance(req.enterprise, "enterprise")
            if req.generic_trap is not None:
                generic = req.generic_trap
            if req.specific_trap is not None:
                specific = req.specific_trap
            encoded = b"".join(message.encode_varbind(o, v) for o, v in n.varbinds)
            return message.encode_trap_v1(community, ber.encode_oid(enterprise), agent_addr,
                                          generic, specific, uptime, encoded)  # fmt: skip
        encoded = b"".join(message.encode_varbind(o, v) for o, v in n.v2_varbinds(uptime))
        return message.encode_message(message.V2C, community, ber.SNMPV2_TRAP,
                                      random.randint(1, 0x7FFFFFFF), 0, 0, encoded)  # fmt: skip

    async def _traps(self, endpoint: Endpoint, req: SendRequest, n: Notification,
                     report: SendReport) -> None:  # fmt: skip
        community = check_community(req.community) if req.version != "v3" else b""
        framer = None
        if req.version == "v3":
            # A trap's sender is the authoritative engine: our engine ID, boots and clock.
            framer = UsmFramer(req)
            etime = int(time.monotonic() - self.started)
            framer.own_engine(self._trap_engine_id(req), self.boots, etime)
        sock = socket.socket(endpoint.family, socket.SOCK_DGRAM)
        try:
            sock.connect(endpoint.sockaddr)
            agent_addr = self._agent_address(req, sock)
            t0 = time.monotonic()
            for i in range(req.count):
                await self.pace(i, t0, req.rate)
                if framer is not None:
                    encoded = b"".join(message.encode_varbind(o, v)
                                       for o, v in n.v2_varbinds(self.uptime(n)))  # fmt: skip
                    datagram = framer.encode(ber.SNMPV2_TRAP, random.randint(1, 0x7FFFFFFF),
                                             0, 0, encoded, reportable=False)  # fmt: skip
                else:
                    datagram = self._encode_trap(req, n, community, agent_addr)
                try:
                    sock.send(datagram)
                    report.sent += 1
                    report.note({"n": i + 1, "sent": True, "bytes": len(datagram)})
                except OSError as exc:
                    report.failed += 1
                    report.note({"n": i + 1, "sent": False, "error": str(exc)})
                if not req.rate and i % 256 == 255:
                    await asyncio.sleep(0)  # stay fair to other requests on a long burst
        finally:
            sock.close()

    def _trap_engine_id(self, req: SendRequest) -> bytes:
        text = req.engine_id or req.context_engine_id
        if not text:
            return self.engine_id
        try:
            raw = bytes.fromhex(text.replace(":", "").strip().removeprefix("0x"))
        except ValueError:
            raise BadInput(f"engine_id {text!r} is not hex") from None
        if not 5 <= len(raw) <= 32:
            raise BadInput("engine_id must be 5 to 32 octets")
        return raw

    def _agent_address(self, req: SendRequest, sock: socket.socket) -> bytes:
        if req.agent_address:
            try:
                return ipaddress.IPv4Address(req.agent_address.strip()).packed
            except ValueError:
                raise BadInput(f"agent_address {req.agent_address!r} is not IPv4") from None
        local = sock.getsockname()[0]
        try:
            return ipaddress.IPv4Address(local).packed
        except ValueError:
            return bytes(4)

    async def _informs(self, endpoint: Endpoint, req: SendRequest, n: Notification,
                       report: SendReport) -> None:  # fmt: skip
        if req.version == "v3":
            # The receiver of an inform is the authoritative engine: discover it first.
            session = CommunitySession(endpoint, message.V3, framer=UsmFramer(req),
                                       timeout=req.timeout, retries=req.retries)  # fmt: skip
        else:
            session = CommunitySession(endpoint, message.V2C, check_community(req.community),
                                       timeout=req.timeout, retries=req.retries)  # fmt: skip
        try:
            async with session:
                await self.run_informs(req, report, lambda: session.start(
                    ber.INFORM_REQUEST, n.v2_varbinds(self.uptime(n))))  # fmt: skip
        except SnmpFailure as exc:  # SNMPv3 discovery of the receiver failed
            report.failed += req.count
            report.note({"n": 1, "acknowledged": False, "error": str(exc)})

    async def run_informs(self, req: SendRequest, report: SendReport, start: Any) -> None:
        """Send ``count`` informs at ``rate``, at most 64 awaiting their acknowledgement."""
        window = asyncio.Semaphore(64)

        async def one(i: int, pending: Any, t_sent: float) -> None:
            try:
                reply = await pending.wait()
            except SnmpFailure as exc:
                report.timed_out += 1
                report.note({"n": i + 1, "acknowledged": False, "error": str(exc)})
            else:
                if reply.error_status:
                    report.failed += 1
                    name = message.ERROR_NAMES.get(reply.error_status, str(reply.error_status))
                    report.note({"n": i + 1, "acknowledged": False, "error": name})
                else:
                    report.acknowledged += 1
                    rtt = round((time.monotonic() - t_sent) * 1000, 2)
                    report.note({"n": i + 1, "acknowledged": True, "rtt_ms": rtt})
            finally:
                window.release()

        tasks = []
        t0 = time.monotonic()
        for i in range(req.count):
            await self.pace(i, t0, req.rate)
            await window.acquire()
            pending = start()
            report.sent += 1
            tasks.append(asyncio.create_task(one(i, pending, time.monotonic())))
        await asyncio.gather(*tasks)
