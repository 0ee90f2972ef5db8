"""Start the four services as separate local processes, each on its own loopback address.

The layout mirrors compose's separate hosts: gateway 127.0.0.11, simulator .12, trapd .13,
walker .14 (all of 127.0.0.0/8 is loopback on Linux). Ports are picked free at start, so
several runs on one machine never collide; every service gets a fresh data directory, the
same random internal secret, the gateway's events listener as its event target and the
gateway's URL for MIB artifacts.

Readiness is observed, never slept for: each control API answers ``/health``, the
gateway answers ``/api/health``, the simulator answers an ``snmpget``, and trapd reports
its receiver running (socket bound) and its MIB index loaded from the gateway. A service
that exits or never gets ready fails the start with its captured log.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from pydantic_settings import BaseSettings

from tests.e2e import netsnmp
from tests.e2e.endpoints import Endpoint, StackAddresses

REPO_ROOT = Path(__file__).resolve().parents[2]

GATEWAY_HOST = "127.0.0.11"
SIMULATOR_HOST = "127.0.0.12"
TRAPD_HOST = "127.0.0.13"
WALKER_HOST = "127.0.0.14"
GATEWAY_REPLICA_HOST = "127.0.0.15"  # a second gateway, started only by tests that ask

START_TIMEOUT = 90.0  # cold start + first MIB compile on a loaded 2-core machine (a deadline)
STOP_TIMEOUT = 5.0
INTERNAL_HEADER = "X-Snmplab-Internal"  # services/common/internal_auth.py HEADER


_ADDRESS_SUFFIXES = ("_url", "_host", "_port", "_target", "_targets", "_listen")


class StackStartError(RuntimeError):
    pass


def free_port(host: str, kind: int) -> int:
    """A port the kernel says is free on ``host`` for ``kind`` (SOCK_STREAM/SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def free_tcp_port(host: str) -> int:
    return free_port(host, socket.SOCK_STREAM)


def free_udp_port(host: str) -> int:
    return free_port(host, socket.SOCK_DGRAM)


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log_path: Path
    health_url: str
    module: str = ""  # services.<module>; default: the name
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.module or self.name}"],
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Its own process group, so teardown also reaches any worker it spawns.
            start_new_session=True,
        )

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def log_tail(self, max_lines: int = 80) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-max_lines:]) or "(log is empty)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None  # idempotent: teardown and atexit may both call
        if proc is not None and proc.poll() is None:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
                proc.wait(STOP_TIMEOUT)
        if proc is not None:
            # Children left in the group after the main process exited (a worker that
            # ignored SIGTERM): kill the group we created, by its id.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)


