"""Run snmplab all-in-one: the four services as separate processes under supervisord.

``make run`` calls this with the project's venv. It prepares ``./data`` (one directory per
service, logs, a persisted internal secret), writes the supervisord configuration from
``supervisord.conf.in``, starts supervisord in the foreground, and prints the URL and the
login once the gateway answers. Ctrl-C stops everything.

Settings come from ``SNMPLAB_*`` variables as for every other way of running snmplab; this
launcher only fills in the all-in-one defaults that the services cannot know (where ./data
is, the shared secret). Nothing here goes through a shell.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from string import Template
from types import FrameType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SERVICES = ("gateway", "simulator", "trapd", "walker")
SECRET_FILE = "internal_secret"
# The longest path a unix socket accepts on Linux is 107 bytes.
MAX_SOCKET_PATH = 100


def supervisor_value(text: str) -> str:
    """Escape for supervisord, which expands ``%(name)s`` in every value."""
    return text.replace("%", "%%")


def load_or_create_secret(data: Path) -> str:
    """The secret every service shares; made once, kept in data/ readable by the owner only."""
    path = data / SECRET_FILE
    if path.exists():
        secret = path.read_text().strip()
        if secret:
            return secret
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    os.chmod(path, 0o600)
    return secret


def apply_defaults(data: Path) -> None:
    """Set the all-in-one defaults in this process's environment, under what the user set.

    supervisord and through it every service inherit this environment, and the settings
    classes read here (URL, ports) see exactly what the services will see.
    """
    env = os.environ
    if not env.get("SNMPLAB_INTERNAL_SECRET"):
        env["SNMPLAB_INTERNAL_SECRET"] = load_or_create_secret(data)
    for name in SERVICES:
        env.setdefault(f"SNMPLAB_{name.upper()}_DATA_DIR", str(data / name))
    env.setdefault("SNMPLAB_WEB_DIR", str(ROOT / "web"))
    env.setdefault("SNMPLAB_MIB_STANDARD_DIR", str(ROOT / "build" / "standard-mibs"))
    env.setdefault("PYTHONUNBUFFERED", "1")


def busy_ports() -> list[str]:
    """The sockets the services will bind that something else holds already."""
    from services.common.config import parse_hostport
    from services.gateway.config import GatewaySettings
    from services.simulator.config import SimulatorSettings
    from services.trapd.config import TrapdSettings
    from services.walker.config import WalkerSettings

    gateway, simulator = GatewaySettings(), SimulatorSettings()
    trapd, walker = TrapdSettings(), WalkerSettings()
    events_host, events_port = parse_hostport(gateway.events_listen)
    tcp, udp = socket.SOCK_STREAM, socket.SOCK_DGRAM
    wanted = [
        (tcp, gateway.gateway_host, gateway.gateway_port, "SNMPLAB_GATEWAY_PORT"),
        (udp, events_host, events_port, "SNMPLAB_EVENTS_LISTEN and SNMPLAB_EVENTS_TARGETS"),
        (
            tcp,
            simulator.simulator_control_host,
            simulator.simulator_control_port,
            "SNMPLAB_SIMULATOR_CONTROL_PORT and SNMPLAB_SIMULATOR_URL",
        ),
        (
            udp,
            simulator.simulator_snmp_host,
            simulator.simulator_snmp_port,
            "SNMPLAB_SIMULATOR_SNMP_PORT",
        ),
        (
            tcp,
            trapd.trapd_control_host,
            trapd.trapd_control_port,
            "SNMPLAB_TRAPD_CONTROL_PORT and SNMPLAB_TRAPD_URL",
        ),
        (udp, trapd.trapd_snmp_host, trapd.trapd_snmp_port, "SNMPLAB_TRAPD_SNMP_PORT"),
        (
            tcp,
            walker.walker_control_host,
            walker.walker_control_port,
            "SNMPLAB_WALKER_CONTROL_PORT and SNMPLAB_WALKER_URL",
        ),
    ]
    busy = []
    for kind, host, port, variables in wanted:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, kind) as probe:
            if kind == tcp:
                # As the servers do, so a port in TIME_WAIT does not count as taken.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                proto = "tcp" if kind == tcp else "udp"
                busy.append(f"{host}:{port}/{proto} ({exc.strerror}); change {variables}")
    return busy


def write_config(data: Path, python: str) -> Path:
    logs = data / "logs"
    run = data / "run"
    for path in (logs, run, *(data / name for name in SERVICES)):
        path.mkdir(parents=True, exist_ok=True)
    socket = run / "supervisor.sock"
    if len(str(socket).encode()) > MAX_SOCKET_PATH:
        # A deep checkout would make the control socket path too long to bind.
        socket = Path("/tmp") / f"snmplab-{os.getuid()}-{secrets.token_hex(4)}.sock"
    program = Template((HERE / "program.conf.in").read_text())
    programs = "\n".join(
        program.substitute(
            name=name,
            priority=str(10 + index),
            python=supervisor_value(shlex.quote(python)),
            root=supervisor_value(str(ROOT)),
            logs=supervisor_value(str(logs)),
        )
        for index, name in enumerate(SERVICES)
    )
    config = Template((HERE / "supervisord.conf.in").read_text()).substitute(
        logs=supervisor_value(str(logs)),
        run=supervisor_value(str(run)),
        root=supervisor_value(str(ROOT)),
        socket=supervisor_value(str(socket)),
        programs=programs,
        user=supervisor_value(pwd.getpwuid(os.getuid()).pw_name),
        rpc_user="snmplab",
        rpc_password=secrets.token_hex(16),
    )
    path = run / "supervisord.conf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(config)
    return path


def gateway_address() -> tuple[str, str, str]:
    """(URL to open, admin user, password hint) as the gateway itself will read them."""
    from services.common.config import LOCAL_HOST
    from services.gateway.config import GatewaySettings

    settings = GatewaySettings()
    host = settings.gateway_host
    if host in ("0.0.0.0", "::", ""):
        host = LOCAL_HOST
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{settings.gateway_port}"
    password = (
        "(the value of SNMPLAB_ADMIN_PASSWORD)"
        if os.environ.get("SNMPLAB_ADMIN_PASSWORD")
        else settings.admin_password.get_secret_value()
    )
    return url, settings.admin_username, password


def announce_when_ready(
    url: str, user: str, password: str, logs: Path, stop: threading.Event
) -> None:
    deadline = time.monotonic() + 90
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                if response.status == 200:
                    break
        except (OSError, urllib.error.URLError):
            pass
        stop.wait(0.5)
    else:
        if not stop.is_set():
            print(
                f"\nsnmplab: the gateway did not answer at {url} yet; see the logs in {logs}",
                flush=True,
            )
        return
    line = "=" * 64
    print(
        f"\n{line}\n snmplab is running\n\n"
        f"   open      {url}\n"
        f"   login     {user} / {password}\n"
        f"   logs      {logs}/<service>.log\n\n"
        f" Press Ctrl-C to stop all services.\n{line}\n",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("SNMPLAB_RUN_DATA", ROOT / "data")),
        help="directory for the services' data, logs and secret (default: ./data)",
    )
    parser.add_argument(
        "--config-only",
        action="store_true",
        help="write the supervisord configuration and exit",
    )
    args = parser.parse_args(argv)
    data: Path = args.data.resolve()
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o700)

    apply_defaults(data)
    config = write_config(data, sys.executable)
    if args.config_only:
        print(config)
        return 0
    busy = busy_ports()
    if busy:
        print("snmplab: cannot start, these ports are in use:", file=sys.stderr)
        for line in busy:
            print(f"  {line}", file=sys.stderr)
        print("Is snmplab already running (`make run` in another terminal)?", file=sys.stderr)
        return 1
    url, user, password = gateway_address()

    supervisord = Path(sys.executable).with_name("supervisord")
    print(f"snmplab: starting {', '.join(SERVICES)} under supervisord ({config})", flush=True)
    child = subprocess.Popen([str(supervisord), "-n", "-c", str(config)], cwd=ROOT)

    def forward(signum: int, _frame: FrameType | None) -> None:
        # Ctrl-C reaches supervisord from the terminal too; forwarding covers `kill`.
        if child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)

    stop = threading.Event()
    watcher = threading.Thread(
        target=announce_when_ready,
        args=(url, user, password, data / "logs", stop),
        daemon=True,
    )
    watcher.start()
    try:
        rc = child.wait()
    finally:
        stop.set()
    print("snmplab: stopped", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
