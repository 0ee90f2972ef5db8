"""``/api/ws``: the WebSocket API of contract/websocket.md."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from services.gateway.ws.session import serve

router = APIRouter()


@router.websocket("/api/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    await serve(websocket, websocket.app.state.gateway)
