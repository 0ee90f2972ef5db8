#!/usr/bin/env bash
# Run snmplab's checks from the project's venv, keep going past a failure, and exit non-zero
# if any failed.
#
#   tools/check.sh lint     # ruff check, ruff format --check, mypy
#   tools/check.sh tests    # pytest over tests/unit, tests/service, tests/e2e, tests/browser
#   tools/check.sh all      # both (what `make test` runs)
#
# A test layer with no tests yet (pytest exit code 5) is reported, not failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
what=${1:-all}
failed=()

section() { printf '\n==== %s ====\n' "$*"; }

step() {
  local name=$1
  shift
  section "$name"
  if "$@"; then
    echo "---- $name: ok"
  else
    echo "---- $name: FAILED (exit $?)"
    failed+=("$name")
  fi
}

pytest_layer() {
  local dir=$1 rc
  if [ ! -d "$dir" ]; then
    section "pytest $dir"
    echo "---- $dir: no such directory yet, skipped"
    return 0
  fi
  section "pytest $dir"
  "$bin/python" -m pytest -q -ra "$dir"
  rc=$?
  if [ $rc -eq 5 ]; then
    echo "---- pytest $dir: no tests collected yet (not a failure)"
  elif [ $rc -eq 0 ]; then
    echo "---- pytest $dir: ok"
  else
    echo "---- pytest $dir: FAILED (exit $rc)"
    failed+=("pytest $dir")
  fi
}

if [ "$what" = lint ] || [ "$what" = all ]; then
  step "ruff check" "$bin/ruff" check .
  step "ruff format --check" "$bin/ruff" format --check .
  step "mypy" "$bin/mypy"
  step "mypy (deploy, tools)" "$bin/mypy" deploy/allinone/launch.py deploy/docker/healthcheck.py tools/compose_smoke.py tools/check_deploy_env.py
fi

if [ "$what" = tests ] || [ "$what" = all ]; then
  for layer in tests/unit tests/service tests/e2e tests/browser; do
    pytest_layer "$layer"
  done
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed ($what)."
