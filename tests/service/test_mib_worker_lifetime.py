"""The MIB compile worker never outlives the gateway, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.service.gateway_harness import run_gateway


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 (after the parenthesised command, which may hold spaces) is the ppid.
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == pid:
            kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_compile_worker_dies_with_a_killed_gateway(tmp_path: Path) -> None:
    with run_gateway(tmp_path) as gw:
        token = gw.login()
        r = httpx.post(f"{gw.base}/api/mibs/reload", headers={"X-Auth-Token": token}, timeout=60)
        assert r.status_code == 200, r.text
        workers = _children(gw.proc.pid)
        assert workers, "a reload runs in a worker process"
        os.kill(gw.proc.pid, signal.SIGKILL)
        gw.proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if _alive(w)]
        for w in left:  # don't leak them into the rest of the run
            os.kill(w, signal.SIGKILL)
        assert not left, f"compile workers outlived the gateway: {left}"
