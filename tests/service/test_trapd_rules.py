"""Listeners, community allowlist, retention, rules (dedup, rate limit, webhook, syslog)
and replay through the walker, on a real trapd process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.snmp import ber, message
from tests.service.trapd_harness import (
    HOST,
    ROOT,
    SECRET,
    EventsSink,
    Trapd,
    free_port,
    run_tool,
    start_trapd,
)

pytestmark = pytest.mark.skipif(shutil.which("snmptrap") is None, reason="Net-SNMP tools")


def trap_bytes(community: bytes = b"public", if_index: int = 1, uptime: int = 5) -> bytes:
    vbs = (
        message.encode_varbind(
            ber.encode_oid((1, 3, 6, 1, 2, 1, 1, 3, 0)),
            ber.tlv(ber.TIMETICKS, ber.encode_uint(uptime)),
        )
        + message.encode_varbind(
            ber.encode_oid((1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)),
            ber.oid_tlv((1, 3, 6, 1, 6, 3, 1, 1, 5, 3)),
        )
        + message.encode_varbind(
            ber.encode_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, if_index)), ber.int_tlv(if_index)
        )
        + message.encode_varbind(
            ber.encode_oid((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, if_index)),
            ber.tlv(ber.OCTET_STRING, b"eth\x00\xff"),
        )
    )
    return message.encode_message(1, community, ber.SNMPV2_TRAP, 1, 0, 0, vbs)


def blast(port: int, datagrams: list[bytes]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for d in datagrams:
            s.sendto(d, (HOST, port))


def wait_stat(d: Trapd, key: str, value: int, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stats: dict[str, Any] = d.get("/stats").json()["traps"]
        if stats.get(key, 0) >= value or time.monotonic() > deadline:
            return stats
        time.sleep(0.02)


@pytest.fixture
def trapd(tmp_path: Path) -> Iterator[Trapd]:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink)
    yield d
    d.stop()
    sink.close()


def test_extra_listeners_start_stop_and_survive_restart(tmp_path: Path) -> None:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink)
    try:
        port = free_port()
        r = d.post("/traps/listeners", json={"name": "lab2", "host": HOST, "port": port})
        assert r.status_code == 201 and r.json()["running"] is True
        assert d.post("/traps/listeners", json={"name": "lab2", "port": 0}).status_code == 409
        taken = d.post("/traps/listeners", json={"name": "x", "host": HOST, "port": port})
        assert taken.status_code == 409
        blast(port, [trap_bytes()])
        (rec,) = d.wait_traps(1, listener="lab2")
        assert rec["listener"] == "lab2"
        assert d.post("/traps/listeners/lab2/stop").json()["running"] is False
        assert d.post("/traps/listeners/nope/stop").status_code == 404
        assert d.get("/traps/status").json()["running"] is True  # default unaffected
    finally:
        d.stop()
    d2 = start_trapd(tmp_path / "trapd", sink)
    try:
        lst = {x["name"]: x for x in d2.get("/traps/listeners").json()["listeners"]}
        assert lst["lab2"]["running"] is False and lst["lab2"]["port"] == port
        assert d2.post("/traps/listeners/lab2/start").json()["running"] is True
        blast(port, [trap_bytes()])
        assert len(d2.wait_traps(2, listener="lab2")) == 2
        assert d2.delete("/traps/listeners/lab2").json()["status"] == "removed"
        assert d2.delete("/traps/listeners/default").status_code == 400
    finally:
        d2.stop()
        sink.close()


def test_community_allowlist(trapd: Trapd) -> None:
    r = trapd.client.patch("/traps/config", json={"community_allowlist": ["lab"]})
    assert r.status_code == 200 and r.json()["community_allowlist"] == ["lab"]
    blast(trapd.snmp_port, [trap_bytes(b"public"), trap_bytes(b"lab")])
    stats = wait_stat(trapd, "refused_community", 1)
    assert stats["refused_community"] == 1
    recs = trapd.wait_traps(1)
    assert [r["community"] for r in recs] == ["lab"]
    bad = trapd.client.patch("/traps/config", json={"retention_count": -1})
    assert bad.status_code == 400 and "retention_count" in bad.json()["detail"]


def test_retention_by_count(trapd: Trapd) -> None:
    trapd.client.patch("/traps/config", json={"retention_count": 5})
    blast(trapd.snmp_port, [trap_bytes(uptime=i) for i in range(20)])
    wait_stat(trapd, "traps_stored", 20)
    # Retention runs every few seconds, off the hot path.
    assert wait_stat(trapd, "retention_deleted", 15, timeout=20)["retention_deleted"] == 15
    recs = trapd.get("/traps").json()["data"]
    assert len(recs) == 5
    assert [r["varbinds"][0]["raw"] for r in recs] == [19, 18, 17, 16, 15]


def test_dedup_and_rate_limit(trapd: Trapd) -> None:
    trapd.client.patch(
        "/traps/config",
        json={"rules": {"dedup": {"enabled": True, "window_s": 60,
                                  "varbind_oids": ["1.3.6.1.2.1.2.2.1.1.1"]}}},
    )  # fmt: skip
    blast(trapd.snmp_port, [trap_bytes(uptime=i) for i in range(10)])
    wait_stat(trapd, "dropped_duplicate", 9)
    # Drops are counted as the batch is filtered, the one kept trap when its batch commits.
    stats = wait_stat(trapd, "traps_stored", 1)
    assert stats["dropped_duplicate"] == 9 and stats["traps_stored"] == 1
    blast(trapd.snmp_port, [trap_bytes(if_index=2)])  # another key: kept
    wait_stat(trapd, "traps_stored", 2)
    trapd.client.patch(
        "/traps/config",
        json={"rules": {"dedup": {"enabled": False},
                        "rate_limit": {"enabled": True, "per_second": 0.001, "burst": 3}}},
    )  # fmt: skip
    blast(trapd.snmp_port, [trap_bytes(uptime=i) for i in range(10)])
    stats = wait_stat(trapd, "dropped_rate_limited", 7)
    assert stats["dropped_rate_limited"] == 7
    assert stats["traps_stored"] == 5


class Webhook:
    def __init__(self, fail_first: int) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail_left = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail_left > 0:
                    outer.fail_left -= 1
                    self.send_response(503)
                else:
                    outer.bodies.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_forward_to_webhook_with_retry_and_to_syslog(trapd: Trapd) -> None:
    hook = Webhook(fail_first=2)
    syslog = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    syslog.bind((HOST, 0))
    syslog.settimeout(10)
    try:
        r = trapd.client.patch(
            "/traps/config",
            json={"rules": {"forward": {
                "backoff_s": 0.05,
                "webhook": {"enabled": True, "url": hook.url},
                "syslog": {"enabled": True, "target": f"udp://{HOST}:{syslog.getsockname()[1]}"},
            }}},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        blast(trapd.snmp_port, [trap_bytes(uptime=77)])
        line = syslog.recv(65535).decode()
        assert line.startswith("<133>1 ") and "type=1.3.6.1.6.3.1.1.5.3" in line
        deadline = time.monotonic() + 10
        while not hook.bodies and time.monotonic() < deadline:
            time.sleep(0.02)
        (body,) = hook.bodies
        assert body["varbinds"][0]["raw"] == 77 and body["seq"] >= 1
        fwd = trapd.get("/traps/status").json()["forwarding"]
        assert fwd["webhook_sent"] == 1 and fwd["webhook_errors"] == 2
        bad = trapd.client.patch(
            "/traps/config", json={"rules": {"forward": {"syslog": {"target": "smtp://x"}}}}
        )
        assert bad.status_code == 400
    finally:
        hook.close()
        syslog.close()


@pytest.fixture
def walker(tmp_path: Path) -> Iterator[str]:
    port = free_port(socket.SOCK_STREAM)
    env = {
        **os.environ,
        "SNMPLAB_INTERNAL_SECRET": SECRET,
        "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{free_port()}",
        "SNMPLAB_GATEWAY_URL": f"http://{HOST}:{free_port(socket.SOCK_STREAM)}",
        "SNMPLAB_WALKER_CONTROL_HOST": HOST,
        "SNMPLAB_WALKER_CONTROL_PORT": str(port),
        "SNMPLAB_WALKER_DATA_DIR": str(tmp_path / "walker"),
        "SNMPLAB_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen([sys.executable, "-m", "services.walker"], cwd=ROOT, env=env)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "walker did not start"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_replay_through_the_walker(tmp_path: Path, walker: str) -> None:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink, {"SNMPLAB_TRAPD_WALKER_URL": walker})
    try:
        res = run_tool(
            ["snmptrap", "-v2c", "-c", "public", f"udp:{HOST}:{d.snmp_port}", "4242",
             "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.2.1.2.2.1.1.7", "i", "7",
             "1.3.6.1.2.1.2.2.1.6.7", "x", "001122334455"]
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        (orig,) = d.wait_traps(1)
        r = d.post(
            f"/traps/{orig['seq']}/replay",
            json={"target": HOST, "port": d.snmp_port, "community": "replayed"},
        )
        assert r.status_code == 200, r.text
        recs = d.wait_traps(2)
        again = next(x for x in recs if x["community"] == "replayed")
        assert again["trap_oid"] == orig["trap_oid"]
        assert [v["raw"] for v in again["varbinds"]] == [v["raw"] for v in orig["varbinds"]]
        assert d.post("/traps/99999/replay", json={"target": HOST}).status_code == 404
    finally:
        d.stop()
        sink.close()


def test_replay_without_walker_is_502(trapd: Trapd) -> None:
    blast(trapd.snmp_port, [trap_bytes()])
    (rec,) = trapd.wait_traps(1)
    r = trapd.post(f"/traps/{rec['seq']}/replay", json={"target": HOST})
    assert r.status_code == 502 and "walker" in r.json()["detail"]


def test_autostart_flag_from_the_gateway(tmp_path: Path) -> None:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink)
    try:
        r = d.client.put("/traps/config", json={"autostart": False})
        assert r.status_code == 200 and r.json()["autostart"] is False
    finally:
        d.stop()
    d2 = start_trapd(tmp_path / "trapd", sink)
    try:
        assert d2.get("/traps/status").json()["running"] is False
        assert d2.post("/traps/start").json()["status"] == "started"
    finally:
        d2.stop()
        sink.close()


def test_ipv6_listener(trapd: Trapd) -> None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    r = trapd.post("/traps/listeners", json={"name": "v6", "host": "::1", "port": 0})
    assert r.status_code == 201, r.text
    port = r.json()["port"]
    res = run_tool(
        ["snmptrap", "-v2c", "-c", "public", f"udp6:[::1]:{port}", "1", "1.3.6.1.6.3.1.1.5.1"]
    )
    assert res.returncode == 0, res.stderr
    (rec,) = trapd.wait_traps(1, listener="v6")
    assert rec["source"].startswith("[::1]:")
    assert [x["seq"] for x in trapd.get("/traps", params={"source": "::1"}).json()["data"]] == [
        rec["seq"]
    ]


def test_v1_replayed_as_v1_keeps_its_trap_fields(tmp_path: Path, walker: str) -> None:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink, {"SNMPLAB_TRAPD_WALKER_URL": walker})
    try:
        res = run_tool(
            ["snmptrap", "-v1", "-c", "public", f"udp:{HOST}:{d.snmp_port}",
             "1.3.6.1.4.1.8072.3.2.10", "10.9.8.7", "6", "42", "555",
             "1.3.6.1.2.1.1.5.0", "s", "router-9"]
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        (orig,) = d.wait_traps(1)
        r = d.post(
            f"/traps/{orig['seq']}/replay",
            json={"target": HOST, "port": d.snmp_port, "version": "v1", "community": "again"},
        )
        assert r.status_code == 200, r.text
        again = next(x for x in d.wait_traps(2) if x["community"] == "again")
        assert again["version"] == "v1"
        assert again["v1"] | {"time_stamp": 0} == orig["v1"] | {"time_stamp": 0}
        assert again["trap_oid"] == orig["trap_oid"] == "1.3.6.1.4.1.8072.3.2.10.0.42"
        oids = [v["oid"] for v in again["varbinds"]]
        assert oids.count("1.3.6.1.6.3.18.1.3.0") == 1  # re-added once by the conversion
        assert again["varbinds"][2]["value"] == "router-9"
    finally:
        d.stop()
        sink.close()
