"""`make run`'s launcher: four services under supervisord, from nothing to Ctrl-C.

Runs ``deploy/allinone/launch.py`` (what ``make run`` runs) with a fresh data directory
and free ports, as a user would in a terminal, and checks what the user is promised: the
URL and the login printed once the gateway answers, the default login working, a
simulated agent answering ``snmpget``, one process per service, logs and a private secret
under the data directory, and Ctrl-C stopping every service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e import netsnmp
from tests.e2e.endpoints import Endpoint
from tests.e2e.local_stack import free_tcp_port, free_udp_port

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "deploy" / "allinone" / "launch.py"
HOST = "127.0.0.1"  # the all-in-one default; the ports are free ones for this test
SERVICES = ("gateway", "simulator", "trapd", "walker")
BANNER = "snmplab is running"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SNMPLAB_E2E_GATEWAY_URL")),
    reason="tests `make run` itself, not a deployment",
)


def allinone_env() -> tuple[dict[str, str], int, Endpoint]:
    gateway, events = free_tcp_port(HOST), free_udp_port(HOST)
    sim_control, sim_snmp = free_tcp_port(HOST), free_udp_port(HOST)
    trapd_control, trapd_snmp = free_tcp_port(HOST), free_udp_port(HOST)
    walker_control = free_tcp_port(HOST)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
    env.update(
        {
            "NO_PROXY": "*",
            "SNMPLAB_GATEWAY_PORT": str(gateway),
            "SNMPLAB_GATEWAY_URL": f"http://{HOST}:{gateway}",
            "SNMPLAB_EVENTS_LISTEN": f"{HOST}:{events}",
            "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{events}",
            "SNMPLAB_SIMULATOR_CONTROL_PORT": str(sim_control),
            "SNMPLAB_SIMULATOR_URL": f"http://{HOST}:{sim_control}",
            "SNMPLAB_WALKER_SIMULATOR_URL": f"http://{HOST}:{sim_control}",
            "SNMPLAB_SIMULATOR_SNMP_HOST": HOST,
            "SNMPLAB_SIMULATOR_SNMP_PORT": str(sim_snmp),
            "SNMPLAB_WALKER_DEFAULT_PORT": str(sim_snmp),
            "SNMPLAB_TRAPD_CONTROL_PORT": str(trapd_control),
            "SNMPLAB_TRAPD_URL": f"http://{HOST}:{trapd_control}",
            "SNMPLAB_TRAPD_SNMP_HOST": HOST,
            "SNMPLAB_TRAPD_SNMP_PORT": str(trapd_snmp),
            "SNMPLAB_WALKER_CONTROL_PORT": str(walker_control),
            "SNMPLAB_WALKER_URL": f"http://{HOST}:{walker_control}",
            "SNMPLAB_TRAPD_WALKER_URL": f"http://{HOST}:{walker_control}",
        }
    )
    return env, gateway, Endpoint(HOST, sim_snmp)


def wait_for_output(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = path.read_text(errors="replace")
        if text in output:
            return output
        if process.poll() is not None:
            pytest.fail(f"the launcher exited ({process.returncode}) before {text!r}:\n{output}")
        time.sleep(0.1)
    pytest.fail(f"no {text!r} within {timeout}s:\n{path.read_text(errors='replace')}")


def service_pids(data: Path) -> dict[str, int]:
    config = data / "run" / "supervisord.conf"
    ctl = Path(sys.executable).with_name("supervisorctl")
    result = subprocess.run(
        [str(ctl), "-c", str(config), "pid", *SERVICES],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return dict(zip(SERVICES, (int(p) for p in result.stdout.split()), strict=True))


@pytest.fixture
def launched(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path, int, Endpoint]]:
    env, gateway_port, simulator = allinone_env()
    data, output = tmp_path / "data", tmp_path / "launcher.out"
    with output.open("wb") as sink:
        # Its own session, like a terminal's foreground job, so Ctrl-C can be sent to it.
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--data", str(data)],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process, data, output, gateway_port, simulator
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_make_run_starts_four_services_and_ctrl_c_stops_them(
    launched: tuple[subprocess.Popen[bytes], Path, Path, int, Endpoint],
) -> None:
    process, data, output, gateway_port, simulator = launched
    url = f"http://{HOST}:{gateway_port}"

    printed = wait_for_output(output, BANNER, process, timeout=90)
    assert url in printed and "admin / admin123" in printed, printed

    with httpx.Client(base_url=url, timeout=10, trust_env=False) as client:
        assert client.get("/api/health").status_code == 200
        login = client.post("/api/login", json={"username": "admin", "password": "admin123"})
        assert login.status_code == 200 and login.json().get("token"), login.text
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()

    got = netsnmp.snmpget(simulator, "1.3.6.1.2.1.1.1.0", timeout=1.0, retries=5)
    assert got.ok, got

    secret = data / "internal_secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) == 64

    pids = service_pids(data)
    assert len(set(pids.values())) == 4, pids
    for name in SERVICES:
        assert (data / name).is_dir(), name
        assert (data / "logs" / f"{name}.log").is_file(), name

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    # supervisord stops the four in turn, each given stopwaitsecs (10 s) to exit.
    assert process.wait(timeout=60) == 0, output.read_text()
    for name, pid in pids.items():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
            pytest.fail(f"{name} (pid {pid}) still runs after Ctrl-C")
