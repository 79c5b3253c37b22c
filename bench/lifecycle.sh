#!/usr/bin/env bash
# The lifecycle side by side with podman, in one run:
#   a container writing 1 GB to stdout            (target: the monitor keeps json-file at >= 500 MB/s;
#                                                   its memory does not grow with the volume)
#   logs --tail 10 of that 1 GB log               (target: under 20 ms)
#   an event seen by a follower                   (target: within 50 ms of the action)
#   a crash-looping --restart always container    (target: under 1 % of a core between restarts
#                                                   once its back-off has grown)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"

busybox_images localhost/busybox

# 1 GB of 100-byte lines, made once and written by `cat` from a read-only bind mount: busybox's
# `yes | head` alone needs about 4 s a GB here, and would measure itself, not the log.
line=$(printf 'x%.0s' $(seq 1 99))
{ yes "$line" || true; } | head -n 10000000 > "$work/gigabyte.txt"  # yes ends on SIGPIPE
writer="cat /gigabyte.txt"
volume="-v $work/gigabyte.txt:/gigabyte.txt:ro"

echo "== 1 GB to stdout (detached: the log is all it goes to) =="
hyperfine -N --runs 3 --export-json "$work/write.json" \
    -n "cell run (json-file)" --prepare "bash -c '$cell rm -f big >/dev/null 2>&1 || true'" \
        "$cell run --name big $volume busybox $writer" \
    -n "podman run (k8s-file)" --prepare "bash -c '$PODMAN rm -f big >/dev/null 2>&1 || true'" \
        "$PODMAN run --name big --net none --log-driver k8s-file $volume localhost/busybox $writer"
# The monitor's peak memory for the same volume, and for a hundredth of it.
$cell rm -f big >/dev/null 2>&1 || true
peak() {
    local lines=$1
    $cell run -d --name peak $volume busybox sh -c "sleep 0.5; head -n $lines /gigabyte.txt" >/dev/null
    local pid monitor max=0 rss
    pid=$($cell inspect -f '{{.State.Pid}}' peak)
    monitor=$(awk '{print $4}' /proc/"$pid"/stat)
    while kill -0 "$monitor" 2>/dev/null; do
        rss=$(awk '/VmRSS/ {print $2}' /proc/"$monitor"/status 2>/dev/null || echo 0)
        [ "${rss:-0}" -gt "$max" ] && max=$rss
        sleep 0.05
    done
    $cell rm -f peak >/dev/null
    echo "$max"
}
big_rss=$(peak 10000000)
small_rss=$(peak 100000)

echo "== logs --tail 10 of the 1 GB log =="
$cell run --name big $volume busybox $writer >/dev/null
log_size=$(( $(stat -c %s "$CELL_ROOT/containers/$($cell inspect -f '{{.Id}}' big)/container.log") / 1000000 ))
hyperfine -N --warmup 3 --runs 20 --export-json "$work/tail.json" \
    -n "cell logs --tail 10" "$cell logs --tail 10 big" \
    -n "podman logs --tail 10" "$PODMAN logs --tail 10 big"

echo "== event latency: action to a follower's line =="
latency=$(python3 - "$cell" <<'PY'
import json, subprocess, sys, time
cell = sys.argv[1]
follower = subprocess.Popen([cell, "events", "--format", "json", "--filter", "type=volume"], stdout=subprocess.PIPE)
time.sleep(0.5)
delays = []
for i in range(30):
    subprocess.run([cell, "volume", "create", "latency%d" % i], stdout=subprocess.DEVNULL, check=True)
    event = json.loads(follower.stdout.readline())
    delays.append((time.time_ns() - event["timeNano"]) / 1e6)
follower.terminate()
for i in range(30):
    subprocess.run([cell, "volume", "rm", "latency%d" % i], stdout=subprocess.DEVNULL)
delays.sort()
print("%.1f %.1f" % (delays[len(delays) // 2], delays[-1]))
PY
)

echo "== a crash loop between restarts =="
$cell run -d --name loop --restart always busybox sh -c 'exit 1' >/dev/null
# The back-off doubles from 100 ms: after 7 restarts (about 13 s) it is 12.8 s long.
until [ "$($cell inspect -f '{{.RestartCount}}' loop)" -ge 7 ]; do sleep 0.2; done
until [ "$($cell inspect -f '{{.State.Restarting}}' loop)" = "true" ]; do sleep 0.05; done
monitor=$(tr '\0' '\n' < "$CELL_ROOT/containers/$($cell inspect -f '{{.Id}}' loop)/state" | awk 'prev=="monitor-pid" {getline; print; exit} {prev=$0}')
ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
before=$(ticks "$monitor"); start=$(date +%s.%N)
sleep 5
after=$(ticks "$monitor"); end=$(date +%s.%N)
loop_cpu=$(python3 -c "import os,sys; hz=os.sysconf('SC_CLK_TCK'); print('%.2f' % (100.0 * (int(sys.argv[2]) - int(sys.argv[1])) / hz / (float(sys.argv[4]) - float(sys.argv[3]))))" "$before" "$after" "$start" "$end")
$cell rm -f loop big >/dev/null

echo
echo "== results =="
cw=$(median_of "$work/write.json" 0); pw=$(median_of "$work/write.json" 1)
python3 -c "import sys; c,p=float(sys.argv[1]),float(sys.argv[2]); print(f'1 GB to the log: cell {1000/c:.0f} MB/s, podman {1000/p:.0f} MB/s -> {p/c:.2f}x (target >= 500 MB/s)')" "$cw" "$pw"
echo "monitor's peak memory: ${big_rss} kB for 1 GB, ${small_rss} kB for 10 MB (target: the same)"
ratio "logs --tail 10 of a $log_size MB log (target < 20 ms)" "$(median_of "$work/tail.json" 0)" "$(median_of "$work/tail.json" 1)"
echo "event latency, action to follower: median and worst of 30 (ms): $latency (target < 50 ms)"
echo "crash loop between restarts: ${loop_cpu} % of a core (target < 1 %)"
