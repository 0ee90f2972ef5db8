"""``PUT /simulator/config``: the auto-start choice survives a restart of the service."""

from __future__ import annotations

from pathlib import Path

from tests.service.simulator_harness import SimulatorProcess, free_port


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


def test_api_chosen_port_is_remembered_until_the_environment_changes(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim")
    try:
        sim.start()
        chosen = free_port()
        sim.post("/simulator/stop")
        r = sim.post("/simulator/start", json={"port": chosen})
        assert r.status_code == 200, r.text

        sim.stop()  # same environment: the API's choice survives the restart
        sim._launch()
        assert sim.get("/simulator/status").json()["port"] == chosen

        sim.stop()  # the operator edits the environment: that wins
        sim.snmp_port = free_port()
        sim.start()
        assert sim.get("/simulator/status").json()["port"] == sim.snmp_port
    finally:
        sim.close()
