"""Login, a wrong password, logout; a password change closes the user's other session."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import goto, login, open_page, screenshot
from tests.e2e.api_client import ok_json
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser


def test_wrong_password_then_login_then_logout(
    ui_stack: StackAddresses, new_context: Callable[..., BrowserContext], page_errors: list[str]
) -> None:
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    expect(page.locator("#login-view")).to_be_visible()
    screenshot(page, "login-light")

    page.fill("#login-username", ui_stack.username)
    page.fill("#login-password", ui_stack.password + "-wrong")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Wrong username or password.")
    expect(page.locator("#app-view")).to_be_hidden()

    login(page, ui_stack)
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator("#user-name")).to_have_text(ui_stack.username)

    page.click("#user-menu-button")
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.locator("#login-view")).to_be_visible()
    # The token is gone: a reload stays on the login form.
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#app-view")).to_be_hidden()
    assert page_errors == []


def test_password_change_closes_the_other_session(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    other = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(other, ui_stack)
    goto(other, ui_stack, "dashboard")

    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "settings")
    new_password = ui_stack.password + "-Changed!1"
    page.fill("#set-current", ui_stack.password)
    page.fill("#set-password", new_password)
    page.fill("#set-password2", new_password)
    page.click("#set-auth-submit")
    page.get_by_role("dialog").get_by_role("button", name="Change password").click()
    try:
        expect(page.locator(".toast.success")).to_contain_text("Other sessions were signed out")
        # The other browser is told at once over its WebSocket (close code 4001).
        expect(other.locator("#login-view")).to_be_visible()
        expect(other.locator("#login-error")).to_be_visible()
        # This session stays logged in and keeps working.
        goto(page, ui_stack, "dashboard")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        # The new password logs in.
        login(other, ui_stack, password=new_password)
    finally:
        # Put the old password back for the rest of the session's tests.
        with httpx.Client(base_url=ui_stack.gateway_url, timeout=10, trust_env=False) as c:
            token = ok_json(
                c.post(
                    "/api/login",
                    json={"username": ui_stack.username, "password": new_password},
                )
            )
            assert isinstance(token, dict)
            ok_json(
                c.post(
                    "/api/settings/auth",
                    headers={"X-Auth-Token": token["token"]},
                    json={"current_password": new_password, "password": ui_stack.password},
                )
            )
    assert page_errors == []
