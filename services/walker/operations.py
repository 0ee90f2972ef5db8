"""Manager operations over a session: get, getnext, getbulk, set, walk and bulk walk.

A walk stops at the end of its subtree, at endOfMibView (or v1 noSuchName), at the OID
cap, on cancellation, or when the agent answers with an OID that does not increase: a
broken agent ends the walk with a message instead of looping forever.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.common.snmp import ber, message
from services.common.snmp.message import Message, VarBind
from services.walker.client import SnmpCancelled, SnmpFailure
from services.walker.varbinds import Describer, row

OID = tuple[int, ...]


class Session(Protocol):
    version: int

    def start(
        self,
        pdu_type: int,
        varbinds: list[VarBind],
        non_repeaters: int = 0,
        max_repetitions: int = 0,
        on_reply: Callable[[Message], None] | None = None,
    ) -> Any: ...

    async def request(
        self,
        pdu_type: int,
        varbinds: list[VarBind],
        non_repeaters: int = 0,
        max_repetitions: int = 0,
    ) -> Message: ...


class AgentError(Exception):
    """The agent answered with an error-status; the message names it and the var-bind."""


@dataclass
class WalkControl:
    """Shared between a running walk and whoever may cancel it or watch its progress."""

    walk_id: str
    cancelled: bool = False
    oids: int = 0
    started: float = field(default_factory=time.monotonic)
    _pending: Any = None

    def cancel(self) -> None:
        self.cancelled = True
        if self._pending is not None:
            self._pending.cancel()

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.oids / elapsed if elapsed > 0 else 0.0


@dataclass
class WalkOutcome:
    rows: list[dict[str, Any]]
    status: str  # complete | truncated | cancelled | error
    message: str | None = None
    requests: int = 0
    seconds: float = 0.0


def error_text(msg: Message, varbinds: list[VarBind]) -> str:
    name = message.ERROR_NAMES.get(msg.error_status, f"error {msg.error_status}")
    where = ""
    if 0 < msg.error_index <= len(varbinds):
        oid = ber.decode_oid(varbinds[msg.error_index - 1][0])
        where = f" at {ber.oid_str(oid)}"
    return f"agent returned {name}{where}"


def null_varbinds(oids: list[OID]) -> list[VarBind]:
    return [(ber.encode_oid(o), ber.NULL_TLV) for o in oids]


@dataclass
class RequestOutcome:
    """One request's answer: rows, and the agent's error-status if it set one."""

    rows: list[dict[str, Any]]
    error_status: str | None = None
    error_index: int = 0
    message: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "varbinds": self.rows,
            "error_status": self.error_status,
            "error_index": self.error_index,
            "message": self.message,
        }


async def request(
    session: Session,
    op: int,
    varbinds: list[VarBind],
    describe: Describer,
    non_repeaters: int = 0,
    max_repetitions: int = 0,
) -> RequestOutcome:
    """Send one GET, GETNEXT, GETBULK or SET and render the answer."""
    msg = await session.request(op, varbinds, non_repeaters, max_repetitions)
    rows = [row(ber.decode_oid(o), v, describe) for o, v in msg.varbinds]
    if msg.error_status:
        return RequestOutcome(
            rows,
            message.ERROR_NAMES.get(msg.error_status, str(msg.error_status)),
            msg.error_index,
            error_text(msg, varbinds),
        )
    return RequestOutcome(rows)


async def get(session: Session, oids: list[OID], describe: Describer) -> list[dict[str, Any]]:
    request_vbs = null_varbinds(oids)
    msg = await session.request(ber.GET_REQUEST, request_vbs)
    if msg.error_status:
        raise AgentError(error_text(msg, request_vbs))
    return [row(ber.decode_oid(o), v, describe) for o, v in msg.varbinds]


_END_TAGS = (ber.END_OF_MIB_VIEW,)


def _scope(root: OID) -> Callable[[bytes], bool]:
    """Whether an OID (as content octets) lies strictly under ``root``.

    BER arcs are self-delimiting, so a byte prefix is an arc prefix; single-arc roots
    (``.1``, as ``snmpwalk .1`` allows) are judged by the first octet instead.
    """
    if len(root) > 1:
        content = ber.encode_oid(root)
        n = len(content)
        return lambda c: len(c) > n and c.startswith(content)
    lo = root[0] * 40
    hi = lo + 40 if root[0] < 2 else 1 << 8
    return lambda c: lo <= c[0] < hi


async def walk(
    session: Session,
    root: OID,
    describe: Describer,
    control: WalkControl,
    *,
    bulk: bool,
    max_repetitions: int = 25,
    max_oids: int = 0,
    on_progress: Callable[[WalkControl], None] | None = None,
    progress_every: float = 0.5,
) -> WalkOutcome:
    """Walk the subtree under ``root`` with GETNEXT or GETBULK.

    The next request goes on the wire as soon as the last OID of an answer is known, before
    the answer is rendered, so the agent works while we format.
    """
    t0 = time.monotonic()
    rows: list[dict[str, Any]] = []
    in_scope = _scope(root)
    start_oid = root if len(root) > 1 else (root[0], 0)
    op = ber.GET_BULK_REQUEST if bulk and session.version != message.V1 else ber.GET_NEXT_REQUEST
    reps = max_repetitions if op == ber.GET_BULK_REQUEST else 0
    last: OID = root
    sent = [1]
    sent_tail = [start_oid]
    chained: deque[Any] = deque()  # at most one request ahead of the rows rendered

    def send_next(tail_oid: bytes) -> Any:
        sent[0] += 1
        nxt = session.start(op, [(tail_oid, ber.NULL_TLV)], 0, reps, on_reply=chain)
        control._pending = nxt
        return nxt

    def chain(msg: Message) -> None:
        # Runs in the datagram callback: the next request leaves before the walk task wakes.
        if chained or control.cancelled or msg.error_status or not msg.varbinds:
            return
        tail_oid, tail_val = msg.varbinds[-1]
        if tail_val[0] in _END_TAGS or not in_scope(tail_oid):
            return
        tail = ber.decode_oid(tail_oid)
        if tail <= sent_tail[0]:
            return  # not increasing: the walk loop reports it; sending again would loop
        sent_tail[0] = tail
        chained.append(send_next(tail_oid))

    pending = session.start(op, [(ber.encode_oid(start_oid), ber.NULL_TLV)], 0, reps,
                            on_reply=chain)  # fmt: skip
    control._pending = pending
    next_progress = t0 + progress_every
    status, note = "complete", None
    try:
        while True:
            msg: Message = await pending.wait()
            vbs = msg.varbinds
            if msg.error_status or not vbs:
                chained.clear()
                if msg.error_status == message.NO_SUCH_NAME and session.version == message.V1:
                    break  # v1's way of saying end of MIB
                if msg.error_status:
                    status = "error"
                    note = error_text(msg, [(ber.encode_oid(last), ber.NULL_TLV)])
                else:
                    status, note = "error", "agent returned an empty response"
                break
            pending = chained.popleft() if chained else None
            if pending is None and not control.cancelled:
                # The answer came while a request was already ahead; go on from here.
                tail_oid, tail_val = vbs[-1]
                if tail_val[0] not in _END_TAGS and in_scope(tail_oid):
                    tail = ber.decode_oid(tail_oid)
                    if tail > sent_tail[0]:
                        sent_tail[0] = tail
                        pending = send_next(tail_oid)
            stop = False
            for oid_content, value_tlv in vbs:
                if value_tlv[0] in _END_TAGS:
                    stop = True
                    break
                if not in_scope(oid_content):
                    stop = True
                    break
                oid = ber.decode_oid(oid_content)
                if oid <= last:
                    status = "error"
                    note = (
                        f"agent returned OID {ber.oid_str(oid)} after {ber.oid_str(last)}: "
                        "OIDs must increase, so the walk was stopped (the agent is broken)"
                    )
                    stop = True
                    break
                last = oid
                rows.append(row(oid, value_tlv, describe))
                if max_oids and len(rows) >= max_oids:
                    status, note = "truncated", f"stopped at the cap of {max_oids} OIDs"
                    stop = True
                    break
            control.oids = len(rows)
            if stop or pending is None:
                if pending is not None:
                    pending.cancel()
                if control.cancelled and status == "complete":
                    status, note = "cancelled", "walk cancelled"
                break
            if on_progress is not None and time.monotonic() >= next_progress:
                next_progress = time.monotonic() + progress_every
                on_progress(control)
    except SnmpCancelled:
        status, note = "cancelled", "walk cancelled"
    except SnmpFailure as exc:
        if not rows:
            raise
        status, note = "error", str(exc)
    finally:
        control._pending = None
    if not rows and status == "complete" and len(root) > 1:
        # Like snmpwalk: a walk of a leaf instance returns that instance.
        try:
            got = await get(session, [root], describe)
        except (AgentError, SnmpFailure):
            got = []
        rows = [r for r in got if r["type"] not in ("noSuchObject", "noSuchInstance")]
    control.oids = len(rows)
    return WalkOutcome(rows, status, note, sent[0], time.monotonic() - t0)
