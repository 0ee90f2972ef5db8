"""How long a simulator process takes to serve N devices from cold (bench only).

Writes N template devices (distinct communities, or own ports with ``--own-ports``) into
a fresh data directory, starts ``python -m services.simulator`` and times until the
last device answers an ``snmpget`` and the status reports all devices running.

    .venv/bin/python bench/simulator/fleet.py --devices 1000
    .venv/bin/python bench/simulator/fleet.py --devices 1000 --own-ports
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--own-ports", action="store_true")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="snmplab-fleet-"))
    port, control = free_port(), free_port(socket.SOCK_STREAM)
    ports = [free_port() for _ in range(a.devices)] if a.own_ports else []
    devices = [{"name": "default", "community": "public"}]
    for n in range(1, a.devices + 1):
        cfg = {"name": f"d{n}", "community": f"c{n}", "seed": n, "overrides": {"sysName": f"d{n}"}}
        if ports:
            cfg["port"] = ports[n - 1]
        devices.append(cfg)
    (work / "devices.json").write_text(json.dumps(devices))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNMPLAB_")}
    env.update(
        {
            "SNMPLAB_DEV_MODE": "1",
            "SNMPLAB_SIMULATOR_DATA_DIR": str(work),
            "SNMPLAB_SIMULATOR_SNMP_HOST": HOST,
            "SNMPLAB_SIMULATOR_SNMP_PORT": str(port),
            "SNMPLAB_SIMULATOR_CONTROL_HOST": HOST,
            "SNMPLAB_SIMULATOR_CONTROL_PORT": str(control),
            "SNMPLAB_EVENTS_TARGETS": f"{HOST}:{free_port()}",
            "SNMPLAB_LOG_LEVEL": "WARNING",
            "SNMPLAB_GATEWAY_URL": f"http://{HOST}:9",
        }
    )
    last_port = ports[-1] if ports else port
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.simulator"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            done = subprocess.run(
                [
                    "snmpget",
                    "-v2c",
                    "-c",
                    f"c{a.devices}",
                    "-t",
                    "0.1",
                    "-r",
                    "0",
                    f"{HOST}:{last_port}",
                    "1.3.6.1.2.1.1.5.0",
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode == 0 and f'"d{a.devices}"' in done.stdout:
                break
            if time.monotonic() - t0 > 120:
                raise TimeoutError("the last device never answered")
        answered = time.monotonic() - t0
        url = f"http://{HOST}:{control}/simulator/status"
        headers = {"X-Snmplab-Internal": "snmplab-dev-mode-insecure"}
        while True:
            try:
                st = httpx.get(url, headers=headers).json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        print(
            json.dumps(
                {
                    "devices": a.devices,
                    "own_ports": a.own_ports,
                    "process_start_to_last_device_answering_s": round(answered, 3),
                    "process_start_to_control_api_s": round(time.monotonic() - t0, 3),
                    "devices_running": st["devices_running"],
                    "oids_loaded": st["oids_loaded"],
                }
            )
        )
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
