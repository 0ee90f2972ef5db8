"""Trap daemon settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import (
    DEFAULT_TRAPD_CONTROL_PORT,
    DEFAULT_TRAPD_SNMP_PORT,
    LOCAL_HOST,
    CommonSettings,
)


class TrapdSettings(CommonSettings):
    trapd_control_host: str = LOCAL_HOST
    trapd_control_port: int = Field(default=DEFAULT_TRAPD_CONTROL_PORT, ge=1, le=65535)
    trapd_snmp_host: str = Field(default="0.0.0.0", description="Address the receiver binds.")
    trapd_snmp_port: int = Field(default=DEFAULT_TRAPD_SNMP_PORT, ge=1, le=65535)
    trapd_resolve_mibs: bool = True
    trapd_autostart: bool = True
    trapd_data_dir: Path = Path("data/trapd")
