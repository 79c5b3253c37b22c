#!/usr/bin/env bash
# The Engine API side by side with Podman's, in one run, through the same client (the docker CLI
# on this machine), each service on a socket of the bench's own (ratios: how many times faster
# cell's is):
#   docker version        the smallest exchange (a ping, one GET)
#   docker ps -a          with N containers in each store (N=100 by default)
#   docker run -d         busybox sleep: create and start through the API
# and the `cell` command's own start, which the service must not change (`cell ps -a` here; for
# a comparison with an earlier commit, bench/against.sh REV).
#   usage: bench/api.sh        (N=1000 bash bench/api.sh for issue 18's ps target)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
# The service, built as the rest (release, the Swift runtime linked statically), beside cell.
(cd "$repo" && swift build -c release --static-swift-stdlib --product cell-service >/dev/null)
podman_setup
export CELL_ROOT="$work/cell"
export DOCKER_CONFIG="$work/docker-config"
N=${N:-100}
docker=${DOCKER:-/usr/local/bin/docker}

# Podman's compat API reads `busybox` as docker.io/library/busybox, as Docker does.
busybox_images docker.io/library/busybox:latest

cell_socket="$work/cell.sock"
podman_socket="$work/podman.sock"
"$cell" system service --time 0 "unix://$cell_socket" 2>/dev/null &
cell_service=$!
$PODMAN system service --time 0 "unix://$podman_socket" 2>/dev/null &
podman_service=$!
stop_services() {
    kill "$cell_service" "$podman_service" 2>/dev/null || true
    wait "$cell_service" "$podman_service" 2>/dev/null || true
}
trap 'stop_services; cell_cleanup; podman_cleanup; rm -rf "$work"' EXIT

# Ready when each answers its ping (bounded: a service that never comes fails the bench).
for socket in "$cell_socket" "$podman_socket"; do
    for _ in $(seq 1 300); do
        curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -sf --unix-socket "$socket" http://d/_ping >/dev/null || { echo "no service on $socket" >&2; exit 1; }
done

# N stopped containers in each store, made by each side's own command.
for i in $(seq 1 "$N"); do
    $cell create --name "c$i" busybox true >/dev/null
    $PODMAN create --name "c$i" docker.io/library/busybox true >/dev/null
done

via_cell="env DOCKER_HOST=unix://$cell_socket $docker"
via_podman="env DOCKER_HOST=unix://$podman_socket $docker"

hyperfine -N --warmup 3 --runs 40 --export-json "$work/version.json" \
    -n "docker version (cell)" "$via_cell version" \
    -n "docker version (podman)" "$via_podman version"

hyperfine -N --warmup 3 --runs 40 --export-json "$work/ps.json" \
    -n "docker ps -a, $N (cell)" "$via_cell ps -a" \
    -n "docker ps -a, $N (podman)" "$via_podman ps -a"

hyperfine -N --warmup 3 --runs 30 --export-json "$work/run.json" \
    -n "docker run -d (cell)" "$via_cell run -d busybox sleep 1000" \
    -n "docker run -d (podman)" "$via_podman run -d busybox sleep 1000"
ids=$($cell ps -q); [ -z "$ids" ] || $cell rm -f $ids >/dev/null
ids=$($PODMAN ps -q); [ -z "$ids" ] || $PODMAN rm -f -t 0 $ids >/dev/null

# The cell command itself: its start is what the service must leave alone.
hyperfine -N --warmup 5 --runs 60 --export-json "$work/cli.json" \
    -n "cell ps -a, $N" "$cell ps -a" \
    -n "docker ps -a, $N (cell's service)" "$via_cell ps -a"

# The service's own memory after all that (issue 18: idle under 20 MB).
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$cell_service/status")

echo
echo "How many times faster through cell's service than through podman's:"
ratio "docker version" "$(median_of "$work/version.json" 0)" "$(median_of "$work/version.json" 1)"
ratio "docker ps -a ($N containers)" "$(median_of "$work/ps.json" 0)" "$(median_of "$work/ps.json" 1)"
ratio "docker run -d" "$(median_of "$work/run.json" 0)" "$(median_of "$work/run.json" 1)"
echo
ratio "cell ps -a vs docker ps -a through the service" "$(median_of "$work/cli.json" 0)" "$(median_of "$work/cli.json" 1)"
echo "cell-service resident memory: ${rss} kB"
