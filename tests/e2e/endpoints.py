"""Where the end-to-end suite reaches the system under test: addresses and credentials.

One :class:`StackAddresses` describes a running snmplab, whether the harness started it
as local processes or it is a deployment (compose, Kubernetes) named by environment
variables. Tests only ever see this object, so the same test runs against both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A UDP ``host:port`` (an SNMP agent, a trap receiver, an events listener)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port_text = rest.removeprefix(":")
        else:
            host, _, port_text = text.rpartition(":")
        if not host or not port_text.isdigit():
            raise ValueError(f"{text!r} is not host:port")
        return cls(host, int(port_text))

    @property
    def netsnmp(self) -> str:
        """The agent argument for Net-SNMP tools (``udp:h:p`` / ``udp6:[h]:p``)."""
        if ":" in self.host:
            return f"udp6:[{self.host}]:{self.port}"
        return f"udp:{self.host}:{self.port}"

    @property
    def sockaddr(self) -> tuple[str, int]:
        return (self.host, self.port)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class StackAddresses:
    """A running snmplab as the tests reach it.

    ``simulator_from_walker`` / ``trapd_from_walker`` are the same agents as the *walker
    service* reaches them (in compose: ``simulator:1061``, not the published port); a
    test that asks the walker to walk the simulator passes these.
    ``events`` is the gateway's internal events listener when the tests can reach it
    (always locally; in a deployment only if ``SNMPLAB_E2E_EVENTS`` is set), else None.
    ``logs`` maps service name to its captured log file (local mode only).
    ``internal_secret`` is the services' shared secret (local mode only).
    """

    mode: str  # "local" or "deployment"
    gateway_url: str
    simulator: Endpoint
    trapd: Endpoint
    simulator_from_walker: Endpoint
    trapd_from_walker: Endpoint
    events: Endpoint | None
    username: str
    password: str
    community: str = "public"
    logs: dict[str, Path] = field(default_factory=dict)
    # The shared internal secret, known only when the harness started the services itself;
    # tests use it for positive controls (a correctly signed event does get through).
    internal_secret: str | None = None

    @property
    def ws_url(self) -> str:
        base = self.gateway_url.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://") + "/api/ws"
        return "ws://" + base.removeprefix("http://") + "/api/ws"

    @property
    def is_local(self) -> bool:
        return self.mode == "local"


# Deployment mode: the variables `make test-compose` (or a person) sets to point the suite
# at an already running snmplab. SNMPLAB_E2E_GATEWAY_URL switches the mode on.
ENV_GATEWAY_URL = "SNMPLAB_E2E_GATEWAY_URL"
ENV_SIMULATOR = "SNMPLAB_E2E_SIMULATOR"
ENV_TRAPD = "SNMPLAB_E2E_TRAPD"
ENV_SIMULATOR_FROM_WALKER = "SNMPLAB_E2E_SIMULATOR_FROM_WALKER"
ENV_TRAPD_FROM_WALKER = "SNMPLAB_E2E_TRAPD_FROM_WALKER"
ENV_EVENTS = "SNMPLAB_E2E_EVENTS"
ENV_USERNAME = "SNMPLAB_E2E_USERNAME"
ENV_PASSWORD = "SNMPLAB_E2E_PASSWORD"
ENV_COMMUNITY = "SNMPLAB_E2E_COMMUNITY"


def deployment_from_env(environ: os._Environ[str] | dict[str, str]) -> StackAddresses | None:
    """The deployment named by ``SNMPLAB_E2E_*``, or None to start local processes."""
    gateway_url = environ.get(ENV_GATEWAY_URL, "").strip()
    if not gateway_url:
        return None
    missing = [name for name in (ENV_SIMULATOR, ENV_TRAPD) if not environ.get(name, "").strip()]
    if missing:
        raise ValueError(
            f"{ENV_GATEWAY_URL} is set, so the e2e suite targets a deployment; it also needs "
            f"{', '.join(missing)} (host:port of the published SNMP ports)"
        )
    simulator = Endpoint.parse(environ[ENV_SIMULATOR])
    trapd = Endpoint.parse(environ[ENV_TRAPD])
    from_walker_sim = environ.get(ENV_SIMULATOR_FROM_WALKER, "").strip()
    from_walker_trapd = environ.get(ENV_TRAPD_FROM_WALKER, "").strip()
    events = environ.get(ENV_EVENTS, "").strip()
    return StackAddresses(
        mode="deployment",
        gateway_url=gateway_url.rstrip("/"),
        simulator=simulator,
        trapd=trapd,
        simulator_from_walker=Endpoint.parse(from_walker_sim) if from_walker_sim else simulator,
        trapd_from_walker=Endpoint.parse(from_walker_trapd) if from_walker_trapd else trapd,
        events=Endpoint.parse(events) if events else None,
        username=environ.get(ENV_USERNAME, "admin"),
        password=environ.get(ENV_PASSWORD, "admin123"),
        community=environ.get(ENV_COMMUNITY, "public"),
    )
