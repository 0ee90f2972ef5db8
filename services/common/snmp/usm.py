"""SNMPv3 messages and the User-based Security Model (RFC 3412, 3414, 3826, 7860). No I/O.

What is here: parsing and encoding v3 messages and scoped PDUs, password-to-key and key
localisation (any engine ID, so a user can be defined once for every engine), HMAC
authentication (MD5, SHA-1, SHA-224/256/384/512) and privacy (DES-CBC, AES-128/192/256
CFB; 192/256 with the Blumenthal key extension that Net-SNMP uses, or Reeder's "C" variant
that Cisco uses). What is not: engine state (boots, time, time-window caches) and user
tables; the services keep those, because their policies differ (agent vs receiver).

Crypto comes from ``cryptography``; hashing and HMAC from the standard library.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from services.common.snmp import ber
from services.common.snmp.ber import DecodeError, expect, read_tlv, tlv
from services.common.snmp.message import VarBind, decode_varbinds

V3 = 3
USM_SECURITY_MODEL = 3

FLAG_AUTH = 0x01
FLAG_PRIV = 0x02
FLAG_REPORTABLE = 0x04

NO_AUTH_NO_PRIV = "noAuthNoPriv"
AUTH_NO_PRIV = "authNoPriv"
AUTH_PRIV = "authPriv"

# usmStats counters (RFC 3414 §5), reported in Report PDUs.
USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
UNSUPPORTED_SEC_LEVELS = (*USM_STATS, 1, 0)
NOT_IN_TIME_WINDOWS = (*USM_STATS, 2, 0)
UNKNOWN_USER_NAMES = (*USM_STATS, 3, 0)
UNKNOWN_ENGINE_IDS = (*USM_STATS, 4, 0)
WRONG_DIGESTS = (*USM_STATS, 5, 0)
DECRYPTION_ERRORS = (*USM_STATS, 6, 0)

TIME_WINDOW = 150  # seconds, RFC 3414 §2.2.3


class UsmError(Exception):
    """A USM check failed. ``reason`` names the usmStats counter it belongs to."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


# -- protocols --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthProtocol:
    name: str
    hash_name: str
    mac_len: int  # truncated HMAC length in msgAuthenticationParameters
    oid: tuple[int, ...]

    def new(self, data: bytes = b"") -> Any:
        return hashlib.new(self.hash_name, data)

    @property
    def key_len(self) -> int:
        return int(hashlib.new(self.hash_name).digest_size)


