"""Walks: GETNEXT or GETBULK over a subtree, in one segment or several at once.

A walk stops at the end of its subtree, at endOfMibView (or v1 noSuchName), at the OID
cap, on cancellation, or when the agent answers with an OID that does not increase: a
broken agent ends the walk with a message instead of looping forever.

Speed comes from two things. Each segment chains its next request from the datagram
callback, so the agent works while rows render. And a walk can be cut into contiguous
segments ``(b0, b1], (b1, b2], ...`` at OIDs the MIB index knows (tables, or a table's
columns), walked side by side: the union is exactly the single walk, in order, but several
round trips are in flight at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.common.mibs.index import MibIndex
from services.common.snmp import ber, message
from services.common.snmp.message import Message
from services.walker.client import BlockingSession, SnmpCancelled, SnmpFailure
from services.walker.operations import (
    END_TAGS,
    OID,
    AgentError,
    Session,
    WalkControl,
    error_text,
    get,
    scope,
)
from services.walker.varbinds import Describer, row

MAX_SEGMENTS = 17  # measured: more cuts cost more empty requests than they save
# root -> (the index it was computed from, split points): a MIB index is immutable.
_SPLIT_CACHE: dict[OID, tuple[MibIndex, list[OID]]] = {}


@dataclass
class WalkOutcome:
    rows: list[dict[str, Any]]
    status: str  # complete | truncated | cancelled | error
    message: str | None = None
    requests: int = 0
    seconds: float = 0.0
    segments: int = 1


@dataclass
class _Segment:
    start: OID  # exclusive lower bound: the request starts here
    high: OID | None  # inclusive upper bound; None: to the end of the subtree
    rows: list[dict[str, Any]] = field(default_factory=list)
    status: str = "complete"
    note: str | None = None
    requests: int = 0
    error: SnmpFailure | None = None


@dataclass
class _Shared:
    control: WalkControl
    total: int = 0
    max_oids: int = 0
    capped: bool = False


def split_points(root: OID, index: MibIndex | None) -> list[OID]:
    """OIDs to cut a walk of ``root`` at: the tables the MIB index knows below ``root``,
    or, inside a table, its columns. Empty without MIB knowledge."""
    if index is None:
        return []
    cached = _SPLIT_CACHE.get(root)
    if cached is not None and cached[0] is index:
        return cached[1]
    n = len(root)
    tables: list[OID] = []
    columns: list[OID] = []
    for oid, node in index.by_oid.items():
        if len(oid) > n and oid[:n] == root:
            if node.kind == "table":
                tables.append(oid)
            elif node.kind == "column":
                columns.append(oid)
    every = sorted(tables) if tables else sorted(columns)
    # Few, evenly spread cuts: each one costs a request even where the agent has nothing.
    step = max(1, len(every) // (MAX_SEGMENTS - 1))
    points = every[step - 1 :: step][: MAX_SEGMENTS - 1]
    if len(_SPLIT_CACHE) > 1024:
        _SPLIT_CACHE.clear()
    _SPLIT_CACHE[root] = (index, points)
    return points


class _Cursor:
    """Where a segment is: the last OID taken, and the text of the current column."""

    __slots__ = ("head_text", "last", "text_head")

    def __init__(self, start: OID) -> None:
        self.last = start
        self.text_head: OID = ()
        self.head_text = ""


def _reply_error(msg: Message, seg: _Segment, version: int, cur: _Cursor) -> bool:
    """Whether the answer ends the segment (v1 end of MIB, an error-status, no var-binds)."""
    if not msg.error_status and msg.varbinds:
        return False
    if msg.error_status == message.NO_SUCH_NAME and version == message.V1:
        return True  # v1's way of saying end of MIB
    seg.status = "error"
    seg.note = (
        error_text(msg, [(ber.encode_oid(cur.last), ber.NULL_TLV)])
        if msg.error_status
        else "agent returned an empty response"
    )
    return True


def _take(
    vbs: list[tuple[bytes, bytes]],
    seg: _Segment,
    cur: _Cursor,
    in_scope: Callable[[bytes], bool],
    describe: Describer,
    shared: _Shared,
) -> bool:
    """Render an answer's var-binds into the segment; True when the segment is done."""
    return _take_range(vbs, 0, len(vbs), seg, cur, in_scope, describe, shared)[0]


