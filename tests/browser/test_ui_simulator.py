"""Start and stop of the simulator in one tab show on the dashboard of another, live."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import ensure_simulator_running, goto, login, open_page
from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser


def test_start_stop_shows_on_the_dashboard_of_a_second_tab(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    ctx = new_context()
    dashboard = open_page(ctx, ui_stack.gateway_url, page_errors)
    login(dashboard, ui_stack)
    goto(dashboard, ui_stack, "dashboard")
    sim_card = dashboard.locator("#dash-simulator")
    expect(sim_card).to_have_text("Online")

    # A second tab of the same browser: its own session (tokens live in sessionStorage).
    control = open_page(ctx, ui_stack.gateway_url, page_errors)
    login(control, ui_stack)
    goto(control, ui_stack, "simulator")
    expect(control.locator("#sim-badge")).to_have_text("RUNNING")
    try:
        control.click("#sim-stop")
        expect(control.locator("#sim-badge")).to_have_text("STOPPED")
        expect(sim_card).to_have_text("Offline")
        expect(dashboard.locator("#dash-simulator-sub")).to_have_text("Not serving SNMP")

        control.click("#sim-start")
        expect(control.locator("#sim-badge")).to_have_text("RUNNING")
        expect(sim_card).to_have_text("Online")
        expect(dashboard.locator("#dash-simulator-sub")).to_contain_text(
            f"UDP {ui_stack.simulator.port}"
        )
    finally:
        ensure_simulator_running(ui_api)
    assert page_errors == []


def test_unsaved_custom_data_asks_before_leaving(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "simulator")
    page.click("#tab-data")
    editor = page.locator("#sim-data")
    expect(editor).not_to_have_value("")
    editor.fill('{"SNMPv2-MIB::sysLocation.0": "not saved"')
    expect(page.get_by_text("JSON error")).to_be_visible()
    expect(page.get_by_text("Unsaved")).to_be_visible()

    page.click('#nav a[data-page="dashboard"]')
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("unsaved changes")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator("#page-title")).to_have_text("SNMP Simulator")
    expect(editor).to_have_value('{"SNMPv2-MIB::sysLocation.0": "not saved"')

    page.click('#nav a[data-page="dashboard"]')
    page.get_by_role("dialog").get_by_role("button", name="Leave").click()
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    assert page_errors == []


def test_device_fleet_from_a_template_and_a_value_change(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ensure_simulator_running(ui_api)
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "simulator")
    page.click("#dev-new")
    dialog = page.get_by_role("dialog")
    page.fill("#dev-count", "3")
    page.fill("#dev-name", "uilab{n}")
    page.fill("#dev-community", "uilab{n}")
    page.fill("#dev-sysloc", "UI row {n}")
    page.click("#dev-create")
    expect(dialog).to_be_hidden()
    devices = page.locator("#panel-devices tbody tr")
    for n in (1, 2, 3):
        expect(devices.filter(has_text=f"uilab{n}")).to_have_count(1)
    # Each device is its own agent, selected by its community, with its own values.
    got = netsnmp.snmpget(ui_stack.simulator, "1.3.6.1.2.1.1.6.0", community="uilab2").check()
    assert "UI row 2" in got.stdout

    # The per-device editor changes a value; an SNMP GET sees it at once.
    page.get_by_role("button", name="Open device uilab2").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("tab", name="Values & rules").click()
    dialog.get_by_label("OID to change").fill("sysName")
    dialog.get_by_label("New value").fill("renamed-from-the-ui")
    dialog.get_by_role("button", name="Apply").click()
    expect(page.locator(".toast.success").filter(has_text="Changed 1 value")).to_have_count(1)
    got = netsnmp.snmpget(ui_stack.simulator, "1.3.6.1.2.1.1.5.0", community="uilab2").check()
    assert "renamed-from-the-ui" in got.stdout
    page.keyboard.press("Escape")

    # Two GETs reached uilab2: the fleet table counts requests (not var-binds as well).
    page.reload()
    row = page.locator("#panel-devices tbody tr").filter(has_text="uilab2")
    expect(row.locator("td").nth(5)).to_have_text("2")

    ok_json(
        ui_api.post("/api/simulator/devices/delete", json={"names": ["uilab1", "uilab2", "uilab3"]})
    )
    assert page_errors == []
