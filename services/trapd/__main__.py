"""``python -m services.trapd``: the control API and, with autostart, the receiver."""

from __future__ import annotations

import logging
import sys

import uvicorn

from services.common.config import ConfigError
from services.trapd.app import create_app
from services.trapd.config import TrapdSettings


def main() -> int:
    settings = TrapdSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        app = create_app(settings)
    except ConfigError as exc:
        print(f"trapd: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        app,
        host=settings.trapd_control_host,
        port=settings.trapd_control_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
