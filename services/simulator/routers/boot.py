"""``GET``/``PUT /simulator/config``: whether the agent starts when the service boots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.simulator import boot_config
from services.simulator.boot_config import BootConfig
from services.simulator.config import SimulatorSettings

router = APIRouter(prefix="/simulator")


def _settings(request: Request) -> SimulatorSettings:
    settings: SimulatorSettings = request.app.state.settings
    return settings


@router.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    settings = _settings(request)
    saved = boot_config.load(settings)
    return {**saved.model_dump(), "effective_autostart": boot_config.autostart(settings)}


@router.put("/config")
async def put_config(request: Request, body: BootConfig) -> dict[str, Any]:
    settings = _settings(request)
    boot_config.save(settings, body)
    return {**body.model_dump(), "effective_autostart": boot_config.autostart(settings)}
