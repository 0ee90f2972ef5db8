"""The profile library: named device recordings kept as ``.snmprec`` files.

Built-in profiles ship in ``services/simulator/profiles/`` (read-only); profiles made
through the API live in the simulator's data directory. snmprec is the storage format
because it is what snmpsim users already have and what we import and export losslessly.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from services.simulator.exports.snmprec import to_snmprec
from services.simulator.imports.report import ImportReport
from services.simulator.imports.snmprec import parse_snmprec
from services.simulator.store import Record

BUILTIN_DIR = Path(__file__).parent / "profiles"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


class ProfileError(ValueError):
    pass


def check_name(name: str) -> str:
    if not _NAME_RE.match(name) or name.endswith(".snmprec"):
        raise ProfileError("a profile name is 1-64 letters, digits, '_', '-' or '.'")
    return name


class ProfileLibrary:
    def __init__(self, user_dir: Path) -> None:
        self.user_dir = user_dir
        self._cache: dict[str, list[Record]] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path | None:
        check_name(name)
        user = self.user_dir / f"{name}.snmprec"
        if user.exists():
            return user
        builtin = BUILTIN_DIR / f"{name}.snmprec"
        return builtin if builtin.exists() else None

    def is_builtin(self, name: str) -> bool:
        return (BUILTIN_DIR / f"{name}.snmprec").exists() and not (
            self.user_dir / f"{name}.snmprec"
        ).exists()

    def names(self) -> list[str]:
        found = {p.stem for p in BUILTIN_DIR.glob("*.snmprec")}
        if self.user_dir.exists():
            found |= {p.stem for p in self.user_dir.glob("*.snmprec")}
        return sorted(found)

    def get(self, name: str) -> list[Record]:
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None:
                return cached
        path = self._path(name)
        if path is None:
            raise KeyError(name)
        records, _report = parse_snmprec(path.read_text(encoding="utf-8"))
        with self._lock:
            self._cache[name] = records
        return records

    def report(self, name: str) -> ImportReport:
        path = self._path(name)
        if path is None:
            raise KeyError(name)
        return parse_snmprec(path.read_text(encoding="utf-8"))[1]

    def put(self, name: str, records: list[Record]) -> None:
        check_name(name)
        self.user_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.user_dir / f".{name}.snmprec.tmp"
        tmp.write_text(to_snmprec(sorted(records, key=lambda r: r.oid)), encoding="utf-8")
        tmp.replace(self.user_dir / f"{name}.snmprec")
        with self._lock:
            self._cache.pop(name, None)

    def delete(self, name: str) -> bool:
        check_name(name)
        path = self.user_dir / f"{name}.snmprec"
        with self._lock:
            self._cache.pop(name, None)
        if path.exists():
            path.unlink()
            return True
        return False
