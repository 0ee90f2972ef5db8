"""Trap daemon settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import (
    DEFAULT_TRAPD_CONTROL_PORT,
    DEFAULT_TRAPD_SNMP_PORT,
    DEFAULT_WALKER_CONTROL_PORT,
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
    trapd_rcvbuf: int = Field(
        default=64 * 1024 * 1024,
        ge=65536,
        description="Receive buffer asked for each listener socket, bytes (bursts wait here).",
    )
    trapd_retention_count: int = Field(
        default=1_000_000, ge=0, description="Keep at most this many traps (0: no limit)."
    )
    trapd_retention_days: float = Field(
        default=30.0, ge=0, description="Delete traps older than this (0: no limit)."
    )
    trapd_batch_max: int = Field(
        default=2000, ge=1, description="Most datagrams decoded and stored in one transaction."
    )
    trapd_linger_ms: float = Field(
        default=5.0,
        ge=0,
        le=100,
        description="After an idle wake-up, wait this long to batch a trickle of traps.",
    )
    trapd_walker_url: str = Field(
        default=f"http://{LOCAL_HOST}:{DEFAULT_WALKER_CONTROL_PORT}",
        description="The walker's control API, which sends replayed traps.",
    )
