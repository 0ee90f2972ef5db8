"""A trap sent with Net-SNMP's snmptrap shows up in the open trap ledger, named, at once."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import goto, login, open_page
from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"


def test_snmptrap_appears_in_the_open_ledger_within_a_second(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ok_json(ui_api.delete("/api/traps"))
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "traps")
    expect(page.locator("#rcv-badge")).to_have_text("RUNNING")
    rows = page.locator(".vlist .vrow:not([hidden])")
    expect(rows).to_have_count(0)

    index = 7  # a value no other test sends, to find this trap's row
    sent = netsnmp.snmptrap_v2c(
        ui_stack.trapd,
        LINK_DOWN,
        [(f"{IF_INDEX}.{index}", "i", str(index)), (f"{IF_ADMIN}.{index}", "i", "1"),
         (f"{IF_OPER}.{index}", "i", "2")],
        community=ui_stack.community,
    ).check()  # fmt: skip
    # The trap is on the wire once snmptrap has exited; from then on, one second.
    sent_at = time.monotonic()
    row = rows.filter(has_text="IF-MIB::linkDown")
    expect(row).to_have_count(1, timeout=1000)
    elapsed = time.monotonic() - sent_at
    assert elapsed <= 1.0, f"shown {elapsed:.3f}s after snmptrap ({sent.elapsed:.3f}s) returned"

    # Fully named: var-binds by MODULE::object.index and enumerations by label.
    expect(row).to_contain_text(f"ifOperStatus.{index}=down(2)")
    row.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"IF-MIB::ifIndex.{index}")
    expect(dialog).to_contain_text(f"IF-MIB::ifAdminStatus.{index}")
    expect(dialog).to_contain_text("up(1)")
    expect(dialog).to_contain_text(f"IF-MIB::ifOperStatus.{index}")
    expect(dialog).to_contain_text("down(2)")
    expect(dialog).to_contain_text("resolved")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The server answers the search: a filter finds it among every stored trap.
    page.fill("#trap-search", "ifOperStatus")
    page.press("#trap-search", "Enter")
    expect(rows.filter(has_text="IF-MIB::linkDown")).to_have_count(1)
    page.fill("#trap-search", "no-such-text-in-any-trap")
    page.press("#trap-search", "Enter")
    expect(rows).to_have_count(0)
    page.click("text=Reset filters")

    # From a trap's detail, one click filters the ledger to its type (answered by the server).
    rows.filter(has_text="IF-MIB::linkDown").click()
    page.get_by_role("dialog").get_by_role("button", name="Same type").click()
    expect(page.locator("#trap-type")).to_have_value(LINK_DOWN)
    expect(rows).to_have_count(1)
    page.click("text=Reset filters")
    assert page_errors == []


def test_send_a_trap_from_the_sender_tab_and_receive_it(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ok_json(ui_api.delete("/api/traps"))
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "traps/send")
    target = ui_stack.trapd_from_walker
    page.fill("#send-target", target.host)
    page.fill("#send-port", str(target.port))
    page.select_option("#send-version", "v2c")
    page.fill("#send-community", ui_stack.community)
    # The MIB picker fills the notification and one row per object it carries.
    page.select_option("#send-picker", "IF-MIB::linkDown")
    expect(page.locator("#send-oid")).to_have_value("IF-MIB::linkDown")
    oids = page.get_by_label("Var-bind OID")
    expect(oids).to_have_count(3)
    values = page.get_by_label("Var-bind value")
    for i, value in enumerate(["5", "1", "2"]):
        values.nth(i).fill(value)
    page.click("#send-submit")
    expect(page.locator("#send-result")).to_contain_text(f"sent to {target.host}:{target.port}")

    page.click("#tab-ledger")
    row = page.locator(".vlist .vrow:not([hidden])").filter(has_text="IF-MIB::linkDown")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ifOperStatus.1=down(2)")
    assert page_errors == []


def test_values_from_the_network_are_shown_as_text_never_as_html(
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ok_json(ui_api.delete("/api/traps"))
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "traps")
    payload = '<img src=x id=pwned onerror="document.title=1"><b id=bold>eth9</b>'
    netsnmp.snmptrap_v2c(
        ui_stack.trapd, LINK_DOWN, [("1.3.6.1.2.1.2.2.1.2.9", "s", payload)], community="public"
    ).check()
    row = page.locator(".vlist .vrow:not([hidden])").filter(has_text="IF-MIB::linkDown")
    expect(row).to_contain_text(payload)
    row.click()
    expect(page.get_by_role("dialog")).to_contain_text(payload)
    assert page.locator("#pwned, #bold").count() == 0
    goto(page, ui_stack, "dashboard")
    expect(page.get_by_label("Recent traps")).to_contain_text(payload)
    assert page.locator("#pwned, #bold").count() == 0
    assert page_errors == []
