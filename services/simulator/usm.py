"""The agent side of SNMPv3: engine identity, users, and the request path through USM.

Message parsing, keys, HMAC and ciphers come from :mod:`services.common.snmp.usm`; this
module keeps the authoritative engine's state (engine ID, boots persisted per start,
engine time), the user table with keys localized once to our engine, the RFC 3414 checks
(discovery, unknown user, digest, time window, decryption) answered with Report PDUs,
and hands the scoped PDU to the same :class:`~.responder.Responder` PDU code that serves
v1/v2c. The context name selects the device.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from services.common.snmp import ber, usm
from services.common.snmp.ber import DecodeError, read_tlv, tlv
from services.simulator.device import SLOT, Device
from services.simulator.responder import Responder

_V3_OVERHEAD = 160  # header, USM parameters, MAC and cipher padding around the scoped PDU
_S_V3 = SLOT["v3"]


class V3User(BaseModel):
    name: str = Field(min_length=1, max_length=32)
    auth: str | None = Field(default=None, description="MD5, SHA, SHA-224/256/384/512")
    auth_key: str | None = Field(default=None, min_length=8, description="Auth passphrase.")
    priv: str | None = Field(default=None, description="DES, AES, AES-192, AES-256, -C variants")
    priv_key: str | None = Field(default=None, min_length=8, description="Privacy passphrase.")
    write: bool = Field(default=True, description="May SET.")

    @field_validator("auth")
    @classmethod
    def _auth(cls, v: str | None) -> str | None:
        return None if v is None else usm.auth_protocol(v).name

    @field_validator("priv")
    @classmethod
    def _priv(cls, v: str | None) -> str | None:
        return None if v is None else usm.priv_protocol(v).name

    def level(self) -> Literal["noAuthNoPriv", "authNoPriv", "authPriv"]:
        if self.priv:
            return "authPriv"
        return "authNoPriv" if self.auth else "noAuthNoPriv"

    def check(self) -> None:
        if self.auth and not self.auth_key:
            raise ValueError("an auth protocol needs auth_key (at least 8 characters)")
        if self.priv and not (self.auth and self.priv_key):
            raise ValueError("privacy needs an auth protocol and priv_key")

    def public(self) -> dict[str, Any]:
        return {"name": self.name, "auth": self.auth, "priv": self.priv, "write": self.write,
                "level": self.level()}  # fmt: skip


class _Keys:
    __slots__ = ("keys", "level", "user")

    def __init__(self, user: V3User, engine_id: bytes) -> None:
        self.user = user
        auth = usm.auth_protocol(user.auth) if user.auth else None
        priv = usm.priv_protocol(user.priv) if user.priv else None
        auth_key = priv_key = b""
        if auth is not None and user.auth_key:
            auth_key = usm.localize_key(
                auth, usm.password_to_key(auth, user.auth_key.encode()), engine_id
            )
            if priv is not None and user.priv_key:
                priv_key = usm.priv_key(
                    auth, priv, usm.password_to_key(auth, user.priv_key.encode()), engine_id
                )
        self.keys = usm.SecurityKeys(auth, auth_key, priv, priv_key)
        self.level = (usm.FLAG_AUTH if auth else 0) | (usm.FLAG_PRIV if priv else 0)


class Engine:
    """Our authoritative SNMP engine: ID and boots persisted, time from start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            saved = json.loads(path.read_text())
            self.engine_id = bytes.fromhex(saved["engine_id"])
            self.boots = int(saved["boots"])
        except (OSError, ValueError, KeyError):
            self.engine_id = usm.make_engine_id()
            self.boots = 0
        self.started = time.monotonic()

    def next_boot(self) -> None:
        self.boots = min(self.boots + 1, 2**31 - 1)
        self.started = time.monotonic()
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"engine_id": self.engine_id.hex(), "boots": self.boots}))
        tmp.replace(self.path)

    def time(self) -> int:
        return int(time.monotonic() - self.started)


