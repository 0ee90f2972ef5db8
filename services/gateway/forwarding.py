"""The one path rule: public ``/api/<path>`` of a service → that service's ``/<path>``.

``/api/simulator/**`` → simulator, ``/api/traps/send**`` → walker, other ``/api/traps**``
→ trapd, ``/api/walk/**`` → walker. Method, path, query and body go through unchanged,
with the internal secret instead of the user's token; status, headers and body come back
streamed, so exports of any size pass without being held in memory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from services.common.internal_auth import HEADER as INTERNAL_HEADER
from services.gateway.upstream import Upstream

log = logging.getLogger("snmplab.gateway.forwarding")

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Never passed to a service: the user's credentials, and any attempt to supply the secret.
_REQUEST_DROP = _HOP_BY_HOP | {
    "host",
    "x-auth-token",
    "authorization",
    "cookie",
    INTERNAL_HEADER.lower(),
}
_RESPONSE_DROP = _HOP_BY_HOP | {"server", "date", "set-cookie"}


def service_for(path: str) -> str | None:
    """The service owning public path ``/api<path>`` (``path`` starts after ``/api``)."""
    if path.startswith("/traps/send"):
        return "walker"
    if path == "/traps" or path.startswith("/traps/") or path.startswith("/traps?"):
        return "trapd"
    if path == "/simulator" or path.startswith("/simulator/"):
        return "simulator"
    if path == "/walk" or path.startswith("/walk/"):
        return "walker"
    return None


class Forwarder:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.forwarded = 0
        self.unreachable = 0

    async def forward(self, request: Request) -> Response:
        raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0].removeprefix("/api")
        service = service_for(path)
        if service is None:
            return JSONResponse({"detail": f"No service serves /api{path}"}, status_code=404)
        svc = self.upstream.services[service]
        client = self.upstream.forward[service]
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = path + (f"?{query}" if query else "")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _REQUEST_DROP]
        if request.client is not None:
            headers.append(("x-forwarded-for", request.client.host))
        has_body = request.method not in ("GET", "HEAD", "DELETE", "OPTIONS") or (
            "content-length" in request.headers or "transfer-encoding" in request.headers
        )
        upstream_request = client.build_request(
            request.method,
            url,
            headers=headers,
            content=request.stream() if has_body else None,
        )
        try:
            resp = await client.send(upstream_request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            self.unreachable += 1
            return JSONResponse(
                {
                    "detail": f"The {service} service is not reachable at {svc.url} "
                    f"({exc.__class__.__name__}). {svc.unreachable_hint()}",
                    "service": service,
                },
                status_code=503,
            )
        except httpx.TimeoutException:
            return JSONResponse(
                {
                    "detail": f"The {service} service did not answer in time at {svc.url}.",
                    "service": service,
                },
                status_code=504,
            )
        except httpx.HTTPError as exc:
            self.unreachable += 1
            return JSONResponse(
                {
                    "detail": f"The {service} service at {svc.url} failed to answer: "
                    f"{exc.__class__.__name__}. {svc.unreachable_hint()}",
                    "service": service,
                },
                status_code=502,
            )
        self.forwarded += 1
        out = StreamingResponse(
            _relay_body(resp),
            status_code=resp.status_code,
            background=BackgroundTask(resp.aclose),
        )
        out.raw_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in resp.headers.multi_items()
            if k.lower() not in _RESPONSE_DROP
        ]
        return out


async def _relay_body(resp: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in resp.aiter_raw():
            yield chunk
    except httpx.HTTPError as exc:
        # Headers are already sent; all we can do is end the body early and say why.
        log.warning("forwarded body ended early: %s", exc)
