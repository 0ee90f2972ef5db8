"""The UI works from the keyboard: log in, move between pages, open a trap."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import open_page
from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser


def test_keyboard_only_login_navigation_and_trap_detail(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ok_json(ui_api.delete("/api/traps"))
    netsnmp.snmptrap_v2c(ui_stack.trapd, "1.3.6.1.6.3.1.1.5.1", [], community="public").check()
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    expect(page.locator("#login-username")).to_be_focused()
    page.keyboard.type(ui_stack.username)
    page.keyboard.press("Tab")
    page.keyboard.type(ui_stack.password)
    page.keyboard.press("Enter")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")

    # Tab reaches the sidebar links; Enter follows one.
    link = page.locator('#nav a[data-page="traps"]')
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#page-title")).to_have_text("Trap Manager")

    # The ledger: arrow keys move between rows, Enter opens the detail, Escape closes it.
    ledger = page.get_by_role("list", name="Received traps, newest first")
    expect(ledger.locator(".vrow:not([hidden])")).to_have_count(1)
    ledger.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("SNMPv2-MIB::coldStart")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page_errors == []
