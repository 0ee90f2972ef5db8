"""Check the SNMPLAB_* variables that compose.yaml and the Kubernetes manifests set.

Every variable a deployment sets for a service must be one that service's settings class
reads (a misspelt name is otherwise silently ignored and the default used), and every
service must get the internal secret. Input: ``docker compose config --format json``
output and/or rendered manifests (``kubectl kustomize``), as files or ``-`` for stdin.
Used by tools/test-compose.sh and tools/test-k8s.sh.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from settings_table import SERVICES, settings_classes

PREFIX = "SNMPLAB_"


def settings_variables(service: str) -> set[str]:
    return {PREFIX + name.upper() for cls in settings_classes(service) for name in cls.model_fields}


def read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def compose_environments(text: str) -> Iterator[tuple[str, str, set[str]]]:
    config = json.loads(text)
    for name, service in config.get("services", {}).items():
        if name in SERVICES:
            yield "compose", name, set((service.get("environment") or {}).keys())


def k8s_environments(text: str) -> Iterator[tuple[str, str, set[str]]]:
    documents = [d for d in yaml.safe_load_all(text) if d]
    config_maps = {
        d["metadata"]["name"]: set((d.get("data") or {}).keys())
        for d in documents
        if d.get("kind") == "ConfigMap"
    }
    for doc in documents:
        if doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        pod: dict[str, Any] = doc["spec"]["template"]["spec"]
        for container in pod.get("containers", []):
            if container["name"] not in SERVICES:
                continue
            names = {e["name"] for e in container.get("env", [])}
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref is not None:
                    if ref not in config_maps:
                        raise SystemExit(f"{doc['metadata']['name']}: no ConfigMap {ref}")
                    names |= config_maps[ref]
            yield f"k8s {doc['kind']}", container["name"], names


def check(found: Iterable[tuple[str, str, set[str]]]) -> list[str]:
    problems = []
    known = {service: settings_variables(service) for service in SERVICES}
    seen = 0
    for where, service, names in found:
        seen += 1
        ours = {n for n in names if n.startswith(PREFIX)}
        for unknown in sorted(ours - known[service]):
            problems.append(f"{where} {service}: {unknown} is not a setting of {service}")
        if f"{PREFIX}INTERNAL_SECRET" not in ours:
            problems.append(f"{where} {service}: SNMPLAB_INTERNAL_SECRET is not set")
    if seen == 0:
        problems.append("no snmplab service found in the input")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose-json", help="`docker compose config --format json` output")
    parser.add_argument("--k8s", help="rendered Kubernetes manifests (YAML)")
    args = parser.parse_args()
    found: list[tuple[str, str, set[str]]] = []
    if args.compose_json:
        found += compose_environments(read(args.compose_json))
    if args.k8s:
        found += k8s_environments(read(args.k8s))
    if not found and not (args.compose_json or args.k8s):
        parser.error("give --compose-json and/or --k8s")
    problems = check(found)
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"checked the SNMPLAB_* settings of {len(found)} service definitions")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
