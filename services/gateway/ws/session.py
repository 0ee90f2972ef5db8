"""One ``/api/ws`` connection, from handshake to close, as contract/websocket.md says.

The handshake is always accepted first: a missing or invalid token is then closed with
4001, which the client really receives (closing before accept turns into HTTP 403, seen
by a browser as 1006). ``full_state`` goes out first; with ``?after_seq=N`` (an extension)
every stored trap newer than N follows from trapd, then the live ones, with no gap and no
duplicate: live items are held back during the back-fill and de-duplicated by ``seq``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from services.gateway.ws.manager import CLOSE_UNAUTHORIZED, WsClient, frame_of

if TYPE_CHECKING:
    from services.gateway.runtime import Gateway

log = logging.getLogger("snmplab.gateway.ws")

_PAGE = 1000  # trapd's maximum page


def _after_seq(ws: WebSocket) -> int | None:
    raw = ws.query_params.get("after_seq")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


async def serve(ws: WebSocket, gw: Gateway) -> None:
    await ws.accept()
    token = ws.query_params.get("token")
    session = gw.sessions.lookup(token, touch=False)
    if session is None:
        gw.ws.counters.rejected += 1
        reason = (
            "Session expired. Please log in again."
            if token and gw.sessions.known(token)
            else "Invalid or missing session token"
        )
        with contextlib.suppress(Exception):
            await ws.close(code=CLOSE_UNAUTHORIZED, reason=reason)
        return

    after_seq = _after_seq(ws)
    client = gw.ws.new_client(ws, session.key, session.username)
    # Live messages wait until full_state is out (the contract's first message), and with
    # after_seq until the back-fill is too; registering now means none is lost meanwhile.
    client.holding = []
    gw.ws.register(client)
    client.sender = asyncio.create_task(client.run_sender(), name="ws-sender")
    receiver = asyncio.create_task(_receive(ws, gw, client), name="ws-receiver")
    try:
        full_state = await gw.live.full_state()
        client.send_first(frame_of(full_state)[0])
        if after_seq is not None:
            await _backfill(gw, client, after_seq)
        else:
            client.release_holding(None)
        await asyncio.wait({receiver, client.sender}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gw.ws.unregister(client)
        if not receiver.done():
            receiver.cancel()
        if client.sender is not None and not client.sender.done():
            if client.close_code is None:
                client.close(1000, "")
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(client.sender), timeout=2)
            client.sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver


async def _receive(ws: WebSocket, gw: Gateway, client: WsClient) -> None:
    """Answer pings and re-check the session on every message the client sends."""
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if client.close_code is not None:
                continue  # closing: wait for the peer's close frame
            if not gw.sessions.is_live(client.session_key):
                client.close(CLOSE_UNAUTHORIZED, "Session expired. Please log in again.")
                continue
            text = message.get("text")
            if text is not None and text.strip() == "ping":
                client.send_first("pong")
    except (WebSocketDisconnect, RuntimeError):
        return


async def _backfill(gw: Gateway, client: WsClient, after_seq: int) -> None:
    cursor = after_seq
    sent = 0
    limit = gw.settings.ws_backfill_max
    try:
        while client.close_code is None:
            page_size = min(_PAGE, max(limit - sent, 1))
            body = await gw.upstream.get_json(
                "trapd", "/traps", params={"after_seq": cursor, "limit": page_size}
            )
            records = _records(body)
            if body is None:
                # trapd is not answering: the client learns where its history stops.
                _notice_gap(client, cursor, None)
                break
            records = sorted(
                (r for r in records if isinstance(r.get("seq"), int) and r["seq"] > cursor),
                key=lambda r: r["seq"],
            )
            if not records:
                break
            if sent >= limit:
                last = body.get("last_seq") if isinstance(body, dict) else None
                remaining = last - cursor if isinstance(last, int) and last > cursor else None
                _notice_gap(client, cursor, remaining or len(records))
                break
            for record in records:
                await client.wait_for_space()
                if client.close_code is not None:
                    return
                client.enqueue([frame_of({"type": "trap", "trap": record})])
                cursor = record["seq"]
                sent += 1
            if len(records) < page_size:
                break
    finally:
        client.release_holding(cursor)


def _records(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return [r for r in data if isinstance(r, dict)]
    if isinstance(body, list):
        return [r for r in body if isinstance(r, dict)]
    return []


def _notice_gap(client: WsClient, after_seq: int, at_least: int | None) -> None:
    notice: dict[str, Any] = {"type": "missed", "count": at_least or 0, "after_seq": after_seq}
    if at_least is None:
        notice["reason"] = "trap store unreachable"
    client.enqueue([(json.dumps(notice, separators=(",", ":")), None, False)])
