"""Container healthcheck: exit 0 when the service's health endpoint answers 200.

Used by every service image's HEALTHCHECK (as ``snmplab-healthcheck <service>``); the
images may have no curl. The port is the one the service itself reads from its settings
variable, so a container configured for another port stays checkable.
"""

from __future__ import annotations

import os
import sys
import urllib.request

# service -> (port variable, default port, health path)
CHECKS = {
    "gateway": ("SNMPLAB_GATEWAY_PORT", 8000, "/api/health"),
    "simulator": ("SNMPLAB_SIMULATOR_CONTROL_PORT", 8001, "/health"),
    "trapd": ("SNMPLAB_TRAPD_CONTROL_PORT", 8002, "/health"),
    "walker": ("SNMPLAB_WALKER_CONTROL_PORT", 8003, "/health"),
}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(f"usage: snmplab-healthcheck {{{','.join(CHECKS)}}}", file=sys.stderr)
        return 2
    variable, default, path = CHECKS[argv[1]]
    port = os.environ.get(variable) or str(default)
    # The check runs inside the container, where the service binds all interfaces.
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
