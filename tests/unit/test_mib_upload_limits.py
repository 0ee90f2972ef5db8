"""Upload batches are read within the configured limits; zips are expanded safely."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import HTTPException, UploadFile

from services.gateway.mibs.routes import read_batch

LIMITS = {"mib_max_file_bytes": 1000, "mib_max_batch_bytes": 2500, "mib_max_batch_files": 3}


def core() -> Any:
    return SimpleNamespace(limit=lambda name, default: LIMITS[name])


def upload(name: str, data: bytes) -> UploadFile:
    return UploadFile(file=io.BytesIO(data), filename=name)


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


async def test_files_and_zip_members_are_read_by_base_name() -> None:
    z = zipped({"dir/A-MIB.mib": b"a", "__MACOSX/._A-MIB.mib": b"junk", "sub/": b"", ".x": b"h"})
    got = await read_batch(core(), [upload("B-MIB.txt", b"b"), upload("all.zip", z)])
    assert got == [("B-MIB.txt", b"b"), ("A-MIB.mib", b"a")]


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([("big.mib", b"x" * 1001)], 413, "1000 byte limit"),
        ([("a.mib", b"x" * 900), ("b.mib", b"x" * 900), ("c.mib", b"x" * 900)], 413, "batch"),
        ([("a", b"1"), ("b", b"1"), ("c", b"1"), ("d", b"1")], 413, "more than 3 files"),
        ([("bomb.zip", None)], 413, "larger than"),
        ([("bad.zip", b"not a zip")], 400, "not a valid zip"),
        ([("empty.zip", zipped({}))], 400, "no files"),
    ],
)
async def test_limits_are_4xx_with_a_reason(
    files: list[tuple[str, bytes | None]], status: int, words: str
) -> None:
    uploads = [
        upload(n, d if d is not None else zipped({"huge.mib": b"0" * 100_000})) for n, d in files
    ]
    with pytest.raises(HTTPException) as err:
        await read_batch(core(), uploads)
    assert err.value.status_code == status and words in str(err.value.detail)


async def test_an_empty_upload_is_refused() -> None:
    with pytest.raises(HTTPException) as err:
        await read_batch(core(), [])
    assert err.value.status_code == 400
