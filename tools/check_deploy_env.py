"""Check the wiring of compose.yaml and the Kubernetes manifests against the services.

For every snmplab service in a deployment:

- every ``SNMPLAB_*`` variable set must be one that service's settings class reads (a
  misspelt name is otherwise ignored and the default silently used);
- the internal secret must be set;
- every address it is told to call (``*_URL``, ``SNMPLAB_EVENTS_TARGETS``, the walker's
  default target) must name a host of the deployment -- a compose service, a Kubernetes
  Service, or a StatefulSet pod ``<name>-<n>.<serviceName>`` -- that leads to the service
  listening on that port and protocol, as its own settings say. In Kubernetes that means
  the Service's port, its targetPort and the container's port all line up.

Input: ``docker compose config --format json`` output and/or rendered manifests
(``kubectl kustomize``), as files or ``-`` for stdin. Used by tools/test-compose.sh and
tools/test-k8s.sh.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml
from settings_table import SERVICES, settings_classes

from services.common.config import parse_hostport

PREFIX = "SNMPLAB_"

# What each service listens on: (protocol, setting holding the port or host:port).
LISTENS = {
    "gateway": [("TCP", "gateway_port"), ("UDP", "events_listen")],
    "simulator": [("TCP", "simulator_control_port"), ("UDP", "simulator_snmp_port")],
    "trapd": [("TCP", "trapd_control_port"), ("UDP", "trapd_snmp_port")],
    "walker": [("TCP", "walker_control_port")],
}


@dataclass
class Service:
    """One snmplab service as a deployment defines it."""

    where: str
    name: str
    # Variables with a literal value; those from a Secret are present with value None.
    env: dict[str, str | None]
    # Kubernetes: the container's ports, name (or number as text) -> (number, protocol).
    container_ports: dict[str, tuple[int, str]] = field(default_factory=dict)

    def setting(self, name: str) -> str:
        value = self.env.get(PREFIX + name.upper())
        if value is not None:
            return value
        for cls in settings_classes(self.name):
            if name in cls.model_fields:
                return str(cls.model_fields[name].default)
        raise KeyError(name)

    def listens(self) -> set[tuple[str, int]]:
        ports = set()
        for protocol, setting in LISTENS[self.name]:
            value = self.setting(setting)
            port = parse_hostport(value)[1] if ":" in value else int(value)
            ports.add((protocol, port))
        return ports


@dataclass
class Deployment:
    kind: str
    services: dict[str, Service]
    # host -> (service name, {(protocol, port the caller uses): port the service gets})
    hosts: dict[str, tuple[str, dict[tuple[str, int], int]]]


def read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def compose_deployment(text: str) -> Deployment:
    config = json.loads(text)
    services: dict[str, Service] = {}
    hosts: dict[str, tuple[str, dict[tuple[str, int], int]]] = {}
    for name, spec in config.get("services", {}).items():
        if name not in SERVICES:
            continue
        env = {
            k: (str(v) if v is not None else None)
            for k, v in (spec.get("environment") or {}).items()
        }
        service = Service("compose", name, env)
        services[name] = service
        # On a compose network a service name reaches the container's own ports.
        hosts[name] = (name, {key: key[1] for key in service.listens()})
    return Deployment("compose", services, hosts)


def k8s_deployment(text: str) -> Deployment:
    documents = [d for d in yaml.safe_load_all(text) if d]
    config_maps = {
        d["metadata"]["name"]: d.get("data") or {}
        for d in documents
        if d.get("kind") == "ConfigMap"
    }
    services: dict[str, Service] = {}
    workloads: dict[str, tuple[dict[str, Any], Service]] = {}
    for doc in documents:
        if doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        pod: dict[str, Any] = doc["spec"]["template"]["spec"]
        for container in pod.get("containers", []):
            if container["name"] not in SERVICES:
                continue
            env: dict[str, str | None] = {}
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref is not None:
                    if ref not in config_maps:
                        raise SystemExit(f"{doc['metadata']['name']}: no ConfigMap {ref}")
                    env.update(config_maps[ref])
            for item in container.get("env", []):
                env[item["name"]] = item.get("value")
            ports = {
                str(p.get("name", p["containerPort"])): (
                    p["containerPort"],
                    p.get("protocol", "TCP"),
                )
                for p in container.get("ports", [])
            }
            service = Service(f"k8s {doc['kind']}", container["name"], env, ports)
            services[service.name] = service
            workloads[doc["metadata"]["name"]] = (doc, service)

    hosts: dict[str, tuple[str, dict[tuple[str, int], int]]] = {}
    for doc in documents:
        if doc.get("kind") != "Service":
            continue
        selector = doc["spec"].get("selector") or {}
        for workload, service in workloads.values():
            labels = workload["spec"]["template"]["metadata"].get("labels", {})
            if selector and all(labels.get(k) == v for k, v in selector.items()):
                mapping: dict[tuple[str, int], int] = {}
                for port in doc["spec"].get("ports", []):
                    target = port.get("targetPort", port["port"])
                    found = service.container_ports.get(str(target))
                    number = found[0] if found else target if isinstance(target, int) else None
                    if number is not None:
                        mapping[(port.get("protocol", "TCP"), port["port"])] = number
                name = doc["metadata"]["name"]
                if doc["spec"].get("clusterIP") == "None":
                    # Headless: pods are reached by name on their container ports.
                    if (
                        workload["kind"] == "StatefulSet"
                        and workload["spec"].get("serviceName") == name
                    ):
                        direct = {(proto, n): n for n, proto in service.container_ports.values()}
                        for index in range(int(workload["spec"].get("replicas", 1))):
                            hosts[f"{workload['metadata']['name']}-{index}.{name}"] = (
                                service.name,
                                direct,
                            )
                else:
                    hosts[name] = (service.name, mapping)
    return Deployment("k8s", services, hosts)


def calls(service: Service) -> list[tuple[str, str, str, int]]:
    """(variable, protocol, host, port) of every address the service is told to call."""
    found = []
    for variable, value in service.env.items():
        if value is None or not variable.startswith(PREFIX):
            continue
        if variable.endswith("_URL"):
            url = urlsplit(value)
            if url.hostname:
                found.append((variable, "TCP", url.hostname, url.port or 80))
        elif variable == f"{PREFIX}EVENTS_TARGETS":
            for target in value.split(","):
                if target.strip():
                    host, port = parse_hostport(target)
                    found.append((variable, "UDP", host, port))
    default_target = service.env.get(f"{PREFIX}WALKER_DEFAULT_TARGET")
    if service.name == "walker" and default_target:
        port = int(service.setting("walker_default_port"))
        found.append((f"{PREFIX}WALKER_DEFAULT_TARGET", "UDP", default_target, port))
    return found


def check(deployment: Deployment) -> list[str]:
    problems = []
    if not deployment.services:
        return [f"{deployment.kind}: no snmplab service found"]
    for service in deployment.services.values():
        where = f"{service.where} {service.name}"
        known = {
            PREFIX + n.upper() for cls in settings_classes(service.name) for n in cls.model_fields
        }
        ours = {n for n in service.env if n.startswith(PREFIX)}
        for unknown in sorted(ours - known):
            problems.append(f"{where}: {unknown} is not a setting of {service.name}")
        if f"{PREFIX}INTERNAL_SECRET" not in ours:
            problems.append(f"{where}: SNMPLAB_INTERNAL_SECRET is not set")
        for variable, protocol, host, port in calls(service):
            if host not in deployment.hosts:
                problems.append(f"{where}: {variable} names {host!r}, which is no host here")
                continue
            target_name, mapping = deployment.hosts[host]
            got = mapping.get((protocol, port))
            if got is None:
                address = f"{host}:{port}/{protocol.lower()}"
                problems.append(f"{where}: {variable} calls {address}, which is not exposed there")
            elif (protocol, got) not in deployment.services[target_name].listens():
                listening = sorted(deployment.services[target_name].listens())
                problems.append(
                    f"{where}: {variable} reaches {target_name} on {got}/{protocol.lower()}, "
                    f"where it does not listen ({listening})"
                )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose-json", help="`docker compose config --format json` output")
    parser.add_argument("--k8s", help="rendered Kubernetes manifests (YAML)")
    args = parser.parse_args()
    if not (args.compose_json or args.k8s):
        parser.error("give --compose-json and/or --k8s")
    deployments = []
    if args.compose_json:
        deployments.append(compose_deployment(read(args.compose_json)))
    if args.k8s:
        deployments.append(k8s_deployment(read(args.k8s)))
    problems = [p for d in deployments for p in check(d)]
    for problem in problems:
        print(f"FAIL {problem}")
    for d in deployments:
        print(f"{d.kind}: checked the settings and addresses of {len(d.services)} services")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
