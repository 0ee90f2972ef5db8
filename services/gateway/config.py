"""Gateway settings (``SNMPLAB_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from services.common.config import (
    DEFAULT_EVENTS_PORT,
    DEFAULT_GATEWAY_PORT,
    DEFAULT_SIMULATOR_CONTROL_PORT,
    DEFAULT_TRAPD_CONTROL_PORT,
    DEFAULT_WALKER_CONTROL_PORT,
    LOCAL_HOST,
    CommonSettings,
)


class GatewaySettings(CommonSettings):
    gateway_host: str = Field(default=LOCAL_HOST, description="Address the HTTP API binds.")
    gateway_port: int = Field(default=DEFAULT_GATEWAY_PORT, ge=1, le=65535)
    events_listen: str = Field(
        default=f"{LOCAL_HOST}:{DEFAULT_EVENTS_PORT}",
        description="host:port of the UDP listener for signed service events.",
    )
    simulator_url: str = f"http://{LOCAL_HOST}:{DEFAULT_SIMULATOR_CONTROL_PORT}"
    trapd_url: str = f"http://{LOCAL_HOST}:{DEFAULT_TRAPD_CONTROL_PORT}"
    walker_url: str = f"http://{LOCAL_HOST}:{DEFAULT_WALKER_CONTROL_PORT}"
    gateway_data_dir: Path = Path("data/gateway")
    admin_username: str = "admin"
    admin_password: SecretStr = SecretStr("admin123")
    session_timeout: int = Field(default=3600, ge=60, le=86400 * 30, description="Sliding, s.")
    web_dir: Path | None = Field(
        default=Path("web"),
        description="Static web UI served at / (all-in-one); empty to serve none.",
    )
    cors_origins: str = ""
    control_timeout: float = Field(default=1.5, gt=0, description="Per call to a control API.")
