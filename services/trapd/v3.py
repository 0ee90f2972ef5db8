"""SNMPv3 reception: USM users, key localisation per sending engine, time windows, Reports.

A user is defined once and applies to every sending engine: keys are kept as Ku (the
passphrase digest, RFC 3414 A.2) and localized on the fly for each authoritative engine ID
seen, then cached. For informs trapd is the authoritative engine, with its own engine ID
and boots counter persisted in the data directory; discovery and time synchronisation are
answered with Reports as RFC 3414 requires.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common.snmp import ber, message, usm
from services.common.snmp.ber import DecodeError
from services.trapd.decode import Decoded, Decoder, NotANotification, jstr
from services.trapd.pipeline import Refused

MAX_MSG_SIZE = 65507
KEY_CACHE_MAX = 10_000
ENGINE_CACHE_MAX = 100_000

# Refusal reason -> usmStats counter reported back for reportable messages.
REPORT_OIDS = {
    "unknown_engine_id": usm.UNKNOWN_ENGINE_IDS,
    "unknown_user": usm.UNKNOWN_USER_NAMES,
    "unsupported_sec_level": usm.UNSUPPORTED_SEC_LEVELS,
    "wrong_digest": usm.WRONG_DIGESTS,
    "not_in_time_window": usm.NOT_IN_TIME_WINDOWS,
    "decryption_error": usm.DECRYPTION_ERRORS,
}


@dataclass(frozen=True, slots=True)
class User:
    name: str
    auth: usm.AuthProtocol | None
    auth_ku: bytes
    priv: usm.PrivProtocol | None
    priv_ku: bytes
    engine_id: bytes | None = None  # None: any authoritative engine

    @property
    def level(self) -> str:
        if self.priv is not None:
            return usm.AUTH_PRIV
        return usm.AUTH_NO_PRIV if self.auth is not None else usm.NO_AUTH_NO_PRIV

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "auth_protocol": self.auth.name if self.auth else None,
            "priv_protocol": self.priv.name if self.priv else None,
            "security_level": self.level,
            "engine_id": self.engine_id.hex() if self.engine_id is not None else None,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.public(),
            "auth_ku": self.auth_ku.hex(),
            "priv_ku": self.priv_ku.hex(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> User:
        return cls(
            name=d["name"],
            auth=usm.auth_protocol(d["auth_protocol"]) if d.get("auth_protocol") else None,
            auth_ku=bytes.fromhex(d.get("auth_ku") or ""),
            priv=usm.priv_protocol(d["priv_protocol"]) if d.get("priv_protocol") else None,
            priv_ku=bytes.fromhex(d.get("priv_ku") or ""),
            engine_id=bytes.fromhex(d["engine_id"]) if d.get("engine_id") else None,
        )


def make_user(
    name: str,
    auth_protocol: str | None = None,
    auth_passphrase: str | None = None,
    priv_protocol: str | None = None,
    priv_passphrase: str | None = None,
    engine_id: str | None = None,
) -> User:
    """Validate a user definition; ValueError says what is wrong."""
    if not name or len(name) > 32:
        raise ValueError("user name must be 1-32 characters")
    auth = usm.auth_protocol(auth_protocol) if auth_protocol else None
    priv = usm.priv_protocol(priv_protocol) if priv_protocol else None
    if priv is not None and auth is None:
        raise ValueError("a privacy protocol needs an auth protocol too")
    if auth is not None and (not auth_passphrase or len(auth_passphrase) < 8):
        raise ValueError("auth passphrase must be at least 8 characters (RFC 3414)")
    if priv is not None and (not priv_passphrase or len(priv_passphrase) < 8):
        raise ValueError("priv passphrase must be at least 8 characters (RFC 3414)")
    engine = None
    if engine_id:
        text = engine_id.lower().removeprefix("0x").replace(":", "")
        try:
            engine = bytes.fromhex(text)
        except ValueError:
            raise ValueError("engine_id must be hex octets") from None
        if not 5 <= len(engine) <= 32:
            raise ValueError("engine_id must be 5-32 octets")
    auth_ku = (
        usm.password_to_key(auth, auth_passphrase.encode()) if auth and auth_passphrase else b""
    )
    priv_ku = (
        usm.password_to_key(auth, priv_passphrase.encode())
        if auth and priv and priv_passphrase
        else b""
    )
    return User(name, auth, auth_ku, priv, priv_ku, engine)


class UserTable:
    """Users by name, persisted as JSON holding Ku digests, never passphrases."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.users: dict[str, User] = {}
        self.version = 0  # bumped on every change, so caches of derived keys know
        try:
            for d in json.loads(path.read_text()):
                user = User.from_json(d)
                self.users[user.name] = user
        except FileNotFoundError:
            pass

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump([u.to_json() for u in self.users.values()], fh, indent=1)
        os.replace(tmp, self.path)

    def put(self, user: User) -> None:
        with self._lock:
            users = dict(self.users)
            users[user.name] = user
            self.users = users  # one assignment: the pipeline reads without the lock
            self.version += 1
            self._save()

    def delete(self, name: str) -> bool:
        with self._lock:
            if name not in self.users:
                return False
            users = dict(self.users)
            del users[name]
            self.users = users
            self.version += 1
            self._save()
            return True


