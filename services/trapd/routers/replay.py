"""``POST /traps/{seq}/replay``: send a stored trap again, to any target, through the
walker's sender (``POST /traps/send`` on the walker's control API)."""

from __future__ import annotations

from typing import Any, Literal

import httpx
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.common.internal_auth import internal_client
from services.trapd.routers.deps import Daemon

router = APIRouter()

SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"
_SKIP_TYPES = {"noSuchObject", "noSuchInstance", "endOfMibView"}
# snmpTrapAddress.0, snmpTrapCommunity.0, snmpTrapEnterprise.0
_RFC3584_ADDED = {"1.3.6.1.6.3.18.1.3.0", "1.3.6.1.6.3.18.1.4.0", "1.3.6.1.6.3.1.1.4.3.0"}


class ReplayBody(BaseModel):
    """Where to send; passed to the walker's sender as is (its field names)."""

    target: str = Field(min_length=1, max_length=255)
    port: int = Field(default=162, ge=1, le=65535)
    version: Literal["v1", "v2c", "v3"] = "v2c"
    community: str = "public"
    notification: Literal["trap", "inform"] = "trap"
    user: str | None = None
    auth_protocol: str = "none"
    auth_key: str | None = None
    priv_protocol: str = "none"
    priv_key: str | None = None
    timeout: float = Field(default=1.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=10)


def send_payload(record: dict[str, Any], body: ReplayBody) -> dict[str, Any]:
    """The walker's ``/traps/send`` body that re-creates ``record``."""
    uptime = None
    varbinds = []
    for vb in record.get("varbinds", []):
        if vb["oid"] == SYS_UPTIME_0 and uptime is None and isinstance(vb["raw"], int):
            uptime = vb["raw"]
            continue
        if vb["oid"] == SNMP_TRAP_OID_0 or vb["type"] in _SKIP_TYPES:
            continue
        item: dict[str, Any] = {"oid": vb["oid"], "type": vb["type"], "value": vb["raw"]}
        if vb["type"] in ("OctetString", "Opaque"):
            item["encoding"] = "hex"  # raw octets are stored as hex
        varbinds.append(item)
    payload = body.model_dump(exclude_none=True)
    payload.update({"oid": record["trap_oid"], "varbinds": varbinds})
    if uptime is not None:
        payload["uptime"] = uptime
    v1 = record.get("v1")
    if body.version == "v1" and isinstance(v1, dict):
        # A v1 trap replayed as v1: its own Trap-PDU fields again, and without the
        # RFC 3584 objects that the conversion to v2 form added to its var-binds.
        payload.update(
            enterprise=v1["enterprise"],
            agent_address=v1["agent_addr"],
            generic_trap=v1["generic"],
            specific_trap=v1["specific"],
        )
        payload["varbinds"] = [vb for vb in varbinds if vb["oid"] not in _RFC3584_ADDED]
    return payload


@router.post("/traps/{seq}/replay")
async def replay(seq: int, body: ReplayBody, daemon: Daemon) -> dict[str, Any]:
    record = daemon.store.get(seq)
    if record is None:
        raise HTTPException(404, detail=f"no stored trap with seq {seq}")
    if not record.get("trap_oid"):
        raise HTTPException(400, detail=f"trap {seq} has no snmpTrapOID; nothing to replay")
    payload = send_payload(record, body)
    settings = daemon.settings
    try:
        async with internal_client(
            settings.trapd_walker_url, settings.secret_bytes(), timeout=30
        ) as client:
            resp = await client.post("/traps/send", json=payload)
    except httpx.HTTPError as exc:
        raise HTTPException(
            502, detail=f"the walker at {settings.trapd_walker_url} is unreachable: {exc}"
        ) from None
    try:
        result = resp.json()
    except ValueError:
        result = {"detail": resp.text[:500]}
    if resp.status_code >= 400:
        raise HTTPException(resp.status_code, detail=result.get("detail", result))
    daemon.counters.incr("traps_replayed", 1)
    return {"status": "replayed", "seq": seq, "walker": result}
