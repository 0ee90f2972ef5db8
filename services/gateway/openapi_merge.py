"""The public OpenAPI document: the gateway's own routes plus each service's forwarded ones.

A service may serve its schema at ``/openapi.json`` behind the internal secret; its paths
appear under ``/api`` where the one path rule sends them to that service, and its
component schemas are renamed ``<service>.<Name>`` so that two services never collide.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from services.gateway.forwarding import service_for
from services.gateway.upstream import SERVICES, Upstream

_TTL = 30.0


def merge_service_schema(doc: dict[str, Any], service: str, schema: dict[str, Any]) -> int:
    """Add ``schema``'s forwarded paths to ``doc``; returns how many paths were added."""
    prefix = f"{service}."
    text = json.dumps(schema).replace('"#/components/schemas/', f'"#/components/schemas/{prefix}')
    renamed = json.loads(text)
    added = 0
    paths = doc.setdefault("paths", {})
    for path, item in (renamed.get("paths") or {}).items():
        if not isinstance(path, str) or service_for(path) != service:
            continue
        public = f"/api{path}"
        if public in paths:
            continue
        for op in item.values() if isinstance(item, dict) else []:
            if isinstance(op, dict):
                op.setdefault("tags", [service])
                op.setdefault("security", [{"token": []}])
        paths[public] = item
        added += 1
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, value in ((renamed.get("components") or {}).get("schemas") or {}).items():
        schemas[f"{prefix}{name}"] = value
    return added


class OpenApiDocument:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self._cached: dict[str, Any] | None = None
        self._at = 0.0

    async def build(self, own: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        if self._cached is not None and now - self._at < _TTL:
            return self._cached
        doc = copy.deepcopy(own)
        doc.setdefault("components", {}).setdefault("securitySchemes", {})["token"] = {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "The token from POST /api/login (or Authorization: Bearer).",
        }
        merged: dict[str, int] = {}
        for service in SERVICES:
            schema = await self.upstream.get_json(service, "/openapi.json")
            if isinstance(schema, dict):
                merged[service] = merge_service_schema(doc, service, schema)
        doc.setdefault("info", {})["x-merged-services"] = merged
        self._cached, self._at = doc, now
        return doc