class LocalEngine:
    """trapd's own SNMP engine identity: ID and boots persisted, time since start."""

    def __init__(self, path: Path) -> None:
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            state = {}
        self.engine_id = (
            bytes.fromhex(state["engine_id"]) if state.get("engine_id") else usm.make_engine_id()
        )
        self.boots = min(int(state.get("boots", 0)) + 1, 2**31 - 1)
        self._started = time.monotonic()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"engine_id": self.engine_id.hex(), "boots": self.boots}))
        os.replace(tmp, path)

    @property
    def time(self) -> int:
        return int(time.monotonic() - self._started)


class V3Receiver:
    """Authenticates, decrypts and decodes v3 notifications for the pipeline thread."""

    def __init__(self, users: UserTable, engine: LocalEngine, decoder: Decoder) -> None:
        self.users = users
        self.engine = engine
        self.decoder = decoder
        self._keys: dict[tuple[str, bytes], usm.SecurityKeys] = {}
        self._ciphers: dict[tuple[str, bytes], usm.PrivCipher] = {}
        self._users_version = -1
        # Non-authoritative time-window cache: engine ID -> (boots, time, local receive time)
        self._engines: dict[bytes, tuple[int, int, float]] = {}
        self.counts: dict[str, int] = {}
        self.enforce_time_window = True
        self._salt = int.from_bytes(os.urandom(8), "big")

    def keys_for(self, user: User, engine_id: bytes) -> usm.SecurityKeys:
        if self._users_version != self.users.version:
            # A user was added, changed or removed: keys localised before may be stale.
            self._keys.clear()
            self._ciphers.clear()
            self._users_version = self.users.version
        key = (user.name, engine_id)
        keys = self._keys.get(key)
        if keys is None:
            if len(self._keys) >= KEY_CACHE_MAX:
                self._keys.clear()
                self._ciphers.clear()
            auth_key = usm.localize_key(user.auth, user.auth_ku, engine_id) if user.auth else b""
            priv_key = (
                usm.priv_key(user.auth, user.priv, user.priv_ku, engine_id)
                if user.auth and user.priv
                else b""
            )
            keys = usm.SecurityKeys(user.auth, auth_key, user.priv, priv_key)
            self._keys[key] = keys
            if keys.priv is not None:
                self._ciphers[key] = usm.PrivCipher(keys.priv, keys.priv_key)
        return keys

    def _refuse(self, reason: str, msg: usm.V3Message | None = None, **kw: Any) -> Refused:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        reply = None
        if msg is not None and msg.reportable and reason in REPORT_OIDS:
            reply = self._report(msg, reason, **kw)
        return Refused(reason, reply)

    def _report(
        self,
        msg: usm.V3Message,
        reason: str,
        request_id: int = 0,
        keys: usm.SecurityKeys | None = None,
        user: bytes = b"",
    ) -> bytes:
        scoped = usm.report_scoped_pdu(
            self.engine.engine_id, request_id, REPORT_OIDS[reason], self.counts.get(reason, 0)
        )
        flags = usm.FLAG_AUTH if keys is not None and keys.auth is not None else 0
        return usm.encode_message(
            msg_id=msg.msg_id,
            max_size=MAX_MSG_SIZE,
            flags=flags,
            engine_id=self.engine.engine_id,
            boots=self.engine.boots,
            etime=self.engine.time,
            user=user if flags else msg.user,
            scoped_pdu=scoped,
            keys=keys if flags else None,
        )

    def _plain_request_id(self, msg: usm.V3Message) -> int:
        if msg.flags & usm.FLAG_PRIV:
            return 0
        try:
            return usm.parse_scoped_pdu(msg.data).request_id
        except DecodeError:
            return 0

    def _check_time(self, msg: usm.V3Message, authoritative: bool) -> bool:
        if authoritative:
            return (
                msg.boots == self.engine.boots
                and msg.boots < 2**31 - 1
                and abs(msg.time - self.engine.time) <= usm.TIME_WINDOW
            )
        cached = self._engines.get(msg.engine_id)
        now = time.monotonic()
        if cached is not None and self.enforce_time_window:
            boots, etime, at = cached
            expected = etime + (now - at)
            if msg.boots < boots or (msg.boots == boots and msg.time < expected - usm.TIME_WINDOW):
                return False
        if cached is None or msg.boots > cached[0] or msg.time >= cached[1] + (now - cached[2]):
            if len(self._engines) >= ENGINE_CACHE_MAX:
                self._engines.clear()
            self._engines[msg.engine_id] = (msg.boots, msg.time, now)
        return True

    def handle(self, datagram: bytes, addr: Any, ts: float, listener: str) -> Decoded:
        msg = usm.parse_message(datagram)
        if msg.security_model != usm.USM_SECURITY_MODEL:
            raise self._refuse("unsupported_security_model")
        authoritative = msg.engine_id == self.engine.engine_id
        if msg.reportable and not authoritative:
            # A confirmed-class request (an inform, or a discovery probe) to another engine.
            raise self._refuse("unknown_engine_id", msg, request_id=self._plain_request_id(msg))
        name = msg.user.decode("utf-8", "replace")
        user = self.users.users.get(name)
        if user is None or (user.engine_id is not None and user.engine_id != msg.engine_id):
            raise self._refuse("unknown_user", msg, request_id=self._plain_request_id(msg))
        has_auth = bool(msg.flags & usm.FLAG_AUTH)
        has_priv = bool(msg.flags & usm.FLAG_PRIV)
        if (
            (has_auth and user.auth is None)
            or (has_priv and user.priv is None)
            or (user.auth is not None and not has_auth)
        ):
            raise self._refuse("unsupported_sec_level", msg, request_id=self._plain_request_id(msg))
        keys = self.keys_for(user, msg.engine_id)
        if has_auth:
            assert keys.auth is not None
            if not usm.verify(keys.auth, keys.auth_key, datagram, msg):
                raise self._refuse("wrong_digest", msg)
            if not self._check_time(msg, authoritative):
                raise self._refuse(
                    "not_in_time_window", msg, keys=keys if authoritative else None,
                    user=msg.user,
                )  # fmt: skip
        data = msg.data
        if has_priv:
            assert keys.priv is not None
            try:
                data = self._ciphers[(user.name, msg.engine_id)].decrypt(msg)
            except usm.UsmError:
                raise self._refuse("decryption_error", msg) from None
        try:
            scoped = usm.parse_scoped_pdu(data)
        except DecodeError:
            if has_priv:
                # Garbage after decryption: a wrong privacy key, not a malformed sender.
                raise self._refuse("decryption_error", msg) from None
            raise
        if scoped.pdu_type not in (ber.SNMPV2_TRAP, ber.INFORM_REQUEST):
            raise NotANotification(scoped.pdu_type)
        ack = None
        if scoped.pdu_type == ber.INFORM_REQUEST:
            if not authoritative:
                raise self._refuse("unknown_engine_id", msg, request_id=scoped.request_id)
            response = usm.encode_scoped_pdu(
                scoped.context_engine_id,
                scoped.context_name,
                ber.RESPONSE,
                scoped.request_id,
                0,
                0,
                b"".join(message.encode_varbind(o, v) for o, v in scoped.varbinds),
            )
            self._salt += 1
            ack = usm.encode_message(
                msg_id=msg.msg_id,
                max_size=MAX_MSG_SIZE,
                flags=msg.flags & (usm.FLAG_AUTH | usm.FLAG_PRIV),
                engine_id=self.engine.engine_id,
                boots=self.engine.boots,
                etime=self.engine.time,
                user=msg.user,
                scoped_pdu=response,
                keys=keys,
                salt=self._salt,
            )
        return self.decoder.build(
            scoped.varbinds,
            ts=ts,
            addr=addr,
            listener=listener,
            version="v3",
            pdu="inform" if ack is not None else "trap",
            community=None,
            extra_json=(
                f'"community":null,"v3":{{"user":{jstr(name)},'
                f'"security_level":"{msg.security_level}","engine_id":"{msg.engine_id.hex()}",'
                f'"context_engine_id":"{scoped.context_engine_id.hex()}",'
                f'"context_name":{jstr(scoped.context_name.decode("utf-8", "replace"))}}}'
            ),
            ack=ack,
        )

    def status(self) -> dict[str, Any]:
        return {
            "engine_id": self.engine.engine_id.hex(),
            "engine_boots": self.engine.boots,
            "engine_time": self.engine.time,
            "users": len(self.users.users),
            "known_engines": len(self._engines),
            "failures": dict(self.counts),
        }
