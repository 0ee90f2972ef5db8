#!/usr/bin/env bash
# Install the Debian packages snmplab's tests and tools use, skipping those already present.
#
#   tools/install-system-deps.sh            # Net-SNMP tools (the independent peer) and Chromium
#   tools/install-system-deps.sh --compose  # also Docker's engine, iptables and debootstrap
#
# Idempotent and quick when everything is there (one dpkg-query, no apt-get update).
# Needs root to install; without root it only reports what is missing.
set -euo pipefail

# patch: tools/standard-mibs/fetch.sh applies Debian's fixes to the IETF MIB modules.
packages=(snmp snmpd snmptrapd chromium patch)
for arg in "$@"; do
  case "$arg" in
    --compose) packages+=(docker.io iptables debootstrap) ;;
    -h | --help)
      sed -n '2,8p' "$0"
      exit 0
      ;;
    *)
      echo "unknown option: $arg" >&2
      exit 2
      ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
  echo "(continuing; tests that need them will fail or skip)" >&2
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
# Packages like snmpd and docker.io would start their system daemons on install; snmplab
# starts its own on private ports and sockets, so keep the system ones down while installing.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
# A fresh machine may be running its own apt job at boot: wait for its lock, don't fail.
apt=(apt-get -o DPkg::Lock::Timeout=600)
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
