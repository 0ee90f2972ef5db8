"""``python -m services.simulator``: the agent (when autostart is on), then the control API.

The agent starts first, before the web framework is even imported, so that a fleet of
devices answers SNMP as early as possible after the process starts.
"""

from __future__ import annotations

import logging
import sys

from services.common.config import ConfigError
from services.common.events import EventSender
from services.simulator import boot_config
from services.simulator.config import SimulatorSettings
from services.simulator.simulator import Simulator, SimulatorError

log = logging.getLogger("services.simulator")


def main() -> int:
    settings = SimulatorSettings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s simulator %(levelname)s %(name)s: %(message)s",
    )
    try:
        simulator = Simulator(settings, EventSender.from_settings(settings, "simulator"))
    except ConfigError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    autostart_error = None
    if boot_config.autostart(settings):
        try:
            simulator.start_before_loop()
        except SimulatorError as exc:
            # The control API still comes up, so that an operator can pick another port.
            autostart_error = exc.message
            log.error("agent not started: %s", exc.message)

    import uvicorn

    from services.simulator.app import create_app

    app = create_app(settings, simulator=simulator)
    app.state.autostart_error = autostart_error
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
