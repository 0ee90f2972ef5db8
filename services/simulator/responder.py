"""The v1/v2c request path: datagram bytes in, response bytes out, no I/O.

Written for the data-plane thread: it reads the request's TLVs in place, copies the
version, community and request-id TLVs into the response as they came, looks OIDs up by
their encoded bytes and concatenates pre-encoded var-binds. Nothing here allocates per
var-bind beyond the slices and the output pieces. PDU processing is split from the v1/v2c
framing so that the SNMPv3 path (:mod:`.usm`) reuses it inside a scoped PDU.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from services.common.snmp import ber
from services.common.snmp.ber import DecodeError, read_tlv, tlv
from services.simulator.device import SLOT, Device
from services.simulator.setter import apply_set

_NO_ERR = b"\x02\x01\x00\x02\x01\x00"
_ERR = [b"\x02\x01" + bytes([e]) for e in range(19)]
_GET, _NEXT, _BULK, _SET = (
    ber.GET_REQUEST,
    ber.GET_NEXT_REQUEST,
    ber.GET_BULK_REQUEST,
    ber.SET_REQUEST,
)
_C64 = ber.COUNTER64
_S_GET, _S_NEXT, _S_BULK, _S_SET = SLOT["get"], SLOT["getnext"], SLOT["getbulk"], SLOT["set"]
_S_VB, _S_DROP, _S_ERR = SLOT["varbinds"], SLOT["dropped"], SLOT["errors"]
DEFAULT_MAX_SIZE = 65507  # the largest UDP payload over IPv4
_TOO_BIG_QUIRK_SIZE = 484  # RFC 3417's minimum message size every agent must handle

# v2 error-status -> v1 (RFC 3584 section 4.4)
V1_ERROR = {
    0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 2, 7: 3, 8: 3, 9: 3, 10: 3, 11: 2, 12: 3,
    13: 5, 14: 5, 15: 5, 16: 2, 17: 2, 18: 2,
}  # fmt: skip


class AgentStats:
    """Counters the data plane bumps without locks (one writer thread per listener; the
    control plane only reads, and a torn read is at worst one request off)."""

    __slots__ = ("activity", "activity_interval", "bad_community", "malformed", "next_sample",
                 "requests", "v3_packets")  # fmt: skip

    def __init__(self, activity_per_second: float = 10.0) -> None:
        self.malformed = 0
        self.bad_community = 0
        self.requests = 0
        self.v3_packets = 0
        self.activity: deque[dict[str, Any]] = deque(maxlen=200)
        self.activity_interval = 1.0 / activity_per_second if activity_per_second > 0 else 1e9
        self.next_sample = 0.0


def _decode_int_at(data: bytes, s: int, e: int) -> int:
    if e == s:
        raise DecodeError("empty INTEGER")
    return int.from_bytes(data[s:e], "big", signed=True)


def parse_varbinds(data: bytes, pos: int, end: int) -> tuple[list[bytes], list[bytes]]:
    """OID content octets and value TLVs of a var-bind list."""
    keys: list[bytes] = []
    vals: list[bytes] = []
    while pos < end:
        # Fast path: SEQUENCE, OID and value all with one-octet lengths (nearly always).
        slen = data[pos + 1]
        if data[pos] == 0x30 and slen < 0x80 and data[pos + 2] == 0x06:
            e = pos + 2 + slen
            olen = data[pos + 3]
            v = pos + 4 + olen
            if (
                olen
                and olen < 0x80
                and v + 1 < e
                and data[v + 1] < 0x80
                and v + 2 + data[v + 1] == e <= end
            ):
                keys.append(data[pos + 4 : v])
                vals.append(data[v:e])
                pos = e
                continue
        t, s, e = read_tlv(data, pos, end)
        if t != 0x30:
            raise DecodeError("var-bind is not a SEQUENCE")
        ot, os_, oe = read_tlv(data, s, e)
        if ot != 0x06 or os_ == oe:
            raise DecodeError("var-bind name is not an OID")
        _, _, ve = read_tlv(data, oe, e)
        if ve != e:
            raise DecodeError("trailing bytes in var-bind")
        keys.append(data[os_:oe])
        vals.append(data[oe:e])
        pos = e
    return keys, vals


class Responder:
    def __init__(
        self,
        stats: AgentStats,
        v3_handler: Callable[[bytes, Any, Responder], bytes | None] | None = None,
        on_write: Callable[[Device, list[Any]], None] | None = None,
    ) -> None:
        self.stats = stats
        self.v3_handler = v3_handler
        self.on_write = on_write
        self.max_size = DEFAULT_MAX_SIZE
        self.delay = 0.0  # set for the agent when the device delays its answers
        self.syntax_of: Callable[[tuple[int, ...]], Any] | None = None  # MIB syntax, for SET

    # -- v1/v2c framing ------------------------------------------------------------

    def handle(self, data: bytes, addr: Any, communities: dict[bytes, Device]) -> bytes | None:
        """The response to one datagram, or None (dropped; the reason is counted)."""
        try:
            n = len(data)
            ce = 7 + data[6] if n > 8 else 0
            if (
                data[0] == 0x30 and data[1] < 0x80 and data[1] + 2 == n and data[2] == 0x02
                and data[3] == 1 and data[4] <= 1 and data[5] == 0x04 and data[6] < 0x80
                and ce + 1 < n and data[ce + 1] < 0x80 and ce + 2 + data[ce + 1] == n
            ):  # fmt: skip
                # Fast path: a short v1/v2c message, every length in one octet.
                ms, cs, version = 2, 7, data[4]
                pdu_type, ps, pe = data[ce], ce + 2, n
            else:
                t, ms, me = read_tlv(data, 0, n)
                if t != 0x30 or me != n:
                    raise DecodeError("not a SEQUENCE message")
                t, vs, ve = read_tlv(data, ms, me)
                if t != 0x02:
                    raise DecodeError("no version")
                version = _decode_int_at(data, vs, ve)
                if version == 3:
                    self.stats.v3_packets += 1
                    return self.v3_handler(data, addr, self) if self.v3_handler else None
                if version != 0 and version != 1:
                    raise DecodeError("unknown version")
                t, cs, ce = read_tlv(data, ve, me)
                if t != 0x04:
                    raise DecodeError("no community")
                pdu_type, ps, pe = read_tlv(data, ce, me)
                if pe != me:
                    raise DecodeError("trailing bytes after PDU")
            device = communities.get(data[cs:ce])
            if device is None:
                self.stats.bad_community += 1
                return None
            if not device.running:
                return None
            pdu = self.respond_pdu(device, version == 0, pdu_type, data, ps, pe, self.max_size,
                                   data[cs:ce] == device.write_community, addr)  # fmt: skip
            if pdu is None:
                return None
            body = data[ms:ce] + pdu
            return tlv(0x30, body)
        except (DecodeError, IndexError, ValueError):
            self.stats.malformed += 1
            return None

    # -- PDU processing (shared with SNMPv3) -------------------------------------------

    def respond_pdu(
        self,
        device: Device,
        v1: bool,
        pdu_type: int,
        data: bytes,
        ps: int,
        pe: int,
        max_size: int,
        may_write: bool,
        addr: Any,
        version_name: str = "",
    ) -> bytes | None:
        """The Response-PDU TLV for the request PDU ``data[ps:pe]`` of type ``pdu_type``.
        Raises DecodeError on malformed input; returns None to drop the request."""
        rlen = data[ps + 1]
        re_ = ps + 2 + rlen
        if (
            data[ps] == 0x02 and 0 < rlen <= 4 and data[re_] == 0x02 and data[re_ + 1] == 1
            and data[re_ + 3] == 0x02 and data[re_ + 4] == 1 and data[re_ + 6] == 0x30
            and data[re_ + 7] < 0x80 and re_ + 8 + data[re_ + 7] == pe
        ):  # fmt: skip
            # Fast path: one-octet error fields and a short var-bind list.
            es, ee, is_, ie = re_ + 2, re_ + 3, re_ + 5, re_ + 6
            ls, le = re_ + 8, pe
        else:
            t, _rs, re_ = read_tlv(data, ps, pe)
            if t != 0x02:
                raise DecodeError("no request-id")
            t, es, ee = read_tlv(data, re_, pe)
            if t != 0x02:
                raise DecodeError("no error-status")
            t, is_, ie = read_tlv(data, ee, pe)
            if t != 0x02:
                raise DecodeError("no error-index")
            t, ls, le = read_tlv(data, ie, pe)
            if t != 0x30 or le != pe:
                raise DecodeError("no var-bind list")
        keys, vals = parse_varbinds(data, ls, le)
        reqid = data[ps:re_]
        counts = device.counts
        stats = self.stats
        stats.requests += 1
        counts[_S_VB] += len(keys)
        now = time.time()
        device.last_activity = now
        if now >= stats.next_sample:
            stats.next_sample = now + stats.activity_interval
            stats.activity.append({
                "ts": round(now, 3), "device": device.name, "source": _addr(addr),
                "pdu": ber.PDU_NAMES.get(pdu_type, hex(pdu_type)),
                "version": version_name or ("v1" if v1 else "v2c"), "varbinds": len(keys),
                "oid": ber.oid_str(ber.decode_oid(keys[0])) if keys else None,
            })  # fmt: skip
        faults = device.faults
        quirks: Sequence[str] = ()
        if faults is not None:
            self.delay = faults.delay_ms / 1000.0
            if faults.drop_rate and random.random() < faults.drop_rate:
                counts[_S_DROP] += 1
                return None
            if faults.error_status:
                counts[_S_ERR] += 1
                status = V1_ERROR.get(faults.error_status, 5) if v1 else faults.error_status
                return tlv(0xA2, reqid + _ERR[status] + b"\x02\x01\x01" + data[ie:le])
            quirks = faults.quirks
        store = device.store
        t_dev = time.monotonic() - device.started
        overhead = len(reqid) + 40 + len(device.community)
        if pdu_type == _GET:
            counts[_S_GET] += 1
            out = self._get(store, keys, v1, t_dev)
        elif pdu_type == _NEXT:
            counts[_S_NEXT] += 1
            out = self._next(store, keys, v1, t_dev, "non_increasing_oid" in quirks)
        elif pdu_type == _BULK:
            if v1:
                raise DecodeError("GetBulk in an SNMPv1 message")
            counts[_S_BULK] += 1
            if "no_bulk" in quirks:
                return None
            nonrep = _decode_int_at(data, es, ee)
            maxrep = _decode_int_at(data, is_, ie)
            if "bulk_ignores_max_repetitions" in quirks:
                maxrep = 64
            limit = (_TOO_BIG_QUIRK_SIZE if "too_big" in quirks else max_size) - overhead
            body, err = self._bulk(store, keys, nonrep, maxrep, t_dev, limit,
                                   "non_increasing_oid" in quirks, "too_big" in quirks)  # fmt: skip
            if err:
                return tlv(0xA2, reqid + _ERR[1] + b"\x02\x01\x00\x30\x00")
            return tlv(0xA2, reqid + _NO_ERR + tlv(0x30, body))
        elif pdu_type == _SET:
            counts[_S_SET] += 1
            status, index, body = apply_set(
                device, keys, vals, v1, may_write, t_dev, self.on_write, self.syntax_of
            )
            if status:
                counts[_S_ERR] += 1
                if v1:
                    status = V1_ERROR.get(status, 5)
                return tlv(0xA2, reqid + _ERR[status] + ber.int_tlv(index) + data[ie:le])
            return tlv(0xA2, reqid + _NO_ERR + tlv(0x30, body))
        else:
            raise DecodeError(f"unexpected PDU type 0x{pdu_type:02x}")
        if isinstance(out, int):  # v1 noSuchName at var-bind ``out``
            counts[_S_ERR] += 1
            return tlv(0xA2, reqid + _ERR[2] + ber.int_tlv(out) + data[ie:le])
        if len(out) + overhead > max_size:
            counts[_S_ERR] += 1
            return tlv(0xA2, reqid + _ERR[1] + b"\x02\x01\x00\x30\x00")
        return tlv(0xA2, reqid + _NO_ERR + tlv(0x30, out))

    @staticmethod
    def _get(store: Any, keys: list[bytes], v1: bool, t: float) -> bytes | int:
        pos = store.pos
        vbs = store.vbs
        parts = []
        for k, key in enumerate(keys):
            i = pos.get(key)
            if i is not None:
                vb = vbs[i]
                if vb is None:
                    vb = tlv(0x30, store.oid_tlvs[i] + store.live[i].tlv(t))
                elif v1 and store.tags[i] == _C64:
                    return k + 1
                parts.append(vb)
            elif v1:
                return k + 1
            else:
                exc = (b"\x81\x00" if store.has_object_prefix(ber.decode_oid(key))
                       else b"\x80\x00")  # fmt: skip
                parts.append(tlv(0x30, tlv(0x06, key) + exc))
        return b"".join(parts)

    @staticmethod
    def _next_index(store: Any, key: bytes) -> int:
        i = store.pos.get(key)
        if i is not None:
            return i + 1
        return bisect_right(store.oids, ber.decode_oid(key))

    def _next(self, store: Any, keys: list[bytes], v1: bool, t: float,
              non_increasing: bool) -> bytes | int:  # fmt: skip
        n = len(store.oids)
        vbs = store.vbs
        tags = store.tags
        parts = []
        for k, key in enumerate(keys):
            j = self._next_index(store, key)
            if v1:
                while j < n and tags[j] == _C64:
                    j += 1
            if non_increasing and j == n // 2 and j >= 2:
                j -= 2
            if j >= n:
                if v1:
                    return k + 1
                parts.append(tlv(0x30, tlv(0x06, key) + b"\x82\x00"))
                continue
            vb = vbs[j]
            if vb is None:
                vb = tlv(0x30, store.oid_tlvs[j] + store.live[j].tlv(t))
            parts.append(vb)
        return b"".join(parts)

    def _bulk(self, store: Any, keys: list[bytes], nonrep: int, maxrep: int, t: float,
              limit: int, non_increasing: bool, strict: bool) -> tuple[bytes, bool]:  # fmt: skip
        n = len(store.oids)
        vbs = store.vbs
        skeys = store.keys
        nr = min(max(nonrep, 0), len(keys))
        parts: list[bytes] = []
        size = 0
        for key in keys[:nr]:
            j = self._next_index(store, key)
            if j >= n:
                vb = tlv(0x30, tlv(0x06, key) + b"\x82\x00")
            else:
                vb = vbs[j] or tlv(0x30, store.oid_tlvs[j] + store.live[j].tlv(t))
            size += len(vb)
            if size > limit:
                return b"".join(parts), not parts or strict
            parts.append(vb)
        reps = keys[nr:]
        if len(reps) == 1 and maxrep > 0 and not non_increasing:
            # One repeater over a run of static objects: one slice, one join.
            j = self._next_index(store, reps[0])
            end = j + maxrep
            if end > n:
                end = n
            live_cum = store.live_cum
            size_cum = store.size_cum
            if live_cum[end] == live_cum[j] and size + size_cum[end] - size_cum[j] <= limit:
                body = b"".join(parts) + b"".join(vbs[j:end])
                if j + maxrep > n:
                    last = skeys[n - 1] if n and end > j else reps[0]
                    body += tlv(0x30, tlv(0x06, last) + b"\x82\x00")
                return body, False
        if reps and maxrep > 0:
            names = list(reps)
            cur = [self._next_index(store, key) for key in reps]
            half = n // 2
            for _ in range(maxrep):
                ended = 0
                for r in range(len(reps)):
                    j = cur[r]
                    if non_increasing and j == half and j >= 2:
                        j -= 2
                    if j >= n:
                        vb = tlv(0x30, tlv(0x06, names[r]) + b"\x82\x00")
                        ended += 1
                    else:
                        vb = vbs[j] or tlv(0x30, store.oid_tlvs[j] + store.live[j].tlv(t))
                        names[r] = skeys[j]
                        cur[r] = j + 1
                    size += len(vb)
                    if size > limit:
                        return b"".join(parts), not parts or strict
                    parts.append(vb)
                if ended == len(reps):
                    break
        return b"".join(parts), False


def _addr(addr: Any) -> str:
    try:
        return f"{addr[0]}:{addr[1]}"
    except (TypeError, IndexError):
        return str(addr)
