"""Open the right session for a request: community-based (v1/v2c) or USM (v3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.common.snmp import message
from services.walker.client import CommunitySession
from services.walker.requests import AgentParams
from services.walker.targets import check_community, resolve
from services.walker.usm_client import UsmFramer


@asynccontextmanager
async def open_session(params: AgentParams) -> AsyncIterator[CommunitySession]:
    endpoint = await resolve(params.target, params.port)
    if params.version == "v3":
        session = CommunitySession(endpoint, message.V3, framer=UsmFramer(params),
                                   timeout=params.timeout, retries=params.retries)  # fmt: skip
    else:
        version = message.V1 if params.version == "v1" else message.V2C
        session = CommunitySession(endpoint, version, check_community(params.community),
                                   timeout=params.timeout, retries=params.retries)  # fmt: skip
    async with session:
        yield session
