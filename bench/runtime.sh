#!/usr/bin/env bash
# The runtime side by side with podman, in one run (ratios: how many times faster cell is), for
# what bench/speed.sh (run --rm, run -d, exec, ps -a, monitor memory, many at once) does not show:
#   200 containers at once       started one after another, all running, then removed; vs podman
#   ps with them running         (target: cell under 100 ms)
#   cell logs of 100 MB          vs  reading the log from the disk (dd iflag=direct) and from the page cache (cat)
#   usage: bench/runtime.sh      (MANY=200 by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"

busybox_images busybox

# 200 containers running at once on this machine: how long the starts take, what the 200
# monitors weigh, how fast ps and removal stay.
many=${MANY:-200}
start_many() { # $1: the command prefix; prints seconds
    local begin end
    begin=$(date +%s.%N)
    for i in $(seq 1 "$many"); do $1 run -d busybox sleep 1000 >/dev/null; done
    end=$(date +%s.%N)
    python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$begin" "$end"
}
cell_many=$(start_many "$cell")
cell_running=$($cell ps -q | wc -l)
sleep 0.5 # a monitor gives its startup code's pages back once its container has run 0.1 s
cell_many_pss=$(($(pss_of cell-monitor) * cell_running))
hyperfine -N --warmup 2 --runs 10 --export-json "$work/ps-running.json" -n "cell ps ($many running)" "$cell ps"
begin=$(date +%s.%N); $cell rm -f $($cell ps -aq) >/dev/null; cell_rm=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$begin")
podman_many=$(start_many "$PODMAN")
podman_running=$($PODMAN ps -q | wc -l)
begin=$(date +%s.%N); $PODMAN rm -f -t 0 -a >/dev/null; podman_rm=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$begin")

# logs: 100 MB of lines written by a container, read back.
$cell run --name chatty busybox sh -c 'yes "cell log line: the quick brown fox jumps over the lazy dog" | head -c 100000000' >/dev/null
log=$(ls "$CELL_ROOT"/containers/*/container.log)
log_mb=$(( $(stat -c %s "$log") / 1000000 ))
hyperfine -N --warmup 1 --runs 5 --export-json "$work/logs.json" \
    -n "cell logs" "bash -c '$cell logs chatty > /dev/null'" \
    -n "cat log" "bash -c 'cat $log > /dev/null'" \
    -n "disk read" "dd if=$log of=/dev/null bs=1M iflag=direct status=none"

echo
echo "== results (medians; ratios: how many times faster cell is) =="
python3 -c "import sys; c,cr,cp,crm,p,pr,prm,n=sys.argv[1:]; print(f'{n} containers at once: cell started {cr} in {float(c):.1f} s ({float(c)/int(n)*1000:.1f} ms each; the monitors {int(cp)//1024} MB Pss in all), removed in {float(crm):.1f} s; podman started {pr} in {float(p):.1f} s, removed in {float(prm):.1f} s -> cell {float(p)/float(c):.1f}x faster to start')" \
    "$cell_many" "$cell_running" "$cell_many_pss" "$cell_rm" "$podman_many" "$podman_running" "$podman_rm" "$many"
python3 -c "import sys; print(f'ps with {sys.argv[2]} running: cell {float(sys.argv[1])*1000:.1f} ms (target < 100 ms)')" "$(median_of "$work/ps-running.json" 0)" "$many"
lc=$(median_of "$work/logs.json" 0); lr=$(median_of "$work/logs.json" 1); ld=$(median_of "$work/logs.json" 2)
python3 -c "import sys; a,b,d,m=map(float,sys.argv[1:]); print(f'logs of {m:.0f} MB of json-file log: cell {m/a:.0f} MB/s; disk read {m/d:.0f} MB/s -> {d/a:.2f}x disk speed (target >= 1); cat from the page cache {m/b:.0f} MB/s')" "$lc" "$lr" "$ld" "$log_mb"
