"""Smoke checks of a deployed stack's edge: what nginx adds on top of the gateway.

The end-to-end suite (tests/e2e) proves the behaviour; this proves the deployment wiring
that suite cannot see: nginx serves the UI with its security headers, proxies /api/ and
upgrades /api/ws (a logged-in socket gets ``full_state`` through the proxy), and the
simulator's SNMP port is published. Used by tools/test-compose.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import urllib.request

import websockets

REQUIRED_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy")


def fetch(url: str, body: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if data:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers.items()), response.read()


async def first_ws_message(url: str) -> dict[str, object]:
    async with websockets.connect(url, open_timeout=10) as socket:
        message = await asyncio.wait_for(socket.recv(), timeout=10)
    parsed: dict[str, object] = json.loads(message)
    return parsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", required=True, help="nginx base URL")
    parser.add_argument("--snmp", required=True, help="published simulator host:port")
    parser.add_argument("--community", default="public")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=os.environ.get("SNMPLAB_ADMIN_PASSWORD", "admin123"))
    args = parser.parse_args()
    web = args.web.rstrip("/")
    failures: list[str] = []
    passed: list[str] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        (passed if ok else failures).append(name)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")

    status, headers, body = fetch(f"{web}/")
    check("nginx serves the web UI", status == 200 and b"<html" in body.lower(), str(status))
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    check("security headers on the UI", not missing, f"missing {missing}")

    status, _, body = fetch(f"{web}/api/health")
    check("/api/health proxied to the gateway", status == 200, f"{status} {body[:200]!r}")

    credentials = {"username": args.username, "password": args.password}
    status, _, body = fetch(f"{web}/api/login", credentials)
    token = json.loads(body).get("token", "")
    check("login through nginx", status == 200 and bool(token), str(status))

    ws_url = web.replace("http://", "ws://", 1) + f"/api/ws?token={token}"
    try:
        message = asyncio.run(first_ws_message(ws_url))
        check("WebSocket upgraded by nginx, full_state", message.get("type") == "full_state")
    except Exception as exc:  # any failure here is the finding to report
        check("WebSocket upgraded by nginx, full_state", False, repr(exc))

    host, port = args.snmp.rsplit(":", 1)
    result = subprocess.run(
        ["snmpget", "-v2c", "-c", args.community, "-On", "-t", "2", "-r", "3",
         f"udp:{host}:{port}", "1.3.6.1.2.1.1.1.0"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    check("snmpget sysDescr through the published SNMP port", result.returncode == 0,
          (result.stdout + result.stderr).strip())  # fmt: skip

    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
