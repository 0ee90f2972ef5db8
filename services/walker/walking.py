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

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.common.mibs.index import MibIndex
from services.common.snmp import ber, message
from services.common.snmp.message import Message
from services.walker.client import BlockingSession, SnmpCancelled, SnmpFailure, SnmpTimeout
from services.walker.operations import (
    END_TAGS,
    OID,
    WalkControl,
    error_text,
    scope,
)
from services.walker.varbinds import SIMPLE_TYPES, Describer, row

MAX_SEGMENTS = 17  # measured: more cuts cost more empty requests than they save
# Rows rendered between two looks at the socket: an answer waits at most this many.
_CHUNK = 4
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
    oids: OidCache | None = None
    rows: RowCache | None = None


class RowCache:
    """OID content octets -> (value TLV, the row rendered from it) as last seen, for one
    MIB index (a new index needs a new cache). Polling a device again, most values have
    not changed (70% of snmpd's 10,000 twenty minutes apart): their rows are copied."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.map: dict[bytes, tuple[bytes, dict[str, Any]]] = {}

    def add(self, content: bytes, value_tlv: bytes, rendered: dict[str, Any]) -> None:
        if len(self.map) >= self.limit and content not in self.map:
            self.map = {}
        self.map[content] = (value_tlv, rendered)


class OidCache:
    """OID content octets -> (decoded OID, dotted text), kept across walks: polling the
    same device again meets the same OIDs, and decoding them is a fifth of a row's cost."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.map: dict[bytes, tuple[OID, str]] = {}

    def add(self, content: bytes, oid: OID, text: str) -> None:
        if len(self.map) >= self.limit:
            self.map = {}
        self.map[content] = (oid, text)


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
    # The walker's innermost loop: names bound locally, the cursor written back once.
    append = seg.rows.append
    high = seg.high
    decode = ber.decode_oid
    cap = shared.max_oids
    cache = shared.oids
    known = cache.map if cache is not None else {}
    simple_types = SIMPLE_TYPES
    rows_cache = shared.rows
    rendered = rows_cache.map if rows_cache is not None else {}
    last, text_head, head_text = cur.last, cur.text_head, cur.head_text
    end = min(stop, len(vbs))
    done = False
    taken = 0
    i = start
    while i < end:
        oid_content, value_tlv = vbs[i]
        if value_tlv[0] in END_TAGS or not in_scope(oid_content):
            done = True
            break
        hit = known.get(oid_content)
        if hit is not None:
            oid, text = hit
        else:
            oid = decode(oid_content)
            # Walks run down columns: consecutive OIDs share all but the last arc.
            head = oid[:-1]
            if head != text_head:
                text_head, head_text = head, ".".join(map(str, head)) + "."
            text = head_text + str(oid[-1])
            if cache is not None:
                cache.add(oid_content, oid, text)
        if oid <= last:
            seg.status = "error"
            seg.note = (
                f"agent returned OID {ber.oid_str(oid)} after {ber.oid_str(last)}: "
                "OIDs must increase, so the walk was stopped (the agent is broken)"
            )
            done = True
            break
        if high is not None and oid > high:
            done = True
            break
        last = oid
        before = rendered.get(oid_content)
        if before is not None and before[0] == value_tlv:
            append(before[1].copy())  # the same value as last time: the same row
        else:
            # row()'s common case inlined (a short-form integer or octet string): a call
            # and a lookup less per row; anything else, every malformed value, goes to row().
            simple = simple_types.get(value_tlv[0])
            if (simple is not None and value_tlv[1] < 0x80
                    and len(value_tlv) == value_tlv[1] + 2 > 2):  # fmt: skip
                type_name, signed = simple
                r: dict[str, Any]
                if signed is None:
                    content = value_tlv[2:]
                    name, human = describe(oid, text, type_name, content)
                    r = {"oid": text, "name": name, "type": type_name, "value": human,
                         "raw": content.hex()}  # fmt: skip
                else:
                    value = int.from_bytes(value_tlv[2:], "big", signed=signed)
                    name, human = describe(oid, text, type_name, value)
                    r = {"oid": text, "name": name, "type": type_name, "value": human,
                         "raw": value}  # fmt: skip
            else:
                r = row(oid, value_tlv, describe, text)
            append(r)
            if rows_cache is not None:
                rows_cache.add(oid_content, value_tlv, r.copy())
        taken += 1
        i += 1
        if cap and shared.total + taken >= cap:
            shared.capped = True
            seg.status = "truncated"
            done = True
            break
    shared.total += taken
    cur.last, cur.text_head, cur.head_text = last, text_head, head_text
    return done, i