def _take_range(
    vbs: list[tuple[bytes, bytes]],
    start: int,
    stop: int,
    seg: _Segment,
    cur: _Cursor,
    in_scope: Callable[[bytes], bool],
    describe: Describer,
    shared: _Shared,
) -> tuple[bool, int]:
    """Render ``vbs[start:stop]``; ``(segment done, where rendering got to)``."""
    rows, high = seg.rows, seg.high
    i = start
    for i in range(start, min(stop, len(vbs))):
        oid_content, value_tlv = vbs[i]
        if value_tlv[0] in END_TAGS or not in_scope(oid_content):
            return True, i
        oid = ber.decode_oid(oid_content)
        if oid <= cur.last:
            seg.status = "error"
            seg.note = (
                f"agent returned OID {ber.oid_str(oid)} after {ber.oid_str(cur.last)}: "
                "OIDs must increase, so the walk was stopped (the agent is broken)"
            )
            return True, i
        if high is not None and oid > high:
            return True, i
        cur.last = oid
        # Walks run down columns: consecutive OIDs share all but the last arc.
        head = oid[:-1]
        if head != cur.text_head:
            cur.text_head, cur.head_text = head, ".".join(map(str, head)) + "."
        rows.append(row(oid, value_tlv, describe, cur.head_text + str(oid[-1])))
        shared.total += 1
        if shared.max_oids and shared.total >= shared.max_oids:
            shared.capped = True
            seg.status = "truncated"
            return True, i + 1
    return False, min(stop, len(vbs))


def _finish(seg: _Segment, shared: _Shared) -> None:
    if shared.control.cancelled and seg.status == "complete":
        seg.status = "cancelled"
    if shared.capped and seg.status == "complete":
        seg.status = "truncated"  # stopped because another segment hit the cap


async def _walk_segment(
    session: Session,
    seg: _Segment,
    in_scope: Callable[[bytes], bool],
    describe: Describer,
    shared: _Shared,
    op: int,
    reps: int,
) -> None:
    control = shared.control
    high = seg.high
    cur = _Cursor(seg.start)
    sent_tail = [seg.start]
    chained: deque[Any] = deque()  # at most one request ahead of the rows rendered
    reps_now = [reps]  # halved when the agent says tooBig

    def send_next(tail_oid: bytes) -> Any:
        seg.requests += 1
        nxt = session.start(op, [(tail_oid, ber.NULL_TLV)], 0, reps_now[0], on_reply=chain)
        control.pendings.add(nxt)
        return nxt

    def chain(msg: Message) -> None:
        # Runs in the datagram callback: the next request leaves before the walk task wakes.
        if chained or control.cancelled or shared.capped or msg.error_status or not msg.varbinds:
            return
        tail_oid, tail_val = msg.varbinds[-1]
        if tail_val[0] in END_TAGS or not in_scope(tail_oid):
            return
        tail = ber.decode_oid(tail_oid)
        if tail <= sent_tail[0] or (high is not None and tail >= high):
            return  # not increasing (reported below), or this segment is done
        sent_tail[0] = tail
        chained.append(send_next(tail_oid))

    pending: Any = send_next(ber.encode_oid(seg.start))
    try:
        while pending is not None:
            try:
                msg: Message = await pending.wait()
            finally:
                control.pendings.discard(pending)
            if msg.error_status == message.TOO_BIG and reps_now[0] > 1:
                # The answer would not fit the agent's message size: ask for fewer.
                reps_now[0] //= 2
                pending = send_next(ber.encode_oid(sent_tail[0]))
                continue
            if _reply_error(msg, seg, session.version, cur):
                break
            pending = chained.popleft() if chained else None
            stop = _take(msg.varbinds, seg, cur, in_scope, describe, shared)
            control.oids = shared.total
            if stop or control.cancelled or shared.capped:
                _finish(seg, shared)
                break
            if pending is None:
                # The answer came while a request was already ahead; go on from here.
                tail_oid = msg.varbinds[-1][0]
                tail = ber.decode_oid(tail_oid)
                if tail > sent_tail[0] and (high is None or tail < high):
                    sent_tail[0] = tail
                    pending = send_next(tail_oid)
        if pending is not None:
            pending.cancel()
            control.pendings.discard(pending)
    except SnmpCancelled:
        seg.status, seg.note = "cancelled", "walk cancelled"
    except SnmpFailure as exc:
        seg.status, seg.note, seg.error = "error", str(exc), exc
    finally:
        for later in chained:
            later.cancel()
            control.pendings.discard(later)


