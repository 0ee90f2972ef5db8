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

DEFAULT_MIB_REMOTE_SOURCES = "https://mibs.pysnmp.com/asn1/@mib@"


class GatewaySettings(CommonSettings):
    gateway_host: str = Field(default=LOCAL_HOST, description="Address the HTTP API binds.")
    gateway_port: int = Field(default=DEFAULT_GATEWAY_PORT, ge=1, le=65535)
    events_listen: str = Field(
        default=f"{LOCAL_HOST}:{DEFAULT_EVENTS_PORT}",
        description="host:port of the UDP listener for signed service events.",
    )
    events_rcvbuf: int = Field(
        default=8 * 1024 * 1024,
        ge=65536,
        description="SO_RCVBUF of the events socket, sized for trap storms (bytes).",
    )
    simulator_url: str = f"http://{LOCAL_HOST}:{DEFAULT_SIMULATOR_CONTROL_PORT}"
    trapd_url: str = f"http://{LOCAL_HOST}:{DEFAULT_TRAPD_CONTROL_PORT}"
    walker_url: str = f"http://{LOCAL_HOST}:{DEFAULT_WALKER_CONTROL_PORT}"
    gateway_data_dir: Path = Path("data/gateway")
    admin_username: str = "admin"
    admin_password: SecretStr = SecretStr("admin123")
    # The UI accepts 60-86400; the environment also accepts shorter values, for tests.
    session_timeout: int = Field(default=3600, ge=1, le=86400 * 30, description="Sliding, s.")
    password_min_length: int = Field(default=8, ge=1, le=128)
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins (per user and per client) before a lockout."
    )
    login_lockout_seconds: float = Field(
        default=30.0, ge=0, description="First lockout; doubles on each further failure."
    )
    web_dir: Path | None = Field(
        default=Path("web"),
        description="Static web UI served at / (all-in-one); empty to serve none.",
    )
    cors_origins: str = ""
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated proxy addresses whose X-Forwarded-For is trusted (nginx).",
    )
    control_timeout: float = Field(default=1.5, gt=0, description="Per call to a control API.")
    forward_timeout: float = Field(
        default=300.0, gt=0, description="Read timeout of a forwarded request (long walks)."
    )
    ws_client_queue: int = Field(
        default=2000,
        ge=8,
        description="Messages queued per WebSocket client before it is told it missed some.",
    )
    ws_client_queue_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=65536,
        description="Bytes queued per WebSocket client before it is told it missed some.",
    )
    ws_backfill_max: int = Field(
        default=10_000, ge=0, description="Most traps replayed to a client resuming with after_seq."
    )
    status_poll_interval: float = Field(
        default=5.0,
        gt=0,
        description="How often the gateway re-checks the services' status, to notice one "
        "that died or came up without sending an event, s.",
    )
    stats_push_interval: float = Field(
        default=0.25, gt=0, description="Minimum time between two pushed stats messages, s."
    )
    auto_start_simulator: bool = True
    auto_start_trap_receiver: bool = True
    mib_auto_fetch: bool = False
    mib_remote_sources: str = Field(
        default=DEFAULT_MIB_REMOTE_SOURCES,
        description="Comma-separated https URL templates containing @mib@.",
    )
    mib_standard_dir: Path = Field(
        default=Path("build/standard-mibs"),
        description="Standard MIB modules fetched at build time by tools/standard-mibs/fetch.sh.",
    )
    mib_standard_modules: str = Field(
        default="",
        description="Comma-separated standard modules loaded out of the box; empty = the "
        "built-in list, 'all' = every module in mib_standard_dir.",
    )
    mib_cache_dir: Path | None = Field(
        default=None,
        description="Compiled-module cache; default <gateway_data_dir>/mibs/cache.",
    )
    mib_max_file_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    mib_max_batch_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    mib_max_batch_files: int = Field(default=500, ge=1)
    app_name: str = "snmplab"
    app_description: str = (
        "An SNMP lab: simulated devices, a live trap receiver, a walker and trap sender, "
        "a MIB library and browser."
    )
