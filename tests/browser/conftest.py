"""Browser tests: the web UI in headless Chromium (Debian's /usr/bin/chromium) via Playwright.

The services run as real processes, started by the e2e harness's :class:`LocalStack`
(its own data directories and free ports, so this suite and ``tests/e2e`` can run in one
pytest session, each with its own stack). The gateway serves ``web/`` at ``/``, as in the
all-in-one mode. Nothing is mocked: the pages talk to the real REST API and WebSocket.

Every test gets a fresh browser context (its own sessionStorage, i.e. its own login).
Screenshots go to ``test-output/screenshots/``. Playwright cannot download a browser here,
so Chromium is Debian's package (``tools/install-system-deps.sh`` installs it).

Set ``SNMPLAB_BROWSER_GATEWAY_URL`` (+ ``_SIMULATOR``/``_TRAPD``/``_PASSWORD``, as for
``SNMPLAB_E2E_*``) to point the tests at a running deployment instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e import netsnmp
from tests.e2e.api_client import api_client, new_token, ok_json
from tests.e2e.endpoints import Endpoint, StackAddresses
from tests.e2e.local_stack import LocalStack

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parents[1]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("SNMPLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}
UI_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _deployment_from_env() -> StackAddresses | None:
    url = os.environ.get("SNMPLAB_BROWSER_GATEWAY_URL")
    if not url:
        return None
    sim = Endpoint.parse(os.environ["SNMPLAB_BROWSER_SIMULATOR"])
    trapd = Endpoint.parse(os.environ["SNMPLAB_BROWSER_TRAPD"])
    return StackAddresses(
        mode="deployment",
        gateway_url=url.rstrip("/"),
        simulator=sim,
        trapd=trapd,
        simulator_from_walker=Endpoint.parse(
            os.environ.get("SNMPLAB_BROWSER_SIMULATOR_FROM_WALKER", str(sim))
        ),
        trapd_from_walker=trapd,
        events=None,
        username=os.environ.get("SNMPLAB_BROWSER_USERNAME", "admin"),
        password=os.environ.get("SNMPLAB_BROWSER_PASSWORD", "admin123"),
    )


_LOCAL = pytest.StashKey[LocalStack]()


@pytest.fixture(scope="session")
def ui_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackAddresses]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
    netsnmp.require_tools()
    deployment = _deployment_from_env()
    if deployment is not None:
        yield deployment
        return
    local = LocalStack(tmp_path_factory.mktemp("browser-stack"))
    request.config.stash[_LOCAL] = local
    try:
        yield local.start()
    finally:
        local.stop()


@pytest.fixture
def ui_local_stack(request: pytest.FixtureRequest, ui_stack: StackAddresses) -> LocalStack:
    """The processes behind ``ui_stack``, for tests that restart one; skips for a deployment."""
    local = request.config.stash.get(_LOCAL, None)
    if local is None:
        pytest.skip("needs the locally started stack (restarts a service)")
    return local


@pytest.fixture
def ui_api(ui_stack: StackAddresses) -> Iterator[httpx.Client]:
    """A logged-in REST client for set-up and clean-up around the browser steps.

    Per test: the password-change test signs out every other session of the user."""
    with api_client(ui_stack, new_token(ui_stack)) as client:
        yield client


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(chromium: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(theme="light")``: a fresh browser profile; closed after the test."""
    opened: list[BrowserContext] = []

    def make(theme: str = "light") -> BrowserContext:
        ctx = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)  # type: ignore[arg-type]
        ctx.set_default_timeout(UI_TIMEOUT_MS)
        ctx.add_init_script(f"localStorage.setItem('snmplab_theme', {theme!r});")
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught page errors collected by :func:`open_page`; a test may assert it is empty."""
    return []


def open_page(ctx: BrowserContext, base_url: str, errors: list[str] | None = None) -> Page:
    page = ctx.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # The gateway's CSP forbids inline script: a violation would be a bug in web/.
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
    page.goto(base_url + "/")
    return page


def login(page: Page, stack: StackAddresses, password: str | None = None) -> None:
    """Log in through the form and wait until the live connection is online."""
    page.fill("#login-username", stack.username)
    page.fill("#login-password", stack.password if password is None else password)
    page.click("#login-submit")
    page.wait_for_selector("#app-view:not([hidden])")
    page.wait_for_selector('#conn[data-state="online"]')


def goto(page: Page, stack: StackAddresses, route: str) -> None:
    page.goto(f"{stack.gateway_url}/#{route}")
    page.wait_for_selector(f'#main[data-page="{route.split("/")[0]}"]')


UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
    && !el.getAttribute('aria-labelledby') && !el.title
    && !(el.tagName === 'BUTTON' && (el.textContent || '').trim()))
  .map((el) => el.outerHTML.slice(0, 120))
"""


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls and buttons that a screen reader could not name."""
    found = page.evaluate(UNLABELLED_CONTROLS)
    assert isinstance(found, list)
    return [str(x) for x in found]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ensure_simulator_running(api: httpx.Client) -> None:
    status = ok_json(api.get("/api/simulator/status"))
    assert isinstance(status, dict)
    if status.get("running") is not True:
        ok_json(api.post("/api/simulator/start", json={}))
