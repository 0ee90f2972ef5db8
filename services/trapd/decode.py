"""Datagram -> trap record: decode the PDU, convert v1 per RFC 3584, name and render.

The record is built as JSON text directly (var-bind fragments are cached by their encoded
bytes), because the same text goes into the store and into the event datagram; building a
dict and serialising it per trap would cost more than the rest of the pipeline.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from services.common.snmp import ber, message, values
from services.common.snmp.ber import DecodeError
from services.trapd.naming import Naming, OidInfo

SYS_UPTIME_0 = ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 3, 0))
SNMP_TRAP_OID_0 = ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0))
SNMP_TRAP_ADDRESS_0 = ber.encode_oid((1, 3, 6, 1, 6, 3, 18, 1, 3, 0))
SNMP_TRAP_COMMUNITY_0 = ber.encode_oid((1, 3, 6, 1, 6, 3, 18, 1, 4, 0))
SNMP_TRAP_ENTERPRISE_0 = ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0))
SNMP_TRAPS = (1, 3, 6, 1, 6, 3, 1, 1, 5)  # generic traps are snmpTraps.(generic + 1)

VB_CACHE_MAX = 50_000

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
jstr = json.encoder.encode_basestring  # the C string escaper: a JSON string literal


class NotANotification(Exception):
    """A well-formed SNMP message that is not a trap or inform (e.g. a GET sent to us)."""

    def __init__(self, pdu_type: int) -> None:
        super().__init__(ber.PDU_NAMES.get(pdu_type, f"0x{pdu_type:02x}"))
        self.pdu_type = pdu_type


@dataclass(slots=True)
class Decoded:
    """One received notification, ready to be numbered, stored and pushed."""

    ts: float
    source: str
    listener: str
    version: str  # "v1" | "v2c" | "v3"
    pdu: str  # "trap" | "inform"
    trap_oid: str
    trap_type: str
    resolved: bool
    head_json: str  # the record's members after "seq", without braces
    vbtext: str  # var-bind names and values, for free-text search
    community: str | None = None
    ack: bytes | None = None  # the Response to send once the trap is stored (informs)
    ack_addr: Any = None
    reply_via: Any = None  # the listener the datagram came in on (set by the pipeline)
    varbinds: list[message.VarBind] | None = None  # as received (v2 form), for rules

    def record_json(self, seq: int) -> str:
        return f'{{"seq":{seq},{self.head_json}}}'


_time_str_cache: list[Any] = [-1, ""]


def time_str(ts: float) -> str:
    """UTC ``YYYY-MM-DD HH:MM:SS``, computed once per second of traffic."""
    sec = int(ts)
    if _time_str_cache[0] != sec:
        _time_str_cache[0] = sec
        _time_str_cache[1] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec))
    return str(_time_str_cache[1])


class VarbindRenderer:
    """Renders var-binds to JSON fragments through :class:`Naming`, with two caches: whole
    fragments by (OID, value) bytes, and per OID the parts that do not depend on the value
    (so a sysUpTime that changes in every trap costs one value rendering, nothing more)."""

    def __init__(self, naming: Naming) -> None:
        self.naming = naming
        self._cache: dict[tuple[bytes, bytes], tuple[str, str, bool]] = {}
        self._per_oid: dict[bytes, tuple[str, OidInfo]] = {}
        self._generation: object = None

    def render(self, oid: bytes, value_tlv: bytes) -> tuple[str, str, bool]:
        """``(json_fragment, search_text, resolved)`` of one var-bind."""
        gen = self.naming.generation
        if gen is not self._generation:
            self._cache = {}
            self._per_oid = {}
            self._generation = gen
        key = (oid, value_tlv)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        head = self._per_oid.get(oid)
        if head is None:
            info = self.naming.oid_info(oid)
            oid_text = ber.oid_str(ber.decode_oid(oid))
            head = (f'{{"oid":"{oid_text}","name":{jstr(info.name)},"type":"', info)
            if len(self._per_oid) >= VB_CACHE_MAX:
                self._per_oid = {}
            self._per_oid[oid] = head
        prefix, info = head
        type_name, value = values.decode_value(value_tlv)
        shown = self.naming.render(info, type_name, value)
        raw = values.raw_json(type_name, value)
        raw_json = jstr(raw) if isinstance(raw, str) else ("null" if raw is None else str(raw))
        frag = (
            f'{prefix}{type_name}","value":{jstr(shown)},"raw":{raw_json},'
            f'"resolved":{"true" if info.resolved else "false"}}}'
        )
        out = (frag, f"{info.name}={shown}", info.resolved)
        if len(self._cache) >= VB_CACHE_MAX:
            self._cache = {}
        self._cache[key] = out
        return out


def v1_trap_oid(trap: message.TrapV1) -> tuple[int, ...]:
    """RFC 3584 §3.1: the snmpTrapOID a v1 trap maps to."""
    if 0 <= trap.generic_trap <= 5:
        return (*SNMP_TRAPS, trap.generic_trap + 1)
    return (*ber.decode_oid(trap.enterprise), 0, trap.specific_trap)


def v1_to_v2_varbinds(trap: message.TrapV1) -> list[message.VarBind]:
    """RFC 3584 §3.1 var-binds: sysUpTime.0, snmpTrapOID.0, the originals, then the
    proxy objects (address, community, enterprise) unless the agent already sent them."""
    vbs: list[message.VarBind] = [
        (SYS_UPTIME_0, ber.tlv(ber.TIMETICKS, ber.encode_uint(trap.time_stamp))),
        (SNMP_TRAP_OID_0, ber.oid_tlv(v1_trap_oid(trap))),
    ]
    vbs.extend(trap.varbinds)
    present = {oid for oid, _ in trap.varbinds}
    if SNMP_TRAP_ADDRESS_0 not in present:
        vbs.append((SNMP_TRAP_ADDRESS_0, ber.tlv(ber.IP_ADDRESS, trap.agent_addr)))
    if SNMP_TRAP_COMMUNITY_0 not in present:
        vbs.append((SNMP_TRAP_COMMUNITY_0, ber.tlv(ber.OCTET_STRING, trap.community)))
    if SNMP_TRAP_ENTERPRISE_0 not in present:
        vbs.append((SNMP_TRAP_ENTERPRISE_0, ber.tlv(ber.OBJECT_IDENTIFIER, trap.enterprise)))
    return vbs


def members_json(obj: dict[str, Any]) -> str:
    """JSON object members without the braces, to splice into a record."""
    return _dumps(obj)[1:-1]


def _text(octets: bytes) -> str:
    return octets.decode("utf-8", "replace")


class Decoder:
    """Turns datagrams into :class:`Decoded` records. Used by one pipeline thread."""

    def __init__(self, naming: Naming) -> None:
        self.naming = naming
        self.vbs = VarbindRenderer(naming)
        self._trap_cache: dict[bytes, tuple[str, str, str, bool]] = {}
        self._trap_gen: object = None

    def decode_v1v2c(self, datagram: bytes, addr: Any, ts: float, listener: str) -> Decoded:
        msg = message.decode_message(datagram)
        if isinstance(msg, message.TrapV1):
            return self._v1(msg, addr, ts, listener)
        if msg.pdu_type not in (ber.SNMPV2_TRAP, ber.INFORM_REQUEST):
            raise NotANotification(msg.pdu_type)
        ack = None
        if msg.pdu_type == ber.INFORM_REQUEST:
            ack = message.encode_message(
                msg.version,
                msg.community,
                ber.RESPONSE,
                msg.request_id,
                0,
                0,
                b"".join(message.encode_varbind(o, v) for o, v in msg.varbinds),
            )
        community = _text(msg.community)
        return self.build(
            msg.varbinds,
            ts=ts,
            addr=addr,
            listener=listener,
            version=message.VERSION_NAMES[msg.version],
            pdu="inform" if ack is not None else "trap",
            community=community,
            extra_json=f'"community":{jstr(community)},"request_id":{msg.request_id}',
            ack=ack,
        )

    def _v1(self, trap: message.TrapV1, addr: Any, ts: float, listener: str) -> Decoded:
        community = _text(trap.community)
        agent = ".".join(str(b) for b in trap.agent_addr)
        return self.build(
            v1_to_v2_varbinds(trap),
            ts=ts,
            addr=addr,
            listener=listener,
            version="v1",
            pdu="trap",
            community=community,
            extra_json=members_json(
                {
                    "community": community,
                    "v1": {
                        "enterprise": ber.oid_str(ber.decode_oid(trap.enterprise)),
                        "agent_addr": agent,
                        "generic": trap.generic_trap,
                        "specific": trap.specific_trap,
                        "time_stamp": trap.time_stamp,
                    },
                }
            ),
            ack=None,
        )

    def trap_oid_of(self, value_tlv: bytes) -> tuple[str, str, str, bool]:
        """``(trap OID, trap_type, trap_type as JSON, named)`` of a snmpTrapOID value."""
        gen = self.naming.generation
        if gen is not self._trap_gen:
            self._trap_cache = {}
            self._trap_gen = gen
        hit = self._trap_cache.get(value_tlv)
        if hit is None:
            tag, s, e = ber.read_tlv(value_tlv, 0, len(value_tlv))
            if tag == ber.OBJECT_IDENTIFIER:
                trap_oid = ber.oid_str(ber.decode_oid(value_tlv[s:e]))
                trap_type, ok = self.naming.notification_name(trap_oid)
            else:
                trap_oid, trap_type, ok = "", "Unknown", False
            hit = (trap_oid, trap_type, jstr(trap_type), ok)
            if len(self._trap_cache) >= VB_CACHE_MAX:
                self._trap_cache = {}
            self._trap_cache[value_tlv] = hit
        return hit

    def build(
        self,
        varbinds: list[message.VarBind],
        *,
        ts: float,
        addr: Any,
        listener: str,
        version: str,
        pdu: str,
        community: str | None,
        extra_json: str,
        ack: bytes | None,
    ) -> Decoded:
        """The record of a notification whose var-binds are in v2 form. ``extra_json`` is
        the version-specific members as JSON text, without braces."""
        frags: list[str] = []
        texts: list[str] = []
        all_resolved = True
        trap: tuple[str, str, str, bool] | None = None
        render = self.vbs.render
        for oid, value_tlv in varbinds:
            frag, text, ok = render(oid, value_tlv)
            frags.append(frag)
            texts.append(text)
            all_resolved = all_resolved and ok
            if trap is None and oid == SNMP_TRAP_OID_0:
                trap = self.trap_oid_of(value_tlv)
        # A notification without snmpTrapOID.0 is malformed per RFC 3416, but it is still
        # someone's trap: keep it, marked as such.
        trap_oid, trap_type, trap_type_json, type_ok = trap or ("", "Unknown", '"Unknown"', False)
        resolved = type_ok and all_resolved
        host, port = addr[0], addr[1]
        source = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        head = (
            f'"timestamp":{ts!r},"time_str":"{time_str(ts)}","source":{jstr(source)},'
            f'"listener":{jstr(listener)},"version":"{version}","pdu":"{pdu}",'
            f'"trap_oid":"{trap_oid}","trap_type":{trap_type_json},'
            f'"resolved":{"true" if resolved else "false"},{extra_json},'
            f'"varbinds":[{",".join(frags)}]'
        )
        return Decoded(
            ts,
            source,
            listener,
            version,
            pdu,
            trap_oid,
            trap_type,
            resolved,
            head,
            "\n".join(texts),
            community,
            ack,
            addr,
            None,
            varbinds,
        )


__all__ = ["DecodeError", "Decoded", "Decoder", "NotANotification", "time_str"]