def _finish(seg: _Segment, shared: _Shared) -> None:
    if shared.control.cancelled and seg.status == "complete":
        seg.status = "cancelled"
    if shared.capped and seg.status == "complete":
        seg.status = "truncated"  # stopped because another segment hit the cap


class _Run:
    """One segment of a threaded walk: its exchange with the agent and its rendering."""

    __slots__ = ("backlog", "cur", "exchanging", "pos", "received", "rendered_all", "reps",
                 "request", "seg", "sent_tail")  # fmt: skip

    def __init__(self, seg: _Segment, reps: int) -> None:
        self.seg = seg
        self.cur = _Cursor(seg.start)
        self.sent_tail = seg.start
        self.reps = reps
        self.request: int | None = None
        self.exchanging = False
        self.backlog: deque[list[tuple[bytes, bytes]]] = deque()
        self.pos = 0  # rendered so far in backlog[0]
        self.received = 0  # var-binds received: no segment needs more than the cap
        self.rendered_all = False  # the segment's rendering found its end


def _walk_segments_blocking(
    session: BlockingSession,
    segments: list[_Segment],
    in_scope: Callable[[bytes], bool],
    describe: Describer,
    shared: _Shared,
    op: int,
    reps: int,
    parallel: int,
    on_progress: Callable[[WalkControl], None] | None,
    progress_every: float,
) -> None:
    """Segments walked on a blocking socket in a worker thread, up to ``parallel`` at once.

    Each answer is handled at once: the segment's next request leaves, and the var-binds
    wait in that segment's backlog. Rows are rendered a few at a time only while the socket
    has nothing to read, so the exchange runs at the agent's pace; what is left is rendered
    at the end.
    """
    control = shared.control
    runs = [_Run(seg, reps) for seg in segments]
    waiting = deque(runs)  # not started yet
    by_request: dict[int, _Run] = {}
    next_progress = time.monotonic() + progress_every

    def issue(run: _Run, oid_content: bytes) -> None:
        run.seg.requests += 1
        run.request = session.submit(op, oid_content, run.reps)
        by_request[run.request] = run

    known = shared.oids.map if shared.oids is not None else {}

    def follow(run: _Run, received: int, tail_oid: bytes, tail_tag: int) -> bool:
        """Send ``run``'s next request, from the OID its answer ended at, unless that
        answer ends the segment (or the walk stops); whether it was sent."""
        if (control.cancelled or shared.capped or (shared.max_oids and received >= shared.max_oids)
                or tail_tag in END_TAGS or not in_scope(tail_oid) or run.rendered_all):  # fmt: skip
            return False
        hit = known.get(tail_oid)
        tail = hit[0] if hit is not None else ber.decode_oid(tail_oid)
        high = run.seg.high
        if tail > run.sent_tail and (high is None or tail < high):
            run.sent_tail = tail
            run.exchanging = True
            issue(run, tail_oid)
            return True
        return False

    def early(request_id: int, count: int, tail_oid: bytes, tail_tag: int) -> Any:
        """An answer just arrived, not decoded yet: its successor leaves now, since the
        agent's time, not ours, is what a walk waits for. Returns how to take it back."""
        run = by_request.get(request_id)
        if run is None or run.request != request_id:
            return None
        before = run.sent_tail
        try:
            if not follow(run, run.received + count, tail_oid, tail_tag):
                return None
        except ber.DecodeError:
            return None  # the answer's own handling decides
        sent = run.request

        def undo() -> None:  # the datagram turned out malformed: as if it never came
            if sent is not None:
                session.forget(sent)
                by_request.pop(sent, None)
            run.request = request_id
            run.sent_tail = before
            run.seg.requests -= 1

        return undo

    def stop_exchange(run: _Run) -> None:
        if run.request is not None:
            session.forget(run.request)
            by_request.pop(run.request, None)
            run.request = None
        run.exchanging = False

    def render(run: _Run, until_readable: bool) -> bool:
        """Render some of ``run``'s backlog; False when the socket wants attention."""
        while run.backlog and not run.rendered_all:
            if until_readable and session.readable():
                return False
            vbs = run.backlog[0]
            limit = run.pos + _CHUNK if until_readable else len(vbs)
            done, run.pos = _take_range(vbs, run.pos, limit, run.seg, run.cur, in_scope,
                                        describe, shared)  # fmt: skip
            if run.pos >= len(vbs):
                run.backlog.popleft()
                run.pos = 0
            if done:
                run.rendered_all = True
                stop_exchange(run)
        return True

    try:
        while True:
            while (waiting and len(by_request) < parallel and not control.cancelled
                   and not shared.capped):  # fmt: skip
                run = waiting.popleft()
                run.exchanging = True
                issue(run, ber.encode_oid(run.seg.start))
            if not by_request:
                break
            for run in runs:  # render in the gaps, in walk order
                if not render(run, until_readable=True):
                    break
            control.oids = shared.total
            if not by_request:
                continue
            request_id, msg = session.next_answer(control, early)
            run_or_none = by_request.pop(request_id, None)
            if run_or_none is None:
                continue
            run = run_or_none
            followed = run.request != request_id  # early() already sent the next request
            if not followed:
                run.request = None
            seg = run.seg
            if msg is None:
                seg.status, seg.note = (
                    "error",
                    (
                        f"no response from {session.endpoint.label} after "
                        f"{session.retries + 1} tries of {session.timeout:g} s"
                    ),
                )
                seg.error = SnmpTimeout(seg.note)
                run.exchanging = False
                continue
            if msg.error_status == message.TOO_BIG and run.reps > 1:
                run.reps //= 2
                issue(run, ber.encode_oid(run.sent_tail))
                continue
            if _reply_error(msg, seg, session.version, run.cur):
                run.exchanging = False
                continue
            tail_oid, tail_val = msg.varbinds[-1]
            run.received += len(msg.varbinds)
            if not followed:
                run.exchanging = False
                follow(run, run.received, tail_oid, tail_val[0])
            run.backlog.append(msg.varbinds)
            if on_progress is not None and time.monotonic() >= next_progress:
                next_progress = time.monotonic() + progress_every
                on_progress(control)
    except SnmpCancelled:
        for run in runs:
            if run.seg.status == "complete":
                run.seg.status, run.seg.note = "cancelled", "walk cancelled"
    except SnmpFailure as exc:
        for run in runs:
            if run.exchanging and run.seg.status == "complete":
                run.seg.status, run.seg.note, run.seg.error = "error", str(exc), exc
    for run in runs:
        stop_exchange(run)
        # The rows that arrived are kept, whatever stopped us; a stop found among them (a
        # cap, a broken order) came before the one that ended the exchange: it is the reason.
        later = (run.seg.status, run.seg.note)
        run.seg.status, run.seg.note = "complete", None
        render(run, until_readable=False)
        if not run.rendered_all and later[0] != "complete":
            run.seg.status, run.seg.note = later
        if run in waiting and run.seg.status == "complete" and (control.cancelled or shared.capped):
            run.seg.status = "cancelled" if control.cancelled else "truncated"
        elif run.rendered_all or control.cancelled or shared.capped:
            _finish(run.seg, shared)
    control.oids = shared.total


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
    split: list[OID] | None = None,
    parallel: int = 1,
    on_progress: Callable[[WalkControl], None] | None = None,
    progress_every: float = 0.5,
    oid_cache: OidCache | None = None,
    row_cache: RowCache | None = None,
) -> WalkOutcome:
    """The walk for a worker thread (``run_in_executor``); same results as :func:`walk`."""
    t0 = time.monotonic()
    in_scope = scope(root)
    start = root if len(root) > 1 else (root[0], 0)
    op = ber.GET_BULK_REQUEST if bulk and session.version != message.V1 else ber.GET_NEXT_REQUEST
    reps = max_repetitions if op == ber.GET_BULK_REQUEST else 0
    bounds = [p for p in (split or []) if p > start] if parallel > 1 else []
    lows = [start, *bounds]
    segments = [_Segment(lo, hi) for lo, hi in zip(lows, [*bounds, None], strict=True)]
    shared = _Shared(control, max_oids=max_oids, oids=oid_cache, rows=row_cache)
    _walk_segments_blocking(session, segments, in_scope, describe, shared, op, reps,
                            max(1, parallel), on_progress, progress_every)  # fmt: skip
    rows, status, note = _assemble(segments, control, max_oids)
    requests = sum(s.requests for s in segments)
    if not rows and status == "complete" and len(root) > 1:
        # Like snmpwalk: a walk of a leaf instance returns that instance.
        try:
            requests += 1
            msg = session.wait(session.send(ber.GET_REQUEST, ber.encode_oid(root), 0), control)
            got = [] if msg.error_status else [
                row(ber.decode_oid(o), v, describe) for o, v in msg.varbinds]  # fmt: skip
        except SnmpFailure:
            got = []
        rows = [r for r in got if r["type"] not in ("noSuchObject", "noSuchInstance")]
    control.oids = len(rows)
    return WalkOutcome(rows, status, note, requests, time.monotonic() - t0, len(segments))
