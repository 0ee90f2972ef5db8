"""Request bodies of the walker's control API (pydantic models; bad fields are 422s)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from services.walker.typed_values import TypedVarBind

Version = Literal["v1", "v2c", "v3"]
AuthProtocol = Literal["none", "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"]
PrivProtocol = Literal["none", "DES", "AES", "AES-192", "AES-256"]


class AgentParams(BaseModel):
    """Where the agent is and how to talk to it."""

    target: str = Field(description="IPv4 or IPv6 address or host name of the agent")
    port: int = Field(default=161, ge=1, le=65535)
    version: Version = "v2c"
    community: str = Field(default="public", description="v1/v2c community")
    timeout: float = Field(default=1.0, gt=0, le=60, description="seconds per try")
    retries: int = Field(default=1, ge=0, le=10)
    # SNMPv3 (USM)
    user: str | None = Field(default=None, description="v3 security name")
    auth_protocol: AuthProtocol = "none"
    auth_key: str | None = Field(default=None, description="v3 authentication passphrase")
    priv_protocol: PrivProtocol = "none"
    priv_key: str | None = Field(default=None, description="v3 privacy passphrase")
    context_name: str = ""
    context_engine_id: str | None = Field(default=None, description="hex; default: the agent's")


class WalkRequest(AgentParams):
    oid: str = Field(default="1.3.6.1.2.1", description="subtree root: numeric or MIB name")
    operation: Literal["walk", "bulkwalk"] = "bulkwalk"
    max_repetitions: int = Field(default=25, ge=1, le=1000)
    max_oids: int = Field(default=100_000, ge=0, le=5_000_000, description="0 = no cap")
    parallel: int = Field(
        default=1,
        ge=1,
        le=16,
        description="segments walked side by side (cut at the tables the MIB index knows); "
        "1 = one request at a time, like snmpwalk",
    )
    walk_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="your id for this walk, to cancel it or follow its progress",
    )
    save: bool = Field(default=True, description="keep the walk in history")


class ExecuteRequest(BaseModel):
    """The previous product's ``/api/walk/execute`` body."""

    target: str | None = None
    port: int | None = None
    community: str = "public"
    oid: str
    parse: bool = True
    use_mibs: bool = True


class GetRequest(AgentParams):
    oids: list[str] = Field(min_length=1, max_length=256, description="numeric OIDs or names")


class BulkRequest(GetRequest):
    non_repeaters: int = Field(default=0, ge=0, le=256)
    max_repetitions: int = Field(default=10, ge=0, le=1000)


class SendRequest(AgentParams):
    """``POST /traps/send``: the previous product's body plus versions, informs, repeats."""

    port: int = Field(default=162, ge=1, le=65535)
    oid: str | None = Field(default=None, description="notification OID or name")
    trap_oid: str | None = Field(default=None, description="alias of oid")
    varbinds: list[TypedVarBind] = Field(default_factory=list, max_length=256)
    notification: Literal["trap", "inform"] = "trap"
    inform: bool | None = Field(default=None, description="true: same as notification=inform")
    count: int = Field(default=1, ge=1, le=100_000, description="how many to send")
    rate: float | None = Field(default=None, ge=0, le=100_000, description="per second")
    uptime: int | None = Field(default=None, ge=0, le=2**32 - 1, description="sysUpTime.0")
    enterprise: str | None = Field(default=None, description="v1: overrides RFC 3584")
    agent_address: str | None = Field(default=None, description="v1 agent-addr (IPv4)")
    generic_trap: int | None = Field(default=None, ge=0, le=6)
    specific_trap: int | None = Field(default=None, ge=0, le=2**31 - 1)
    engine_id: str | None = Field(default=None, description="v3 traps: our engine ID (hex)")


class TableRequest(AgentParams):
    table: str = Field(description="the table (or its entry): IF-MIB::ifTable or a numeric OID")
    operation: Literal["walk", "bulkwalk"] = "bulkwalk"
    max_repetitions: int = Field(default=25, ge=1, le=1000)
    max_oids: int = Field(default=100_000, ge=0, le=5_000_000)
    parallel: int = Field(default=1, ge=1, le=16)
