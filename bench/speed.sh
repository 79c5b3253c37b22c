#!/usr/bin/env bash
# Issue 19's table, side by side in one run (medians; ratios: how many times faster cell is), and
# where a `cell run --rm` spends its time (CELL_TRACE=1's phases, medians of $TRACES runs):
#   cell run --rm busybox true        <= 10 ms, >= 1.8x runc run of a ready bundle; podman beside
#   cell run -d returns               <= 8 ms; podman run -d beside
#   cell exec C true                  <= 5 ms; podman exec beside
#   cached rebuild, 5 steps, 64 MB    <= 30 ms, >= 12x podman build
#   cell ps -a with $N containers     <= 30 ms; podman ps -a beside
#   monitor memory, 20 running        <= 1.5 MB Pss each; conmon beside
#   $MANY containers at once          started in < 10 s, every one answers exec, removed, nothing left
# usage: bash bench/speed.sh          (N=1000 MANY=500; N=200 MANY=100 for a quicker run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"
N=${N:-1000}
MANY=${MANY:-500}
TRACES=${TRACES:-30}

busybox_images localhost/busybox
runc_bundle "$work/bundle" "$tarball"

hyperfine -N --warmup 5 --runs 60 --export-json "$work/run.json" \
    -n "cell run --rm" "$cell run --rm busybox true" \
    -n "runc run" "$RUNC run --bundle $work/bundle bench" \
    -n "podman run --rm" "$PODMAN run --rm busybox true"

# The phases of one run --rm: each trace line's own time ("+x.xx"), by phase, over $TRACES runs.
for _ in $(seq 1 "$TRACES"); do
    CELL_TRACE=1 $cell run --rm busybox true 2>&1 >/dev/null | grep '^cell trace' || true
done > "$work/traces.txt"

hyperfine -N --warmup 3 --runs 40 --export-json "$work/detach.json" \
    -n "cell run -d" "$cell run -d busybox sleep 1000" \
    -n "podman run -d" "$PODMAN run -d busybox sleep 1000"
$cell rm -f $($cell ps -aq) >/dev/null
$PODMAN rm -f -t 0 -a >/dev/null

$cell run -d --name execd busybox sleep 1000 >/dev/null
$PODMAN run -d --name execd busybox sleep 1000 >/dev/null
hyperfine -N --warmup 5 --runs 40 --export-json "$work/exec.json" \
    -n "cell exec" "$cell exec execd true" \
    -n "podman exec" "$PODMAN exec execd true"
$cell rm -f execd >/dev/null
$PODMAN rm -f -t 0 execd >/dev/null

# A cached rebuild: five steps, one of them a COPY of a 64 MB file.
mkdir -p "$work/ctx"
head -c 64M /dev/urandom > "$work/ctx/big.bin"
echo hello > "$work/ctx/hello.txt"
cat > "$work/ctx/Dockerfile" <<'IMAGEFILE'
FROM busybox
ENV APP=/app
WORKDIR /app
COPY big.bin hello.txt ./
RUN cat hello.txt > copy.txt
CMD ["cat", "/app/copy.txt"]
IMAGEFILE
sed 's|^FROM busybox|FROM localhost/busybox|' "$work/ctx/Dockerfile" > "$work/ctx/Containerfile.podman"
$cell build -q -t cached "$work/ctx" >/dev/null
$PODMAN build -q --layers -t cached -f "$work/ctx/Containerfile.podman" "$work/ctx" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/build.json" \
    -n "cell build (cached)" "$cell build -q -t cached $work/ctx" \
    -n "podman build (cached)" "$PODMAN build -q --layers -t cached -f $work/ctx/Containerfile.podman $work/ctx"

# Monitor memory: 20 running each.
for _ in $(seq 1 20); do $cell run -d busybox sleep 1000 >/dev/null; $PODMAN run -d busybox sleep 1000 >/dev/null; done
# A monitor gives its startup code's pages back once its container has run 0.1 s.
sleep 0.5
cell_pss=$(pss_of cell-monitor)
conmon_pss=$(pss_of conmon)
$cell rm -f $($cell ps -aq) >/dev/null
$PODMAN rm -f -t 0 -a >/dev/null

