"""Issue 6 across services: a vendor MIB uploaded to the gateway names traps in trapd and
objects in the walker, through the one compiled index every service follows.

Everything goes through public interfaces: REST and the WebSocket on the gateway, SNMP on
the wire with Net-SNMP's snmptrap. The module gets a fresh name and enterprise arc per run
and is deleted at the end, so the shared stack is left as it was.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses
from tests.e2e.polling import wait_until
from tests.e2e.ws_client import WsClient
from tests.mib_helpers import vendor_mib

pytestmark = pytest.mark.e2e

IF_INDEX = "1.3.6.1.2.1.2.2.1.1"


@dataclass
class Vendor:
    module: str
    filename: str
    arc: int

    @property
    def root(self) -> str:
        return f"1.3.6.1.4.1.{self.arc}"

    @property
    def trap_oid(self) -> str:
        return f"{self.root}.0.1"

    def column(self, n: int) -> str:
        return f"{self.root}.1.1.1.{n}"


def _index_etag(api: httpx.Client) -> str:
    body = ok_json(api.get("/api/mibs/status"))
    assert isinstance(body, dict)
    return str(body["index"]["etag"])


@pytest.fixture
def vendor(api: httpx.Client, ws: WsClient) -> Iterator[Vendor]:
    tag = secrets.token_hex(4).upper()
    v = Vendor(
        f"E2E-ACME-{tag}-MIB", f"e2e-acme-{tag.lower()}.my", 60000 + secrets.randbelow(30000)
    )
    text = vendor_mib(module=v.module, arc=v.arc, note="end-to-end test module")
    before = _mib_stats(api)
    mark = ws.mark()
    r = api.post(
        "/api/mibs/upload", files=[("files", (v.filename, text, "text/plain"))], timeout=120
    )
    body = ok_json(r)
    assert isinstance(body, dict)
    assert [(x["mib_name"], x["status"]) for x in body["results"]] == [(v.module, "loaded")], body
    # Every browser hears of the change.
    pushed = ws.wait_for("mibs", timeout=30, since=mark)
    assert pushed.json["mibs"]["loaded"] >= 1
    after = _mib_stats(api)
    assert after["upload_count"] == before["upload_count"] + 1, (before, after)
    assert after["reload_count"] == before["reload_count"] + 1, (before, after)
    assert after["loaded_mibs"] == before["loaded_mibs"] + 1, (before, after)
    try:
        yield v
    finally:
        ok_json(api.delete(f"/api/mibs/{v.filename}", timeout=120))
        gone = _mib_stats(api)
        assert gone["delete_count"] == before["delete_count"] + 1
        assert gone["loaded_mibs"] == before["loaded_mibs"]


def _mib_stats(api: httpx.Client) -> dict[str, int]:
    body = ok_json(api.get("/api/stats"))
    assert isinstance(body, dict)
    return dict(body["mibs"])


def _trapd_follows(api: httpx.Client, etag: str) -> None:
    def probe() -> Any:
        return ok_json(api.get("/api/traps/status"))

    wait_until(
        probe,
        lambda s: isinstance(s, dict) and s.get("mib_index_etag", "").strip('"') == etag,
        timeout=30,
        what=f"trapd loaded MIB index {etag}",
    )


def test_uploaded_vendor_mib_names_its_traps_in_trapd(
    stack: StackAddresses, api: httpx.Client, ws: WsClient, vendor: Vendor
) -> None:
    _trapd_follows(api, _index_etag(api))
    port = 1000 + secrets.randbelow(1_000_000)
    mark = ws.mark()
    netsnmp.snmptrap_v2c(
        stack.trapd,
        vendor.trap_oid,
        [
            (f"{IF_INDEX}.{port}", "i", str(port)),
            (f"{vendor.column(1)}.{port}", "s", f"Gi0/{port}"),
            (f"{vendor.column(2)}.{port}", "i", "3"),
        ],
    ).check()

    def ours(message: Any) -> bool:
        return any(vb.get("oid") == f"{IF_INDEX}.{port}" for vb in message["trap"]["varbinds"])

    trap = ws.wait_for("trap", ours, timeout=5, since=mark).json["trap"]
    assert trap["resolved"] is True, trap
    assert trap["trap_type"] in ("acmePortDown", f"{vendor.module}::acmePortDown"), trap
    by_oid = {vb["oid"]: vb for vb in trap["varbinds"]}
    name = by_oid[f"{vendor.column(1)}.{port}"]
    state = by_oid[f"{vendor.column(2)}.{port}"]
    assert name["name"] == f"{vendor.module}::acmePortName.{port}", name
    assert name["value"] == f"Gi0/{port}"
    assert state["name"] == f"{vendor.module}::acmePortState.{port}", state
    assert state["value"] == "errDisabled(3)", state
    assert by_oid[f"{IF_INDEX}.{port}"]["name"] == f"IF-MIB::ifIndex.{port}"


def test_uploaded_vendor_mib_names_objects_in_the_walker(
    stack: StackAddresses, api: httpx.Client, vendor: Vendor
) -> None:
    # A simulated device generated from the vendor module, reached by its own community.
    name = f"e2e-{vendor.module.lower()}"
    etag = _index_etag(api)

    def generated() -> Any:
        return api.post(
            f"/api/simulator/profiles/{name}/generate",
            json={"modules": [vendor.module], "rows": 2, "replace": True},
        )

    # The simulator follows the index on its own; retry until it knows the new module.
    resp = wait_until(
        generated,
        lambda r: r.status_code == 200,
        timeout=30,
        interval=0.5,
        what=f"simulator generates a profile from {vendor.module} ({etag})",
    )
    assert resp.json()["saved"] is True
    ok_json(
        api.post("/api/simulator/devices", json={"name": name, "profile": name, "community": name})
    )
    try:
        target = stack.simulator_from_walker

        def walked() -> Any:
            return api.post(
                "/api/walk",
                json={
                    "target": target.host,
                    "port": target.port,
                    "community": name,
                    "version": "v2c",
                    "operation": "bulkwalk",
                    "oid": vendor.root,
                },
                timeout=60,
            )

        def named_by_vendor(r: Any) -> bool:
            # The walker follows the index on its own, like the simulator: until it has
            # fetched the new one, the same rows come back under SNMPv2-SMI::enterprises.
            rows = r.json().get("varbinds") if r.status_code == 200 else None
            return bool(rows) and all(v["name"].startswith(f"{vendor.module}::") for v in rows)

        resp = wait_until(
            walked,
            named_by_vendor,
            timeout=30,
            interval=0.5,
            what=f"the walker walks the vendor device and names it by {vendor.module}",
        )
        rows = resp.json()["varbinds"]
        names = {r["name"].split(".")[0] for r in rows}
        assert names == {f"{vendor.module}::acmePortName", f"{vendor.module}::acmePortState"}
        states = [r for r in rows if r["name"].startswith(f"{vendor.module}::acmePortState.")]
        assert states and all(
            r["value"] in ("up(1)", "down(2)", "errDisabled(3)") for r in states
        ), states
    finally:
        api.post("/api/simulator/devices/delete", json={"names": [name]})
