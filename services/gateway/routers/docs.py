"""OpenAPI of the public API behind login, and a small self-contained page that reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse

from services.gateway.auth.deps import gateway_of, require_session

router = APIRouter(tags=["docs"])

_PAGE_DIR = Path(__file__).resolve().parent.parent / "docs_page"
_FILES = {"docs.js": "text/javascript", "docs.css": "text/css"}


@router.get("/api/openapi.json", dependencies=[Depends(require_session)])
async def openapi(request: Request) -> dict[str, Any]:
    """The gateway's routes and the services' forwarded ones, in one document."""
    return await gateway_of(request).openapi.build(request.app.openapi())


@router.get("/api/docs", include_in_schema=False)
async def docs_page() -> FileResponse:
    # The page itself is public; it shows nothing until /api/openapi.json accepts a token.
    return FileResponse(_PAGE_DIR / "index.html", media_type="text/html")


@router.get("/api/docs/{name}", include_in_schema=False)
async def docs_asset(name: str) -> FileResponse:
    if name not in _FILES:
        raise HTTPException(404, detail=f"No docs asset {name}")
    return FileResponse(_PAGE_DIR / name, media_type=_FILES[name])
