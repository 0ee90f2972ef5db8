"""Single requests over a session (get, getnext, getbulk, set), and what walks share:
the session protocol, the walk's control handle, subtree scope, error texts.

Walks themselves are in ``walking.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.common.snmp import ber, message
from services.common.snmp.message import Message, VarBind
from services.walker.varbinds import Describer, row

OID = tuple[int, ...]


class Session(Protocol):
    version: int

    async def request(
        self,
        pdu_type: int,
        varbinds: list[VarBind],
        non_repeaters: int = 0,
        max_repetitions: int = 0,
    ) -> Message: ...


@dataclass
class WalkControl:
    """Shared between a running walk and whoever may cancel it or watch its progress."""

    walk_id: str
    cancelled: bool = False
    oids: int = 0
    started: float = field(default_factory=time.monotonic)

    def cancel(self) -> None:
        self.cancelled = True  # the walk's thread sees it within 0.1 s

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.oids / elapsed if elapsed > 0 else 0.0


def error_text(msg: Message, varbinds: list[VarBind]) -> str:
    name = message.ERROR_NAMES.get(msg.error_status, f"error {msg.error_status}")
    where = ""
    if 0 < msg.error_index <= len(varbinds):
        oid = ber.decode_oid(varbinds[msg.error_index - 1][0])
        where = f" at {ber.oid_str(oid)}"
    return f"agent returned {name}{where}"


def null_varbinds(oids: list[OID]) -> list[VarBind]:
    return [(ber.encode_oid(o), ber.NULL_TLV) for o in oids]


@dataclass
class RequestOutcome:
    """One request's answer: rows, and the agent's error-status if it set one."""

    rows: list[dict[str, Any]]
    error_status: str | None = None
    error_index: int = 0
    message: str | None = None

    def body(self) -> dict[str, Any]:
        return {
            "varbinds": self.rows,
            "error_status": self.error_status,
            "error_index": self.error_index,
            "message": self.message,
        }


async def request(
    session: Session,
    op: int,
    varbinds: list[VarBind],
    describe: Describer,
    non_repeaters: int = 0,
    max_repetitions: int = 0,
) -> RequestOutcome:
    """Send one GET, GETNEXT, GETBULK or SET and render the answer."""
    msg = await session.request(op, varbinds, non_repeaters, max_repetitions)
    rows = [row(ber.decode_oid(o), v, describe) for o, v in msg.varbinds]
    if msg.error_status:
        return RequestOutcome(
            rows,
            message.ERROR_NAMES.get(msg.error_status, str(msg.error_status)),
            msg.error_index,
            error_text(msg, varbinds),
        )
    return RequestOutcome(rows)


END_TAGS = (ber.END_OF_MIB_VIEW,)


def scope(root: OID) -> Callable[[bytes], bool]:
    """Whether an OID (as content octets) lies strictly under ``root``.

    BER arcs are self-delimiting, so a byte prefix is an arc prefix; single-arc roots
    (``.1``, as ``snmpwalk .1`` allows) are judged by the first octet instead.
    """
    if len(root) > 1:
        content = ber.encode_oid(root)
        n = len(content)
        return lambda c: len(c) > n and c.startswith(content)
    lo = root[0] * 40
    hi = lo + 40 if root[0] < 2 else 1 << 8
    return lambda c: lo <= c[0] < hi