def _walk_segment_blocking(
    session: BlockingSession,
    seg: _Segment,
    in_scope: Callable[[bytes], bool],
    describe: Describer,
    shared: _Shared,
    op: int,
    reps: int,
    on_progress: Callable[[WalkControl], None] | None,
    progress_every: float,
) -> None:
    """The segment walk on a blocking socket in a worker thread.

    Answers are rendered in the gaps: the next request leaves as soon as an answer is in,
    and rows are rendered a few at a time only while the socket has nothing to read. The
    exchange with the agent thus runs at the agent's pace, as snmpbulkwalk's does, and
    whatever is left is rendered at the end.
    """
    control = shared.control
    high = seg.high
    cur = _Cursor(seg.start)
    sent_tail = seg.start
    next_progress = time.monotonic() + progress_every
    backlog: deque[list[tuple[bytes, bytes]]] = deque()
    pos = 0  # rendered so far in backlog[0]
    received = 0
    done = False

    def render(until_readable: bool) -> None:
        nonlocal pos, done
        while backlog and not done:
            if until_readable and session.readable():
                return
            vbs = backlog[0]
            done, pos = _take_range(vbs, pos, pos + 8 if until_readable else len(vbs), seg,
                                    cur, in_scope, describe, shared)  # fmt: skip
            if pos >= len(vbs):
                backlog.popleft()
                pos = 0
        control.oids = shared.total

    seg.requests += 1
    req: Any = session.send(op, ber.encode_oid(seg.start), reps)
    try:
        while req is not None and not done:
            render(until_readable=True)
            if done:
                break
            msg = session.wait(req, control)
            if msg.error_status == message.TOO_BIG and reps > 1:
                reps //= 2
                seg.requests += 1
                req = session.send(op, ber.encode_oid(sent_tail), reps)
                continue
            req = None
            if _reply_error(msg, seg, session.version, cur):
                break
            tail_oid, tail_val = msg.varbinds[-1]
            received += len(msg.varbinds)
            if (
                not control.cancelled
                and not (shared.max_oids and received >= shared.max_oids)
                and tail_val[0] not in END_TAGS
                and in_scope(tail_oid)
            ):
                tail = ber.decode_oid(tail_oid)
                if tail > sent_tail and (high is None or tail < high):
                    sent_tail = tail
                    seg.requests += 1
                    req = session.send(op, tail_oid, reps)
            backlog.append(msg.varbinds)
            if on_progress is not None and time.monotonic() >= next_progress:
                next_progress = time.monotonic() + progress_every
                control.oids = shared.total
                on_progress(control)
    except SnmpCancelled:
        seg.status, seg.note = "cancelled", "walk cancelled"
    except SnmpFailure as exc:
        seg.status, seg.note, seg.error = "error", str(exc), exc
    # The rows that arrived are kept, whatever stopped us; a stop found among them (a cap,
    # a broken order) came before the one that ended the exchange, so it is the reason.
    later = (seg.status, seg.note)
    seg.status, seg.note = "complete", None
    render(until_readable=False)
    if not done and later[0] != "complete":
        seg.status, seg.note = later
    if done or control.cancelled or shared.capped:
        _finish(seg, shared)


