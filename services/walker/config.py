"""Walker settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import (
    DEFAULT_SIMULATOR_CONTROL_PORT,
    DEFAULT_SIMULATOR_SNMP_PORT,
    DEFAULT_WALKER_CONTROL_PORT,
    LOCAL_HOST,
    CommonSettings,
)


class WalkerSettings(CommonSettings):
    walker_control_host: str = LOCAL_HOST
    walker_control_port: int = Field(default=DEFAULT_WALKER_CONTROL_PORT, ge=1, le=65535)
    walker_data_dir: Path = Path("data/walker")
    walker_default_target: str = Field(
        default=LOCAL_HOST,
        description="Agent that POST /walk/execute walks when the body names no target "
        "(the previous product's default: the simulator).",
    )
    walker_default_port: int = Field(default=DEFAULT_SIMULATOR_SNMP_PORT, ge=1, le=65535)
    walker_default_timeout: float = Field(default=1.0, gt=0, le=60)
    walker_default_retries: int = Field(default=2, ge=0, le=10)
    walker_simulator_url: str = Field(
        default=f"http://{LOCAL_HOST}:{DEFAULT_SIMULATOR_CONTROL_PORT}",
        description="The simulator's control API, for 'use a walk as a simulated device'.",
    )
    walker_history_limit: int = Field(
        default=200, ge=1, le=100_000, description="Walks kept in history; oldest go first."
    )