class UsmAgent:
    """Answers SNMPv3 datagrams. One instance per simulator; ``handle`` is called from the
    data-plane threads (each with its own responder)."""

    STAT_NAMES = ("unsupported_sec_levels", "not_in_time_windows", "unknown_user_names",
                  "unknown_engine_ids", "wrong_digests", "decryption_errors", "malformed",
                  "unknown_contexts")  # fmt: skip

    def __init__(self, engine: Engine, contexts: dict[bytes, Device]) -> None:
        self.engine = engine
        self.contexts = contexts
        self.users: dict[bytes, _Keys] = {}
        self.stats = dict.fromkeys(self.STAT_NAMES, 0)
        self._salt = int.from_bytes(os.urandom(8), "big")
        self._lock = threading.Lock()
        self.default_device: Device | None = None

    def set_users(self, users: list[V3User]) -> None:
        # Deriving keys hashes a megabyte per passphrase: keep those of unchanged users.
        old = self.users
        new: dict[bytes, _Keys] = {}
        for u in users:
            name = u.name.encode()
            have = old.get(name)
            new[name] = (
                have if have is not None and have.user == u else _Keys(u, self.engine.engine_id)
            )
        self.users = new

    def _next_salt(self) -> int:
        with self._lock:
            self._salt = (self._salt + 1) & 0xFFFFFFFFFFFFFFFF
            return self._salt

    def _report(self, msg: usm.V3Message, request_id: int, reason: str, counter: tuple[int, ...],
                keys: _Keys | None = None) -> bytes | None:  # fmt: skip
        self.stats[reason] += 1
        if not msg.reportable:
            return None
        scoped = usm.report_scoped_pdu(self.engine.engine_id, request_id, counter,
                                       self.stats[reason])  # fmt: skip
        flags = 0
        if keys is not None and keys.keys.auth is not None and reason == "not_in_time_windows":
            flags = usm.FLAG_AUTH
        return usm.encode_message(
            msg_id=msg.msg_id, max_size=65507, flags=flags, engine_id=self.engine.engine_id,
            boots=self.engine.boots, etime=self.engine.time(), user=msg.user, scoped_pdu=scoped,
            keys=keys.keys if flags and keys is not None else None,
        )  # fmt: skip

    @staticmethod
    def _plain_request_id(data: bytes) -> int:
        try:
            return usm.parse_scoped_pdu(data).request_id
        except (DecodeError, ValueError):
            return 0

    def handle(self, datagram: bytes, addr: Any, responder: Responder) -> bytes | None:
        try:
            msg = usm.parse_message(datagram)
        except (DecodeError, ValueError, IndexError):
            self.stats["malformed"] += 1
            responder.stats.malformed += 1
            return None
        if msg.security_model != usm.USM_SECURITY_MODEL:
            self.stats["malformed"] += 1
            return None
        engine = self.engine
        plain = not msg.flags & usm.FLAG_PRIV
        if msg.engine_id != engine.engine_id:
            rid = self._plain_request_id(msg.data) if plain else 0
            return self._report(msg, rid, "unknown_engine_ids", usm.UNKNOWN_ENGINE_IDS)
        keys = self.users.get(msg.user)
        if keys is None:
            rid = self._plain_request_id(msg.data) if plain else 0
            return self._report(msg, rid, "unknown_user_names", usm.UNKNOWN_USER_NAMES)
        req_level = msg.flags & (usm.FLAG_AUTH | usm.FLAG_PRIV)
        if req_level & ~keys.level:
            rid = self._plain_request_id(msg.data) if plain else 0
            return self._report(msg, rid, "unsupported_sec_levels", usm.UNSUPPORTED_SEC_LEVELS)
        k = keys.keys
        if req_level & usm.FLAG_AUTH:
            assert k.auth is not None
            if not usm.verify(k.auth, k.auth_key, datagram, msg):
                return self._report(msg, 0, "wrong_digests", usm.WRONG_DIGESTS)
            now = engine.time()
            if msg.boots != engine.boots or abs(msg.time - now) > usm.TIME_WINDOW:
                rid = self._plain_request_id(msg.data) if plain else 0
                return self._report(msg, rid, "not_in_time_windows", usm.NOT_IN_TIME_WINDOWS,
                                    keys)  # fmt: skip
        data = msg.data
        if req_level & usm.FLAG_PRIV:
            assert k.priv is not None
            try:
                data = usm.decrypt(k.priv, k.priv_key, msg)
            except (usm.UsmError, ValueError):
                return self._report(msg, 0, "decryption_errors", usm.DECRYPTION_ERRORS)
        try:
            t, ss, se = read_tlv(data, 0, len(data))
            if t != ber.SEQUENCE:
                raise DecodeError("ScopedPDU is not a SEQUENCE")
            t, _es, ee = read_tlv(data, ss, se)
            t2, cs, ce = read_tlv(data, ee, se)
            if t != ber.OCTET_STRING or t2 != ber.OCTET_STRING:
                raise DecodeError("bad ScopedPDU")
            pdu_type, ps, pe = read_tlv(data, ce, se)
            if pe != se:
                raise DecodeError("trailing bytes in ScopedPDU")
            ctx_name = data[cs:ce]
            device = self.contexts.get(ctx_name)
            if device is None and not ctx_name:
                device = self.default_device
            if device is None or not device.running:
                self.stats["unknown_contexts"] += 1
                return None
            if pdu_type not in (ber.GET_REQUEST, ber.GET_NEXT_REQUEST, ber.GET_BULK_REQUEST,
                                ber.SET_REQUEST):  # fmt: skip
                raise DecodeError("not a request PDU")
            device.counts[_S_V3] += 1
            max_size = min(msg.max_size, responder.max_size) - _V3_OVERHEAD
            pdu = responder.respond_pdu(device, False, pdu_type, data, ps, pe, max_size,
                                        keys.user.write, addr, "v3")  # fmt: skip
        except (DecodeError, ValueError, IndexError):
            self.stats["malformed"] += 1
            responder.stats.malformed += 1
            return None
        if pdu is None:
            return None
        scoped = tlv(ber.SEQUENCE, tlv(ber.OCTET_STRING, engine.engine_id)
                     + tlv(ber.OCTET_STRING, ctx_name) + pdu)  # fmt: skip
        return usm.encode_message(
            msg_id=msg.msg_id, max_size=65507, flags=req_level, engine_id=engine.engine_id,
            boots=engine.boots, etime=engine.time(), user=msg.user, scoped_pdu=scoped,
            keys=k if req_level else None, salt=self._next_salt() if req_level & 2 else None,
        )  # fmt: skip
