"""trapd names traps with the MIB index it fetches over HTTP, and keeps receiving through
an index change. The index is compiled from real MIB modules by the gateway's compiler and
served by a small HTTP server speaking the gateway's internal route (ETag, secret)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from services.common.internal_auth import HEADER
from tests.service.trapd_harness import HOST, SECRET, EventsSink, Trapd, run_tool, start_trapd

ROOT = Path(__file__).resolve().parents[2]
STANDARD = ROOT / "build" / "standard-mibs"

pytestmark = pytest.mark.skipif(shutil.which("snmptrap") is None, reason="Net-SNMP tools")


class IndexServer:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.etag = "v1"
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                if self.headers.get(HEADER) != SECRET or self.path != "/internal/mibs/index.json":
                    self.send_error(401 if self.path.startswith("/internal") else 404)
                    return
                if self.headers.get("If-None-Match") == f'"{outer.etag}"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", f'"{outer.etag}"')
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def index_body(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if not (STANDARD / "modules" / "IF-MIB").exists():
        pytest.skip("standard MIBs not fetched (tools/standard-mibs/fetch.sh)")
    from services.gateway.mibs.compiler import compile_library

    tmp = tmp_path_factory.mktemp("mibs")
    (tmp / "user").mkdir()
    out = tmp / "index.json"
    compile_library(
        str(tmp / "user"), str(STANDARD), str(tmp / "cache"), str(out), ["SNMPv2-MIB", "IF-MIB"]
    )
    return out.read_bytes()


@pytest.fixture
def served(index_body: bytes) -> Iterator[IndexServer]:
    srv = IndexServer(index_body)
    yield srv
    srv.close()


@pytest.fixture
def trapd(tmp_path: Path, served: IndexServer) -> Iterator[Trapd]:
    sink = EventsSink()
    d = start_trapd(tmp_path / "trapd", sink, {"SNMPLAB_GATEWAY_URL": served.url})
    yield d
    d.stop()
    sink.close()


def wait_loaded(d: Trapd, loads: int = 1) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        st = d.get("/traps/status").json()
        if st["mibs_loaded"] and st.get("mib_index_loads", 0) >= loads:
            return
        time.sleep(0.05)
    raise AssertionError(f"MIB index not loaded: {d.get('/traps/status').json()}")


def test_link_down_resolved_v2c_and_v1(trapd: Trapd) -> None:
    wait_loaded(trapd)
    res = run_tool(
        ["snmptrap", "-v2c", "-c", "public", f"udp:{HOST}:{trapd.snmp_port}", "100",
         "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.2", "i", "2",
         "1.3.6.1.2.1.2.2.1.7.2", "i", "1", "1.3.6.1.2.1.2.2.1.8.2", "i", "2"]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    res = run_tool(
        ["snmptrap", "-v1", "-c", "public", f"udp:{HOST}:{trapd.snmp_port}",
         "1.3.6.1.4.1.8072", "10.0.0.9", "3", "0", "100", "1.3.6.1.2.1.2.2.1.1.2", "i", "2"]
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    recs = trapd.wait_traps(2)
    v1 = next(r for r in recs if r["version"] == "v1")
    v2 = next(r for r in recs if r["version"] == "v2c")
    assert v2["trap_type"] == "linkDown" and v2["resolved"] is True
    names = [vb["name"] for vb in v2["varbinds"]]
    assert names == [
        "SNMPv2-MIB::sysUpTime.0",
        "SNMPv2-MIB::snmpTrapOID.0",
        "IF-MIB::ifIndex.2",
        "IF-MIB::ifAdminStatus.2",
        "IF-MIB::ifOperStatus.2",
    ]
    assert v2["varbinds"][4]["value"] == "down(2)"
    assert v1["trap_type"] == "linkUp"
    # Searching by name works on the stored text.
    found = trapd.get("/traps", params={"q": "ifOperStatus.2=down(2)"}).json()["data"]
    assert [r["seq"] for r in found] == [v2["seq"]]
    assert trapd.get("/traps", params={"trap": "linkUp"}).json()["count"] == 1


def test_mib_change_never_stops_reception(trapd: Trapd, served: IndexServer) -> None:
    wait_loaded(trapd)
    payload = bytes.fromhex(  # a v2c coldStart trap
        "303102010104067075626c6963a72402010102010002010030193017060a2b060106030101040100"
        "06092b0601060301010501"
    )
    n = 2000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(n):
            s.sendto(payload, (HOST, trapd.snmp_port))
            if i == n // 2:
                served.etag = "v2"
                r = trapd.post("/mibs/changed", json={"etag": "v2"})
                assert r.status_code == 200
            if i % 200 == 0:
                time.sleep(0.01)  # a steady stream, not one burst
    wait_loaded(trapd, loads=2)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        stats = trapd.get("/stats").json()["traps"]
        if stats["traps_stored"] >= n:
            break
        time.sleep(0.05)
    assert stats["traps_stored"] == n and stats["malformed_packets"] == 0
    assert trapd.get("/traps/status").json()["running"] is True
