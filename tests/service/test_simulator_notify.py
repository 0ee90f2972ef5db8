"""Notifications sent by simulated devices, received by a raw socket and by snmptrapd."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.snmp import ber, message, values
from tests.service.simulator_harness import HOST, SimulatorProcess, free_port, netsnmp

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    s.settimeout(5)
    yield s
    s.close()


@pytest.fixture
def sim(tmp_path: Path, receiver: socket.socket) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess(tmp_path / "sim")
    proc.start()
    port = receiver.getsockname()[1]
    cfg = {
        "name": "nms",
        "community": "nms",
        "overrides": {"sysName": "nms-dev"},
        "targets": [{"host": HOST, "port": port, "community": "traps"}],
    }
    assert proc.post("/simulator/devices", json=cfg).status_code == 201
    try:
        yield proc
    finally:
        proc.close()


def _varbinds(msg: message.Message | message.TrapV1) -> dict[str, object]:
    return {ber.oid_str(ber.decode_oid(o)): values.decode_value(v)[1] for o, v in msg.varbinds}


def test_set_if_oper_status_down_sends_link_down(
    sim: SimulatorProcess, receiver: socket.socket
) -> None:
    netsnmp("snmpset", "-v2c", "-c", "nms", sim.target, ".1.3.6.1.2.1.2.2.1.8.3", "i", "2")
    msg = message.decode_message(receiver.recv(65535))
    assert isinstance(msg, message.Message)
    assert msg.pdu_type == ber.SNMPV2_TRAP and msg.community == b"traps"
    vbs = _varbinds(msg)
    assert list(vbs)[:2] == ["1.3.6.1.2.1.1.3.0", "1.3.6.1.6.3.1.1.4.1.0"]
    assert vbs["1.3.6.1.6.3.1.1.4.1.0"] == LINK_DOWN
    assert vbs["1.3.6.1.2.1.2.2.1.1.3"] == 3
    assert vbs["1.3.6.1.2.1.2.2.1.7.3"] == 1
    assert vbs["1.3.6.1.2.1.2.2.1.8.3"] == 2
    # Back up through the API: linkUp.
    r = sim.http.patch("/simulator/devices/nms/oids", json={"values": {"1.3.6.1.2.1.2.2.1.8.3": 1}})
    assert r.status_code == 200
    up = message.decode_message(receiver.recv(65535))
    assert _varbinds(up)["1.3.6.1.6.3.1.1.4.1.0"] == "1.3.6.1.6.3.1.1.5.4"


def test_start_and_restart_send_cold_and_warm_start(
    sim: SimulatorProcess, receiver: socket.socket
) -> None:
    def next_trap() -> object:
        return _varbinds(message.decode_message(receiver.recv(65535)))["1.3.6.1.6.3.1.1.4.1.0"]

    assert sim.post("/simulator/devices/nms/restart").status_code == 200
    assert next_trap() == "1.3.6.1.6.3.1.1.5.2"  # warmStart
    sim.post("/simulator/devices/nms/stop")
    assert sim.post("/simulator/devices/nms/start").status_code == 200
    assert next_trap() == "1.3.6.1.6.3.1.1.5.1"  # coldStart
    assert sim.post("/simulator/restart").status_code == 200
    assert next_trap() == "1.3.6.1.6.3.1.1.5.2"


def test_v1_trap_on_demand(sim: SimulatorProcess, receiver: socket.socket) -> None:
    port = receiver.getsockname()[1]
    body = {
        "trap": "linkDown",
        "index": "2",
        "targets": [{"host": HOST, "port": port, "version": "v1", "community": "v1c"}],
    }
    r = sim.post("/simulator/devices/nms/notify", json=body)
    assert r.status_code == 200 and r.json()["results"][0]["sent"] is True
    trap = message.decode_message(receiver.recv(65535))
    assert isinstance(trap, message.TrapV1)
    assert (trap.generic_trap, trap.specific_trap) == (2, 0)
    assert ber.oid_str(ber.decode_oid(trap.enterprise)) == "1.3.6.1.4.1.8072.3.2.10"
    assert _varbinds(trap)["1.3.6.1.2.1.2.2.1.1.2"] == 2


def test_scheduled_notifications(sim: SimulatorProcess, receiver: socket.socket) -> None:
    port = receiver.getsockname()[1]
    cfg = {
        "name": "tick",
        "community": "tick",
        "targets": [{"host": HOST, "port": port}],
        "schedules": [{"trap": "warmStart", "every_s": 1}],
    }
    assert sim.post("/simulator/devices", json=cfg).status_code == 201
    got = []
    while len(got) < 2:
        msg = message.decode_message(receiver.recv(65535))
        got.append(_varbinds(msg)["1.3.6.1.6.3.1.1.4.1.0"])
    assert got == ["1.3.6.1.6.3.1.1.5.2", "1.3.6.1.6.3.1.1.5.2"]


def test_storm_counts(sim: SimulatorProcess, receiver: socket.socket) -> None:
    r = sim.post(
        "/simulator/devices/nms/storm", json={"trap": "coldStart", "rate": 2000, "count": 300}
    )
    assert r.status_code == 202
    storm_id = r.json()["id"]
    got = 0
    receiver.settimeout(3)
    while got < 300:
        receiver.recv(65535)
        got += 1
    while (view := sim.get(f"/simulator/storms/{storm_id}").json())["running"]:
        time.sleep(0.05)
    assert (view["sent"], view["failed"]) == (300, 0)
    assert sim.get("/stats").json()["simulator"]["notifications_sent"] >= 300


@pytest.fixture
def snmptrapd(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    if shutil.which("snmptrapd") is None:
        pytest.skip("snmptrapd is not installed (Debian package 'snmptrapd')")
    port = free_port()
    conf = tmp_path / "snmptrapd.conf"
    log = tmp_path / "traps.log"
    conf.write_text(
        "disableAuthorization yes\ncreateUser infuser SHA-256 authpass-1 AES privpass-1\n"
    )
    proc = subprocess.Popen(
        [
            "snmptrapd",
            "-f",
            "-n",
            "-C",
            "-c",
            str(conf),
            "-Lf",
            str(log),
            "-F",
            "TRAP %v\n",
            f"udp:{HOST}:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield port, conf, log
    proc.terminate()
    proc.wait(5)


def test_informs_acknowledged_by_snmptrapd(
    sim: SimulatorProcess, snmptrapd: tuple[int, Path, Path]
) -> None:
    port, _conf, log = snmptrapd
    user = {
        "name": "infuser",
        "auth": "SHA-256",
        "auth_key": "authpass-1",
        "priv": "AES",
        "priv_key": "privpass-1",
    }
    assert sim.post("/simulator/users", json=user).status_code == 201
    targets = [
        {
            "host": HOST,
            "port": port,
            "version": "v2c",
            "community": "x",
            "inform": True,
            "timeout_ms": 500,
            "retries": 5,
        },
        {
            "host": HOST,
            "port": port,
            "version": "v3",
            "user": "infuser",
            "inform": True,
            "timeout_ms": 500,
            "retries": 5,
        },
    ]
    r = sim.post(
        "/simulator/devices/nms/notify", json={"trap": "linkUp", "index": "1", "targets": targets}
    )
    results = r.json()["results"]
    assert [x["acked"] for x in results] == [True, True], results
    deadline = time.monotonic() + 5
    while log.read_text().count("TRAP") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log.read_text().count("TRAP") >= 2
    stats = sim.get("/stats").json()["simulator"]
    assert stats["notifications_acked"] >= 2


def test_v3_trap_to_snmptrapd(sim: SimulatorProcess, tmp_path: Path) -> None:
    if shutil.which("snmptrapd") is None:
        pytest.skip("snmptrapd is not installed")
    user = {
        "name": "trapper",
        "auth": "SHA",
        "auth_key": "authpass-1",
        "priv": "AES-256",
        "priv_key": "privpass-1",
    }
    assert sim.post("/simulator/users", json=user).status_code == 201
    engine = sim.get("/simulator/users").json()["engine_id"]
    port = free_port()
    conf = tmp_path / "v3trapd.conf"
    log = tmp_path / "v3traps.log"
    conf.write_text(
        f"disableAuthorization yes\n"
        f"createUser -e 0x{engine} trapper SHA authpass-1 AES256 privpass-1\n"
    )
    proc = subprocess.Popen(
        [
            "snmptrapd",
            "-f",
            "-n",
            "-C",
            "-c",
            str(conf),
            "-Lf",
            str(log),
            "-F",
            "TRAP %v\n",
            f"udp:{HOST}:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        target = {"host": HOST, "port": port, "version": "v3", "user": "trapper"}
        deadline = time.monotonic() + 10
        # snmptrapd may not be listening yet; resend until it logs one.
        while time.monotonic() < deadline:
            r = sim.post(
                "/simulator/devices/nms/notify",
                json={"trap": "linkDown", "index": "2", "targets": [target]},
            )
            assert r.json()["results"][0]["sent"] is True
            if log.exists() and "TRAP" in log.read_text():
                break
            time.sleep(0.2)
        assert "3.6.1.2.1.2.2.1.8.2 = INTEGER: 1" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(5)


def test_unacknowledged_inform_counts_as_sent_and_failed(sim: SimulatorProcess) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind((HOST, 0))
        target = {
            "host": HOST,
            "port": silent.getsockname()[1],
            "inform": True,
            "timeout_ms": 100,
            "retries": 1,
        }
        r = sim.post(
            "/simulator/devices/nms/notify", json={"trap": "coldStart", "targets": [target]}
        )
        res = r.json()["results"][0]
        assert (res["sent"], res["acked"]) == (True, False) and "timeout" in res["error"]
        assert len([silent.recv(65535), silent.recv(65535)]) == 2  # first try and one retry
    stats = sim.get("/stats").json()["simulator"]
    assert stats["notifications_sent"] >= 1 and stats["notifications_failed"] >= 1
