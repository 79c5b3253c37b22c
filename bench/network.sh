#!/usr/bin/env bash
# Bridge networks side by side with podman, in one run:
#   cell run -d on a bridge network vs --network none   (target: no more than 3 ms slower, median)
#   cell run -d vs podman run -d, both on a bridge       (target: at least 5x faster)
#   200 containers on one network, started and removed  (target: no interface left)
#   a new container's name seen by a running peer       (target: within 100 ms of the start)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"
busybox_images localhost/busybox
$cell network create bench >/dev/null

echo "== run -d: bridge network against none, and podman's bridge =="
hyperfine -N --warmup 3 --runs 30 --export-json "$work/run.json" \
    -n "cell run -d --network none" "$cell run -d --network none busybox sleep 1000" \
    -n "cell run -d --network bench" "$cell run -d --network bench busybox sleep 1000" \
    -n "cell run -d --network bridge" "$cell run -d --network bridge busybox sleep 1000"
hyperfine -N --warmup 1 --runs 10 --export-json "$work/podman.json" \
    -n "podman run -d --network bridge" "$PODMAN run -d --network bridge localhost/busybox sleep 1000"
$cell rm -f $($cell ps -aq) >/dev/null
$PODMAN rm -f -t 0 -a >/dev/null 2>&1 || true

echo "== 200 containers on one network =="
bridge=cell-$($cell network inspect -f '{{.Id}}' bench | cut -c1-10)
interfaces_before=$(ip -o link | wc -l)
start=$(date +%s.%N)
for i in $(seq 1 200); do $cell run -d --network bench busybox sleep 1000 >/dev/null; done
started=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
ports=$(ip -o link show master "$bridge" | wc -l)
addresses=$($cell ps -q | xargs $cell inspect -f '{{.NetworkSettings.Networks.bench.IPAddress}}' | sort -u | wc -l)
start=$(date +%s.%N)
$cell rm -f $($cell ps -aq) >/dev/null
removed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
for _ in $(seq 1 100); do [ "$(ip -o link | wc -l)" -le "$interfaces_before" ] && break; sleep 0.1; done
interfaces_after=$(ip -o link | wc -l)

echo "== a new name seen by a running peer =="
peer=$($cell run -d --network bench busybox sleep 1000)
visible=$(python3 - "$cell" "$CELL_ROOT/containers/$peer/hosts" <<'PY'
import subprocess, sys, time
cell, hosts = sys.argv[1], sys.argv[2]
delays = []
for i in range(20):
    name = f"peer{i}"
    began = time.monotonic()
    subprocess.run([cell, "run", "-d", "--name", name, "--network", "bench", "busybox", "sleep", "1000"], check=True, stdout=subprocess.DEVNULL)
    while f"\t{name} " not in open(hosts).read():
        time.sleep(0.001)
    delays.append((time.monotonic() - began) * 1000)
delays.sort()
print(f"{delays[len(delays) // 2]:.1f} ms median, {delays[-1]:.1f} ms worst (from the start of run -d)")
PY
)
$cell rm -f $($cell ps -aq) >/dev/null

none=$(median_of "$work/run.json" 0); bench=$(median_of "$work/run.json" 1); bridged=$(median_of "$work/run.json" 2)
podman=$(median_of "$work/podman.json" 0)
echo
echo "== results (medians) =="
python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'bridge network cost: {a*1000:.1f} ms with none, {b*1000:.1f} ms on a network -> {(b-a)*1000:+.1f} ms (target <= +3 ms)')" "$none" "$bench"
ratio "cell run -d on a network vs podman run -d on its bridge (target >= 5x)" "$bench" "$podman"
ratio "cell run -d on the default bridge vs podman run -d on its bridge" "$bridged" "$podman"
echo "200 containers: started in ${started} s, ${ports} ports on the bridge, ${addresses} distinct addresses, removed in ${removed} s"
echo "interfaces: ${interfaces_before} before, ${interfaces_after} after (target: equal)"
echo "name seen by a peer: $visible (target: within 100 ms)"
