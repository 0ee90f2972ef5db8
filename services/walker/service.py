"""The walker's state and its walk procedure, shared by the routers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from services.common.events import EventSender
from services.common.snmp import message
from services.walker.client import BlockingSession, SnmpFailure, SnmpTimeout
from services.walker.config import WalkerSettings
from services.walker.history import History
from services.walker.names import Names
from services.walker.operations import WalkControl
from services.walker.requests import WalkRequest
from services.walker.sender import Sender
from services.walker.stats import WalkerStats
from services.walker.targets import BadInput, check_community, resolve
from services.walker.usm_client import UsmFramer
from services.walker.walking import OidCache, WalkOutcome, split_points, walk_blocking


def load_engine_id(data_dir: Path) -> tuple[bytes, int]:
    """The walker's SNMPv3 engine ID, made once and kept (receivers configure it once), and
    its engine boots, one more at every start (RFC 3414: a restarted sender's clock)."""
    path = data_dir / "engine_id"
    raw = b""
    boots = 0
    try:
        parts = path.read_text().split()
        raw = bytes.fromhex(parts[0])
        boots = int(parts[1]) if len(parts) > 1 else 0
    except (OSError, ValueError, IndexError):
        pass
    if not 5 <= len(raw) <= 32:
        # RFC 3411 format 5 (octets) under the Net-SNMP enterprise number, random tail.
        raw = bytes.fromhex("80001f8805") + os.urandom(8)
    boots = min(boots + 1, 2**31 - 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{raw.hex()} {boots}\n")
    return raw, boots


class WalkFailed(Exception):
    """A walk that produced nothing usable (e.g. no answer at all): a 504 or 502."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class WalkerService:
    def __init__(self, settings: WalkerSettings, events: EventSender | None) -> None:
        self.settings = settings
        self.events = events
        self.stats = WalkerStats(settings.walker_data_dir, events)
        self.names = Names()
        engine_id, boots = load_engine_id(settings.walker_data_dir)
        self.sender = Sender(self.names, time.monotonic(), engine_id, boots)
        self.running: dict[str, WalkControl] = {}
        # Walk threads: a walk waits on its agent most of the time, so many can run.
        self.threads = ThreadPoolExecutor(32, thread_name_prefix="walk")
        self.oid_cache = OidCache()
        self.history = History(
            settings.walker_data_dir / "history.sqlite", settings.walker_history_limit
        )

    def progress(self, control: WalkControl, done: bool = False) -> None:
        if self.events is None:
            return
        self.events.send(
            "walk_progress",
            {
                "walk_id": control.walk_id,
                "oids": control.oids,
                "rate": round(control.rate, 1),
                "done": done,
            },
        )

    async def run_walk(self, req: WalkRequest) -> tuple[WalkOutcome, dict[str, Any]]:
        """Walk as asked; count it, announce it, and return the outcome with its metadata."""
        root = self.names.parse(req.oid)
        walk_id = req.walk_id or uuid.uuid4().hex[:12]
        if walk_id in self.running:
            raise BadInput(f"walk_id {walk_id!r} is already running")
        control = WalkControl(walk_id)
        self.running[walk_id] = control
        started = time.time()
        try:
            outcome, resends = await self._walk_in_thread(req, root, control)
        except SnmpFailure as exc:
            self.stats.walk_done(0, ok=False)
            control.oids = 0
            self.progress(control, done=True)
            text = str(exc)
            if isinstance(exc, SnmpTimeout) and req.version == "v3":
                text += (" (an SNMPv3 agent drops requests with a wrong auth or privacy "
                         "passphrase or protocol without an answer)")  # fmt: skip
            raise WalkFailed(504 if isinstance(exc, SnmpTimeout) else 502, text) from None
        finally:
            self.running.pop(walk_id, None)
        ok = outcome.status in ("complete", "truncated")
        self.stats.walk_done(len(outcome.rows), ok=ok, cancelled=outcome.status == "cancelled")
        self.progress(control, done=True)
        meta = {
            "walk_id": walk_id,
            "target": req.target,
            "port": req.port,
            "version": req.version,
            "operation": req.operation,
            "oid": req.oid,
            "root": ".".join(map(str, root)),
            "status": outcome.status,
            "message": outcome.message,
            "count": len(outcome.rows),
            "requests": outcome.requests,
            "segments": outcome.segments,
            "resends": resends,
            "seconds": round(outcome.seconds, 4),
            "started_at": started,
        }
        return outcome, meta

    async def _walk_in_thread(
        self, req: WalkRequest, root: tuple[int, ...], control: WalkControl
    ) -> tuple[WalkOutcome, int]:
        """The walk on a blocking socket in a worker thread (see ``walking.py``)."""
        endpoint = await resolve(req.target, req.port)
        if req.version == "v3":
            session = BlockingSession(endpoint, message.V3, framer=UsmFramer(req),
                                      timeout=req.timeout, retries=req.retries)  # fmt: skip
        else:
            version = message.V1 if req.version == "v1" else message.V2C
            session = BlockingSession(endpoint, version, check_community(req.community),
                                      timeout=req.timeout, retries=req.retries)  # fmt: skip
        with session:

            def job() -> WalkOutcome:
                session.prepare(control)  # SNMPv3: the agent's engine first
                return walk_blocking(
                    session,
                    root,
                    self.names.describe,
                    control,
                    bulk=req.operation == "bulkwalk" and req.version != "v1",
                    max_repetitions=req.max_repetitions,
                    max_oids=req.max_oids,
                    split=split_points(root, self.names.resolver),
                    parallel=req.parallel,
                    on_progress=self.progress,
                    oid_cache=self.oid_cache,
                    row_cache=self.names.rows,
                )

            running = asyncio.get_running_loop().run_in_executor(self.threads, job)
            try:
                outcome = await asyncio.shield(running)
            except asyncio.CancelledError:
                # The HTTP request went away: stop the walk before its socket is closed.
                control.cancel()
                with contextlib.suppress(Exception):
                    await running
                raise
            return outcome, session.resends

    def cancel(self, walk_id: str) -> bool:
        control = self.running.get(walk_id)
        if control is None:
            return False
        control.cancel()
        return True

    async def flush_loop(self, every: float = 2.0) -> None:
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(OSError):
                self.stats.flush()
