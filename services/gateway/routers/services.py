"""The routes that belong to a service, forwarded by the one path rule (see forwarding.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from services.gateway.auth.deps import gateway_of, require_session

router = APIRouter(dependencies=[Depends(require_session)])

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]


async def _forward(request: Request) -> Response:
    return await gateway_of(request).forwarder.forward(request)


for _path in (
    "/api/simulator",
    "/api/simulator/{rest:path}",
    "/api/traps",
    "/api/traps/{rest:path}",
    "/api/walk",
    "/api/walk/{rest:path}",
):
    router.add_api_route(_path, _forward, methods=_METHODS, include_in_schema=False)
