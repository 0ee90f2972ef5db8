#!/usr/bin/env bash
# `make bench`: run the benchmarks in bench/ and fail if one fails. Benchmarks report
# numbers and ratios against the reference tools (Net-SNMP, snmpsim); they never gate on
# timings, and they are not part of `make test`.
#
# Each area bench/<area>/ has one entry point: run.py if it has one, else its only module;
# they run as `python -m bench.<area>.<module>` with their default arguments.
#   BENCH="bench.simulator.fleet bench.trapd.run" make bench   # run just these modules
#   BENCH_ARGS="--help" make bench                             # pass arguments to each
set -uo pipefail
cd "$(dirname "$0")/.."

modules=()
if [ -n "${BENCH:-}" ]; then
  read -r -a modules <<<"$BENCH"
else
  shopt -s nullglob
  for area in bench/*/; do
    area=${area%/}
    [ "$(basename "$area")" = common ] && continue # shared helpers, not a benchmark
    files=("$area"/*.py)
    if [ -f "$area/run.py" ]; then
      entry=$area/run.py
    elif [ ${#files[@]} -eq 1 ]; then
      entry=${files[0]}
    else
      continue
    fi
    entry=${entry%.py}
    modules+=("${entry//\//.}")
  done
fi

if [ ${#modules[@]} -eq 0 ]; then
  echo "No benchmarks in bench/ yet."
  exit 0
fi

read -r -a extra <<<"${BENCH_ARGS:-}"
failed=()
for module in "${modules[@]}"; do
  printf '\n==== bench: %s ====\n' "$module"
  if ! .venv/bin/python -m "$module" "${extra[@]}"; then
    failed+=("$module")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "Benchmarks that failed: ${failed[*]}"
  exit 1
fi
echo "Ran ${#modules[@]} benchmark(s): ${modules[*]}"
