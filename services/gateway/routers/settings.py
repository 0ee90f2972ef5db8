"""The Settings page's application settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from services.gateway.app_settings import AppSettings, AppSettingsUpdate
from services.gateway.auth.deps import gateway_of, require_session

router = APIRouter(
    prefix="/api/settings", tags=["settings"], dependencies=[Depends(require_session)]
)


@router.get("/app", response_model=AppSettings)
async def get_app_settings(request: Request) -> AppSettings:
    return gateway_of(request).app_settings.current


@router.post("/app")
async def save_app_settings(body: AppSettingsUpdate, request: Request) -> dict[str, Any]:
    """Save any subset; ``session_timeout`` and the MIB fetch settings apply at once."""
    return await gateway_of(request).app_settings.update(body)
