"""Settings every service shares, read from ``SNMPLAB_*`` environment variables.

Each service subclasses :class:`CommonSettings` with its own fields, so that there is one
validated settings object per service and one way to configure it: the environment.
Defaults are those of the all-in-one mode (every service on this host); compose and
Kubernetes override the addresses.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_HOST = "127.0.0.1"  # all-in-one default only; every address is overridable by SNMPLAB_*

DEFAULT_EVENTS_PORT = 19876
DEFAULT_GATEWAY_PORT = 8000
DEFAULT_SIMULATOR_CONTROL_PORT = 8001
DEFAULT_TRAPD_CONTROL_PORT = 8002
DEFAULT_WALKER_CONTROL_PORT = 8003
DEFAULT_SIMULATOR_SNMP_PORT = 1061
DEFAULT_TRAPD_SNMP_PORT = 1162


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which variable to set."""


def parse_hostport(value: str, default_port: int | None = None) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or (with a default port) a bare host."""
    value = value.strip()
    if not value:
        raise ValueError("empty address")
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    else:
        host, port_text = value, ""
    if not port_text:
        if default_port is None:
            raise ValueError(f"{value!r} has no port; write it as host:port")
        return host, default_port
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} in {value!r} is outside 1-65535")
    return host, port


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SNMPLAB_", extra="ignore")

    internal_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret for control APIs and signed event datagrams.",
    )
    dev_mode: bool = Field(
        default=False,
        description="Explicit local development mode: allows running without an internal secret.",
    )
    events_targets: str = Field(
        default=f"{LOCAL_HOST}:{DEFAULT_EVENTS_PORT}",
        description="Comma-separated host:port list of gateway events listeners (one per replica).",
    )
    gateway_url: str = Field(
        default=f"http://{LOCAL_HOST}:{DEFAULT_GATEWAY_PORT}",
        description="Where services fetch MIB artifacts from the gateway.",
    )
    log_level: str = Field(default="INFO")

    @field_validator("events_targets")
    @classmethod
    def _check_targets(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                parse_hostport(item)
        return value

    def event_target_list(self) -> list[tuple[str, int]]:
        return [parse_hostport(t) for t in self.events_targets.split(",") if t.strip()]

    def secret_bytes(self) -> bytes:
        """The internal secret; refuse to run without one outside dev mode."""
        if self.internal_secret is not None and self.internal_secret.get_secret_value():
            return self.internal_secret.get_secret_value().encode()
        if self.dev_mode:
            # A fixed, public key: events are still framed and checked the same way,
            # but nothing is protected. Only for local development.
            return b"snmplab-dev-mode-insecure"
        raise ConfigError(
            "SNMPLAB_INTERNAL_SECRET is not set. Set it to the same random value for every "
            "service (e.g. `openssl rand -hex 32`), or set SNMPLAB_DEV_MODE=1 for local "
            "development without protection."
        )


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
