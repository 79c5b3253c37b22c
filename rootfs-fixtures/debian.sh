#!/usr/bin/env bash
# Builds a minimal Debian 12 rootfs with python3 (for Ansible and Testinfra inside provisioning
# testbeds) with debootstrap from Debian's own mirror. Slow (minutes), so it is built on demand
# and cached once per machine under /var/cache/cell-fixtures; .ci/test builds it when missing.
#   usage: rootfs-fixtures/debian.sh [OUTPUT.tar]
set -euo pipefail
cache=${CELL_FIXTURE_CACHE:-/var/cache/cell-fixtures}
out=${1:-$cache/debian-bookworm-python3.tar}
[ -s "$out" ] && { echo "$out"; exit 0; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=python3,python3-apt,sudo,procps,iproute2 bookworm "$work/rootfs" "$mirror" >&2
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
mkdir -p "$(dirname "$out")"
# Device nodes stay out: every container gets its own /dev.
tar --sort=name --numeric-owner --exclude=./dev/* -C "$work/rootfs" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$out"