# ps -a with N containers (created, never started: the listing is what is measured).
seq 1 "$N" | xargs -P 2 -I{} $cell create busybox true >/dev/null
seq 1 "$N" | xargs -P 2 -I{} $PODMAN create busybox true >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/ps.json" \
    -n "cell ps -a" "$cell ps -a" \
    -n "podman ps -a" "$PODMAN ps -a"
$cell rm $($cell ps -aq) >/dev/null
$PODMAN rm -a >/dev/null

# MANY at once: started two at a time (this machine's cores), each answers an exec, all removed.
now() { date +%s.%N; }
since() { python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }
begin=$(now)
seq 1 "$MANY" | xargs -P 2 -I{} $cell run -d --name many-{} busybox sleep 1000 >/dev/null
many_started=$(since "$begin")
many_running=$($cell ps -q | wc -l)
sleep 0.5
many_pss=$(pss_of cell-monitor)
begin=$(now)
many_answered=$(seq 1 "$MANY" | xargs -P 2 -I{} $cell exec many-{} echo ok 2>/dev/null | grep -c '^ok$' || true)
many_exec=$(since "$begin")
begin=$(now)
$cell ps -aq | xargs -n 50 $cell rm -f >/dev/null
many_removed=$(since "$begin")
# Nothing left: no container, no monitor of this store, no mount, no cgroup.
left_containers=$($cell ps -aq | wc -l)
left_monitors=$(pgrep -f "cell-monitor.*$CELL_ROOT" | wc -l || true)
left_mounts=$(grep -c "$CELL_ROOT" /proc/self/mounts || true)
left_cgroups=$(find /sys/fs/cgroup -maxdepth 3 -path '*/cell/*' -type d 2>/dev/null | wc -l)

echo
echo "== where cell run --rm busybox true spends its time (CELL_TRACE=1, medians of $TRACES runs) =="
python3 - "$work/traces.txt" <<'PHASES'
import re, statistics, sys
phases, at = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"cell trace +([\d.]+) ms +\+([\d.]+) +(.*)$", line.rstrip("\n"))
    if not m:
        continue
    phases.setdefault(m.group(3), []).append(float(m.group(2)))
    at.setdefault(m.group(3), []).append(float(m.group(1)))
# In the order they happen: by when they end, on the common timeline.
for name in sorted(phases, key=lambda name: statistics.median(at[name])):
    print(f"  {statistics.median(phases[name]):6.2f} ms  {name}")
PHASES

echo
echo "== results (medians; ratios: how many times faster cell is) =="
c=$(median_of "$work/run.json" 0)
ratio "run --rm true, cell vs runc run (target: cell <= 10 ms and >= 1.8x)" "$c" "$(median_of "$work/run.json" 1)"
ratio "run --rm true, cell vs podman run --rm" "$c" "$(median_of "$work/run.json" 2)"
ratio "run -d, cell vs podman (target: cell <= 8 ms)" "$(median_of "$work/detach.json" 0)" "$(median_of "$work/detach.json" 1)"
ratio "exec true, cell vs podman (target: cell <= 5 ms)" "$(median_of "$work/exec.json" 0)" "$(median_of "$work/exec.json" 1)"
ratio "cached rebuild of 5 steps with a 64 MB COPY, cell vs podman (target: cell <= 30 ms and >= 12x)" "$(median_of "$work/build.json" 0)" "$(median_of "$work/build.json" 1)"
ratio "ps -a with $N containers, cell vs podman (target: cell <= 30 ms)" "$(median_of "$work/ps.json" 0)" "$(median_of "$work/ps.json" 1)"
echo "monitor Pss with 20 running: cell-monitor ${cell_pss} kB each, conmon ${conmon_pss} kB each (target <= 1536 kB)"
echo "$MANY at once: started $many_running in ${many_started} s (target < 10 s), monitors ${many_pss} kB Pss each; $many_answered answered exec in ${many_exec} s; removed in ${many_removed} s"
echo "left after removal: $left_containers containers, $left_monitors monitors, $left_mounts mounts, $left_cgroups cgroups (target: none)"
