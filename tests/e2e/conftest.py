"""End-to-end harness: all four services as separate processes, driven from outside.

Tests here talk to snmplab only through its public interfaces -- REST and the WebSocket on
the gateway, SNMP on the wire -- with Net-SNMP's command-line tools as the independent
peer. No mocks, no imports of service code.

Two modes, chosen by the environment
====================================

**Local processes (default).** One stack per pytest session: ``python -m
services.<name>`` for gateway, simulator, trapd and walker, each on its own loopback
address (gateway 127.0.0.11, simulator .12, trapd .13, walker .14; a second gateway on
.15 when a test asks for ``gateway_replica``), ports picked free at session start, a fresh
data directory per service under pytest's tmp dir, one random ``SNMPLAB_INTERNAL_SECRET``,
a random admin password. The harness waits until every
``/health`` answers, the simulator answers ``snmpget`` and trapd's receiver runs with
the gateway's MIB index loaded (``mibs_loaded``; a fresh library compiles for ~10 s), then
tears everything down (SIGTERM, then SIGKILL) at the end, even after failures. Service
logs are captured to files; a failing test shows the lines each service logged during
it, and a start-up failure shows the logs.

**Deployment by URL.** Set these and the same tests target a running deployment (compose,
Kubernetes) through its published interfaces only; nothing is started:

==========================================  ==============================================
``SNMPLAB_E2E_GATEWAY_URL``                  gateway / nginx base URL, e.g.
                                             ``http://127.0.0.1:18080`` (switches mode on)
``SNMPLAB_E2E_SIMULATOR``                    published simulator SNMP ``host:port``
                                             (e.g. ``127.0.0.1:11061``), required
``SNMPLAB_E2E_TRAPD``                        published trap receiver ``host:port``
                                             (e.g. ``127.0.0.1:11162``), required
``SNMPLAB_E2E_USERNAME`` / ``_PASSWORD``     login (default ``admin`` / ``admin123``)
``SNMPLAB_E2E_COMMUNITY``                    simulator community (default ``public``)
``SNMPLAB_E2E_SIMULATOR_FROM_WALKER``        the simulator as the *walker service* reaches
                                             it, e.g. ``simulator:1061`` in compose
                                             (default: ``SNMPLAB_E2E_SIMULATOR``)
``SNMPLAB_E2E_TRAPD_FROM_WALKER``            trapd as the walker reaches it, e.g.
                                             ``trapd:1162`` (default: ``SNMPLAB_E2E_TRAPD``)
``SNMPLAB_E2E_EVENTS``                       the gateway's internal UDP events listener, if
                                             the tests can reach it (normally not published;
                                             tests needing it are skipped without it)
==========================================  ==============================================

Writing an e2e test (for every engineer)
========================================

Put ``tests/e2e/test_<your area>.py`` next to this file, start it with
``pytestmark = pytest.mark.e2e`` (added automatically too), and use the fixtures:

- ``stack`` -- :class:`tests.e2e.endpoints.StackAddresses`: ``gateway_url``, ``ws_url``,
  ``simulator`` / ``trapd`` (:class:`Endpoint`, ``.netsnmp`` gives ``udp:h:p``),
  ``simulator_from_walker``, ``events`` (or None), ``username``, ``password``,
  ``community``, ``is_local``, ``internal_secret`` (local mode only: for positive
  controls, never to bypass the public interfaces under test).
- ``api`` -- a logged-in ``httpx.Client`` on the gateway (session-wide token);
  ``api_token`` is that token. ``tests.e2e.api_client.ok_json(resp)`` asserts 2xx.
- ``ws_connect`` -- ``ws_connect()`` opens a logged-in :class:`tests.e2e.ws_client.WsClient`
  (closed after the test); ``ws`` is one already opened whose ``full_state`` arrived.
  ``client.mark()`` then ``client.wait_for("trap", predicate, timeout, since=mark)``
  waits for a push without sleeping; each message carries its monotonic receipt time.
- ``tests.e2e.netsnmp`` -- ``snmpget`` (``next_=True``: getnext), ``snmpset``,
  ``snmpwalk``, ``snmpbulkwalk``, ``snmptrap_v2c``, ``snmptrap_v1``, ``snmpinform``
  (SNMPv3 via ``v3=V3User(...)``), ``run_tool`` for any other tool (argument lists, never a
  shell; wall-clock timeouts), ``parse_numeric`` / ``walk_lines`` for ``-On`` output and
  ``canonical(vb)`` -> ``(SMI type, value)`` to compare with the API's ``type``/``raw``.
  Tools run without MIBs (numeric OIDs) and with a private persistent dir.
- ``tests.e2e.polling.wait_until(probe, condition, timeout=...)`` for state only REST shows.
- ``tests.e2e.raw_udp.send_datagram`` / ``MALFORMED_SNMP`` for hand-made packets.
- ``gateway_replica`` -- a second gateway (local mode only, started on first use) that
  receives every event too: the same addresses with its own ``gateway_url`` / ``ws_url``.
- ``events_endpoint`` -- the gateway events listener; skips the test in a deployment that
  does not expose it.
- ``clean_traps`` -- empties the trap store before the test; ``simulator_running`` /
  ``trap_receiver_running`` make sure the simulator / trap receiver runs before and after
  the test (use them if you stop or reconfigure it).

The stack is shared by the whole session: leave it as you found it (restart what you stop,
use fresh names for what you create). Keep tests fast; the whole e2e suite stays < 2 min.
Run only the e2e suite with ``.venv/bin/python -m pytest tests/e2e -m e2e``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e import netsnmp
from tests.e2e.api_client import api_client, new_token, ok_json
from tests.e2e.endpoints import Endpoint, StackAddresses, deployment_from_env
from tests.e2e.local_stack import LocalStack
from tests.e2e.polling import wait_until
from tests.e2e.ws_client import WsClient

E2E_DIR = Path(__file__).resolve().parent
_LOCAL_STACK = pytest.StashKey[LocalStack]()
_LOG_OFFSETS = pytest.StashKey[dict[str, int]]()
DEPLOYMENT_READY_TIMEOUT = 90.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


# -- the stack ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackAddresses]:
    netsnmp.require_tools()
    deployment = deployment_from_env(os.environ)
    if deployment is not None:
        _wait_deployment_ready(deployment)
        yield deployment
        return
    local = LocalStack(tmp_path_factory.mktemp("e2e-stack"))
    request.config.stash[_LOCAL_STACK] = local
    try:
        yield local.start()
    finally:
        local.stop()


def _wait_deployment_ready(deployment: StackAddresses) -> None:
    """A deployment started by `docker compose up --wait` may still be settling."""

    def probe() -> bool:
        with httpx.Client(base_url=deployment.gateway_url, timeout=3, trust_env=False) as c:
            if c.get("/api/health").status_code != 200:
                return False
            token = new_token(deployment)
            status = c.get("/api/traps/status", headers={"X-Auth-Token": token})
            if status.status_code != 200:
                return False
            body = status.json()
            if body.get("running") is not True or body.get("mibs_loaded") is not True:
                return False
        got = netsnmp.snmpget(
            deployment.simulator, "1.3.6.1.2.1.1.3.0",
            community=deployment.community, timeout=0.5, retries=0,
        )  # fmt: skip
        return got.ok

    wait_until(
        probe,
        bool,
        timeout=DEPLOYMENT_READY_TIMEOUT,
        what=f"deployment at {deployment.gateway_url} ready (health, trap receiver, snmpget)",
    )


# -- clients --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def api_token(stack: StackAddresses) -> str:
    return new_token(stack)


@pytest.fixture(scope="session")
def api(stack: StackAddresses, api_token: str) -> Iterator[httpx.Client]:
    with api_client(stack, api_token) as client:
        yield client


@pytest.fixture
def ws_connect(stack: StackAddresses, api_token: str) -> Iterator[Callable[..., WsClient]]:
    opened: list[WsClient] = []

    def connect(token: str | None = None) -> WsClient:
        client = WsClient.with_token(stack.ws_url, api_token if token is None else token)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


@pytest.fixture
def ws(ws_connect: Callable[..., WsClient]) -> WsClient:
    client: WsClient = ws_connect()
    client.wait_for("full_state", timeout=5)
    return client


@pytest.fixture(scope="session")
def gateway_replica(request: pytest.FixtureRequest, stack: StackAddresses) -> StackAddresses:
    """A second gateway on 127.0.0.15 that receives every event too (local mode only;
    started on first use). Same services, same credentials, its own sessions."""
    local = request.config.stash.get(_LOCAL_STACK, None)
    if local is None:
        pytest.skip("a second gateway replica is started only in local mode")
    return dataclasses.replace(stack, gateway_url=local.start_replica())


@pytest.fixture
def events_endpoint(stack: StackAddresses) -> Endpoint:
    if stack.events is None:
        pytest.skip(
            "the gateway's internal events port is not reachable in this deployment "
            "(set SNMPLAB_E2E_EVENTS=host:port if it is published)"
        )
    return stack.events


# -- per-test isolation ---------------------------------------------------------------------


@pytest.fixture
def clean_traps(api: httpx.Client) -> None:
    ok_json(api.delete("/api/traps"))


def _ensure_running(api: httpx.Client, prefix: str) -> None:
    """``prefix`` is ``/api/simulator`` or ``/api/traps``: start it unless it runs."""
    status = ok_json(api.get(f"{prefix}/status"))
    assert isinstance(status, dict)
    if status.get("running") is not True:
        ok_json(api.post(f"{prefix}/start", json={}))
    wait_until(
        lambda: ok_json(api.get(f"{prefix}/status")),
        lambda s: isinstance(s, dict) and s.get("running") is True,
        timeout=10,
        what=f"{prefix} running",
    )


@pytest.fixture
def simulator_running(api: httpx.Client) -> Iterator[None]:
    _ensure_running(api, "/api/simulator")
    yield
    _ensure_running(api, "/api/simulator")


@pytest.fixture
def trap_receiver_running(api: httpx.Client) -> Iterator[None]:
    _ensure_running(api, "/api/traps")
    yield
    _ensure_running(api, "/api/traps")


# -- service logs in failure reports (local mode) ---------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    local = item.config.stash.get(_LOCAL_STACK, None)
    if local is None:
        return report
    if call.when == "setup" and _LOG_OFFSETS not in item.stash:
        item.stash[_LOG_OFFSETS] = {
            name: _size(svc.log_path) for name, svc in local.services.items()
        }
    if report.failed:
        offsets = item.stash.get(_LOG_OFFSETS, {})
        dead = local.dead_services()
        for name, svc in local.services.items():
            text = _read_from(svc.log_path, offsets.get(name, 0))
            state = f" (EXITED with code {dead[name]})" if name in dead else ""
            if text or state:
                report.sections.append((f"{name} log during this test{state}", text))
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_from(path: Path, offset: int, max_chars: int = 20_000) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return text[-max_chars:]
