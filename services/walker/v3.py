"""SNMPv3 (USM) sessions through pysnmp, with the same surface as the v1/v2c client.

pysnmp carries every USM protocol Net-SNMP speaks (MD5, SHA-1, SHA-2 224/256/384/512;
DES, AES-128, and AES-192/256 with the key extension Net-SNMP uses). Var-binds cross the
boundary as ``(oid content, value TLV)`` both ways, so walks, rendering and the checks
on OIDs are the same code for every version; only the transport and security differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from pyasn1.codec.ber import encoder as ber_encoder
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio import (
    Udp6TransportTarget,
    UdpTransportTarget,
    UsmUserData,
    usmAesBlumenthalCfb192Protocol,
    usmAesBlumenthalCfb256Protocol,
    usmAesCfb128Protocol,
    usmDESPrivProtocol,
    usmHMAC128SHA224AuthProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC256SHA384AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
    usmNoAuthProtocol,
    usmNoPrivProtocol,
)
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.api import v2c

from services.common.snmp import ber, message, values
from services.common.snmp.message import Message, VarBind
from services.walker.client import Endpoint, SnmpCancelled, SnmpFailure, SnmpTimeout
from services.walker.requests import AgentParams
from services.walker.targets import BadInput

AUTH_PROTOCOLS = {
    "none": usmNoAuthProtocol,
    "MD5": usmHMACMD5AuthProtocol,
    "SHA": usmHMACSHAAuthProtocol,
    "SHA-224": usmHMAC128SHA224AuthProtocol,
    "SHA-256": usmHMAC192SHA256AuthProtocol,
    "SHA-384": usmHMAC256SHA384AuthProtocol,
    "SHA-512": usmHMAC384SHA512AuthProtocol,
}
PRIV_PROTOCOLS = {
    "none": usmNoPrivProtocol,
    "DES": usmDESPrivProtocol,
    "AES": usmAesCfb128Protocol,
    # Net-SNMP's AES-192/256 extend the localized key the Blumenthal way.
    "AES-192": usmAesBlumenthalCfb192Protocol,
    "AES-256": usmAesBlumenthalCfb256Protocol,
}

_GENERATORS: dict[int, Any] = {
    ber.GET_REQUEST: cmdgen.GetCommandGenerator,
    ber.GET_NEXT_REQUEST: cmdgen.NextCommandGenerator,
    ber.GET_BULK_REQUEST: cmdgen.BulkCommandGenerator,
    ber.SET_REQUEST: cmdgen.SetCommandGenerator,
}
# pysnmp error indications that mean "the credentials are wrong", in words a person acts on.
_HINTS = {
    "unknownUserName": "the agent does not know this USM user",
    "wrongDigest": "authentication failed: wrong auth protocol or passphrase",
    "unsupportedSecLevel": "the agent does not allow this security level for the user",
    "unsupportedSecurityLevel": "the agent does not allow this security level for the user",
    "decryptionError": "decryption failed: wrong privacy protocol or passphrase",
    "notInTimeWindow": "the agent rejected the message as outside its time window",
    "unknownEngineID": "the agent rejected the engine ID",
}


class V3Error(SnmpFailure):
    """The v3 exchange failed for a security reason; the message says which."""


def usm_user(params: AgentParams) -> UsmUserData:
    """The USM user of a request, validated (a BadInput names the missing part)."""
    user = (params.user or "").strip()
    if not user or len(user) > 32:
        raise BadInput("SNMPv3 needs a user name of 1 to 32 characters")
    auth, priv = params.auth_protocol, params.priv_protocol
    if priv != "none" and auth == "none":
        raise BadInput("SNMPv3 privacy needs authentication too (authPriv)")
    for proto, key, what in ((auth, params.auth_key, "auth"), (priv, params.priv_key, "priv")):
        if proto != "none" and (key is None or len(key) < 8):
            raise BadInput(f"the SNMPv3 {what} passphrase must be at least 8 characters")
    return UsmUserData(
        user,
        authKey=params.auth_key if auth != "none" else None,
        privKey=params.priv_key if priv != "none" else None,
        authProtocol=AUTH_PROTOCOLS[auth],
        privProtocol=PRIV_PROTOCOLS[priv],
    )


def to_pysnmp_value(value_tlv: bytes) -> Any:
    type_name, value = values.decode_value(value_tlv)
    match type_name:
        case "Integer32":
            return rfc1902.Integer32(value)
        case "OctetString":
            return rfc1902.OctetString(value)
        case "ObjectIdentifier":
            return rfc1902.ObjectName(value)
        case "IpAddress":
            return rfc1902.IpAddress(value)
        case "Counter32":
            return rfc1902.Counter32(value)
        case "Gauge32":
            return rfc1902.Gauge32(value)
        case "TimeTicks":
            return rfc1902.TimeTicks(value)
        case "Opaque":
            return rfc1902.Opaque(value)
        case "Counter64":
            return rfc1902.Counter64(value)
        case _:
            return rfc1905.unSpecified


def to_varbind(name: Any, value: Any) -> VarBind:
    return ber.encode_oid(tuple(name)), ber_encoder.encode(value)


def from_varbinds(varbinds: list[VarBind]) -> list[tuple[Any, Any]]:
    return [(v2c.ObjectIdentifier(ber.decode_oid(o)), to_pysnmp_value(v)) for o, v in varbinds]


def error_indication_text(indication: Any) -> str:
    text = str(indication)
    for key, hint in _HINTS.items():
        if key.lower() in type(indication).__name__.lower() or key.lower() in text.lower():
            return f"SNMPv3: {hint} ({text})"
    return f"SNMPv3: {text}"


class V3Pending:
    def __init__(self, session: V3Session, pdu_type: int, varbinds: list[VarBind],
                 non_repeaters: int, max_repetitions: int,
                 on_reply: Callable[[Message], None] | None = None) -> None:  # fmt: skip
        self._session = session
        self._on_reply = on_reply
        loop = asyncio.get_running_loop()
        self._future: asyncio.Future[Message] = loop.create_future()
        generator = _GENERATORS[pdu_type]()
        args: list[Any] = [
            session.engine,
            session.addr_name,
            session.context_engine_id,
            session.context_name,
        ]
        if pdu_type == ber.GET_BULK_REQUEST:
            args += [non_repeaters, max_repetitions]
        args += [from_varbinds(varbinds), self._done, None]
        generator.send_varbinds(*args)

    def _done(self, _engine: Any, _handle: Any, indication: Any, status: Any, index: Any,
              varbinds: Any, _ctx: Any) -> None:  # fmt: skip
        fut = self._future
        if fut.done():
            return
        if indication:
            name = type(indication).__name__
            if "timedout" in name.lower() or "timed out" in str(indication).lower():
                s = self._session
                fut.set_exception(SnmpTimeout(
                    f"no response from {s.endpoint.label} after {s.retries + 1} tries of "
                    f"{s.timeout:g} s"
                ))  # fmt: skip
            else:
                fut.set_exception(V3Error(error_indication_text(indication)))
            return
        try:
            vbs = [to_varbind(n, v) for n, v in varbinds]
        except Exception as exc:  # an undecodable answer is the agent's fault, not ours
            fut.set_exception(V3Error(f"SNMPv3: unreadable response ({exc})"))
            return
        reply = Message(message.V3, b"", ber.RESPONSE, 0, int(status), int(index), vbs)
        if self._on_reply is not None:
            self._on_reply(reply)
        fut.set_result(reply)

    def cancel(self) -> None:
        if not self._future.done():
            self._future.set_exception(SnmpCancelled())
            self._future.exception()

    async def wait(self) -> Message:
        return await self._future


class V3Session:
    version = message.V3

    def __init__(self, endpoint: Endpoint, params: AgentParams) -> None:
        self.endpoint = endpoint
        self.timeout = params.timeout
        self.retries = params.retries
        self.user = usm_user(params)
        self.context_name = v2c.OctetString(params.context_name.encode())
        self.context_engine_id = None
        if params.context_engine_id:
            try:
                self.context_engine_id = v2c.OctetString(
                    hexValue=params.context_engine_id.replace(":", "").strip()
                )
            except Exception:
                raise BadInput(
                    f"context_engine_id {params.context_engine_id!r} is not hex"
                ) from None
        self.engine = SnmpEngine()
        self.addr_name: Any = None

    async def open(self) -> None:
        host = str(self.endpoint.sockaddr[0])
        cls = Udp6TransportTarget if ":" in host else UdpTransportTarget
        target = await cls.create(
            (host, self.endpoint.port), timeout=self.timeout, retries=self.retries
        )
        self.addr_name, _ = CommandGeneratorLcdConfigurator().configure(
            self.engine, self.user, target, self.context_name
        )

    def close(self) -> None:
        dispatcher = self.engine.transport_dispatcher
        if dispatcher is not None:
            dispatcher.close_dispatcher()

    def start(self, pdu_type: int, varbinds: list[VarBind], non_repeaters: int = 0,
              max_repetitions: int = 0,
              on_reply: Callable[[Message], None] | None = None) -> V3Pending:  # fmt: skip
        return V3Pending(self, pdu_type, varbinds, non_repeaters, max_repetitions, on_reply)

    async def request(self, pdu_type: int, varbinds: list[VarBind], non_repeaters: int = 0,
                      max_repetitions: int = 0) -> Message:  # fmt: skip
        return await self.start(pdu_type, varbinds, non_repeaters, max_repetitions).wait()


@asynccontextmanager
async def open_v3_session(endpoint: Endpoint, params: AgentParams) -> AsyncIterator[V3Session]:
    session = V3Session(endpoint, params)
    await session.open()
    try:
        yield session
    finally:
        session.close()
