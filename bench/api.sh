#!/usr/bin/env bash
# The Engine API side by side with Podman's, in one run, through the same clients, each service on
# a socket of the bench's own (ratios: how many times faster cell's is), against issue 18's targets:
#   docker version           the smallest exchange (a ping, one GET)
#   docker run --rm true     busybox through the API, attached, to its exit (target: 5x Podman's)
#   docker run -d            busybox sleep: create and start through the API
#   docker ps -a             with N containers in each store (target: under 50 ms with 1,000),
#                            and against a canned answer: the docker CLI's own share
#   wrk                      GET /containers/json?all=1 over TCP, 64 connections, 10 s (target:
#                            no errors), each service on a loopback port of its own, with the
#                            run -d containers (some 30) and with N
#   resident memory          of the idle service, before and after the load (target: under 20 MB)
# and the `cell` command's own start, which the service must not change (`cell ps -a` here; for
# a comparison with an earlier commit, bench/against.sh REV).
#   usage: bench/api.sh       (N=1000 by default: some 3 minutes, most of it Podman's creates)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
# The service, built as the rest (release, the Swift runtime linked statically), beside cell.
(cd "$repo" && swift build -c release --static-swift-stdlib --product cell-service >/dev/null)
podman_setup
export CELL_ROOT="$work/cell"
export DOCKER_CONFIG="$work/docker-config"
N=${N:-1000}
docker=${DOCKER:-/usr/local/bin/docker}
command -v wrk >/dev/null || { echo "wrk is missing: run .ci/install-deps" >&2; exit 1; }

# Podman's compat API reads `busybox` as docker.io/library/busybox, as Docker does.
busybox_images docker.io/library/busybox:latest

# A free loopback port (the kernel's pick, released for the service to take).
free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

cell_socket="$work/cell.sock"
podman_socket="$work/podman.sock"
cell_port=$(free_port)
podman_port=$(free_port)
services=()
serve() { "$@" 2>/dev/null & services+=($!); }
serve "$cell" system service --time 0 "unix://$cell_socket"
cell_service=${services[-1]}
serve "$cell" system service --time 0 "tcp://127.0.0.1:$cell_port"
cell_tcp_service=${services[-1]}
serve $PODMAN system service --time 0 "unix://$podman_socket"
serve $PODMAN system service --time 0 "tcp://127.0.0.1:$podman_port"
stop_services() {
    kill "${services[@]}" 2>/dev/null || true
    wait "${services[@]}" 2>/dev/null || true
}
trap 'stop_services; cell_cleanup; podman_cleanup; rm -rf "$work"' EXIT

# Ready when each answers its ping (bounded: a service that never comes fails the bench).
wait_for() {
    for _ in $(seq 1 300); do
        curl -sf "$@" >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "no service answers: curl $*" >&2
    exit 1
}
wait_for --unix-socket "$cell_socket" http://d/_ping
wait_for --unix-socket "$podman_socket" http://d/_ping
wait_for "http://127.0.0.1:$cell_port/_ping"
wait_for "http://127.0.0.1:$podman_port/_ping"
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
idle_rss=$(rss_of "$cell_service")

via_cell="env DOCKER_HOST=unix://$cell_socket $docker"
via_podman="env DOCKER_HOST=unix://$podman_socket $docker"

hyperfine -N --warmup 3 --runs 40 --export-json "$work/version.json" \
    -n "docker version (cell)" "$via_cell version" \
    -n "docker version (podman)" "$via_podman version"

# Before the N containers: a run's own cost, not a store's size.
hyperfine -N --warmup 3 --runs 30 --export-json "$work/run-rm.json" \
    -n "docker run --rm busybox true (cell)" "$via_cell run --rm busybox true" \
    -n "docker run --rm busybox true (podman)" "$via_podman run --rm busybox true"

hyperfine -N --warmup 3 --runs 30 --export-json "$work/run.json" \
    -n "docker run -d (cell)" "$via_cell run -d busybox sleep 1000" \
    -n "docker run -d (podman)" "$via_podman run -d busybox sleep 1000"

# Sustained load over TCP (wrk speaks HTTP over TCP only): 64 connections for 10 s on two threads.
# A request that fails, times out (wrk: 2 s) or answers other than 2xx is an error.
load() {
    wrk -t 2 -c 64 -d 10s --latency "http://127.0.0.1:$1/v1.41/containers/json?all=1" > "$work/wrk-$2.txt" 2>&1 || true
    sed 's/^/  /' "$work/wrk-$2.txt"
}
running=$($cell ps -q | wc -l)
echo "wrk, GET /containers/json?all=1 ($running running containers), cell:"
load "$cell_port" cell-small
echo "wrk, GET /containers/json?all=1 ($running running containers), podman:"
load "$podman_port" podman-small
ids=$($cell ps -q); [ -z "$ids" ] || $cell rm -f $ids >/dev/null
ids=$($PODMAN ps -q); [ -z "$ids" ] || $PODMAN rm -f -t 0 $ids >/dev/null

# N stopped containers in each store, made by each side's own command.
echo "creating $N containers in each store..."
for i in $(seq 1 "$N"); do
    $cell create --name "c$i" busybox true >/dev/null
    $PODMAN create --name "c$i" docker.io/library/busybox true >/dev/null
