"""``python -m services.walker``: serve the walker's control API."""

from __future__ import annotations

import logging
import sys

import uvicorn

from services.common.config import ConfigError
from services.walker.app import create_app
from services.walker.config import WalkerSettings


def main() -> int:
    settings = WalkerSettings()
    logging.basicConfig(level=settings.log_level.upper())
    try:
        app = create_app(settings)
    except ConfigError as exc:
        print(f"walker: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        app,
        host=settings.walker_control_host,
        port=settings.walker_control_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
