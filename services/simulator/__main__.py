"""``python -m services.simulator``: the control API, and the agent when autostart is on."""

from __future__ import annotations

import logging
import sys

import uvicorn

from services.common.config import ConfigError
from services.simulator.app import create_app
from services.simulator.config import SimulatorSettings


def main() -> int:
    settings = SimulatorSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s simulator %(levelname)s %(name)s: %(message)s",
    )
    try:
        app = create_app(settings)
    except ConfigError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        app,
        host=settings.simulator_control_host,
        port=settings.simulator_control_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
