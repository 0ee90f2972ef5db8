"""The MIB library over real HTTP and WebSocket sockets: manager, browser, index + client.

A small app mounts the library's routers (the gateway adds user auth in front of them) and
a stand-in service follows the index through the shared client, as trapd and the walker do.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import threading
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from services.common.internal_auth import HEADER
from services.common.mibs.client import MibIndexClient, MibIndexFollower, mibs_changed_router
from services.gateway.config import GatewaySettings
from services.gateway.mibs import create_library
from tests.mib_helpers import CACHE_DIR, standard_dir, vendor_mib

SECRET = "mib-test-secret-0123456789"
LOOPBACK = "127.0.0.1"


BROKEN_MIB = """BROKEN-MIB DEFINITIONS ::= BEGIN
IMPORTS
    OBJECT-TYPE, enterprises FROM SNMPv2-SMI;

brokenThing OBJECT-TYPE
    SYNTAX      Integer32
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "missing the closing brace below"
    ::= { enterprises 4242
brokenOther OBJECT IDENTIFIER ::= { enterprises 4243 }
END
"""


def small_module(name: str, number: int, tag: str) -> bytes:
    return f"""{name} DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, enterprises, Integer32 FROM SNMPv2-SMI;
obj{number}a OBJECT-TYPE
    SYNTAX Integer32 MAX-ACCESS read-only STATUS current
    DESCRIPTION "Object A of module {number} ({tag})."
    ::= {{ enterprises 77777 {number} 1 }}
obj{number}b OBJECT-TYPE
    SYNTAX INTEGER {{ on(1), off(2) }} MAX-ACCESS read-only STATUS current
    DESCRIPTION "Object B of module {number}."
    ::= {{ enterprises 77777 {number} 2 }}
END
""".encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn in a thread with its own event loop; stopped at the end of the test."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host=LOOPBACK, port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


@dataclass
class Stack:
    gateway: ServerThread
    service: ServerThread
    published: list[dict[str, Any]]
    follower: MibIndexFollower
    data_dir: Path
    swaps: list[str] = field(default_factory=list)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.gateway.base, timeout=60)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        with self.http() as c:
            while not c.get("/api/mibs/status").json()["ready"]:
                assert time.monotonic() < deadline, "MIB library never became ready"
                time.sleep(0.05)

    def wait_follower(self, etag: str) -> None:
        deadline = time.monotonic() + 30
        while self.follower.etag != etag:
            assert time.monotonic() < deadline, f"service never loaded index {etag}"
            time.sleep(0.02)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    settings = GatewaySettings(
        gateway_data_dir=tmp_path / "gateway",
        mib_standard_dir=standard_dir(),
        mib_cache_dir=CACHE_DIR,
        internal_secret=SECRET,
    )
    published: list[dict[str, Any]] = []

    async def publish(message: dict[str, Any]) -> None:
        published.append(message)

    library = create_library(settings, publish)

    @asynccontextmanager
    async def gw_lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await library.start()
        yield
        await library.stop()

    gw_app = FastAPI(lifespan=gw_lifespan)
    gw_app.include_router(library.public_router, prefix="/api/mibs")
    gw_app.include_router(library.internal_router, prefix="/internal/mibs")

    @gw_app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                if await websocket.receive_text() == "ping":
                    await websocket.send_text("pong")
        except WebSocketDisconnect:
            return

    gateway = ServerThread(gw_app)
    # The stand-in service follows the index exactly as trapd/walker/simulator do.
    follower_settings = GatewaySettings(gateway_url=gateway.base, internal_secret=SECRET)
    follower = MibIndexFollower.from_settings(follower_settings)

    @asynccontextmanager
    async def svc_lifespan(_app: FastAPI) -> AsyncIterator[None]:
        follower.start()
        yield
        await follower.stop()

    svc_app = FastAPI(lifespan=svc_lifespan)
    svc_app.include_router(mibs_changed_router(follower))

    service = ServerThread(svc_app)
    st = Stack(gateway, service, published, follower, tmp_path)
    follower.add_listener(lambda index: st.swaps.append(str(index.etag)))

    async def notify(etag: str) -> dict[str, str]:
        async with httpx.AsyncClient(headers={HEADER: SECRET}) as c:
            r = await c.post(f"{service.base}/mibs/changed", json={"etag": etag})
        return {"trapd": "ok" if r.status_code == 200 else f"HTTP {r.status_code}"}

    library.notify_services = notify
    with gateway, service:
        st.wait_ready()
        yield st


def upload(c: httpx.Client, files: list[tuple[str, bytes]], **form: str) -> httpx.Response:
    return c.post(
        "/api/mibs/upload",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        data=form,
    )


def test_index_served_with_etag_and_followed_by_services(stack: Stack) -> None:
    with stack.http() as c:
        r = c.get("/internal/mibs/index.json")
        assert r.status_code == 200
        etag = r.headers["etag"]
        assert (
            c.get("/internal/mibs/index.json", headers={"If-None-Match": etag}).status_code == 304
        )
        doc = r.json()
    assert doc["format"] == "snmplab-mib-index/1" and "IF-MIB" in doc["modules"]
    stack.wait_follower(etag.strip('"'))
    idx = stack.follower.index
    assert idx.notification("1.3.6.1.6.3.1.1.5.3").full_name == "IF-MIB::linkDown"  # type: ignore[union-attr]
    assert idx.format_value("1.3.6.1.2.1.2.2.1.8.3", "Integer32", 2) == "down(2)"

    async def one_fetch() -> tuple[Any, Any]:
        client = MibIndexClient(stack.gateway.base, SECRET.encode())
        try:
            first = await client.fetch()
            second = await client.fetch()  # If-None-Match: unchanged
            return first, second
        finally:
            await client.aclose()

    first, second = asyncio.run(one_fetch())
    assert first is not None and first.etag == etag.strip('"') and second is None

    # A reload that changes nothing keeps the ETag, so services answer the change notice
    # with "current" and download nothing.
    with stack.http() as c:
        assert c.post("/api/mibs/reload").json()["status"] == "reloaded"
        assert c.get("/internal/mibs/index.json").headers["etag"] == etag
    assert stack.follower.notify(etag.strip('"')) is False


def test_internal_index_needs_nothing_but_serves_json(stack: Stack) -> None:
    with stack.http() as c:
        status = c.get("/internal/mibs/status").json()
    assert status["ready"] and status["nodes"] > 1000


def test_vendor_mib_upload_then_traps_and_objects_resolve(stack: Stack) -> None:
    before = stack.follower.etag
    with stack.http() as c:
        r = upload(c, [("acme-switch.my", vendor_mib(note=uuid.uuid4().hex))])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["results"] == [
            {
                "filename": "acme-switch.my",
                "mib_name": "ACME-SWITCH-MIB",
                "status": "loaded",
                "module_status": "loaded",
                "objects": 2,
                "traps": 1,
                "missing_deps": [],
                "error": None,
            }
        ]
        assert body["trap_receiver"] == "Trap receiver reloaded the MIB index"
        status = c.get("/api/mibs/status").json()
        assert any(m["name"] == "ACME-SWITCH-MIB" and m["origin"] == "user" for m in status["mibs"])
        traps = c.get("/api/mibs/traps").json()["traps"]
        acme = next(t for t in traps if t["name"] == "acmePortDown")
        assert [o["full_name"] for o in acme["objects"]] == [
            "IF-MIB::ifIndex",
            "ACME-SWITCH-MIB::acmePortName",
            "ACME-SWITCH-MIB::acmePortState",
        ]
        objs = c.get("/api/mibs/objects", params={"module": "ACME-SWITCH-MIB"}).json()["objects"]
        assert {o["name"] for o in objs} == {"acmePortName", "acmePortState"}
        etag = c.get("/internal/mibs/index.json").headers["etag"].strip('"')
    assert etag != before
    stack.wait_follower(etag)
    idx = stack.follower.index
    trap = idx.notification("1.3.6.1.4.1.99999.0.1")
    assert trap is not None and trap.full_name == "ACME-SWITCH-MIB::acmePortDown"
    assert idx.name("1.3.6.1.4.1.99999.1.1.1.1.12") == "ACME-SWITCH-MIB::acmePortName.12"
    assert idx.format_value("1.3.6.1.4.1.99999.1.1.1.2.12", "Integer32", 3) == "errDisabled(3)"
    assert idx.oid("ACME-SWITCH-MIB::acmePortState.4") == (1, 3, 6, 1, 4, 1, 99999, 1, 1, 1, 2, 4)
    mibs_msgs = [m for m in stack.published if m["type"] == "mibs"]
    assert mibs_msgs and mibs_msgs[-1]["mibs"]["loaded"] >= 1


def test_syntax_error_is_refused_with_its_line_and_nothing_is_saved(stack: Stack) -> None:
    with stack.http() as c:
        r = upload(c, [("BROKEN-MIB.mib", BROKEN_MIB.encode()), ("acme.mib", vendor_mib())])
        assert r.status_code == 422
        report = r.json()["detail"]["report"]
        broken = next(f for f in report["files"] if f["filename"] == "BROKEN-MIB.mib")
        assert not broken["valid"]
        assert broken["error_details"][0]["line"] in (10, 11)
        assert "line 1" in broken["errors"][0]
        assert c.get("/api/mibs/list").json() == {"mibs": []}
        check = c.post(
            "/api/mibs/validate-batch",
            files=[("files", ("BROKEN-MIB.mib", BROKEN_MIB.encode(), "text/plain"))],
        ).json()
        assert check["can_upload"] is False
        orphan = BROKEN_MIB.replace("{ enterprises 4242\n", "{ noSuchParent 1 }\n").encode()
        refused = upload(c, [("ORPHAN-MIB.mib", orphan.replace(b"BROKEN-MIB", b"ORPHAN-MIB"))])
        assert refused.status_code == 422, refused.text
        assert "noSuchParent" in refused.json()["detail"]["report"]["files"][0]["errors"][0]
        assert c.get("/api/mibs/list").json() == {"mibs": []}


def test_missing_dependencies_are_reported_and_resolved_within_a_batch(stack: Stack) -> None:
    child = b"""ACME-CHILD-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, Integer32 FROM SNMPv2-SMI acmeObjects FROM ACME-SWITCH-MIB
        thing FROM ACME-NOWHERE-MIB;
acmeChildValue OBJECT-TYPE SYNTAX Integer32 MAX-ACCESS read-only STATUS current
    DESCRIPTION "x" ::= { acmeObjects 9 }
END
"""
    with stack.http() as c:
        alone = c.post(
            "/api/mibs/validate-batch", files=[("files", ("child.mib", child, "text/plain"))]
        ).json()
        assert alone["files"][0]["valid"]
        assert alone["files"][0]["missing_deps"] == ["ACME-SWITCH-MIB", "ACME-NOWHERE-MIB"]
        both = c.post(
            "/api/mibs/validate-batch",
            files=[
                ("files", ("child.mib", child, "text/plain")),
                ("files", ("acme.mib", vendor_mib(), "text/plain")),
            ],
        ).json()
        assert both["global_missing_deps"] == ["ACME-NOWHERE-MIB"]
        r = upload(c, [("child.mib", child), ("acme.mib", vendor_mib())])
        assert r.status_code == 200, r.text
        res = {x["mib_name"]: x for x in r.json()["results"]}
        assert res["ACME-SWITCH-MIB"]["status"] == "loaded"
        assert res["ACME-CHILD-MIB"]["module_status"] == "missing_deps"
        assert res["ACME-CHILD-MIB"]["missing_deps"] == ["ACME-NOWHERE-MIB"]
        assert r.json()["remaining_missing"] == ["ACME-NOWHERE-MIB"]
        status = c.get("/api/mibs/status").json()
        err = next(m for m in status["errors"] if m["name"] == "ACME-CHILD-MIB")
        assert err["status"] == "missing_deps" and "ACME-NOWHERE-MIB" in err["error"]
        stats = library_stats(c)
        assert stats["failed"] == 1


def library_stats(c: httpx.Client) -> dict[str, Any]:
    return dict(c.get("/api/mibs/status").json())


def test_name_clash_is_refused_unless_overwrite(stack: Stack) -> None:
    with stack.http() as c:
        assert upload(c, [("acme.mib", vendor_mib(note="v1"))]).status_code == 200
        clash = upload(c, [("acme-v2.mib", vendor_mib(note="v2"))])
        assert clash.status_code == 409
        detail = clash.json()["detail"]
        assert detail["report"]["files"][0]["clashes"][0]["existing_file"] == "acme.mib"
        assert c.get("/api/mibs/list").json() == {"mibs": ["acme.mib"]}
        std = upload(c, [("IF-MIB", b"IF-MIB DEFINITIONS ::= BEGIN\nEND\n")])
        assert std.status_code == 409
        assert std.json()["detail"]["report"]["files"][0]["clashes"][0]["kind"] == "standard"
        ok = upload(c, [("acme-v2.mib", vendor_mib(note="v2"))], overwrite="true")
        assert ok.status_code == 200
        assert c.get("/api/mibs/list").json() == {"mibs": ["acme-v2.mib"]}


def test_zip_upload_delete_and_counters(stack: Stack) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mibs/ACME-SWITCH-MIB", vendor_mib())
        zf.writestr("mibs/README", b"not a MIB at all")
    with stack.http() as c:
        r = upload(c, [("bundle.zip", buf.getvalue())])
        assert r.status_code == 422  # README is not a MIB: the whole batch is refused
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("mibs/ACME-SWITCH-MIB", vendor_mib())
        r = upload(c, [("bundle.zip", buf.getvalue())])
        assert r.status_code == 200, r.text
        assert c.get("/api/mibs/list").json() == {"mibs": ["ACME-SWITCH-MIB"]}
        assert c.delete("/api/mibs/..%2Fetc").status_code in (400, 404)
        assert c.delete("/api/mibs/bad name.mib").status_code == 400
        assert c.delete("/api/mibs/nothere.mib").status_code == 404
        std = c.delete("/api/mibs/IF-MIB")
        assert std.status_code == 409 and "standard module" in std.json()["detail"]
        sources = c.get("/api/mibs/standard").json()["modules"]
        if_mib = next(m for m in sources if m["name"] == "IF-MIB")
        assert if_mib["loaded"] and "snmp-mibs-downloader" in if_mib["source"]
        d = c.delete("/api/mibs/ACME-SWITCH-MIB")
        assert d.status_code == 200 and d.json()["status"] == "deleted"
        assert c.get("/api/mibs/list").json() == {"mibs": []}
        assert c.post("/api/mibs/reload").json()["status"] == "reloaded"
    counters = json.loads((stack.data_dir / "gateway/mibs/counters.json").read_text())
    assert counters == {"reload_count": 2, "upload_count": 1, "delete_count": 1}


def test_resolve_fails_clearly_instead_of_echoing(stack: Stack) -> None:
    with stack.http() as c:
        ok = c.get("/api/mibs/resolve", params={"oid": "IF-MIB::ifOperStatus.3", "mode": "numeric"})
        assert ok.json()["output"] == "1.3.6.1.2.1.2.2.1.8.3"
        name = c.get("/api/mibs/resolve", params={"oid": "1.3.6.1.2.1.2.2.1.8.3"})
        assert name.json()["output"] == "IF-MIB::ifOperStatus.3"
        bad = c.get("/api/mibs/resolve", params={"oid": "NOPE-MIB::x", "mode": "numeric"})
        assert bad.status_code == 404 and "not loaded" in bad.json()["detail"]
        assert c.get("/api/mibs/resolve", params={"oid": "1.3.x"}).status_code == 400
        assert c.get("/api/mibs/resolve", params={"oid": "2.999.4"}).status_code == 404


def test_browser_routes(stack: Stack) -> None:
    with stack.http() as c:
        mods = {m["name"]: m for m in c.get("/api/mibs/browse/modules").json()["modules"]}
        assert mods["IF-MIB"]["notifications"] == 2 and mods["IF-MIB"]["tables"] >= 4
        tree = c.get("/api/mibs/browse/tree/oid", params={"root_oid": "1.3.6.1.2.1.2", "depth": 2})
        body = tree.json()
        assert body["root"]["name"] == "interfaces"
        assert [ch["name"] for ch in body["children"]] == ["ifNumber", "ifTable"]
        assert body["children"][1]["children_nodes"][0]["name"] == "ifEntry"
        assert body["total_descendants"] == 2 + 1 + 22  # ifNumber, ifTable, ifEntry, 22 columns
        virt = c.get("/api/mibs/browse/tree/oid", params={"root_oid": "1"}).json()
        assert virt["root"]["name"] == "iso" and virt["total_descendants"] > 1000
        assert c.get("/api/mibs/browse/tree/oid", params={"root_oid": "1.x"}).status_code == 400
        node = c.get("/api/mibs/browse/node/IF-MIB::linkDown").json()
        assert [o["full_name"] for o in node["trap_objects"]] == [
            "IF-MIB::ifIndex",
            "IF-MIB::ifAdminStatus",
            "IF-MIB::ifOperStatus",
        ]
        assert node["breadcrumb"][-1]["name"] == "linkDown"
        col = c.get("/api/mibs/browse/node/1.3.6.1.2.1.2.2.1.8").json()["node"]
        assert col["syntax_detail"]["enums"]["2"] == "down" and col["description"]
        assert col["table_indexes"][0]["name"] == "IF-MIB::ifIndex"
        desc = c.get("/api/mibs/browse/node/IF-MIB::ifDescr").json()["node"]
        assert desc["syntax_detail"]["sizes"] == [[0, 255]]
        assert c.get("/api/mibs/browse/node/NOPE::x").status_code == 404
        found = c.get("/api/mibs/browse/search", params={"query": "ifOperStatus", "limit": 3})
        results = found.json()["results"]
        assert results[0]["full_name"] == "IF-MIB::ifOperStatus"
        by_desc = c.get(
            "/api/mibs/browse/search",
            params={
                "query": "operational state",
                "module": "IF-MIB",
                "type_filter": "MibTableColumn",
            },
        ).json()["results"]
        assert by_desc and all(
            r["module"] == "IF-MIB" and r["type"] == "MibTableColumn" for r in by_desc
        )
        by_oid = c.get("/api/mibs/browse/search", params={"query": "1.3.6.1.2.1.2.2.1.8"}).json()
        assert by_oid["results"][0]["name"] == "ifOperStatus"
        lib = c.get("/api/mibs/browse/traps").json()["traps"]
        assert any(t["full_name"] == "IF-MIB::linkDown" for t in lib)
        by_module = c.get("/api/mibs/browse/tree/module", params={"module": "IF-MIB"}).json()
        assert by_module["modules"][0]["children"][0]["module"] == "IF-MIB"
        lazy = c.get("/api/mibs/browse/tree/module").json()
        assert "children" not in lazy["modules"][0]


def test_websocket_pings_answered_during_a_reload_of_100_modules(stack: Stack) -> None:
    tag = uuid.uuid4().hex  # new texts: the reload really compiles
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(100):
            zf.writestr(f"LOAD-TEST-{i}-MIB", small_module(f"LOAD-TEST-{i}-MIB", i, tag))
    done = threading.Event()
    result: dict[str, Any] = {}

    def do_upload() -> None:
        with stack.http() as c:
            result["response"] = upload(c, [("load.zip", buf.getvalue())])
        done.set()

    async def ping_until_done() -> list[float]:
        rtts = []
        uri = f"ws://{LOOPBACK}:{stack.gateway.port}/ws"
        async with websockets.connect(uri) as ws:
            while not done.is_set():
                t = time.monotonic()
                await ws.send("ping")
                assert await asyncio.wait_for(ws.recv(), 10) == "pong"
                rtts.append(time.monotonic() - t)
                await asyncio.sleep(0.02)
        return rtts

    worker = threading.Thread(target=do_upload)
    worker.start()
    rtts = asyncio.run(ping_until_done())
    worker.join(timeout=300)
    r = result["response"]
    assert r.status_code == 200, r.text
    loaded = [x for x in r.json()["results"] if x["status"] == "loaded"]
    assert len(loaded) == 100
    assert len(rtts) >= 5, "the reload ended before pings could be measured"
    print(f"{len(rtts)} pings during the upload+reload, slowest pong {1000 * max(rtts):.1f} ms")
    # Every ping was answered while pysmi compiled; a blocked event loop would stall them.
    assert max(rtts) < 1.0, f"slowest pong {max(rtts):.3f}s over {len(rtts)} pings"
