"""trapd's runtime configuration: what the API can change while it runs, persisted."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.trapd.rules.config import RulesConfig


class ExtraListener(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(ge=1, le=65535)
    running: bool = True


class RuntimeConfig(BaseModel):
    autostart: bool | None = Field(
        default=None,
        description="Start the default listener when trapd boots; null: SNMPLAB_TRAPD_AUTOSTART.",
    )
    community_allowlist: list[str] | None = Field(
        default=None,
        max_length=1000,
        description="v1/v2c communities accepted; null accepts any (refused: 'community').",
    )
    retention_count: int = Field(default=1_000_000, ge=0, description="0: no limit")
    retention_days: float = Field(default=30.0, ge=0, description="0: no limit")
    v3_enforce_time_window: bool = Field(
        default=True,
        description="Check traps against each sending engine's boots/time (RFC 3414).",
    )
    rules: RulesConfig = Field(default_factory=RulesConfig)
    listeners: list[ExtraListener] = Field(default_factory=list, max_length=64)
