"""The MIB library's state and its changes: files, compile runs, the served index, counters.

Every compile and validation runs in one worker process (spawned, so it shares nothing
with the event loop), and results are swapped in with one assignment: readers (browser,
resolve, ``index.json``) always see one whole library version, never a half-built one,
and WebSocket pings and SNMP sockets are never held up by pysmi.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
import logging
import multiprocessing
import os
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.counters import PersistentCounters
from services.common.mibs.index import MibIndex
from services.gateway.config import GatewaySettings
from services.gateway.mibs import compiler, validate

log = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], Awaitable[None]]
NotifyServices = Callable[[str], Awaitable[dict[str, str]]]

COUNTER_DEFAULTS = {"reload_count": 0, "upload_count": 0, "delete_count": 0}


@dataclass
class LibraryVersion:
    """One compiled version of the library; never mutated once published."""

    index: MibIndex
    body: bytes
    etag: str
    modules: list[dict[str, Any]] = field(default_factory=list)
    compile_seconds: float = 0.0

    @property
    def loaded(self) -> list[dict[str, Any]]:
        return [m for m in self.modules if m["status"] == "loaded"]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [m for m in self.modules if m["status"] != "loaded"]


def _empty_version() -> LibraryVersion:
    index = MibIndex.empty()
    body = json.dumps(index.data).encode()
    return LibraryVersion(index=index, body=body, etag="empty")


def _die_with_parent() -> None:
    """Worker initializer: end with the gateway, even when the gateway is killed.

    Otherwise a compile worker outlives a gateway that died hard (an orphan holding memory,
    the previous product's bug with its workers). Linux only; elsewhere a no-op.
    """
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def _spawn_executor() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
    )


class LibraryCore:
    """Files on disk + the current compiled version + counters. No HTTP here."""

    def __init__(self, settings: GatewaySettings, publish: Publish) -> None:
        self.settings = settings
        self.publish = publish
        self.notify_services: NotifyServices | None = None
        self.last_notify: dict[str, str] = {}
        base = Path(settings.gateway_data_dir) / "mibs"
        self.base = base
        self.files_dir = base / "files"
        self.index_path = base / "index.json"
        self.state_path = base / "state.json"
        cache = getattr(settings, "mib_cache_dir", None)
        self.cache_dir = Path(cache) if cache else base / "cache"
        self.standard_dir = Path(getattr(settings, "mib_standard_dir", "build/standard-mibs"))
        self.counters = PersistentCounters(base / "counters.json", COUNTER_DEFAULTS)
        self.version: LibraryVersion = _empty_version()
        self.ready = asyncio.Event()
        self.reloading = False
        self.last_error: str | None = None
        self._lock = asyncio.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._initial: asyncio.Task[Any] | None = None

    # -- limits and settings --------------------------------------------------------------

    def limit(self, name: str, default: int) -> int:
        return int(getattr(self.settings, name, default))

    def standard_modules(self) -> list[str] | None:
        raw = str(getattr(self.settings, "mib_standard_modules", "") or "").strip()
        if not raw:
            return None
        if raw.lower() == "all":
            return sorted(compiler.catalog_standard(self.standard_dir))
        return [m.strip() for m in raw.split(",") if m.strip()]

    def standard_names(self) -> set[str]:
        mod_dir = self.standard_dir / "modules"
        try:
            return {p.name for p in mod_dir.iterdir()}
        except OSError:
            return set()

    def standard_sources(self) -> dict[str, str]:
        """Module -> the package it came from (``SOURCES.tsv`` of the fetch script)."""
        out: dict[str, str] = {}
        try:
            lines = (self.standard_dir / "SOURCES.tsv").read_text().splitlines()[1:]
        except OSError:
            return out
        for line in lines:
            name, _, src = line.partition("\t")
            out[name] = src
        return out

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        if not (self.standard_dir / "modules").is_dir():
            log.warning(
                "standard MIBs not found in %s: run tools/standard-mibs/fetch.sh "
                "(or set SNMPLAB_MIB_STANDARD_DIR)",
                self.standard_dir,
            )
        with contextlib.suppress(Exception):
            await self._load_previous()
        # The first compile runs in the background: the gateway answers at once, and the
        # previous version (if any) is served until the new one is ready.
        self._initial = asyncio.create_task(self._initial_reload(), name="mib-initial-compile")

    async def _initial_reload(self) -> None:
        try:
            await self.reload(count=False, notify=True)
        except Exception as exc:
            log.exception("initial MIB compile failed")
            self.last_error = str(exc)
            self.ready.set()

    async def _load_previous(self) -> None:
        def load() -> LibraryVersion | None:
            if not self.index_path.is_file() or not self.state_path.is_file():
                return None
            body = self.index_path.read_bytes()
            state = json.loads(self.state_path.read_text())
            index = MibIndex.from_json(body, etag=state["etag"])
            return LibraryVersion(index, body, state["etag"], state.get("modules", []))

        version = await asyncio.to_thread(load)
        if version is not None:
            self.version = version
            self.ready.set()

    async def stop(self) -> None:
        if self._initial is not None and not self._initial.done():
            self._initial.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._initial
        with contextlib.suppress(Exception):
            self.counters.flush()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def in_worker(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._executor is None:
            self._executor = _spawn_executor()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except Exception as exc:
            if type(exc).__name__ == "BrokenProcessPool":
                self._executor = None  # the next call starts a fresh worker
            raise

    # -- compile ------------------------------------------------------------------------------

    async def reload(self, *, count: bool = True, notify: bool = True) -> LibraryVersion:
        """Recompile the library and publish the new version (serialized)."""
        async with self._lock:
            self.reloading = True
            try:
                tmp_index = str(self.index_path) + ".new"
                summary = await self.in_worker(
                    compiler.compile_library,
                    str(self.files_dir),
                    str(self.standard_dir),
                    str(self.cache_dir),
                    tmp_index,
                    self.standard_modules(),
                )

                def load() -> LibraryVersion:
                    body = Path(tmp_index).read_bytes()
                    index = MibIndex.from_json(body, etag=summary["etag"])
                    os.replace(tmp_index, self.index_path)
                    state = {"etag": summary["etag"], "modules": summary["modules"]}
                    tmp_state = self.state_path.with_suffix(".tmp")
                    tmp_state.write_text(json.dumps(state))
                    os.replace(tmp_state, self.state_path)
                    return LibraryVersion(
                        index, body, summary["etag"], summary["modules"], summary["seconds"]
                    )

                version = await asyncio.to_thread(load)
                self.version = version
                self.last_error = None
                log.info(
                    "MIB library: %d modules in the index, %d nodes, %d compiled, %.2f s",
                    summary["index_modules"],
                    summary["nodes"],
                    summary["compiled"],
                    summary["seconds"],
                )
            finally:
                self.reloading = False
            if count:
                self.counters.incr("reload_count")
            self.counters.flush()
            self.ready.set()
        await self.changed(notify=notify)
        return version

    async def changed(self, *, notify: bool = True) -> dict[str, str]:
        """Tell the browsers (``mibs`` message) and the services (refetch the index)."""
        with contextlib.suppress(Exception):
            await self.publish({"type": "mibs", "mibs": self.summary()})
        if notify and self.notify_services is not None:
            try:
                self.last_notify = await self.notify_services(self.version.etag)
            except Exception as exc:
                log.warning("notifying services of the new MIB index failed: %s", exc)
                self.last_notify = {}
        return self.last_notify

    # -- numbers ------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        v = self.version
        loaded = len(v.loaded)
        failed = len(v.failed)
        traps = sum(m["counts"]["notifications"] for m in v.index.modules.values())
        return {
            "loaded": loaded,
            "failed": failed,
            "total": loaded + failed,
            "traps_available": traps,
        }

    def stats(self) -> dict[str, Any]:
        s = self.summary()
        c = self.counters.snapshot()
        return {
            "reload_count": c.get("reload_count", 0),
            "upload_count": c.get("upload_count", 0),
            "delete_count": c.get("delete_count", 0),
            "loaded_mibs": s["loaded"],
            "failed_mibs": s["failed"],
            "total_mibs": s["total"],
        }

    def user_files(self) -> list[str]:
        try:
            return sorted(p.name for p in self.files_dir.iterdir() if p.is_file())
        except OSError:
            return []

    def user_modules(self) -> dict[str, str]:
        """Module name -> file name, for the user's files, as the last compile saw them."""
        return {m["name"]: m["file"] for m in self.version.modules if m["origin"] == "user"}

    async def validate(self, files: list[tuple[str, bytes]]) -> dict[str, Any]:
        existing = await asyncio.to_thread(validate.existing_user_modules, self.files_dir)
        return await self.in_worker(
            validate.validate_batch,
            files,
            existing,
            sorted(self.standard_names()),
            str(self.files_dir),
            str(self.standard_dir),
        )
