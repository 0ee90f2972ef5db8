"""The deployment wiring check (tools/check_deploy_env.py) on the real compose.yaml and
Kubernetes base, and on broken copies of them: it passes what is consistent and names
what is not (a misspelt setting, a URL to a port nobody listens on, a Service whose
targetPort leads nowhere, a pod name beyond the StatefulSet's replicas)."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def tool(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "tools"))


@pytest.fixture(scope="module")
def wiring() -> ModuleType:
    return tool("check_deploy_env")


@pytest.fixture
def compose() -> dict[str, Any]:
    # Plain YAML with merge keys is what `docker compose config` resolves too; the
    # ${VAR:-default} interpolations stay literal, which the check does not need.
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


@pytest.fixture
def k8s_base() -> list[dict[str, Any]]:
    base = ROOT / "deploy" / "k8s" / "base"
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    documents: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        documents += [d for d in yaml.safe_load_all((base / resource).read_text()) if d]
    # What kustomize's generators make of the literals.
    for generator in kustomization.get("configMapGenerator", []):
        data = dict(item.split("=", 1) for item in generator["literals"])
        documents.append(
            {"kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data}
        )
    for generator in kustomization.get("secretGenerator", []):
        encoded = {
            key: base64.b64encode(value.encode()).decode()
            for key, value in (item.split("=", 1) for item in generator["literals"])
        }
        documents.append(
            {"kind": "Secret", "metadata": {"name": generator["name"]}, "data": encoded}
        )
    return documents


def compose_problems(wiring: ModuleType, config: dict[str, Any]) -> list[str]:
    problems: list[str] = wiring.check(wiring.compose_deployment(json.dumps(config)))
    return problems


def k8s_problems(wiring: ModuleType, documents: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = wiring.check(wiring.k8s_deployment(yaml.safe_dump_all(documents)))
    return problems


def test_compose_yaml_is_wired_consistently(wiring: ModuleType, compose: dict[str, Any]) -> None:
    assert compose_problems(wiring, compose) == []
    assert set(wiring.compose_deployment(json.dumps(compose)).services) == {
        "gateway", "simulator", "trapd", "walker",
    }  # fmt: skip


def test_compose_misspelt_setting_is_named(wiring: ModuleType, compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    env = broken["services"]["trapd"]["environment"]
    env["SNMPLAB_TRAPD_SNMP_PROT"] = env.pop("SNMPLAB_TRAPD_SNMP_PORT")
    problems = compose_problems(wiring, broken)
    assert any("SNMPLAB_TRAPD_SNMP_PROT is not a setting of trapd" in p for p in problems), problems


def test_compose_url_to_a_port_not_listened_on_is_named(
    wiring: ModuleType, compose: dict[str, Any]
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["simulator"]["environment"]["SNMPLAB_SIMULATOR_CONTROL_PORT"] = "9001"
    problems = compose_problems(wiring, broken)
    assert any("SNMPLAB_SIMULATOR_URL calls simulator:8001/tcp" in p for p in problems), problems


def test_compose_unknown_host_and_missing_secret_are_named(
    wiring: ModuleType, compose: dict[str, Any]
) -> None:
    broken = copy.deepcopy(compose)
    env = broken["services"]["gateway"]["environment"]
    env["SNMPLAB_TRAPD_URL"] = "http://trap-daemon:8002"
    del env["SNMPLAB_INTERNAL_SECRET"]
    problems = compose_problems(wiring, broken)
    assert any("'trap-daemon', which is no host here" in p for p in problems), problems
    assert any("gateway: SNMPLAB_INTERNAL_SECRET is not set" in p for p in problems), problems


def test_k8s_base_is_wired_consistently(wiring: ModuleType, k8s_base: list[dict[str, Any]]) -> None:
    assert k8s_problems(wiring, k8s_base) == []


def test_k8s_service_target_port_leading_nowhere_is_named(
    wiring: ModuleType, k8s_base: list[dict[str, Any]]
) -> None:
    broken = copy.deepcopy(k8s_base)
    trapd = next(d for d in broken if d["kind"] == "Service" and d["metadata"]["name"] == "trapd")
    trapd["spec"]["ports"][0]["targetPort"] = "contrl"
    problems = k8s_problems(wiring, broken)
    assert any("SNMPLAB_TRAPD_URL calls trapd:8002/tcp" in p for p in problems), problems


def test_k8s_pod_name_beyond_replicas_is_named(
    wiring: ModuleType, k8s_base: list[dict[str, Any]]
) -> None:
    broken = copy.deepcopy(k8s_base)
    gateway = next(
        d for d in broken if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "gateway"
    )
    env = gateway["spec"]["template"]["spec"]["containers"][0]["env"]
    for item in env:
        if item["name"] == "SNMPLAB_SIMULATOR_URL":
            item["value"] = "http://simulator-1.simulator-headless:8001"
    problems = k8s_problems(wiring, broken)
    assert any("'simulator-1.simulator-headless', which is no host" in p for p in problems), (
        problems
    )


def test_k8s_base_as_containers_keeps_names_users_and_settings(
    k8s_base: list[dict[str, Any]],
) -> None:
    """tools/k8s_to_compose.py: what test-compose runs in place of a cluster."""
    ports = {"web": 18080, "simulator-snmp": 11061, "trapd-snmp": 11162}
    services = tool("k8s_to_compose").translate(k8s_base, ports, "127.0.0.1")["services"]
    assert set(services) == {"gateway", "simulator", "trapd", "walker", "web"}
    aliases = {name: spec["networks"]["cluster"]["aliases"] for name, spec in services.items()}
    assert "gateway-0.gateway-headless" in aliases["gateway"] and "gateway" in aliases["gateway"]
    assert "simulator-0.simulator-headless" in aliases["simulator"]
    assert services["gateway"]["user"] == "10001:10001" and services["web"]["user"] == "101:101"
    gateway_env = services["gateway"]["environment"]
    assert gateway_env["SNMPLAB_ADMIN_PASSWORD"] == "admin123"  # from the Secret
    assert gateway_env["SNMPLAB_EVENTS_TARGETS"] == "gateway-0.gateway-headless:19876"
    assert services["simulator"]["ports"] == ["127.0.0.1:11061:1061/udp"]
    assert services["trapd"]["ports"] == ["127.0.0.1:11162:1162/udp"]
    assert services["web"]["ports"] == ["127.0.0.1:18080:8080/tcp"]
    assert services["gateway"]["ports"] == [] and services["walker"]["ports"] == []
