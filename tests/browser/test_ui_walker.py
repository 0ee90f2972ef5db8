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
from tests.e2e.api_client import ok_json
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


def test_history_diff_and_use_as_simulated_device(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    ok_json(ui_api.delete("/api/walk/history"))
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "walker")
    target = ui_stack.simulator_from_walker
    page.fill("#walk-host", target.host)
    page.fill("#walk-port", str(target.port))
    page.fill("#walk-community", ui_stack.community)
    page.fill("#walk-oid", SYSTEM)
    history = page.get_by_label("Walk history")
    for n in (1, 2):
        page.click("#walk-run")
        expect(history.locator("li.hist")).to_have_count(n)

    # Two stored walks of the same subtree: sysUpTime moved, nothing was added or removed.
    for box in history.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Diff selected").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("0 added, 0 removed")
    expect(dialog).to_contain_text("sysUpTime.0")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The last walk becomes a device of the simulator, answering under its own community.
    page.get_by_role("button", name="Use as simulated device").click()
    dialog = page.get_by_role("dialog")
    name = dialog.get_by_label("Device name")
    name.fill("recorded-system")
    dialog.get_by_label("Community that selects it").fill("recorded")
    dialog.get_by_role("button", name="Create device").click()
    expect(page.locator(".toast.success").filter(has_text="recorded-system")).to_have_count(1)
    expect(page.locator("#main")).to_have_attribute("data-page", "simulator")
    expect(page.locator("#panel-devices")).to_contain_text("recorded-system")
    got = netsnmp.snmpget(ui_stack.simulator, "1.3.6.1.2.1.1.5.0", community="recorded")
    assert got.ok, got.stderr
    assert page_errors == []


def test_a_slow_walk_shows_progress_and_can_be_cancelled(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    # A device that answers every request after 100 ms: a GETNEXT walk of it takes minutes.
    ok_json(
        ui_api.post(
            "/api/simulator/devices",
            json={"name": "ui-slow", "community": "uislow", "faults": {"delay_ms": 100}},
        )
    )
    try:
        page = open_page(new_context(), ui_stack.gateway_url, page_errors)
        login(page, ui_stack)
        goto(page, ui_stack, "walker")
        target = ui_stack.simulator_from_walker
        page.fill("#walk-host", target.host)
        page.fill("#walk-port", str(target.port))
        page.fill("#walk-community", "uislow")
        page.fill("#walk-oid", "1.3.6.1")
        page.select_option("#walk-op", "walk")
        page.fill("#walk-timeout", "2")
        page.click("#walk-run")
        # Pushed over the WebSocket while the walk runs (walk_progress).
        expect(page.locator("#walk-progress")).to_contain_text("OIDs so far")
        page.click("#walk-cancel")
        expect(page.get_by_text("cancelled", exact=True)).to_be_visible()
        expect(page.locator("#walk-cancel")).to_be_hidden()
        count = page.locator("#walk-count").inner_text()
        assert count != "0 items", "the rows walked before the cancel are kept"
    finally:
        ok_json(ui_api.delete("/api/simulator/devices/ui-slow"))
    assert page_errors == []


def test_snmpv3_walk_with_credentials_from_the_form(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    user = {
        "name": "uiv3user",
        "auth": "SHA-256",
        "auth_key": "ui-auth-passphrase",
        "priv": "AES",
        "priv_key": "ui-priv-passphrase",
    }
    ok_json(ui_api.post("/api/simulator/users", json=user))
    try:
        page = open_page(new_context(), ui_stack.gateway_url, page_errors)
        login(page, ui_stack)
        goto(page, ui_stack, "walker")
        target = ui_stack.simulator_from_walker
        page.fill("#walk-host", target.host)
        page.fill("#walk-port", str(target.port))
        page.select_option("#walk-version", "v3")
        expect(page.locator("#walk-community")).to_be_hidden()
        page.fill("#walk-user", "uiv3user")
        page.select_option("#walk-level", "authPriv")
        page.select_option("#walk-authp", "SHA-256")
        page.fill("#walk-authk", "ui-auth-passphrase")
        page.select_option("#walk-privp", "AES")
        page.fill("#walk-privk", "ui-priv-passphrase")
        page.fill("#walk-oid", SYSTEM)
        if page.is_checked("#walk-parse"):
            page.click("label:has(#walk-parse)")
        page.click("#tab-varbinds")
        page.click("#walk-run")
        expect(page.locator(".vlist")).to_contain_text("SNMPv2-MIB::sysName.0")

        # A wrong passphrase is an error the page explains, not a hang.
        page.fill("#walk-authk", "not-the-passphrase")
        page.click("#walk-run")
        expect(page.get_by_role("alert").filter(has_text="v3")).to_be_visible(timeout=20_000)
    finally:
        ok_json(ui_api.delete("/api/simulator/users/uiv3user"))
    assert page_errors == []
