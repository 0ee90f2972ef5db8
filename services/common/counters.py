"""Persistent counters for a service's stats: cheap to bump on hot paths, saved atomically.

Bumping is an in-memory add under a lock; :meth:`PersistentCounters.flush` writes the JSON
file with write-then-rename, so a crash never leaves a half-written file. Services flush on
lifecycle changes, on shutdown, and from a periodic task, never per packet.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any


class PersistentCounters:
    def __init__(self, path: Path, defaults: dict[str, Any]) -> None:
        self._path = path
        self._defaults = dict(defaults)
        self._lock = threading.Lock()
        self._values: dict[str, Any] = dict(defaults)
        self._dirty = False
        self._load()

    def _load(self) -> None:
        try:
            saved = json.loads(self._path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            # A corrupt file loses counters, not the service; keep the bad copy for a human.
            self._path.replace(self._path.with_suffix(".corrupt"))
            return
        if isinstance(saved, dict):
            for key, value in saved.items():
                self._values[key] = value

    def incr(self, key: str, n: int | float = 1) -> None:
        with self._lock:
            self._values[key] = self._values.get(key, 0) + n
            self._dirty = True

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._dirty = True

    def update(self, values: dict[str, Any]) -> None:
        with self._lock:
            self._values.update(values)
            self._dirty = True

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._values.get(key, default)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._values)

    def reset(self) -> None:
        with self._lock:
            self._values = dict(self._defaults)
            self._dirty = True
        self.flush()

    @property
    def dirty(self) -> bool:
        return self._dirty

    def flush(self) -> None:
        with self._lock:
            if not self._dirty and self._path.exists():
                return
            data = json.dumps(self._values, indent=1, sort_keys=True)
            self._dirty = False
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".counters-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
