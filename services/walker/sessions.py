"""Open the right session for a request: community-based (v1/v2c) or USM (v3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services.common.snmp import message
from services.walker.client import CommunitySession
from services.walker.requests import AgentParams
from services.walker.targets import BadInput, check_community, resolve


@asynccontextmanager
async def open_session(params: AgentParams) -> AsyncIterator[Any]:
    endpoint = await resolve(params.target, params.port)
    if params.version == "v3":
        from services.walker.v3 import open_v3_session

        async with open_v3_session(endpoint, params) as v3_session:
            yield v3_session
        return
    version = message.V1 if params.version == "v1" else message.V2C
    community = check_community(params.community)
    session = CommunitySession(
        endpoint, version, community, timeout=params.timeout, retries=params.retries
    )
    async with session:
        yield session


__all__ = ["BadInput", "open_session"]