done

hyperfine -N --warmup 3 --runs 40 --export-json "$work/ps.json" \
    -n "docker ps -a, $N (cell)" "$via_cell ps -a" \
    -n "docker ps -a, $N (podman)" "$via_podman ps -a"

# The cell command itself: its start is what the service must leave alone.
hyperfine -N --warmup 5 --runs 60 --export-json "$work/cli.json" \
    -n "cell ps -a, $N" "$cell ps -a" \
    -n "docker ps -a, $N (cell's service)" "$via_cell ps -a"

# The docker CLI's own share of `ps -a`: the same answer, replayed at once by a trivial server.
curl -sf --unix-socket "$cell_socket" "http://d/v1.43/containers/json?all=1" > "$work/list.json"
canned_socket="$work/canned.sock"
python3 - "$canned_socket" "$work/list.json" <<'PY' &
import os, socketserver, sys
socket_path, listing = sys.argv[1], open(sys.argv[2], "rb").read()
class Canned(socketserver.StreamRequestHandler):
    def handle(self):
        while (line := self.rfile.readline()):
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            body = listing if b"/containers/json" in line else b"OK"
            self.wfile.write(b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
socketserver.ThreadingUnixStreamServer(socket_path, Canned).serve_forever()
PY
services+=($!)
wait_for --unix-socket "$canned_socket" http://d/_ping
hyperfine -N --warmup 3 --runs 40 --export-json "$work/canned.json" \
    -n "docker ps -a, $N (a canned answer)" "env DOCKER_HOST=unix://$canned_socket $docker ps -a"

# The same load with the list of N containers each time.
echo "wrk, GET /containers/json?all=1 ($N containers), cell:"
load "$cell_port" cell
echo "wrk, GET /containers/json?all=1 ($N containers), podman:"
load "$podman_port" podman
loaded_rss=$(rss_of "$cell_tcp_service")
# requests/s; and the errors: socket errors (connect, read, write, timeout) and non-2xx answers
requests_per_second() { awk '/^Requests\/sec:/ {print $2}' "$work/wrk-$1.txt"; }
completed() { awk '/requests in/ {print $1}' "$work/wrk-$1.txt"; }
errors_of() {
    awk '/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} /Non-2xx or 3xx responses:/ {n += $5} END {print n + 0}' "$work/wrk-$1.txt"
}
# Idle again: what the service keeps once the load has passed.
sleep 2
after_rss=$(rss_of "$cell_tcp_service")

median_ms() { python3 -c "import sys; print(round(float(sys.argv[1]) * 1000, 1))" "$(median_of "$@")"; }
meets() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else 'MISSED')" "$1"; }

echo
echo "How many times faster through cell's service than through podman's:"
ratio "docker version" "$(median_of "$work/version.json" 0)" "$(median_of "$work/version.json" 1)"
ratio "docker run --rm busybox true" "$(median_of "$work/run-rm.json" 0)" "$(median_of "$work/run-rm.json" 1)"
ratio "docker run -d" "$(median_of "$work/run.json" 0)" "$(median_of "$work/run.json" 1)"
ratio "docker ps -a ($N containers)" "$(median_of "$work/ps.json" 0)" "$(median_of "$work/ps.json" 1)"
wrk_line() {
    echo "wrk GET /containers/json ($1, 64 connections): $(requests_per_second "$2") vs $(requests_per_second "$3") requests/s" \
        "($(completed "$2") vs $(completed "$3") answered in 10 s), errors $(errors_of "$2") vs $(errors_of "$3")"
}
wrk_line "$running running containers" cell-small podman-small
wrk_line "$N containers" cell podman
echo
ratio "cell ps -a vs docker ps -a through the service" "$(median_of "$work/cli.json" 0)" "$(median_of "$work/cli.json" 1)"
ratio "docker ps -a, a canned answer vs through the service" "$(median_of "$work/canned.json" 0)" "$(median_of "$work/cli.json" 1)"
echo "cell-service resident memory: ${idle_rss} kB idle at start; ${loaded_rss} kB after the load, ${after_rss} kB idle after it"
echo
run_ratio=$(python3 -c "import sys; print(float(sys.argv[2]) / float(sys.argv[1]))" \
    "$(median_of "$work/run-rm.json" 0)" "$(median_of "$work/run-rm.json" 1)")
ps_ms=$(median_ms "$work/ps.json" 0)
echo "Issue 18's targets:"
echo "  docker run --rm busybox true at least 5x Podman's: $(printf %.2f "$run_ratio")x, $(meets "$run_ratio >= 5")"
echo "  docker ps -a with $N containers under 50 ms: $ps_ms ms, $(meets "$ps_ms < 50 and $N >= 1000")"
for load in cell-small cell; do
    echo "  wrk at 64 connections with no errors ($([ $load = cell ] && echo "$N containers" || echo "$running containers")):" \
        "$(errors_of $load) errors, $(meets "$(errors_of $load) == 0 and $(completed $load) > 0")"
done
echo "  idle service under 20 MB resident: ${idle_rss} kB, $(meets "$idle_rss < 20 * 1024")"
