"""``POST /traps/send``: send traps or informs (v1, v2c, v3), once or repeated at a rate.

Minimal body, as the previous product and trapd's replay use it::

    {"target": "10.0.0.5", "port": 162, "community": "public",
     "oid": "IF-MIB::linkDown",
     "varbinds": [{"oid": "IF-MIB::ifIndex.3", "type": "Integer32", "value": 3}]}

Answer: ``{"status": "sent"|"failed", "sent", "acknowledged" (informs), "timed_out",
"failed", "results": [...], ...}``. Names that the MIB library cannot resolve are a 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.walker.requests import SendRequest
from services.walker.service import WalkerService

router = APIRouter()


@router.post("/traps/send")
async def send(body: SendRequest, request: Request) -> dict[str, Any]:
    svc: WalkerService = request.app.state.walker
    result = await svc.sender.send(body)
    c = svc.stats.counters
    c.incr("traps_sent_total", result["sent"])
    if result["notification"] == "inform":
        c.incr("informs_sent_total", result["sent"])
        c.incr("informs_acked_total", result["acknowledged"] or 0)
        c.incr("informs_failed_total", (result["timed_out"] or 0) + result["failed"])
    elif result["failed"]:
        c.incr("traps_send_failed", result["failed"])
    svc.stats.publish()
    return result
