"""Run rendered Kubernetes manifests as containers, to exercise their wiring for real.

There is no Kubernetes cluster on the test machines, so tools/test-compose.sh turns the
output of ``kubectl kustomize`` into a compose file and starts it on the same Docker
engine with the same images: one container per Deployment/StatefulSet pod (replica 0),
its environment from the manifest (env, ConfigMap and Secret references resolved), its
user from the pod's securityContext, and on one network the DNS names Kubernetes would
give it (each Service selecting it; ``<statefulset>-0.<serviceName>`` for StatefulSet
pods). The ports of the Services for the UI and the two SNMP ports are published on the
loopback ports given, so the end-to-end suite can drive the result like any deployment.

What it cannot show: scheduling, several replicas, kube-proxy load balancing, probes
(the images' own HEALTHCHECKs stand in), volumes (the containers' own /data is used).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path
from typing import Any

import yaml

# Service name -> host port, for the Services published to the host.
PUBLISH_ARGS = {"web": "--web-port", "simulator-snmp": "--snmp-port", "trapd-snmp": "--trap-port"}


def resolve_env(
    container: dict[str, Any], maps: dict[str, dict[str, str]], secrets: dict[str, dict[str, str]]
) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]])
        if "secretRef" in source:
            env.update(secrets[source["secretRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item.get("valueFrom", {})
        if "secretKeyRef" in ref:
            env[item["name"]] = secrets[ref["secretKeyRef"]["name"]][ref["secretKeyRef"]["key"]]
        elif "configMapKeyRef" in ref:
            env[item["name"]] = maps[ref["configMapKeyRef"]["name"]][ref["configMapKeyRef"]["key"]]
        else:
            raise SystemExit(f"env {item['name']}: unsupported valueFrom {ref}")
    return env


def translate(
    documents: list[dict[str, Any]], ports: dict[str, int], address: str
) -> dict[str, Any]:
    maps = {
        d["metadata"]["name"]: d.get("data") or {} for d in documents if d["kind"] == "ConfigMap"
    }
    secrets = {
        d["metadata"]["name"]: {
            k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()
        }
        | (d.get("stringData") or {})
        for d in documents
        if d["kind"] == "Secret"
    }
    services: dict[str, Any] = {}
    pods: dict[str, dict[str, Any]] = {}
    for doc in documents:
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        security = {
            **pod["spec"].get("securityContext", {}),
            **container.get("securityContext", {}),
        }
        spec: dict[str, Any] = {
            "image": container["image"]
            if ":" in container["image"]
            else container["image"] + ":latest",
            "environment": resolve_env(container, maps, secrets),
            "networks": {"cluster": {"aliases": []}},
            "ports": [],
        }
        if "runAsUser" in security:
            spec["user"] = (
                f"{security['runAsUser']}:{security.get('runAsGroup', security['runAsUser'])}"
            )
        if security.get("capabilities", {}).get("drop") == ["ALL"]:
            spec["cap_drop"] = ["ALL"]
        if security.get("allowPrivilegeEscalation") is False:
            spec["security_opt"] = ["no-new-privileges:true"]
        if doc["kind"] == "StatefulSet":
            spec["networks"]["cluster"]["aliases"].append(f"{name}-0.{doc['spec']['serviceName']}")
        services[name] = spec
        pods[name] = {"labels": pod["metadata"].get("labels", {}), "container": container}

    for doc in documents:
        if doc["kind"] != "Service":
            continue
        service_name = doc["metadata"]["name"]
        selector = doc["spec"].get("selector") or {}
        for pod_name, pod in pods.items():
            if not selector or any(pod["labels"].get(k) != v for k, v in selector.items()):
                continue
            spec = services[pod_name]
            spec["networks"]["cluster"]["aliases"].append(service_name)
            if service_name in ports:
                container_ports = {
                    p.get("name", p["containerPort"]): p for p in pod["container"].get("ports", [])
                }
                for port in doc["spec"]["ports"]:
                    target = port.get("targetPort", port["port"])
                    number = (
                        container_ports[target]["containerPort"]
                        if isinstance(target, str)
                        else target
                    )
                    protocol = port.get("protocol", "TCP").lower()
                    spec["ports"].append(f"{address}:{ports[service_name]}:{number}/{protocol}")
    return {"name": "snmplab-k8s", "services": services, "networks": {"cluster": {}}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifests", help="rendered manifests (YAML), or - for stdin")
    parser.add_argument("--address", default="127.0.0.1", help="host address to publish on")
    for flag in PUBLISH_ARGS.values():
        parser.add_argument(flag, type=int, required=True)
    args = parser.parse_args()
    text = sys.stdin.read() if args.manifests == "-" else Path(args.manifests).read_text()
    documents = [d for d in yaml.safe_load_all(text) if d]
    ports = {
        service: getattr(args, flag.lstrip("-").replace("-", "_"))
        for service, flag in PUBLISH_ARGS.items()
    }
    # JSON is YAML, and compose reads it.
    json.dump(translate(documents, ports, args.address), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
