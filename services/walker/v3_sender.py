"""SNMPv3 traps and informs through pysnmp's notification originator.

For a trap we are the authoritative engine, so the receiver must know our engine ID
(``engine_id`` in the request, else the walker's own, stable across restarts); for an
inform the receiver is authoritative and pysnmp discovers its engine first.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import ntforg
from pysnmp.hlapi.v3arch.asyncio import Udp6TransportTarget, UdpTransportTarget
from pysnmp.hlapi.v3arch.asyncio.lcd import NotificationOriginatorLcdConfigurator
from pysnmp.proto.api import v2c

from services.common.snmp.message import Message
from services.walker.client import Endpoint, SnmpFailure, SnmpTimeout
from services.walker.requests import SendRequest
from services.walker.targets import BadInput
from services.walker.v3 import error_indication_text, from_varbinds, to_varbind, usm_user


def _engine_id(req: SendRequest, default: bytes) -> bytes:
    text = req.engine_id or (req.context_engine_id if req.notification == "trap" else None)
    if not text:
        return default
    try:
        raw = bytes.fromhex(text.replace(":", "").strip().removeprefix("0x"))
    except ValueError:
        raise BadInput(f"engine_id {text!r} is not hex") from None
    if not 5 <= len(raw) <= 32:
        raise BadInput("engine_id must be 5 to 32 octets")
    return raw


class _InformPending:
    def __init__(self) -> None:
        self.future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()

    def done(self, _e: Any, _h: Any, indication: Any, status: Any, index: Any, vbs: Any,
             _ctx: Any) -> None:  # fmt: skip
        if self.future.done():
            return
        if indication:
            text = str(indication)
            if "timed" in text.lower() or "timeout" in type(indication).__name__.lower():
                self.future.set_exception(SnmpTimeout(f"no acknowledgement ({text})"))
            else:
                self.future.set_exception(SnmpFailure(error_indication_text(indication)))
            return
        rows = [to_varbind(n, v) for n, v in vbs]
        self.future.set_result(Message(3, b"", 0xA2, 0, int(status), int(index), rows))

    async def wait(self) -> Message:
        return await self.future


async def send_v3(sender: Any, endpoint: Endpoint, req: SendRequest, n: Any, inform: bool,
                  report: Any) -> None:  # fmt: skip
    user = usm_user(req)
    engine_id = _engine_id(req, sender.engine_id)
    engine = SnmpEngine(snmpEngineID=v2c.OctetString(engine_id)) if not inform else SnmpEngine()
    host = str(endpoint.sockaddr[0])
    cls = Udp6TransportTarget if ":" in host else UdpTransportTarget
    target = await cls.create((host, endpoint.port), timeout=req.timeout, retries=req.retries)
    kind = "inform" if inform else "trap"
    context = v2c.OctetString(req.context_name.encode())
    notify_name = NotificationOriginatorLcdConfigurator().configure(
        engine, user, target, kind, context
    )
    originator = ntforg.NotificationOriginator()
    try:
        if inform:

            def start() -> _InformPending:
                p = _InformPending()
                originator.send_varbinds(engine, notify_name, None, context,
                                         from_varbinds(n.v2_varbinds(sender.uptime(n))),
                                         p.done, None)  # fmt: skip
                return p

            await sender.run_informs(req, report, start)
        else:
            t0 = time.monotonic()
            for i in range(req.count):
                await sender.pace(i, t0, req.rate)
                try:
                    originator.send_varbinds(engine, notify_name, None, context,
                                             from_varbinds(n.v2_varbinds(sender.uptime(n))),
                                             None, None)  # fmt: skip
                    report.sent += 1
                    report.note({"n": i + 1, "sent": True})
                except Exception as exc:  # pysnmp raises its own errors on bad config
                    report.failed += 1
                    report.note({"n": i + 1, "sent": False, "error": str(exc)})
                if not req.rate and i % 64 == 63:
                    await asyncio.sleep(0)
            await asyncio.sleep(0.05)  # let the transport flush before it is closed
    finally:
        dispatcher = engine.transport_dispatcher
        if dispatcher is not None:
            dispatcher.close_dispatcher()
