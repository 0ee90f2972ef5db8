"""What the operator chose for the next boot, saved in the simulator's data directory.

``autostart`` set here (by the gateway's Settings page, through ``PUT /simulator/config``)
wins over ``SNMPLAB_SIMULATOR_AUTOSTART``; ``null`` means "as the environment says".
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ValidationError

from services.simulator.config import SimulatorSettings

FILE_NAME = "boot_config.json"


class BootConfig(BaseModel):
    autostart: bool | None = None


def _path(settings: SimulatorSettings) -> Path:
    return settings.simulator_data_dir / FILE_NAME


def load(settings: SimulatorSettings) -> BootConfig:
    try:
        return BootConfig.model_validate_json(_path(settings).read_text())
    except FileNotFoundError:
        return BootConfig()
    except (OSError, ValidationError):
        # A damaged file must not keep the agent down; the environment decides instead.
        return BootConfig()


def save(settings: SimulatorSettings, config: BootConfig) -> None:
    path = _path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".boot-", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(config.model_dump(), fh)
    os.replace(tmp, path)


def autostart(settings: SimulatorSettings) -> bool:
    chosen = load(settings).autostart
    return settings.simulator_autostart if chosen is None else chosen
