"""Stored traps: list and query, detail, clear, export (JSON, NDJSON, CSV; streamed)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import StreamingResponse

from services.trapd.routers.deps import Daemon
from services.trapd.store import TrapQuery

router = APIRouter()

MAX_LIMIT = 1000
VERSIONS = ("v1", "v2c", "v3")


def parse_time(value: str | None, name: str) -> float | None:
    """Epoch seconds or ISO 8601 (naive means UTC)."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(
            400, detail=f"{name}={value!r}: give epoch seconds or an ISO 8601 time"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def build_query(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="At most 1000."),
    before_seq: int | None = Query(None, ge=0, description="Older than this seq (paging)."),
    after_seq: int | None = Query(None, ge=0, description="Newer than this seq, oldest first."),
    since: str | None = Query(None, description="Epoch seconds or ISO 8601."),
    until: str | None = Query(None, description="Epoch seconds or ISO 8601."),
    source: str | None = Query(None, description="Sender IP, or ip:port."),
    trap: str | None = Query(None, description="Trap type name or numeric trap OID."),
    version: str | None = Query(None, description="v1, v2c or v3."),
    q: str | None = Query(None, description="Text in var-bind names or values."),
    listener: str | None = Query(None, description="Listener name."),
) -> TrapQuery:
    if version is not None and version not in VERSIONS:
        raise HTTPException(400, detail=f"version must be one of {', '.join(VERSIONS)}")
    if before_seq is not None and after_seq is not None:
        raise HTTPException(400, detail="use before_seq or after_seq, not both")
    return TrapQuery(
        limit=limit,
        before_seq=before_seq,
        after_seq=after_seq,
        since=parse_time(since, "since"),
        until=parse_time(until, "until"),
        source=source or None,
        trap=trap or None,
        version=version,
        text=q or None,
        listener=listener or None,
    )


@router.get("/traps")
def list_traps(query: Annotated[TrapQuery, Depends(build_query)], daemon: Daemon) -> dict[str, Any]:
    """Newest first; with ``after_seq``, oldest first (resume after the last seq seen)."""
    data = daemon.store.query(query)
    out: dict[str, Any] = {"data": data, "count": len(data), "last_seq": daemon.store.last_seq()}
    if data and len(data) == query.limit:
        if query.after_seq is not None:
            out["next_after_seq"] = data[-1]["seq"]
        else:
            out["next_before_seq"] = data[-1]["seq"]
    return out


_CSV_FIELDS = [
    "seq", "timestamp", "time_str", "source", "listener", "version", "pdu", "community",
    "trap_oid", "trap_type", "resolved", "varbinds",
]  # fmt: skip


def _csv_rows(records: Iterator[str]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(_CSV_FIELDS)
    for text in records:
        rec = json.loads(text)
        vbs = "; ".join(f"{vb['name']} = {vb['value']}" for vb in rec.get("varbinds", []))
        writer.writerow([rec.get(f) if f != "varbinds" else vbs for f in _CSV_FIELDS])
        if buf.tell() > 32768:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _json_array(records: Iterator[str]) -> Iterator[str]:
    yield "["
    first = True
    for text in records:
        yield text if first else "," + text
        first = False
    yield "]\n"


@router.get("/traps/export")
def export(
    query: Annotated[TrapQuery, Depends(build_query)],
    daemon: Daemon,
    format: Literal["json", "ndjson", "csv"] = Query("json"),
) -> StreamingResponse:
    """Every matching trap, oldest first, streamed (``limit`` does not apply)."""
    records = daemon.store.iter_records(query)
    if format == "ndjson":
        body: Iterator[str] = (r + "\n" for r in records)
        media = "application/x-ndjson"
    elif format == "csv":
        body = _csv_rows(records)
        media = "text/csv"
    else:
        body = _json_array(records)
        media = "application/json"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="traps.{format}"'},
    )


@router.get("/traps/{seq}")
def get_trap(seq: int, daemon: Daemon) -> dict[str, Any]:
    rec = daemon.store.get(seq)
    if rec is None:
        raise HTTPException(404, detail=f"no stored trap with seq {seq}")
    return rec


@router.delete("/traps")
def clear(daemon: Daemon) -> dict[str, Any]:
    deleted = daemon.clear()
    daemon.push_stats(force=True)
    return {"status": "cleared", "deleted": deleted}