AUTH_PROTOCOLS: dict[str, AuthProtocol] = {
    p.name: p
    for p in (
        AuthProtocol("MD5", "md5", 12, (1, 3, 6, 1, 6, 3, 10, 1, 1, 2)),
        AuthProtocol("SHA", "sha1", 12, (1, 3, 6, 1, 6, 3, 10, 1, 1, 3)),
        AuthProtocol("SHA-224", "sha224", 16, (1, 3, 6, 1, 6, 3, 10, 1, 1, 4)),
        AuthProtocol("SHA-256", "sha256", 24, (1, 3, 6, 1, 6, 3, 10, 1, 1, 5)),
        AuthProtocol("SHA-384", "sha384", 32, (1, 3, 6, 1, 6, 3, 10, 1, 1, 6)),
        AuthProtocol("SHA-512", "sha512", 48, (1, 3, 6, 1, 6, 3, 10, 1, 1, 7)),
    )
}
AUTH_ALIASES = {
    "md5": "MD5", "sha": "SHA", "sha1": "SHA", "sha-1": "SHA",
    "sha224": "SHA-224", "sha-224": "SHA-224", "sha256": "SHA-256", "sha-256": "SHA-256",
    "sha384": "SHA-384", "sha-384": "SHA-384", "sha512": "SHA-512", "sha-512": "SHA-512",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PrivProtocol:
    name: str
    cipher: str  # "des" | "aes"
    key_len: int
    extension: str  # how a short localized key is lengthened: "" | "blumenthal" | "reeder"


PRIV_PROTOCOLS: dict[str, PrivProtocol] = {
    p.name: p
    for p in (
        PrivProtocol("DES", "des", 16, ""),
        PrivProtocol("AES", "aes", 16, ""),
        PrivProtocol("AES-192", "aes", 24, "blumenthal"),
        PrivProtocol("AES-256", "aes", 32, "blumenthal"),
        PrivProtocol("AES-192-C", "aes", 24, "reeder"),
        PrivProtocol("AES-256-C", "aes", 32, "reeder"),
    )
}
PRIV_ALIASES = {
    "des": "DES", "aes": "AES", "aes128": "AES", "aes-128": "AES",
    "aes192": "AES-192", "aes-192": "AES-192", "aes256": "AES-256", "aes-256": "AES-256",
    "aes192c": "AES-192-C", "aes-192-c": "AES-192-C",
    "aes256c": "AES-256-C", "aes-256-c": "AES-256-C",
}  # fmt: skip


def auth_protocol(name: str) -> AuthProtocol:
    key = name if name in AUTH_PROTOCOLS else AUTH_ALIASES.get(name.strip().lower(), "")
    if key not in AUTH_PROTOCOLS:
        raise ValueError(f"unknown auth protocol {name!r}; use one of {', '.join(AUTH_PROTOCOLS)}")
    return AUTH_PROTOCOLS[key]


def priv_protocol(name: str) -> PrivProtocol:
    key = name if name in PRIV_PROTOCOLS else PRIV_ALIASES.get(name.strip().lower(), "")
    if key not in PRIV_PROTOCOLS:
        raise ValueError(f"unknown priv protocol {name!r}; use one of {', '.join(PRIV_PROTOCOLS)}")
    return PRIV_PROTOCOLS[key]


# -- keys ---------------------------------------------------------------------------


def password_to_key(auth: AuthProtocol, password: bytes) -> bytes:
    """RFC 3414 A.2 (and RFC 7860 for SHA-2): hash 1 MiB of the repeated password -> Ku."""
    if not password:
        raise ValueError("empty passphrase")
    stream = (password * (1048576 // len(password) + 1))[:1048576]
    return bytes(auth.new(stream).digest())


def localize_key(auth: AuthProtocol, ku: bytes, engine_id: bytes) -> bytes:
    """Kul = H(Ku || engineID || Ku) (RFC 3414 §2.6)."""
    return bytes(auth.new(ku + engine_id + ku).digest())


def priv_key(auth: AuthProtocol, priv: PrivProtocol, priv_ku: bytes, engine_id: bytes) -> bytes:
    """The localized privacy key, lengthened as the protocol needs."""
    kul = localize_key(auth, priv_ku, engine_id)
    while len(kul) < priv.key_len:
        if priv.extension == "blumenthal":
            kul += auth.new(kul).digest()
        elif priv.extension == "reeder":
            kul += localize_key(auth, password_to_key(auth, kul), engine_id)
        else:
            raise ValueError(f"{priv.name} needs a longer key than {auth.name} gives")
    return kul[: priv.key_len]


# -- message parsing ------------------------------------------------------------------


@dataclass(slots=True)
class V3Message:
    msg_id: int
    max_size: int
    flags: int
    security_model: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_params: bytes
    auth_params_pos: int  # where msgAuthenticationParameters' content starts in the datagram
    priv_params: bytes
    data: bytes  # ScopedPDU TLV, or the encrypted octets when FLAG_PRIV is set

    @property
    def security_level(self) -> str:
        if self.flags & FLAG_PRIV:
            return AUTH_PRIV
        return AUTH_NO_PRIV if self.flags & FLAG_AUTH else NO_AUTH_NO_PRIV

    @property
    def reportable(self) -> bool:
        return bool(self.flags & FLAG_REPORTABLE)


def _len_at(d: bytes, pos: int) -> tuple[int, int]:
    """``(length, content start)`` of the TLV at ``pos`` for the short, 1- and 2-octet
    length forms; ``(-1, 0)`` for any other (the general path then decides)."""
    n = d[pos + 1]
    if n < 0x80:
        return n, pos + 2
    if n == 0x81:
        return d[pos + 2], pos + 3
    if n == 0x82:
        return (d[pos + 2] << 8) | d[pos + 3], pos + 4
    return -1, 0


def _fast_int(d: bytes, pos: int, limit: int) -> tuple[int, int] | None:
    """``(value, next position)`` of a small INTEGER at ``pos``, or None."""
    n = d[pos + 1]
    if d[pos] != 0x02 or not 0 < n <= 5 or pos + 2 + n > limit:
        return None
    return int.from_bytes(d[pos + 2 : pos + 2 + n], "big", signed=True), pos + 2 + n


def _fast_octets(d: bytes, pos: int, limit: int) -> tuple[int, int] | None:
    """``(content start, content end)`` of a short OCTET STRING at ``pos``, or None."""
    n = d[pos + 1]
    if d[pos] != 0x04 or n >= 0x80 or pos + 2 + n > limit:
        return None
    return pos + 2, pos + 2 + n


def _fast_parse(d: bytes) -> V3Message | None:
    """The usual v3 message, parsed with index arithmetic; None whenever anything is
    unusual or wrong, so that the general path decides (and raises)."""
    end = len(d)
    try:
        if d[0] != 0x30:
            return None
        n, pos = _len_at(d, 0)
        if n < 0 or pos + n != end or d[pos : pos + 3] != b"\x02\x01\x03" or d[pos + 3] != 0x30:
            return None
        gl, p = _len_at(d, pos + 3)
        gend = p + gl
        if gl < 0 or gend > end:
            return None
        r = _fast_int(d, p, gend)
        if r is None:
            return None
        msg_id, p = r
        r = _fast_int(d, p, gend)
        if r is None:
            return None
        max_size, p = r
        if d[p : p + 2] != b"\x04\x01":
            return None
        flags = d[p + 2]
        r = _fast_int(d, p + 3, gend)
        if r is None or r[1] != gend:
            return None
        model = r[0]
        if d[gend] != 0x04:
            return None
        sl, spos = _len_at(d, gend)
        send = spos + sl
        if sl < 0 or send > end or d[spos] != 0x30:
            return None
        ul, p = _len_at(d, spos)
        if ul < 0 or p + ul != send:
            return None
        o = _fast_octets(d, p, send)
        if o is None:
            return None
        engine_id = d[o[0] : o[1]]
        r = _fast_int(d, o[1], send)
        if r is None:
            return None
        boots, p = r
        r = _fast_int(d, p, send)
        if r is None:
            return None
        etime, p = r
        o = _fast_octets(d, p, send)
        if o is None:
            return None
        user = d[o[0] : o[1]]
        a = _fast_octets(d, o[1], send)
        if a is None:
            return None
        o = _fast_octets(d, a[1], send)
        if o is None or o[1] != send:
            return None
        priv_params = d[o[0] : o[1]]
        tag = d[send]
        dl, dpos = _len_at(d, send)
        if dl < 0 or dpos + dl != end:
            return None
    except IndexError:
        return None
    if flags & FLAG_PRIV:
        if tag != ber.OCTET_STRING or not flags & FLAG_AUTH:
            return None
        data = d[dpos:end]
    elif tag == ber.SEQUENCE:
        data = d[send:end]
    else:
        return None
    if not (0 <= boots <= 2**31 - 1 and 0 <= etime <= 2**31 - 1):
        return None
    return V3Message(msg_id, max_size, flags, model, engine_id, boots, etime, user,
                     d[a[0] : a[1]], a[0], priv_params, data)  # fmt: skip


def parse_message(datagram: bytes) -> V3Message:
    fast = _fast_parse(datagram)
    if fast is not None:
        return fast
    end = len(datagram)
    mstart, mstop = expect(datagram, 0, end, ber.SEQUENCE)
    if mstop != end:
        raise DecodeError("trailing bytes after message")
    s, e = expect(datagram, mstart, mstop, ber.INTEGER)
    if ber.decode_int(datagram[s:e]) != V3:
        raise DecodeError("not an SNMPv3 message")
    gstart, gstop = expect(datagram, e, mstop, ber.SEQUENCE)
    s, e1 = expect(datagram, gstart, gstop, ber.INTEGER)
    msg_id = ber.decode_int(datagram[s:e1])
    s, e2 = expect(datagram, e1, gstop, ber.INTEGER)
    max_size = ber.decode_int(datagram[s:e2])
    s, e3 = expect(datagram, e2, gstop, ber.OCTET_STRING)
    if e3 - s != 1:
        raise DecodeError("msgFlags is not one octet")
    flags = datagram[s]
    s, e4 = expect(datagram, e3, gstop, ber.INTEGER)
    model = ber.decode_int(datagram[s:e4])
    if e4 != gstop:
        raise DecodeError("trailing bytes in msgGlobalData")
    if flags & FLAG_PRIV and not flags & FLAG_AUTH:
        raise DecodeError("msgFlags: privacy without authentication")
    pstart, pstop = expect(datagram, gstop, mstop, ber.OCTET_STRING)
    # msgSecurityParameters is an OCTET STRING wrapping a BER SEQUENCE; decode it in place
    # so that the auth parameters' position in the datagram is known.
    ustart, ustop = expect(datagram, pstart, pstop, ber.SEQUENCE)
    if ustop != pstop:
        raise DecodeError("trailing bytes in msgSecurityParameters")
    s, f1 = expect(datagram, ustart, ustop, ber.OCTET_STRING)
    engine_id = datagram[s:f1]
    s, f2 = expect(datagram, f1, ustop, ber.INTEGER)
    boots = ber.decode_int(datagram[s:f2])
    s, f3 = expect(datagram, f2, ustop, ber.INTEGER)
    etime = ber.decode_int(datagram[s:f3])
    if not (0 <= boots <= 2**31 - 1 and 0 <= etime <= 2**31 - 1):
        raise DecodeError("engine boots or time outside 0..2147483647")
    s, f4 = expect(datagram, f3, ustop, ber.OCTET_STRING)
    user = datagram[s:f4]
    apos, f5 = expect(datagram, f4, ustop, ber.OCTET_STRING)
    auth_params = datagram[apos:f5]
    s, f6 = expect(datagram, f5, ustop, ber.OCTET_STRING)
    priv_params = datagram[s:f6]
    if f6 != ustop:
        raise DecodeError("trailing bytes in USM parameters")
    tag, ds, de = read_tlv(datagram, pstop, mstop)
    if de != mstop:
        raise DecodeError("trailing bytes after msgData")
    if flags & FLAG_PRIV:
        if tag != ber.OCTET_STRING:
            raise DecodeError("encrypted msgData is not an OCTET STRING")
        data = datagram[ds:de]
    else:
        if tag != ber.SEQUENCE:
            raise DecodeError("msgData is not a ScopedPDU")
        data = datagram[pstop:de]
    return V3Message(msg_id, max_size, flags, model, engine_id, boots, etime, user,
                     auth_params, apos, priv_params, data)  # fmt: skip


@dataclass(slots=True)
class ScopedPDU:
    context_engine_id: bytes
    context_name: bytes
    pdu_type: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[VarBind]


_SCOPED_PDUS = frozenset(t for t in ber.PDU_NAMES if t != ber.TRAP_V1)


def _fast_scoped(d: bytes) -> ScopedPDU | None:
    """The usual ScopedPDU by index arithmetic; None sends it to the general path."""
    try:
        if d[0] != 0x30:
            return None
        n, p = _len_at(d, 0)
        send = p + n
        if n < 0 or send > len(d):
            return None
        e = _fast_octets(d, p, send)
        if e is None:
            return None
        c = _fast_octets(d, e[1], send)
        if c is None:
            return None
        pdu_type = d[c[1]]
        if pdu_type not in _SCOPED_PDUS:
            return None
        pl, p = _len_at(d, c[1])
        if pl < 0 or p + pl != send:
            return None
        ints = []
        for _ in range(3):
            r = _fast_int(d, p, send)
            if r is None:
                return None
            ints.append(r[0])
            p = r[1]
        if d[p] != 0x30:
            return None
        vl, p = _len_at(d, p)
        if vl < 0 or p + vl != send:
            return None
    except IndexError:
        return None
    return ScopedPDU(d[e[0] : e[1]], d[c[0] : c[1]], pdu_type, ints[0], ints[1], ints[2],
                     decode_varbinds(d, p, send))  # fmt: skip


def parse_scoped_pdu(data: bytes) -> ScopedPDU:
    """Decode a ScopedPDU. Decrypted data may carry padding after it (DES), so trailing
    bytes after the SEQUENCE are ignored."""
    fast = _fast_scoped(data)
    if fast is not None:
        return fast
    sstart, sstop = expect(data, 0, len(data), ber.SEQUENCE)
    s, e1 = expect(data, sstart, sstop, ber.OCTET_STRING)
    ctx_engine = data[s:e1]
    s, e2 = expect(data, e1, sstop, ber.OCTET_STRING)
    ctx_name = data[s:e2]
    pdu_type, pstart, pstop = read_tlv(data, e2, sstop)
    if pstop != sstop:
        raise DecodeError("trailing bytes in ScopedPDU")
    if pdu_type not in ber.PDU_NAMES or pdu_type == ber.TRAP_V1:
        raise DecodeError(f"unknown PDU type 0x{pdu_type:02x}")
    s, f1 = expect(data, pstart, pstop, ber.INTEGER)
    request_id = ber.decode_int(data[s:f1])
    s, f2 = expect(data, f1, pstop, ber.INTEGER)
    es = ber.decode_int(data[s:f2])
    s, f3 = expect(data, f2, pstop, ber.INTEGER)
    ei = ber.decode_int(data[s:f3])
    vs, ve = expect(data, f3, pstop, ber.SEQUENCE)
    if ve != pstop:
        raise DecodeError("trailing bytes in PDU")
    return ScopedPDU(ctx_engine, ctx_name, pdu_type, request_id, es, ei,
                     decode_varbinds(data, vs, ve))  # fmt: skip


def encode_scoped_pdu(
    context_engine_id: bytes,
    context_name: bytes,
    pdu_type: int,
    request_id: int,
    error_status: int,
    error_index: int,
    encoded_varbinds: bytes,
) -> bytes:
    pdu = tlv(
        pdu_type,
        ber.int_tlv(request_id)
        + ber.int_tlv(error_status)
        + ber.int_tlv(error_index)
        + tlv(ber.SEQUENCE, encoded_varbinds),
    )
    return tlv(
        ber.SEQUENCE,
        tlv(ber.OCTET_STRING, context_engine_id) + tlv(ber.OCTET_STRING, context_name) + pdu,
    )


# -- authentication -----------------------------------------------------------------


def compute_mac(auth: AuthProtocol, kul: bytes, whole_msg: bytes) -> bytes:
    return hmac.digest(kul, whole_msg, auth.hash_name)[: auth.mac_len]


def verify(auth: AuthProtocol, kul: bytes, datagram: bytes, msg: V3Message) -> bool:
    """Check msgAuthenticationParameters over the datagram with those octets zeroed."""
    if len(msg.auth_params) != auth.mac_len:
        return False
    pos = msg.auth_params_pos
    zeroed = datagram[:pos] + bytes(auth.mac_len) + datagram[pos + auth.mac_len :]
    return hmac.compare_digest(compute_mac(auth, kul, zeroed), msg.auth_params)


# -- privacy ------------------------------------------------------------------------


def decrypt(priv: PrivProtocol, key: bytes, msg: V3Message) -> bytes:
    """The plaintext ScopedPDU octets; UsmError("decryption_error") when impossible."""
    salt = msg.priv_params
    data = msg.data
    if len(salt) != 8:
        raise UsmError("decryption_error", "msgPrivacyParameters is not 8 octets")
    if priv.cipher == "des":
        if len(data) % 8 or not data:
            raise UsmError("decryption_error", "DES data is not a multiple of 8 octets")
        iv = bytes(a ^ b for a, b in zip(key[8:16], salt, strict=True))
        dec = Cipher(TripleDES(key[:8] * 3), modes.CBC(iv)).decryptor()
        return bytes(dec.update(data) + dec.finalize())
    iv = msg.boots.to_bytes(4, "big") + msg.time.to_bytes(4, "big") + salt
    dec = Cipher(algorithms.AES(key), CFB(iv)).decryptor()
    return bytes(dec.update(data) + dec.finalize())


class PrivCipher:
    """Decryption with one key, for receivers that see many messages under it.

    CFB and CBC decryption are both one ECB pass plus an XOR, so one ECB context is made
    per key and reused, instead of a cipher object per message (which costs more than
    the decryption of a trap). Same results as :func:`decrypt`.
    """

    def __init__(self, priv: PrivProtocol, key: bytes) -> None:
        self.priv = priv
        if priv.cipher == "des":
            self._pre_iv = key[8:16]
            self._ecb = Cipher(TripleDES(key[:8] * 3), modes.ECB()).decryptor()
        else:
            self._ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()

    def decrypt(self, msg: V3Message) -> bytes:
        salt = msg.priv_params
        data = msg.data
        if len(salt) != 8:
            raise UsmError("decryption_error", "msgPrivacyParameters is not 8 octets")
        n = len(data)
        if self.priv.cipher == "des":
            if n % 8 or not n:
                raise UsmError("decryption_error", "DES data is not a multiple of 8 octets")
            iv = bytes(a ^ b for a, b in zip(self._pre_iv, salt, strict=True))
            plain_xor = self._ecb.update(data)
            chain = iv + data[:-8]
        else:
            if not n:
                return b""
            iv = msg.boots.to_bytes(4, "big") + msg.time.to_bytes(4, "big") + salt
            full = (n + 15) // 16
            # E(IV), E(C1), ..., E(C[n-1]): the CFB keystream, cut to the data's length.
            stream_in = iv + data[: 16 * (full - 1)]
            plain_xor = self._ecb.update(stream_in)[:n]
            chain = data
        value = int.from_bytes(plain_xor, "big") ^ int.from_bytes(chain, "big")
        return value.to_bytes(n, "big")


def encrypt(
    priv: PrivProtocol, key: bytes, boots: int, etime: int, plaintext: bytes, salt_int: int
) -> tuple[bytes, bytes]:
    """``(ciphertext, msgPrivacyParameters)``; ``salt_int`` must not repeat under a key."""
    if priv.cipher == "des":
        salt = (boots & 0xFFFFFFFF).to_bytes(4, "big") + (salt_int & 0xFFFFFFFF).to_bytes(4, "big")
        iv = bytes(a ^ b for a, b in zip(key[8:16], salt, strict=True))
        pad = (-len(plaintext)) % 8
        enc = Cipher(TripleDES(key[:8] * 3), modes.CBC(iv)).encryptor()
        return bytes(enc.update(plaintext + bytes(pad)) + enc.finalize()), salt
    salt = (salt_int & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
    iv = boots.to_bytes(4, "big") + etime.to_bytes(4, "big") + salt
    enc = Cipher(algorithms.AES(key), CFB(iv)).encryptor()
    return bytes(enc.update(plaintext) + enc.finalize()), salt


# -- message encoding -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecurityKeys:
    """A user's keys localized to one engine."""

    auth: AuthProtocol | None = None
    auth_key: bytes = b""
    priv: PrivProtocol | None = None
    priv_key: bytes = b""


def encode_message(
    *,
    msg_id: int,
    max_size: int,
    flags: int,
    engine_id: bytes,
    boots: int,
    etime: int,
    user: bytes,
    scoped_pdu: bytes,
    keys: SecurityKeys | None = None,
    salt: int | None = None,
) -> bytes:
    """Encode (encrypt, authenticate) a v3 message. ``flags`` decides the level; ``keys``
    must then hold the matching localized keys."""
    priv_params = b""
    if flags & FLAG_PRIV:
        if keys is None or keys.priv is None:
            raise ValueError("privacy requested without a privacy key")
        salt_int = salt if salt is not None else int.from_bytes(os.urandom(8), "big")
        cipher, priv_params = encrypt(keys.priv, keys.priv_key, boots, etime, scoped_pdu, salt_int)
        data = tlv(ber.OCTET_STRING, cipher)
    else:
        data = scoped_pdu
    mac_len = 0
    if flags & FLAG_AUTH:
        if keys is None or keys.auth is None:
            raise ValueError("authentication requested without an auth key")
        mac_len = keys.auth.mac_len
    usm_params = tlv(
        ber.SEQUENCE,
        tlv(ber.OCTET_STRING, engine_id)
        + ber.int_tlv(boots)
        + ber.int_tlv(etime)
        + tlv(ber.OCTET_STRING, user)
        + tlv(ber.OCTET_STRING, bytes(mac_len))
        + tlv(ber.OCTET_STRING, priv_params),
    )
    global_data = tlv(
        ber.SEQUENCE,
        ber.int_tlv(msg_id)
        + ber.int_tlv(max_size)
        + tlv(ber.OCTET_STRING, bytes((flags,)))
        + ber.int_tlv(USM_SECURITY_MODEL),
    )
    whole = tlv(
        ber.SEQUENCE,
        ber.int_tlv(V3) + global_data + tlv(ber.OCTET_STRING, usm_params) + data,
    )
    if not mac_len:
        return whole
    assert keys is not None and keys.auth is not None
    mac = compute_mac(keys.auth, keys.auth_key, whole)
    # The zeroed placeholder is the only run of mac_len zero octets right after its
    # length octet inside the USM parameters; locate it from the parsed structure.
    pos = parse_message(whole).auth_params_pos
    return whole[:pos] + mac + whole[pos + mac_len :]


def report_scoped_pdu(
    context_engine_id: bytes, request_id: int, counter_oid: tuple[int, ...], count: int
) -> bytes:
    """A Report ScopedPDU carrying one usmStats counter."""
    vb = tlv(
        ber.SEQUENCE,
        ber.oid_tlv(counter_oid) + tlv(ber.COUNTER32, ber.encode_uint(count & 0xFFFFFFFF)),
    )
    return encode_scoped_pdu(context_engine_id, b"", ber.REPORT, request_id, 0, 0, vb)


def make_engine_id(enterprise: int = 8072, unique: bytes | None = None) -> bytes:
    """An RFC 3411 engine ID: enterprise with the high bit, format 5 (octets), 8 random."""
    body = unique if unique is not None else os.urandom(8)
    return (0x80000000 | enterprise).to_bytes(4, "big") + b"\x05" + body
