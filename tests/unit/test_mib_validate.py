"""Batch validation, file-name rules, the MIB text scan and the fetch safety checks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from services.gateway.mibs import fetch, scan
from services.gateway.mibs.validate import check_filename, validate_batch

GOOD = b"""GOOD-MIB DEFINITIONS ::= BEGIN
IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, Integer32, enterprises FROM SNMPv2-SMI -- a comment
    OTHER-THING FROM OTHER-MIB;
goodValue OBJECT-TYPE
    SYNTAX Integer32 MAX-ACCESS read-only STATUS current
    DESCRIPTION "It says -- not a comment; IMPORTS x FROM Y-MIB END"
    ::= { enterprises 1 }
END
"""

OTHER = b"""OTHER-MIB DEFINITIONS ::= BEGIN
IMPORTS enterprises FROM SNMPv2-SMI;
otherRoot OBJECT IDENTIFIER ::= { enterprises 2 }
END
"""

# Line 6 misses its SYNTAX keyword's value: the parser stops there.
BAD_AT_LINE_6 = b"""BAD-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, enterprises FROM SNMPv2-SMI;

badValue OBJECT-TYPE
    SYNTAX Integer32
    MAX-ACCESS read-only STATUS current DESCRIPTION "x" ::= enterprises 3 }
