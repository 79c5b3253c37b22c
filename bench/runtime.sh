#!/usr/bin/env bash
# The runtime side by side with runc and podman, in one run (ratios: how many times faster cell is):
#   cell run --rm busybox true   vs  runc run of a ready bundle (target: faster) and podman run --rm (target: >= 10x)
#   cell run -d                  vs  podman run -d (target: cell under 30 ms)
#   cell ps -a, N containers     vs  podman ps -a with as many (target: cell under 100 ms at N=1000)
#   monitor memory, 20 running   cell-monitor Pss each vs conmon's (target: <= 3 MB)
#   exec true in a running one   vs  podman exec (issue 5's target: cell under 10 ms)
#   200 containers at once       started one after another, all running, then removed; vs podman
#   cell logs of 100 MB          vs  reading the log from the disk (dd iflag=direct) and from the page cache (cat)
#   usage: bench/runtime.sh      (N=1000 by default; N=200 bash bench/runtime.sh for a quicker run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"
N=${N:-1000}

tarball=$(bash "$repo/rootfs-fixtures/busybox.sh" "$work/busybox.tar")
$cell import -c 'CMD ["sh"]' "$tarball" busybox >/dev/null
$PODMAN import -q -c 'CMD ["sh"]' "$tarball" busybox >/dev/null

# runc: a bundle made once, run again and again (what `runc run` costs by itself).
runc_bundle "$work/bundle" "$tarball"

# runc run deletes its container when the process exits, so one id serves every run.
hyperfine -N --warmup 5 --runs 60 --export-json "$work/run.json" \
    -n "cell run --rm" "$cell run --rm busybox true" \
    -n "runc run" "$RUNC run --bundle $work/bundle bench" \
    -n "podman run --rm" "$PODMAN run --rm busybox true"

hyperfine -N --warmup 3 --runs 40 --export-json "$work/detach.json" \
    -n "cell run -d" "$cell run -d busybox sleep 1000" \
    -n "podman run -d" "$PODMAN run -d busybox sleep 1000"
$cell rm -f $($cell ps -aq) >/dev/null
$PODMAN rm -f -t 0 -a >/dev/null


# exec into a running container.
$cell run -d --name execd busybox sleep 1000 >/dev/null
$PODMAN run -d --name execd busybox sleep 1000 >/dev/null
hyperfine -N --warmup 3 --runs 30 --export-json "$work/exec.json" \
    -n "cell exec" "$cell exec execd true" \
    -n "podman exec" "$PODMAN exec execd true"
$cell rm -f execd >/dev/null
$PODMAN rm -f -t 0 execd >/dev/null

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
cell_many_pss=$(($(pss_of cell-monitor) * cell_running))
hyperfine -N --warmup 2 --runs 10 --export-json "$work/ps-running.json" -n "cell ps ($many running)" "$cell ps"
begin=$(date +%s.%N); $cell rm -f $($cell ps -aq) >/dev/null; cell_rm=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$begin")
podman_many=$(start_many "$PODMAN")
podman_running=$($PODMAN ps -q | wc -l)
begin=$(date +%s.%N); $PODMAN rm -f -t 0 -a >/dev/null; podman_rm=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$begin")

# Monitor memory: 20 running containers each.
for i in $(seq 1 20); do $cell run -d busybox sleep 1000 >/dev/null; $PODMAN run -d busybox sleep 1000 >/dev/null; done
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
c=$(median_of "$work/run.json" 0); r=$(median_of "$work/run.json" 1); p=$(median_of "$work/run.json" 2)
ratio "run --rm true, cell vs runc run (target > 1)" "$c" "$r"
ratio "run --rm true, cell vs podman (target >= 10)" "$c" "$p"
ratio "run -d, cell vs podman (target: cell < 30 ms)" "$(median_of "$work/detach.json" 0)" "$(median_of "$work/detach.json" 1)"
ratio "exec true, cell vs podman (target: cell < 10 ms)" "$(median_of "$work/exec.json" 0)" "$(median_of "$work/exec.json" 1)"
python3 -c "import sys; c,cr,cp,crm,p,pr,prm,n=sys.argv[1:]; print(f'{n} containers at once: cell started {cr} in {float(c):.1f} s ({float(c)/int(n)*1000:.1f} ms each; the monitors {int(cp)//1024} MB Pss in all), removed in {float(crm):.1f} s; podman started {pr} in {float(p):.1f} s, removed in {float(prm):.1f} s -> cell {float(p)/float(c):.1f}x faster to start')" \
    "$cell_many" "$cell_running" "$cell_many_pss" "$cell_rm" "$podman_many" "$podman_running" "$podman_rm" "$many"
python3 -c "import sys; print(f'ps with {sys.argv[2]} running: cell {float(sys.argv[1])*1000:.1f} ms (target < 100 ms)')" "$(median_of "$work/ps-running.json" 0)" "$many"
ratio "ps -a with $N containers, cell vs podman (target: cell < 100 ms)" "$(median_of "$work/ps.json" 0)" "$(median_of "$work/ps.json" 1)"
echo "monitor Pss with 20 running: cell-monitor ${cell_pss} kB each, conmon ${conmon_pss} kB each (target <= 3072 kB)"
lc=$(median_of "$work/logs.json" 0); lr=$(median_of "$work/logs.json" 1); ld=$(median_of "$work/logs.json" 2)
python3 -c "import sys; a,b,d,m=map(float,sys.argv[1:]); print(f'logs of {m:.0f} MB of json-file log: cell {m/a:.0f} MB/s; disk read {m/d:.0f} MB/s -> {d/a:.2f}x disk speed (target >= 1); cat from the page cache {m/b:.0f} MB/s')" "$lc" "$lr" "$ld" "$log_mb"