async def walk(
    session: Session,
    root: OID,
    describe: Describer,
    control: WalkControl,
    *,
    bulk: bool,
    max_repetitions: int = 25,
    max_oids: int = 0,
    split: list[OID] | None = None,
    parallel: int = 1,
    on_progress: Callable[[WalkControl], None] | None = None,
    progress_every: float = 0.5,
) -> WalkOutcome:
    """Walk the subtree under ``root``; with ``split`` points and ``parallel`` > 1, as
    contiguous segments walked side by side (at most ``parallel`` at a time)."""
    t0 = time.monotonic()
    in_scope = scope(root)
    start = root if len(root) > 1 else (root[0], 0)
    op = ber.GET_BULK_REQUEST if bulk and session.version != message.V1 else ber.GET_NEXT_REQUEST
    reps = max_repetitions if op == ber.GET_BULK_REQUEST else 0
    bounds = [p for p in (split or []) if p > start] if parallel > 1 else []
    lows = [start, *bounds]
    segments = [_Segment(lo, hi) for lo, hi in zip(lows, [*bounds, None], strict=True)]
    shared = _Shared(control, max_oids=max_oids)
    gate = asyncio.Semaphore(max(1, parallel))

    async def run(seg: _Segment) -> None:
        async with gate:
            if control.cancelled or shared.capped:
                seg.status = "cancelled" if control.cancelled else "truncated"
                return
            await _walk_segment(session, seg, in_scope, describe, shared, op, reps)

    async def report() -> None:
        while True:
            await asyncio.sleep(progress_every)
            if on_progress is not None:
                on_progress(control)

    reporter = asyncio.create_task(report())
    try:
        await asyncio.gather(*(run(seg) for seg in segments))
    finally:
        reporter.cancel()
    rows, status, note = _assemble(segments, control, max_oids)
    if not rows and status == "complete" and len(root) > 1:
        # Like snmpwalk: a walk of a leaf instance returns that instance.
        try:
            got = await get(session, [root], describe)
        except (AgentError, SnmpFailure):
            got = []
        rows = [r for r in got if r["type"] not in ("noSuchObject", "noSuchInstance")]
    control.oids = len(rows)
    requests = sum(s.requests for s in segments)
    return WalkOutcome(rows, status, note, requests, time.monotonic() - t0, len(segments))


def _assemble(
    segments: list[_Segment], control: WalkControl, max_oids: int
) -> tuple[list[dict[str, Any]], str, str | None]:
    """Segments in order; the walk is the prefix of complete segments (plus the first one
    that stopped), so a stop anywhere never leaves a hole in what is returned."""
    rows: list[dict[str, Any]] = []
    status, note = "complete", None
    for seg in segments:
        rows.extend(seg.rows)
        if seg.status != "complete":
            status, note = seg.status, seg.note
            break
    if status == "error" and not rows:
        err = next((s.error for s in segments if s.error is not None), None)
        if err is not None:
            raise err
    if max_oids and len(rows) > max_oids:
        rows = rows[:max_oids]
    if status == "truncated":
        note = f"stopped at the cap of {max_oids} OIDs"
    if control.cancelled and status == "complete":
        status = "cancelled"
    if status == "cancelled":
        note = "walk cancelled"
    return rows, status, note


def walk_blocking(
    session: BlockingSession,
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
    """One-segment v1/v2c walk for a worker thread (``asyncio.to_thread``)."""
    t0 = time.monotonic()
    in_scope = scope(root)
    start = root if len(root) > 1 else (root[0], 0)
    op = ber.GET_BULK_REQUEST if bulk and session.version != message.V1 else ber.GET_NEXT_REQUEST
    reps = max_repetitions if op == ber.GET_BULK_REQUEST else 0
    seg = _Segment(start, None)
    shared = _Shared(control, max_oids=max_oids)
    _walk_segment_blocking(session, seg, in_scope, describe, shared, op, reps, on_progress,
                           progress_every)  # fmt: skip
    rows, status, note = _assemble([seg], control, max_oids)
    if not rows and status == "complete" and len(root) > 1:
        try:
            seg.requests += 1
            msg = session.wait(session.send(ber.GET_REQUEST, ber.encode_oid(root), 0), control)
            got = [] if msg.error_status else [
                row(ber.decode_oid(o), v, describe) for o, v in msg.varbinds]  # fmt: skip
        except SnmpFailure:
            got = []
        rows = [r for r in got if r["type"] not in ("noSuchObject", "noSuchInstance")]
    control.oids = len(rows)
    return WalkOutcome(rows, status, note, seg.requests, time.monotonic() - t0, 1)
