"""The manager side of SNMPv3 USM over the shared codec (``services/common/snmp/usm.py``).

:class:`UsmFramer` turns PDUs into v3 messages and answers back into PDUs for one agent:
it discovers the agent's engine ID, keeps its boots/time, localizes the user's keys to
that engine (keys from passphrases are cached: the 1 MiB hash is the slow part), signs,
encrypts, verifies and decrypts. Reports become errors a person can act on, except the
two that discovery and time synchronisation expect.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from dataclasses import dataclass

from services.common.snmp import ber, message, usm
from services.common.snmp.message import Message
from services.walker.client import SnmpFailure
from services.walker.requests import AgentParams
from services.walker.targets import BadInput

# usmStats counters a Report names (RFC 3414 §5).
_USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
UNKNOWN_ENGINE_ID = (*_USM_STATS, 4, 0)
NOT_IN_TIME_WINDOW = (*_USM_STATS, 2, 0)
_REPORT_TEXT: dict[tuple[int, ...], str] = {
    (*_USM_STATS, 1, 0): "the agent does not allow this security level for the user",
    (*_USM_STATS, 3, 0): "the agent does not know this USM user",
    (*_USM_STATS, 5, 0): "authentication failed: wrong auth protocol or passphrase",
    (*_USM_STATS, 6, 0): "decryption failed: wrong privacy protocol or passphrase",
}
MAX_SIZE = 65507


class V3Report(SnmpFailure):
    """The agent answered with a Report the exchange cannot go on from."""


@functools.lru_cache(maxsize=256)
def _ku(auth_name: str, passphrase: str) -> bytes:
    return usm.password_to_key(usm.auth_protocol(auth_name), passphrase.encode())


@dataclass
class _Discovered:
    engine_id: bytes
    boots: int
    time: int
    at: float  # monotonic time when ``time`` was read


class UsmFramer:
    """Encodes requests and decodes answers for one user and one agent."""

    version = message.V3

    def __init__(self, params: AgentParams) -> None:
        user = (params.user or "").strip()
        if not user or len(user) > 32:
            raise BadInput("SNMPv3 needs a user name of 1 to 32 characters")
        auth_name, priv_name = params.auth_protocol, params.priv_protocol
        if priv_name != "none" and auth_name == "none":
            raise BadInput("SNMPv3 privacy needs authentication too (authPriv)")
        for proto, key, what in ((auth_name, params.auth_key, "auth"),
                                 (priv_name, params.priv_key, "priv")):  # fmt: skip
            if proto != "none" and (key is None or len(key) < 8):
                raise BadInput(f"the SNMPv3 {what} passphrase must be at least 8 characters")
        self.user = user.encode()
        self.auth = usm.auth_protocol(auth_name) if auth_name != "none" else None
        self.priv = usm.priv_protocol(priv_name) if priv_name != "none" else None
        self._auth_ku = _ku(auth_name, params.auth_key or "") if self.auth else b""
        self._priv_ku = _ku(auth_name, params.priv_key or "") if self.priv else b""
        self.flags = (usm.FLAG_AUTH if self.auth else 0) | (usm.FLAG_PRIV if self.priv else 0)
        self.context_name = params.context_name.encode()
        try:
            self.context_engine_id = (
                bytes.fromhex(params.context_engine_id.replace(":", "").strip())
                if params.context_engine_id
                else None
            )
        except ValueError:
            raise BadInput(f"context_engine_id {params.context_engine_id!r} is not hex") from None
        self.engine: _Discovered | None = None
        self.keys: usm.SecurityKeys | None = None
        self._salt = itertools.count(int.from_bytes(os.urandom(6), "big"))

    # -- discovery -----------------------------------------------------------------

    def discovery_request(self, request_id: int) -> bytes:
        """An unauthenticated, empty GET whose Report names the agent's engine."""
        pdu = usm.encode_scoped_pdu(b"", b"", ber.GET_REQUEST, request_id, 0, 0, b"")
        return usm.encode_message(msg_id=request_id, max_size=MAX_SIZE,
                                  flags=usm.FLAG_REPORTABLE, engine_id=b"", boots=0, etime=0,
                                  user=b"", scoped_pdu=pdu)  # fmt: skip

    def learn(self, msg: usm.V3Message) -> None:
        """Take the engine ID and clock from a Report (discovery or time window)."""
        first = self.engine is None or self.engine.engine_id != msg.engine_id
        self.engine = _Discovered(msg.engine_id, msg.boots, msg.time, time.monotonic())
        if first and self.auth is not None:
            auth_key = usm.localize_key(self.auth, self._auth_ku, msg.engine_id)
            priv_key = (usm.priv_key(self.auth, self.priv, self._priv_ku, msg.engine_id)
                        if self.priv is not None else b"")  # fmt: skip
            self.keys = usm.SecurityKeys(self.auth, auth_key, self.priv, priv_key)

    @property
    def ready(self) -> bool:
        # Authenticated requests need the agent's clock, which a Report without
        # authentication may leave at zero; the first notInTimeWindow fixes it.
        return self.engine is not None

    # -- requests and answers --------------------------------------------------------

    def own_engine(self, engine_id: bytes, boots: int, etime: int) -> None:
        """Make us the authoritative engine (for traps, which need no discovery)."""
        self.engine = None
        self.learn(usm.V3Message(0, 0, 0, 3, engine_id, boots, etime, b"", b"", 0, b"", b""))

    def encode(self, pdu_type: int, request_id: int, non_repeaters: int,
               max_repetitions: int, encoded_varbinds: bytes,
               reportable: bool = True) -> bytes:  # fmt: skip
        engine = self.engine
        assert engine is not None, "discover the engine first"
        etime = engine.time + int(time.monotonic() - engine.at)
        ctx = self.context_engine_id if self.context_engine_id is not None else engine.engine_id
        pdu = usm.encode_scoped_pdu(ctx, self.context_name, pdu_type, request_id,
                                    non_repeaters, max_repetitions, encoded_varbinds)  # fmt: skip
        return usm.encode_message(
            msg_id=request_id, max_size=MAX_SIZE,
            flags=self.flags | (usm.FLAG_REPORTABLE if reportable else 0),
            engine_id=engine.engine_id, boots=engine.boots, etime=etime, user=self.user,
            scoped_pdu=pdu, keys=self.keys, salt=next(self._salt),
        )  # fmt: skip

    def decode(self, datagram: bytes) -> tuple[usm.V3Message, Message]:
        """Verify and decrypt an answer; ``(header, PDU as a Message)``. DecodeError when it
        is not ours or not well-formed (the caller counts and drops it)."""
        msg = usm.parse_message(datagram)
        data = msg.data
        if msg.flags & usm.FLAG_AUTH:
            if self.keys is None or not usm.verify(self.keys.auth, self.keys.auth_key,  # type: ignore[arg-type]
                                                   datagram, msg):  # fmt: skip
                raise ber.DecodeError("answer fails authentication")
            if msg.flags & usm.FLAG_PRIV:
                assert self.keys.priv is not None
                try:
                    data = usm.decrypt(self.keys.priv, self.keys.priv_key, msg)
                except usm.UsmError as exc:
                    raise ber.DecodeError(str(exc)) from None
        spdu = usm.parse_scoped_pdu(data)
        pdu = Message(message.V3, b"", spdu.pdu_type, spdu.request_id, spdu.error_status,
                      spdu.error_index, spdu.varbinds)  # fmt: skip
        return msg, pdu

    def report_action(self, header: usm.V3Message, pdu: Message) -> str:
        """What a Report means: "discovered" / "resync" (send again) or raise V3Report."""
        oid = ber.decode_oid(pdu.varbinds[0][0]) if pdu.varbinds else ()
        if oid == UNKNOWN_ENGINE_ID:
            self.learn(header)
            return "discovered"
        if oid == NOT_IN_TIME_WINDOW:
            self.learn(header)
            return "resync"
        text = _REPORT_TEXT.get(oid, f"the agent sent a Report ({'.'.join(map(str, oid))})")
        raise V3Report(f"SNMPv3: {text}")
