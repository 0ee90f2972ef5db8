#!/usr/bin/env bash
# Create ./.venv with Python 3.11+ and install snmplab with its pinned dependencies.
#
#   tools/setup-venv.sh          # runtime + dev extras (tests, linters)
#
# Re-running is cheap: the stamp .venv/.snmplab-installed records the pyproject.toml
# it was installed from, and nothing happens while that file is unchanged.
# SNMPLAB_PYTHON picks the interpreter (default: python3.11, else python3).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
stamp=$venv/.snmplab-installed

pick_python() {
  local candidate
  for candidate in ${SNMPLAB_PYTHON:-} python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  python=$(pick_python) || {
    echo "snmplab needs Python 3.11 or newer (set SNMPLAB_PYTHON to its path)." >&2
    exit 1
  }
  echo "Creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "Installing snmplab and its pinned dependencies into $venv ..."
log=$venv/pip-install.log
if ! "$venv/bin/python" -m pip install -e '.[dev]' >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "pip install failed; full log: $log" >&2
  exit 1
fi
echo "$want" >"$stamp"
echo "Installed (log: $log)"