END
"""

STANDARD = ["SNMPv2-SMI", "SNMPv2-TC", "SNMPv2-CONF", "IF-MIB"]


def test_scan_finds_module_imports_and_skips_comments_and_strings() -> None:
    mods = scan.scan(GOOD.decode())
    assert [m.name for m in mods] == ["GOOD-MIB"]
    assert mods[0].imports == {
        "SNMPv2-SMI": ["MODULE-IDENTITY", "OBJECT-TYPE", "Integer32", "enterprises"],
        "OTHER-MIB": ["OTHER-THING"],
    }
    assert mods[0].has_end and mods[0].line == 1


def test_syntax_error_carries_its_line_number() -> None:
    report = validate_batch([("BAD-MIB.mib", BAD_AT_LINE_6)], {}, STANDARD)
    f = report["files"][0]
    assert not f["valid"] and not report["can_upload"]
    assert f["error_details"][0]["line"] == 6
    assert f["errors"][0].startswith("line 6: ")


def test_missing_dependencies_resolve_within_the_batch() -> None:
    alone = validate_batch([("good.mib", GOOD)], {}, STANDARD)
    assert alone["files"][0]["valid"]
    assert alone["files"][0]["missing_deps"] == ["OTHER-MIB"]
    assert alone["global_missing_deps"] == ["OTHER-MIB"]
    both = validate_batch([("good.mib", GOOD), ("OTHER-MIB", OTHER)], {}, STANDARD)
    assert both["global_missing_deps"] == [] and both["can_upload"]
    library = validate_batch([("good.mib", GOOD)], {"OTHER-MIB": "other.txt"}, STANDARD)
    assert library["global_missing_deps"] == []


def test_not_a_mib_and_duplicates_in_a_batch() -> None:
    report = validate_batch([("notes.txt", b"hello"), ("a.mib", OTHER), ("b.mib", OTHER)], {}, [])
    by_name = {f["filename"]: f for f in report["files"]}
    assert "not a MIB module" in by_name["notes.txt"]["errors"][0]
    assert by_name["a.mib"]["valid"]
    assert "also defined in a.mib" in by_name["b.mib"]["errors"][0]


def test_clashes_with_the_library_are_reported() -> None:
    report = validate_batch([("new-name.mib", OTHER)], {"OTHER-MIB": "OTHER-MIB.txt"}, STANDARD)
    clash = report["files"][0]["clashes"][0]
    assert clash["kind"] == "module" and clash["existing_file"] == "OTHER-MIB.txt"
    assert report["valid"] and not report["can_upload"]
    same_file = validate_batch([("OTHER-MIB.txt", OTHER)], {"OTHER-MIB": "OTHER-MIB.txt"}, [])
    assert [c["kind"] for c in same_file["files"][0]["clashes"]] == ["file"]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("IF-MIB", True), ("cisco.my", True), ("acme_v2.txt", True), ("X.mib", True),
        ("../etc/passwd", False), ("a/b.mib", False), ("..", False), (".hidden.mib", False),
        ("evil.py", False), ("name with space.mib", False), ("", False), ("a" * 200, False),
    ],
)  # fmt: skip
def test_file_names(name: str, ok: bool) -> None:
    assert (check_filename(name) is None) is ok


def test_fetch_refuses_plain_http_and_non_public_addresses() -> None:
    with pytest.raises(fetch.FetchRefused, match="only https"):
        fetch.check_url("http://mibs.example.org/IF-MIB")
    for addr in ["127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.4.4", "169.254.1.1", "::1",
                 "fd00::1", "0.0.0.0", "224.0.0.1"]:  # fmt: skip
        with pytest.raises(fetch.FetchRefused, match="non-public"):
            fetch.check_addresses("host", [addr])
    fetch.check_addresses("host", ["93.184.216.34", "2606:2800:220:1::1"])


async def test_fetch_dependencies_never_contacts_refused_sources(tmp_path: Path) -> None:
    core: Any = SimpleNamespace(
        settings=SimpleNamespace(
            mib_remote_sources="http://plain.example/@mib@,https://127.0.0.1:9/@mib@",
            mib_max_file_bytes=100_000,
        ),
        files_dir=tmp_path,
        standard_names=lambda: {"IF-MIB"},
        user_modules=lambda: {},
        limit=lambda name, default: 100_000,
    )
    result = await fetch.fetch_dependencies(core, ["ACME-MIB", "IF-MIB", "bad name!"])
    failed = {f["mib_name"]: f["errors"] for f in result["failed"]}
    assert any("only https" in e for e in failed["ACME-MIB"])
    assert any("non-public" in e for e in failed["ACME-MIB"])
    assert failed["bad name!"] == ["not a valid MIB module name"]
    assert [c["mib_name"] for c in result["cached"]] == ["IF-MIB"]
    assert result["downloaded"] == [] and list(tmp_path.iterdir()) == []


async def test_auto_fetch_is_off_by_default() -> None:
    core: Any = SimpleNamespace(settings=SimpleNamespace())
    assert (await fetch.auto_fetch(core, ["X-MIB"]))["enabled"] is False


def _mib(name: str, imports: str = "") -> bytes:
    extra = f"\n    thing FROM {imports}" if imports else ""
    return (
        f"{name} DEFINITIONS ::= BEGIN\nIMPORTS enterprises FROM SNMPv2-SMI{extra};\n"
        f"root OBJECT IDENTIFIER ::= {{ enterprises 1 }}\nEND\n"
    ).encode()


async def test_fetch_follows_imports_and_enforces_redirect_and_size_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    public = {"mibs.example.org", "mirror.example.org"}

    async def resolve_public(host: str, port: int) -> None:
        if host not in public:  # literal IPs still go through the real check
            fetch.check_addresses(host, [host])

    monkeypatch.setattr(fetch, "resolve_public", resolve_public)
    pages = {
        "/VENDOR-MIB": httpx.Response(200, content=_mib("VENDOR-MIB", "VENDOR-TC")),
        "/VENDOR-TC": httpx.Response(302, headers={"location": "https://mirror.example.org/tc"}),
        "/LOOP-MIB": httpx.Response(302, headers={"location": "/LOOP-MIB"}),
        "/PLAIN-MIB": httpx.Response(302, headers={"location": "http://mirror.example.org/x"}),
        "/INNER-MIB": httpx.Response(302, headers={"location": "https://127.0.0.1/x"}),
        "/HUGE-MIB": httpx.Response(200, content=b"x" * 5000),
        "/WRONG-MIB": httpx.Response(200, content=_mib("OTHER-NAME-MIB")),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "mirror.example.org" and request.url.path == "/tc":
            return httpx.Response(200, content=_mib("VENDOR-TC"))
        return pages.get(request.url.path, httpx.Response(404))

    core: Any = SimpleNamespace(
        settings=SimpleNamespace(mib_remote_sources="https://mibs.example.org/@mib@"),
        files_dir=tmp_path,
        standard_names=lambda: {"SNMPv2-SMI"},
        user_modules=lambda: {},
        limit=lambda name, default: 1000,
    )
    names = ["VENDOR-MIB", "LOOP-MIB", "PLAIN-MIB", "INNER-MIB", "HUGE-MIB", "WRONG-MIB"]
    result = await fetch.fetch_dependencies(core, names, transport=httpx.MockTransport(handler))
    assert [d["mib_name"] for d in result["downloaded"]] == ["VENDOR-MIB", "VENDOR-TC"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["VENDOR-MIB.mib", "VENDOR-TC.mib"]
    errors = {f["mib_name"]: " ".join(f["errors"]) for f in result["failed"]}
    assert "more than 3 redirects" in errors["LOOP-MIB"]
    assert "only https" in errors["PLAIN-MIB"]
    assert "non-public" in errors["INNER-MIB"]
    assert "larger than 1000 bytes" in errors["HUGE-MIB"]
    assert "does not define module WRONG-MIB" in errors["WRONG-MIB"]


UNKNOWN_PARENT = b"""ORPHAN-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, Integer32 FROM SNMPv2-SMI;
orphanValue OBJECT-TYPE
    SYNTAX Integer32 MAX-ACCESS read-only STATUS current
    DESCRIPTION "Its parent is defined nowhere."
    ::= { noSuchParent 1 }
END
"""


def test_modules_that_parse_but_cannot_compile_are_refused(tmp_path: Path) -> None:
    from tests.mib_helpers import standard_dir

    std = standard_dir()
    names = sorted(p.name for p in (std / "modules").iterdir())
    report = validate_batch(
        [("orphan.mib", UNKNOWN_PARENT), ("good.mib", GOOD), ("OTHER-MIB", OTHER)],
        {},
        names,
        str(tmp_path),
        str(std),
    )
    by_name = {f["filename"]: f for f in report["files"]}
    assert not by_name["orphan.mib"]["valid"]
    assert "noSuchParent" in by_name["orphan.mib"]["errors"][0]
    assert by_name["good.mib"]["valid"] and by_name["OTHER-MIB"]["valid"]
    assert not report["can_upload"]
