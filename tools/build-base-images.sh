#!/usr/bin/env bash
# Build the base images snmplab's Dockerfiles start FROM, without any image registry:
# debootstrap a Debian bookworm root filesystem from a Debian mirror, import it, and build
# stand-ins tagged with exactly the names the Dockerfiles default to.
#
#   tools/build-base-images.sh [--force]
#
# Uses the Docker engine in DOCKER_HOST (or the default socket). Skips images that already
# exist (and were made with the current CA certificates) unless --force. Needs root
# (debootstrap) and the debootstrap package.
#
# Environment:
#   SNMPLAB_BASE_IMAGE    python stand-in tag            (default python:3.11-slim)
#   SNMPLAB_NGINX_IMAGE   nginx stand-in tag             (default nginx:bookworm)
#   SNMPLAB_DEBIAN_MIRROR Debian mirror for debootstrap  (default: this host's apt source)
#   SNMPLAB_CA_DIR        CA certificates to trust inside the images, *.crt
#                         (default /usr/local/share/ca-certificates)
#   SNMPLAB_CACHE         where the root filesystem tarball is kept between runs
#                         (default /var/tmp/snmplab-cache)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

python_image=${SNMPLAB_BASE_IMAGE:-python:3.11-slim}
nginx_image=${SNMPLAB_NGINX_IMAGE:-nginx:bookworm}
rootfs_image=localhost/snmplab-bookworm-base
ca_dir=${SNMPLAB_CA_DIR:-/usr/local/share/ca-certificates}
cache=${SNMPLAB_CACHE:-/var/tmp/snmplab-cache}
force=0
[ "${1:-}" = --force ] && force=1

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The stand-ins carry the host's CA certificates, and a TLS-inspecting proxy's certificate
# may be renewed (e.g. at every boot): a stand-in made with other certificates is rebuilt.
# An image of that name that is not one of ours (a real python:3.11-slim) is kept.
ca_hash=$( (cat "$ca_dir"/*.crt 2>/dev/null || true) | sha256sum | cut -c1-16)
current() {
  local label
  have_image "$1" || return 1
  label=$(docker image inspect -f '{{ index .Config.Labels "snmplab.ca-hash" }}' "$1" 2>/dev/null)
  [ -z "$label" ] || [ "$label" = "$ca_hash" ]
}

if [ $force = 0 ] && current "$python_image" && current "$nginx_image"; then
  echo "Base images present: $python_image, $nginx_image"
  exit 0
fi

mirror=${SNMPLAB_DEBIAN_MIRROR:-}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d "${TMPDIR:-/tmp}/snmplab-base.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$cache"
tarball=$cache/bookworm-minbase.tar
if [ $force = 1 ] || ! have_image "$rootfs_image"; then
  if [ $force = 1 ] || [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || {
      echo "debootstrap is missing: apt-get install debootstrap" >&2
      exit 1
    }
    echo "debootstrap bookworm (minbase) from $mirror"
    t0=$(date +%s)
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
      tail -n 30 "$work/debootstrap.log" >&2
      exit 1
    }
    tar -C "$work/rootfs" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$work/rootfs"
    echo "root filesystem ready in $(($(date +%s) - t0))s"
  fi
  docker import - "$rootfs_image" <"$tarball" >/dev/null
fi

# The host's CAs are copied at build time only, so an inspecting proxy's fresh certificate
# works and none is ever committed.
build_standin() {
  local tag=$1 dockerfile=$2 ctx
  ctx=$work/ctx-$(basename "$dockerfile" .Dockerfile)
  mkdir -p "$ctx/certs"
  cp "$repo/deploy/base/$dockerfile" "$ctx/Dockerfile"
  if compgen -G "$ca_dir/*.crt" >/dev/null; then
    cp "$ca_dir"/*.crt "$ctx/certs/"
  fi
  echo "building stand-in $tag"
  docker build -q --build-arg ROOTFS_IMAGE="$rootfs_image" --label "snmplab.ca-hash=$ca_hash" \
    -t "$tag" "$ctx" >/dev/null
}

t0=$(date +%s)
if [ $force = 1 ] || ! current "$python_image"; then
  build_standin "$python_image" python.Dockerfile
fi
if [ $force = 1 ] || ! current "$nginx_image"; then
  build_standin "$nginx_image" nginx.Dockerfile
fi
echo "Base images ready ($python_image, $nginx_image) in $(($(date +%s) - t0))s"
