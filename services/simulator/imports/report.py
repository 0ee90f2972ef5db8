"""The line-numbered report every import produces: nothing is skipped or changed silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Issue:
    line: int  # 1-based; 0 when the issue is about the whole input
    action: str  # "skipped" (line not imported), "coerced" (imported, changed), "note"
    reason: str
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "action": self.action, "reason": self.reason, "text": self.text}


@dataclass(slots=True)
class ImportReport:
    format: str
    lines: int = 0
    imported: int = 0
    issues: list[Issue] = field(default_factory=list)

    def skip(self, line: int, reason: str, text: str = "") -> None:
        self.issues.append(Issue(line, "skipped", reason, text[:200]))

    def coerce(self, line: int, reason: str, text: str = "") -> None:
        self.issues.append(Issue(line, "coerced", reason, text[:200]))

    def note(self, line: int, reason: str, text: str = "") -> None:
        self.issues.append(Issue(line, "note", reason, text[:200]))

    @property
    def skipped(self) -> int:
        return sum(1 for i in self.issues if i.action == "skipped")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "lines": self.lines,
            "imported": self.imported,
            "skipped": self.skipped,
            "coerced": sum(1 for i in self.issues if i.action == "coerced"),
            "issues": [i.to_dict() for i in self.issues],
        }