@dataclass
class LocalStack:
    """The four services as processes; :meth:`start` returns once all are ready."""

    workdir: Path
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    password: str = field(default_factory=lambda: "e2e-" + secrets.token_urlsafe(12))
    username: str = "admin"
    community: str = "public"
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    addresses: StackAddresses | None = None
    replica: ServiceProcess | None = None

    def plan(self) -> StackAddresses:
        gw_port = free_tcp_port(GATEWAY_HOST)
        events = Endpoint(GATEWAY_HOST, free_udp_port(GATEWAY_HOST))
        # Services send every event to both gateways from the start, as with replicas in
        # Kubernetes; the second listens only once a test starts it (until then the
        # datagrams to it are dropped by the kernel, which costs nothing).
        replica_port = free_tcp_port(GATEWAY_REPLICA_HOST)
        replica_events = Endpoint(GATEWAY_REPLICA_HOST, free_udp_port(GATEWAY_REPLICA_HOST))
        sim_control = free_tcp_port(SIMULATOR_HOST)
        simulator = Endpoint(SIMULATOR_HOST, free_udp_port(SIMULATOR_HOST))
        trapd_control = free_tcp_port(TRAPD_HOST)
        trapd = Endpoint(TRAPD_HOST, free_udp_port(TRAPD_HOST))
        walker_control = free_tcp_port(WALKER_HOST)

        gateway_url = f"http://{GATEWAY_HOST}:{gw_port}"
        sim_url = f"http://{SIMULATOR_HOST}:{sim_control}"
        trapd_url = f"http://{TRAPD_HOST}:{trapd_control}"
        walker_url = f"http://{WALKER_HOST}:{walker_control}"

        base = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
        base.update(
            {
                "PYTHONUNBUFFERED": "1",
                "SNMPLAB_INTERNAL_SECRET": self.secret,
                "SNMPLAB_EVENTS_TARGETS": f"{events},{replica_events}",
                "SNMPLAB_GATEWAY_URL": gateway_url,
                "SNMPLAB_LOG_LEVEL": "INFO",
                # The services must not reach for the developer's proxy on loopback.
                "NO_PROXY": "*",
                "no_proxy": "*",
            }
        )
        data = self.workdir / "data"
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)

        def env(extra: dict[str, str]) -> dict[str, str]:
            return {**base, **extra}

        def gateway(name: str, host: str, port: int, listen: Endpoint) -> ServiceProcess:
            url = f"http://{host}:{port}"
            return ServiceProcess(
                name,
                env(
                    {
                        "SNMPLAB_GATEWAY_HOST": host,
                        "SNMPLAB_GATEWAY_PORT": str(port),
                        "SNMPLAB_EVENTS_LISTEN": str(listen),
                        "SNMPLAB_SIMULATOR_URL": sim_url,
                        "SNMPLAB_TRAPD_URL": trapd_url,
                        "SNMPLAB_WALKER_URL": walker_url,
                        "SNMPLAB_GATEWAY_DATA_DIR": str(data / name),
                        "SNMPLAB_ADMIN_USERNAME": self.username,
                        "SNMPLAB_ADMIN_PASSWORD": self.password,
                    }
                ),
                logs / f"{name}.log",
                f"{url}/api/health",
                module="gateway",
            )

        self.replica = gateway(
            "gateway-replica", GATEWAY_REPLICA_HOST, replica_port, replica_events
        )
        self.services = {
            "gateway": gateway("gateway", GATEWAY_HOST, gw_port, events),
            "simulator": ServiceProcess(
                "simulator",
                env(
                    {
                        "SNMPLAB_SIMULATOR_CONTROL_HOST": SIMULATOR_HOST,
                        "SNMPLAB_SIMULATOR_CONTROL_PORT": str(sim_control),
                        "SNMPLAB_SIMULATOR_SNMP_HOST": simulator.host,
                        "SNMPLAB_SIMULATOR_SNMP_PORT": str(simulator.port),
                        "SNMPLAB_SIMULATOR_COMMUNITY": self.community,
                        "SNMPLAB_SIMULATOR_AUTOSTART": "true",
                        "SNMPLAB_SIMULATOR_DATA_DIR": str(data / "simulator"),
                    }
                ),
                logs / "simulator.log",
                f"{sim_url}/health",
            ),
            "trapd": ServiceProcess(
                "trapd",
                env(
                    {
                        "SNMPLAB_TRAPD_CONTROL_HOST": TRAPD_HOST,
                        "SNMPLAB_TRAPD_CONTROL_PORT": str(trapd_control),
                        "SNMPLAB_TRAPD_SNMP_HOST": trapd.host,
                        "SNMPLAB_TRAPD_SNMP_PORT": str(trapd.port),
                        "SNMPLAB_TRAPD_RESOLVE_MIBS": "true",
                        "SNMPLAB_TRAPD_AUTOSTART": "true",
                        "SNMPLAB_TRAPD_DATA_DIR": str(data / "trapd"),
                        "SNMPLAB_TRAPD_WALKER_URL": walker_url,
                    }
                ),
                logs / "trapd.log",
                f"{trapd_url}/health",
            ),
            "walker": ServiceProcess(
                "walker",
                env(
                    {
                        "SNMPLAB_WALKER_CONTROL_HOST": WALKER_HOST,
                        "SNMPLAB_WALKER_CONTROL_PORT": str(walker_control),
                        "SNMPLAB_WALKER_DATA_DIR": str(data / "walker"),
                        "SNMPLAB_WALKER_SIMULATOR_URL": sim_url,
                        # /walk/execute without a target walks the simulator, as before.
                        "SNMPLAB_WALKER_DEFAULT_TARGET": simulator.host,
                        "SNMPLAB_WALKER_DEFAULT_PORT": str(simulator.port),
                    }
                ),
                logs / "walker.log",
                f"{walker_url}/health",
            ),
        }
        self._trapd_status_url = f"{trapd_url}/traps/status"
        self.addresses = StackAddresses(
            mode="local",
            gateway_url=gateway_url,
            simulator=simulator,
            trapd=trapd,
            simulator_from_walker=simulator,
            trapd_from_walker=trapd,
            events=events,
            username=self.username,
            password=self.password,
            community=self.community,
            logs={name: svc.log_path for name, svc in self.services.items()},
            internal_secret=self.secret,
        )
        return self.addresses

    def unset_address_settings(self) -> dict[str, list[str]]:
        """Address-like settings (``*_url``, ``*_host``, ``*_port``, ``*_target``,
        ``*_targets``, ``*_listen``) a service declares but the harness does not set: left
        at their all-in-one defaults they would point at 127.0.0.1 and the default ports,
        i.e. at nothing, or at someone else's services."""
        import importlib  # only the settings classes, to keep the harness in step with them

        out: dict[str, list[str]] = {}
        for name, svc in self.services.items():
            module = importlib.import_module(f"services.{svc.module or name}.config")
            classes = [
                obj
                for obj in vars(module).values()
                if isinstance(obj, type)
                and issubclass(obj, BaseSettings)
                and obj.__module__ == module.__name__
            ]
            missing = [
                f"SNMPLAB_{field.upper()}"
                for cls in classes
                for field in cls.model_fields
                if field.endswith(_ADDRESS_SUFFIXES) and f"SNMPLAB_{field.upper()}" not in svc.env
            ]
            if missing:
                out[name] = missing
        return out

    def start(self) -> StackAddresses:
        addresses = self.plan()
        unset = self.unset_address_settings()
        if unset:
            warnings.warn(
                f"the e2e harness does not set these address settings: {unset}; "
                "add them to tests/e2e/local_stack.py",
                stacklevel=2,
            )
        missing = [
            n for n in self.services if not (REPO_ROOT / "services" / n / "__main__.py").exists()
        ]
        if missing:
            raise StackStartError(
                f"cannot start the e2e stack: services/{{{','.join(missing)}}}/__main__.py "
                "does not exist yet (`python -m services.<name>` must start the service)"
            )
        # If pytest is interrupted before fixture teardown runs, still leave no processes.
        atexit.register(self.stop)
        try:
            for svc in self.services.values():
                svc.start()
            self._wait_ready(addresses)
        except BaseException:
            self.stop()
            raise
        return addresses

    def _wait_ready(self, addresses: StackAddresses) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        pending = {name: "not answering /health yet" for name in self.services}
        pending["simulator snmp"] = "no answer to snmpget yet"
        pending["trapd receiver"] = "receiver not running yet"
        pending["trapd MIB names"] = "no MIB index from the gateway yet (mibs_loaded)"
        headers = {INTERNAL_HEADER: self.secret}
        interval = 0.05
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while pending:
                for name, svc in self.services.items():
                    code = svc.exited()
                    if code is not None:
                        raise StackStartError(
                            f"{name} exited with code {code} during start-up\n"
                            f"--- {name} log ---\n{svc.log_tail()}"
                        )
                for name, svc in self.services.items():
                    if name in pending and _answers(http, svc.health_url):
                        del pending[name]
                if "simulator snmp" in pending and "simulator" not in pending:
                    probe = netsnmp.snmpget(
                        addresses.simulator, "1.3.6.1.2.1.1.3.0",
                        community=self.community, timeout=0.3, retries=0,
                    )  # fmt: skip
                    if probe.ok:
                        del pending["simulator snmp"]
                if "trapd" not in pending and (
                    "trapd receiver" in pending or "trapd MIB names" in pending
                ):
                    with contextlib.suppress(httpx.HTTPError, ValueError):
                        status = http.get(self._trapd_status_url, headers=headers)
                        body = status.json() if status.status_code == 200 else {}
                        if body.get("running") is True:
                            pending.pop("trapd receiver", None)
                        # The gateway compiles the MIB library after it starts (seconds on
                        # a fresh data dir); until trapd has it, traps arrive unresolved.
                        if body.get("mibs_loaded") is True:
                            pending.pop("trapd MIB names", None)
                if not pending:
                    return
                if time.monotonic() > deadline:
                    logs = "\n".join(
                        f"--- {n} log ---\n{s.log_tail()}" for n, s in self.services.items()
                    )
                    raise StackStartError(
                        f"e2e stack not ready within {START_TIMEOUT} s: "
                        f"{'; '.join(f'{k}: {v}' for k, v in pending.items())}\n{logs}"
                    )
                time.sleep(interval)
                interval = min(interval * 1.5, 0.3)

    def start_replica(self) -> str:
        """Start the second gateway (same secret, same services, its own data and users'
        sessions); returns its URL once ``/api/health`` answers."""
        replica = self.replica
        assert replica is not None, "plan() first"
        if replica.name not in self.services:
            self.services[replica.name] = replica
            replica.start()
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2.0, trust_env=False) as http:
            while not _answers(http, replica.health_url):
                code = replica.exited()
                if code is not None or time.monotonic() > deadline:
                    raise StackStartError(
                        f"gateway replica not ready (exit code {code})\n{replica.log_tail()}"
                    )
                time.sleep(0.1)
        return replica.health_url.removesuffix("/api/health")

    def stop(self) -> None:
        # Reverse order: the gateway goes last, so services' last events are not refused.
        for svc in reversed(list(self.services.values())):
            svc.stop()

    def dead_services(self) -> dict[str, int]:
        """Services that exited while the suite ran (their exit codes)."""
        out: dict[str, int] = {}
        for name, svc in self.services.items():
            code = svc.exited()
            if code is not None:
                out[name] = code
        return out


def _answers(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url).status_code == 200
    except httpx.HTTPError:
        return False
