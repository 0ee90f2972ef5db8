#!/usr/bin/env bash
# Run every benchmark script in bench/ (bench/*.py as `python -m bench.<name>` if bench is a
# package, else as a script; bench/*.sh as is) and fail if one fails. Benchmarks report
# ratios against the reference tools; they never gate on timings.
set -uo pipefail
cd "$(dirname "$0")/.."

shopt -s nullglob
scripts=(bench/*.py bench/*.sh)
ran=0
failed=()
for script in "${scripts[@]}"; do
  name=$(basename "$script")
  case "$name" in __init__.py | _* | conftest.py) continue ;; esac
  printf '\n==== bench: %s ====\n' "$name"
  if [[ $script == *.py ]]; then
    if [ -f bench/__init__.py ]; then
      .venv/bin/python -m "bench.${name%.py}"
    else
      .venv/bin/python "$script"
    fi
  else
    bash "$script"
  fi
  rc=$?
  ran=$((ran + 1))
  [ $rc -eq 0 ] || failed+=("$name")
done
if [ $ran -eq 0 ]; then
  echo "No benchmarks in bench/ yet."
  exit 0
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "Benchmarks that failed: ${failed[*]}"
  exit 1
fi
echo "Ran $ran benchmark(s)."
