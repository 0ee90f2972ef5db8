"""A walk of the simulator from the Walk & Parse page, then its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import ensure_simulator_running, goto, login, open_page
from tests.e2e import netsnmp
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser

SYSTEM = "1.3.6.1.2.1.1"


def test_walk_of_the_simulator_and_csv_export(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    # The independent peer's view of the same subtree.
    expected = {
        vb.oid: vb
        for vb in netsnmp.walk_lines(
            netsnmp.snmpwalk(ui_stack.simulator, SYSTEM, community=ui_stack.community).check()
        )
    }
    assert expected

    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "walker")
    target = ui_stack.simulator_from_walker
    page.fill("#walk-host", target.host)
    page.fill("#walk-port", str(target.port))
    page.select_option("#walk-version", "v2c")
    page.fill("#walk-community", ui_stack.community)
    page.fill("#walk-oid", "SNMPv2-MIB::system")
    if page.is_checked("#walk-parse"):
        page.click("label:has(#walk-parse)")
    page.click("#tab-varbinds")
    page.click("#walk-run")
    expect(page.locator("#walk-count")).to_have_text(f"{len(expected)} items")
    expect(page.locator(".vlist")).to_contain_text("SNMPv2-MIB::sysName.0")

    with page.expect_download() as info:
        page.click("#walk-export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["oid"] for r in rows] == list(expected), "CSV rows are the walk, in OID order"
    by_oid = {r["oid"]: r for r in rows}
    sys_name = by_oid["1.3.6.1.2.1.1.5.0"]
    assert sys_name["name"] == "SNMPv2-MIB::sysName.0"
    assert sys_name["type"] == "OctetString"
    assert sys_name["value"] == expected["1.3.6.1.2.1.1.5.0"].value.strip('"')
    sys_oid = by_oid["1.3.6.1.2.1.1.2.0"]
    assert sys_oid["type"] == "ObjectIdentifier"
    assert sys_oid["raw"] == expected["1.3.6.1.2.1.1.2.0"].value.lstrip(".")
    assert page_errors == []
