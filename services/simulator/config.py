"""Simulator settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import (
    DEFAULT_SIMULATOR_CONTROL_PORT,
    DEFAULT_SIMULATOR_SNMP_PORT,
    LOCAL_HOST,
    CommonSettings,
)


class SimulatorSettings(CommonSettings):
    simulator_control_host: str = LOCAL_HOST
    simulator_control_port: int = Field(default=DEFAULT_SIMULATOR_CONTROL_PORT, ge=1, le=65535)
    simulator_snmp_host: str = Field(default="0.0.0.0", description="Address the agent binds.")
    simulator_snmp_port: int = Field(default=DEFAULT_SIMULATOR_SNMP_PORT, ge=1, le=65535)
    simulator_community: str = "public"
    simulator_autostart: bool = True
    simulator_data_dir: Path = Path("data/simulator")
    simulator_max_message_size: int = Field(
        default=65507, ge=484, le=65507, description="Largest response the agent sends."
    )
    simulator_activity_per_second: float = Field(
        default=10.0, ge=0, le=1000, description="Sampled request summaries per second."
    )
