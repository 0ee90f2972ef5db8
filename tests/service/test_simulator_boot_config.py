"""``PUT /simulator/config``: the auto-start choice survives a restart of the service."""

from __future__ import annotations

from pathlib import Path

from tests.service.simulator_harness import SimulatorProcess


def test_autostart_choice_applies_on_the_next_boot(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim")
    try:
        sim.start()
        assert sim.get("/simulator/config").json()["effective_autostart"] is True

        r = sim.http.put("/simulator/config", json={"autostart": False})
        assert r.status_code == 200, r.text
        assert r.json() == {"autostart": False, "effective_autostart": False}

        # The environment still says autostart (the default); the saved choice wins.
        sim.stop()
        sim._launch()  # start() would wait for a running agent
        assert sim.get("/simulator/status").json()["running"] is False

        sim.http.put("/simulator/config", json={"autostart": None})
        sim.stop()
        sim.start()
        assert sim.get("/simulator/status").json()["running"] is True
    finally:
        sim.close()


def test_bad_config_is_a_422_that_names_the_field(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim")
    try:
        sim.start()
        r = sim.http.put("/simulator/config", json={"autostart": "sometimes"})
        assert r.status_code == 422
        assert "autostart" in r.text
    finally:
        sim.close()
