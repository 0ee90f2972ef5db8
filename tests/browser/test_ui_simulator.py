"""Start and stop of the simulator in one tab show on the dashboard of another, live."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import ensure_simulator_running, goto, login, open_page
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
