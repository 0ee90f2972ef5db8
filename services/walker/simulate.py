"""'Use as a simulated device': a stored walk becomes a simulator profile, in one call.

The walk is sent as ``.snmprec`` text to the simulator's control API
(``POST /simulator/profiles/{name}/import?format=snmprec``); with ``device`` set, a device
serving that profile is created too (``POST /simulator/devices``). The simulator's own
answer, including its per-line import report, is returned as is.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import BaseModel, Field

from services.common.internal_auth import internal_client
from services.walker.exports import to_snmprec
from services.walker.targets import BadInput

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SimulateRequest(BaseModel):
    profile: str | None = Field(default=None, description="profile name; default walk-<id>")
    replace: bool = Field(default=False, description="overwrite a profile of that name")
    device: bool = Field(default=True, description="also create a device serving the profile")
    device_name: str | None = None
    community: str = "public"
    port: int | None = Field(default=None, ge=1, le=65535, description="the device's own port")


class SimulatorUnavailable(Exception):
    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(str(detail))
        self.status_code = status_code
        self.detail = detail


async def make_device(base_url: str, secret: bytes, walk_id: int, rows: list[dict[str, Any]],
                      req: SimulateRequest) -> dict[str, Any]:  # fmt: skip
    name = req.profile or f"walk-{walk_id}"
    if not _NAME.match(name):
        raise BadInput("profile must be 1-64 letters, digits, '_', '-' or '.'")
    text = "".join(to_snmprec(rows))
    if not text:
        raise BadInput("this walk has no values to simulate")
    out: dict[str, Any] = {"profile": name}
    async with internal_client(base_url, secret, timeout=30.0) as client:
        try:
            r = await client.post(
                f"/simulator/profiles/{name}/import",
                params={"format": "snmprec", "replace": str(req.replace).lower()},
                content=text.encode(),
                headers={"Content-Type": "text/plain"},
            )
            _check(r)
            out["import"] = r.json()
            if req.device:
                device: dict[str, Any] = {"name": req.device_name or name, "profile": name,
                                          "community": req.community}  # fmt: skip
                if req.port is not None:
                    device["port"] = req.port
                r = await client.post("/simulator/devices", json=device)
                _check(r)
                out["device"] = r.json()
        except httpx.HTTPError as exc:
            raise SimulatorUnavailable(
                503, f"the simulator's control API at {base_url} did not answer ({exc})"
            ) from None
    return out


def _check(r: httpx.Response) -> None:
    if r.status_code >= 400:
        try:
            detail = r.json().get("detail", r.text)
        except ValueError:
            detail = r.text
        raise SimulatorUnavailable(r.status_code if r.status_code < 500 else 502,
                                   f"simulator: {detail}")  # fmt: skip
