"""When the gateway goes away the page says so, reconnects by itself, and catches up on
the traps that arrived meanwhile (``/api/ws?after_seq=N``), with no gap and no duplicate."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import goto, login, open_page
from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses
from tests.e2e.local_stack import LocalStack
from tests.e2e.polling import wait_until

pytestmark = pytest.mark.browser

LINK_UP = "1.3.6.1.6.3.1.1.5.4"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"


def _health(url: str) -> bool:
    try:
        with httpx.Client(timeout=1, trust_env=False) as c:
            return c.get(f"{url}/api/health").status_code == 200
    except httpx.HTTPError:
        return False


def test_reconnect_resumes_after_the_last_trap_seen(
    ui_stack: StackAddresses,
    ui_local_stack: LocalStack,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    ok_json(ui_api.delete("/api/traps"))
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "traps")
    rows = page.locator(".vlist .vrow:not([hidden])")

    def send(index: int) -> None:
        netsnmp.snmptrap_v2c(
            ui_stack.trapd, LINK_UP, [(f"{IF_INDEX}.{index}", "i", str(index))], community="public"
        ).check()

    send(101)
    expect(rows.filter(has_text="ifIndex.101=101")).to_have_count(1)

    gateway = ui_local_stack.services["gateway"]
    gateway.stop()
    expect(page.locator("#conn")).not_to_have_attribute("data-state", "online")
    # trapd keeps receiving and storing while the gateway is away.
    for index in (102, 103, 104):
        send(index)
    gateway.start()
    wait_until(lambda: _health(ui_stack.gateway_url), bool, timeout=30, what="gateway back")

    # The backoff reconnects; the session survives the restart; the missed traps replay.
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=40_000)
    for index in (102, 103, 104):
        expect(rows.filter(has_text=f"ifIndex.{index}={index}")).to_have_count(1)
    expect(rows.filter(has_text="ifIndex.101=101")).to_have_count(1)
    expect(rows).to_have_count(4)
    assert page_errors == []
