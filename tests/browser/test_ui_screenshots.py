"""Every page in light and dark mode, with live data, saved under test-output/screenshots/.

The images are for people: a reviewer looks at them to see what users see. The test also
checks that each page renders without a script error and shows its title.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    ensure_simulator_running,
    goto,
    login,
    open_page,
    screenshot,
    unlabelled_controls,
)
from tests.e2e import netsnmp
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser

PAGES = [
    ("dashboard", "Dashboard"),
    ("simulator", "SNMP Simulator"),
    ("walker", "Walk & Parse"),
    ("traps", "Trap Manager"),
    ("traps/send", "Trap Manager"),
    ("traps/listeners", "Trap Manager"),
    ("browser", "MIB Browser"),
    ("mibs", "MIB Manager"),
    ("settings", "Settings"),
]
IF_INDEX_2 = ("1.3.6.1.2.1.2.2.1.1.2", "i", "2")
TRAPS = [
    ("1.3.6.1.6.3.1.1.5.3", [IF_INDEX_2, ("1.3.6.1.2.1.2.2.1.8.2", "i", "2")]),
    ("1.3.6.1.6.3.1.1.5.4", [IF_INDEX_2, ("1.3.6.1.2.1.2.2.1.8.2", "i", "1")]),
    ("1.3.6.1.6.3.1.1.5.1", []),
    ("1.3.6.1.6.3.1.1.5.5", []),
]  # fmt: skip


def _seed(stack: StackAddresses, api: httpx.Client) -> None:
    ensure_simulator_running(api)
    for trap_oid, varbinds in TRAPS:
        netsnmp.snmptrap_v2c(stack.trapd, trap_oid, varbinds, community=stack.community).check()
    target = stack.simulator_from_walker
    ok_json(
        api.post(
            "/api/walk",
            json={"target": target.host, "port": target.port, "community": stack.community,
                  "oid": "1.3.6.1.2.1.1"},
        )
    )  # fmt: skip


def _traffic(stack: StackAddresses, stop: threading.Event) -> None:
    """Traps and SNMP requests until told to stop, so that the live charts have a shape.

    Bounded by time, not by count: a round takes 75 ms on a quiet machine and far longer
    on a busy one, and the charts need several seconds of traffic either way.
    """
    deadline = time.monotonic() + 30
    while not stop.is_set() and time.monotonic() < deadline:
        for _ in range(3):
            netsnmp.snmptrap_v2c(stack.trapd, "1.3.6.1.6.3.1.1.5.4", [], community=stack.community)
        netsnmp.snmpwalk(stack.simulator, "1.3.6.1.2.1.1", community=stack.community)
        stop.wait(0.1)


def _settle(page: Page, route: str) -> None:
    """Wait for what each page loads, so that the picture shows data, not spinners."""
    if route == "traps":
        expect(page.locator(".vlist .vrow:not([hidden])").first).to_be_visible()
    elif route == "browser":
        expect(page.get_by_role("treeitem").first).to_be_visible()
    elif route == "mibs":
        expect(page.locator("#mib-list li").first).to_be_visible()
    elif route == "simulator":
        expect(page.locator("#sim-badge")).to_have_text("RUNNING")
        expect(page.locator("#panel-devices table")).to_be_visible()
    elif route == "walker":
        expect(page.get_by_label("Walk history").locator("li").first).to_be_visible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_renders_and_is_saved_as_a_screenshot(
    theme: str,
    ui_stack: StackAddresses,
    ui_api: httpx.Client,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    _seed(ui_stack, ui_api)
    page = open_page(new_context(theme), ui_stack.gateway_url, page_errors)
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    screenshot(page, f"login-{theme}")
    login(page, ui_stack)
    goto(page, ui_stack, "dashboard")
    stop = threading.Event()
    traffic = threading.Thread(target=_traffic, args=(ui_stack, stop))
    traffic.start()
    try:
        # A few seconds of line on both charts (each sample is one second of rate).
        page.wait_for_function(
            "() => ['dash-trap-chart', 'dash-req-chart'].every("
            "(id) => Number(document.getElementById(id)?.dataset.active || 0) >= 5)",
            timeout=25_000,
        )
    finally:
        stop.set()
        traffic.join()
    for route, title in PAGES:
        goto(page, ui_stack, route)
        expect(page.locator("#page-title")).to_have_text(title)
        _settle(page, route)
        screenshot(page, f"{route.replace('/', '-')}-{theme}")
        assert unlabelled_controls(page) == [], f"controls without a label on #{route}"

    # The views behind a click: a trap's detail, a walk result, a MIB object's details.
    goto(page, ui_stack, "traps")
    page.locator(".vlist .vrow:not([hidden])").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot(page, f"traps-detail-{theme}")
    page.keyboard.press("Escape")

    goto(page, ui_stack, "walker")
    page.get_by_label("Walk history").get_by_role("button", name="Load walk").first.click()
    expect(page.locator("#walk-count")).not_to_have_text("0 items")
    screenshot(page, f"walker-result-{theme}")

    goto(page, ui_stack, "browser")
    page.fill("#br-search", "ifOperStatus")
    page.press("#br-search", "Enter")
    page.get_by_role("treeitem").filter(has_text="ifOperStatus").first.click()
    expect(page.locator("#br-details")).to_contain_text("IF-MIB::ifOperStatus")
    screenshot(page, f"browser-details-{theme}")

    goto(page, ui_stack, "simulator")
    page.click("#tab-data")
    expect(page.locator("#sim-data")).not_to_have_value("")
    screenshot(page, f"simulator-data-{theme}")
    page.click("#tab-activity")
    screenshot(page, f"simulator-activity-{theme}")
    page.click("#tab-devices")
    page.get_by_role("button", name="Open device default").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot(page, f"simulator-device-{theme}")
    page.keyboard.press("Escape")
    assert page_errors == []
