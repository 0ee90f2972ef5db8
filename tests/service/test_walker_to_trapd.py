"""Traps and informs from the walker's sender reach our trap daemon with the same
var-binds as the same notification sent with Net-SNMP's snmptrap/snmpinform."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.test_walker_sender import VARBINDS, _api_varbinds, _cli_varbinds
from tests.service.walker_peers import (
    LOOPBACK,
    SECRET,
    Walker,
    free_port,
    netsnmp,
    run_walker,
    stop,
)


class Trapd:
    def __init__(self, tmp: Path) -> None:
        control = free_port(socket.SOCK_STREAM)
        self.port = free_port()
        env = {
            **os.environ,
            "SNMPLAB_INTERNAL_SECRET": SECRET,
            "SNMPLAB_TRAPD_CONTROL_HOST": LOOPBACK,
            "SNMPLAB_TRAPD_CONTROL_PORT": str(control),
            "SNMPLAB_TRAPD_SNMP_HOST": LOOPBACK,
            "SNMPLAB_TRAPD_SNMP_PORT": str(self.port),
            "SNMPLAB_TRAPD_DATA_DIR": str(tmp / "data"),
            "SNMPLAB_EVENTS_TARGETS": f"{LOOPBACK}:{free_port()}",
            "SNMPLAB_GATEWAY_URL": f"http://{LOOPBACK}:{free_port(socket.SOCK_STREAM)}",
        }
        self.log = open(tmp / "trapd.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.trapd"],
            env=env,
            stdout=self.log,
            stderr=self.log,
            cwd=Path(__file__).resolve().parents[2],
        )
        self.client = httpx.Client(
            base_url=f"http://{LOOPBACK}:{control}",
            timeout=10,
            headers={"X-Snmplab-Internal": SECRET},
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError((tmp / "trapd.log").read_text()[-3000:])
            try:
                if self.client.get("/traps/status").json().get("running"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("trapd did not start within 30 s")
            time.sleep(0.05)

    def records(self, n: int) -> list[dict[str, Any]]:
        """The ``n`` newest records, oldest first, waiting until there are ``n`` more."""
        deadline = time.monotonic() + 10
        while True:
            data = self.client.get("/traps", params={"limit": 1000}).json()["data"]
            if len(data) >= n + getattr(self, "seen", 0):
                self.seen = len(data)
                return list(reversed(data[:n]))
            if time.monotonic() > deadline:
                raise AssertionError(f"trapd stored {len(data)} records, expected more")
            time.sleep(0.05)

    def close(self) -> None:
        self.client.close()
        stop(self.proc)
        self.log.close()


@pytest.fixture(scope="module")
def trapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trapd]:
    t = Trapd(tmp_path_factory.mktemp("trapd"))
    try:
        yield t
    finally:
        t.close()


@pytest.fixture(scope="module")
def walker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walker]:
    with run_walker(tmp_path_factory.mktemp("walker")) as w:
        yield w


def _vbs(record: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [(v["oid"], v.get("type"), v.get("raw", v.get("value"))) for v in record["varbinds"]]


@pytest.mark.parametrize(("version", "kind"), [("v1", "trap"), ("v2c", "trap"), ("v2c", "inform")])
def test_same_varbinds_as_netsnmp(trapd: Trapd, walker: Walker, version: str, kind: str) -> None:
    addr = f"{LOOPBACK}:{trapd.port}"
    trap_oid = "1.3.6.1.4.1.8072.9999.0.17"
    if version == "v1":
        netsnmp(
            "snmptrap",
            "-v1",
            "-c",
            "public",
            addr,
            ".1.3.6.1.4.1.8072.9999",
            LOOPBACK,
            "6",
            "17",
            "4200",
            *_cli_varbinds("v1"),
        )
    else:
        tool = "snmpinform" if kind == "inform" else "snmptrap"
        netsnmp(tool, "-v2c", "-c", "public", addr, "4200", trap_oid, *_cli_varbinds("v2c"))
    with walker.client() as c:
        r = c.post(
            "/traps/send",
            json={
                "target": LOOPBACK,
                "port": trapd.port,
                "version": version,
                "notification": kind,
                "oid": trap_oid,
                "uptime": 4200,
                "varbinds": _api_varbinds(version),
                "agent_address": LOOPBACK,
            },
        )
    assert r.status_code == 200, r.text
    if kind == "inform":
        assert r.json()["acknowledged"] == 1
    theirs, ours = trapd.records(2)
    assert _vbs(ours) == _vbs(theirs)
    assert ours["trap_type"] == theirs["trap_type"]
    assert len(ours["varbinds"]) >= len(VARBINDS) - (1 if version == "v1" else 0)
