"""A quick look into MIB text without compiling it: module names, IMPORTS, line numbers.

Validation and dependency planning need these facts for every file before pysmi runs, and
fast: a regular scan of the text with ASN.1 comments blanked out (kept the same length, so
offsets still map to the right line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMENT = re.compile(r"--.*?(?:--|$)", re.MULTILINE)
_STRING = re.compile(r'"[^"]*"', re.DOTALL)
_DEFINITIONS = re.compile(
    r"(?<![\w-])([A-Za-z][A-Za-z0-9-]*)\s+(?:PIB-)?DEFINITIONS\s*(?:IMPLICIT\s+TAGS\s*)?::=\s*BEGIN\b"
)
_IMPORTS = re.compile(r"\bIMPORTS\b(.*?);", re.DOTALL)
_FROM = re.compile(r"\bFROM\s+([A-Za-z][A-Za-z0-9-]*)")
_END = re.compile(r"\bEND\b")
MODULE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


@dataclass
class ModuleText:
    """One ``NAME DEFINITIONS ::= BEGIN ... END`` found in a file."""

    name: str
    line: int
    imports: dict[str, list[str]] = field(default_factory=dict)  # module -> symbols
    has_end: bool = False


def blank(text: str) -> str:
    """The text with comments and quoted strings replaced by spaces (same offsets)."""

    def spaces(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    # Strings first: a "--" inside a DESCRIPTION is not a comment.
    out = []
    pos = 0
    for m in re.finditer(r'"[^"]*"|--.*?(?:--|$)', text, re.MULTILINE | re.DOTALL):
        out.append(text[pos : m.start()])
        out.append(spaces(m))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def scan(text: str) -> list[ModuleText]:
    """The modules a MIB file defines, in order, with their IMPORTS."""
    clean = blank(text)
    found = list(_DEFINITIONS.finditer(clean))
    modules = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(clean)
        body = clean[m.end() : end]
        mod = ModuleText(name=m.group(1), line=line_of(clean, m.start()))
        imp = _IMPORTS.search(body)
        if imp is not None:
            section = imp.group(1)
            start = 0
            for fm in _FROM.finditer(section):
                symbols = [s.strip() for s in section[start : fm.start()].split(",")]
                mod.imports.setdefault(fm.group(1), []).extend(s for s in symbols if s)
                start = fm.end()
        mod.has_end = _END.search(body) is not None
        modules.append(mod)
    return modules


def decode_text(data: bytes) -> str:
    """MIB files are ASCII in theory and Latin-1 or UTF-8 in practice."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
