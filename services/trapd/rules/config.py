"""The rules' settings (part of trapd's runtime config, changed through the API)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DedupConfig(BaseModel):
    enabled: bool = False
    window_s: float = Field(default=10.0, gt=0, le=86400, description="Suppress repeats for.")
    key: list[Literal["source", "trap_oid", "community", "version"]] = Field(
        default=["source", "trap_oid"],
        description="Record fields that make up the key (source is the sender's IP).",
    )
    varbind_oids: list[str] = Field(
        default_factory=list,
        max_length=32,
        description="Numeric OIDs whose values are part of the key (e.g. ifIndex.1).",
    )


class RateLimitConfig(BaseModel):
    enabled: bool = False
    per_second: float = Field(default=100.0, gt=0, le=1_000_000, description="Per source IP.")
    burst: int = Field(default=200, ge=1, le=10_000_000)


class WebhookConfig(BaseModel):
    enabled: bool = False
    url: str = Field(default="", description="http(s) URL that receives each trap as JSON.")
    timeout_s: float = Field(default=5.0, gt=0, le=60)


class SyslogConfig(BaseModel):
    enabled: bool = False
    target: str = Field(default="", description="udp://host:port or tcp://host:port")
    facility: int = Field(default=16, ge=0, le=23, description="16 = local0")
    app_name: str = Field(default="snmplab-trapd", max_length=48)


class ForwardConfig(BaseModel):
    retries: int = Field(default=5, ge=0, le=100)
    backoff_s: float = Field(default=0.5, gt=0, le=60, description="First retry delay.")
    backoff_max_s: float = Field(default=30.0, gt=0, le=3600)
    queue_max: int = Field(default=100_000, ge=1, le=10_000_000)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    syslog: SyslogConfig = Field(default_factory=SyslogConfig)


class RulesConfig(BaseModel):
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    rate_limit: RateLimitConfig = Field(default_factory=RateLimitConfig)
    forward: ForwardConfig = Field(default_factory=ForwardConfig)
