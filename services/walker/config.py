"""Walker settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import DEFAULT_WALKER_CONTROL_PORT, LOCAL_HOST, CommonSettings


class WalkerSettings(CommonSettings):
    walker_control_host: str = LOCAL_HOST
    walker_control_port: int = Field(default=DEFAULT_WALKER_CONTROL_PORT, ge=1, le=65535)
    walker_data_dir: Path = Path("data/walker")
