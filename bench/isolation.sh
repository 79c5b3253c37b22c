#!/usr/bin/env bash
# What the default hardening costs, side by side in one run (medians). The issue's target: "The
# full default hardening (cgroups + seccomp + caps + masked paths) adds no more than 3 ms to
# `cell run --rm busybox true` compared with a run that has none of it, and the runtime stays
# ahead of `runc run` on the same machine."
#   hardened  cell run --rm busybox true: Docker's defaults (a cgroup with its devices allow-list
#             and cgroup namespace, Docker's seccomp profile and capability set, masked and
#             read-only /proc and /sys paths)
#   none      the same run with none of it: --cgroups=disabled (no cgroup, no devices cgroup, no
#             cgroup namespace), --cap-add ALL, seccomp=unconfined, systempaths=unconfined.
#             What stays: the namespaces, the overlay, nodev mounts (and, without a devices cgroup,
#             /dev's nodes bound on themselves: a few mounts more than the hardened run makes),
#             read-only /sys, cell-init. Not --privileged: that still makes cgroups, and mknods
#             every device of the host.
#   runc      runc run of a ready bundle (runc's own defaults; target: hardened cell is faster)
#   podman    podman run --rm busybox true with podman's own hardening (a peer, no target here)
# Results are noise on a busy machine: the script refuses to time anything while the 1-minute
# load average is above LOAD_MAX (1.0; this machine has 2 cores), after waiting up to QUIET_WAIT
# seconds (180) for it to settle (its own release build raises it). BUSY_OK=1 times anyway,
# with a warning on every result.
#   usage: bench/isolation.sh     (RUNS=150 hyperfine runs each, ROUNDS=200 interleaved rounds;
#                                  RUNS=30 ROUNDS=20 for a quick check that it works)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LOAD_MAX=${LOAD_MAX:-1.0}
load1() { cut -d' ' -f1 /proc/loadavg; }
is_busy() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$(load1)" "$LOAD_MAX"; }
busy_warning=""
# Waits up to QUIET_WAIT seconds for the load to drop; refuses (exit 1) if it does not, unless BUSY_OK=1.
require_quiet() {
    local waited=0 limit=${QUIET_WAIT:-180}
    busy_warning=""
    while is_busy && [ "$waited" -lt "$limit" ]; do
        [ "$waited" -eq 0 ] && echo "isolation.sh: load average $(load1) > $LOAD_MAX ($1); waiting up to ${limit}s for it to settle..." >&2
        sleep 5; waited=$((waited + 5))
    done
    if is_busy; then
        if [ "${BUSY_OK:-0}" = 1 ]; then
            busy_warning="  [WARNING: timed on a busy machine, load average $(load1) > $LOAD_MAX: not a result]"
            echo "!!!! isolation.sh: the machine is busy (load average $(load1) > $LOAD_MAX) and BUSY_OK=1: timing anyway; the figures are noise !!!!" >&2
        else
            echo "isolation.sh: the machine is busy (load average $(load1) > $LOAD_MAX $1): results would be noise; refusing." >&2
            echo "  Find what runs (top), wait, or set BUSY_OK=1 to time anyway (the results are then marked as not results)." >&2
            exit 1
        fi
    fi
}
require_quiet "before the build"

cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"
busybox_images busybox
runc_bundle "$work/bundle" "$tarball"

hardened="$cell run --rm busybox true"
none="$cell run --rm --cgroups=disabled --cap-add ALL --security-opt seccomp=unconfined --security-opt systempaths=unconfined busybox true"
runc_run="$RUNC run --bundle $work/bundle bench"
podman_run="$PODMAN run --rm busybox true"
# Each must work before it is timed (hyperfine would stop at the first failure anyway).
for command in "$hardened" "$none" "$runc_run" "$podman_run"; do $command >/dev/null; done
require_quiet "after the build"
echo "load average before timing: $(load1)"

hyperfine -N --warmup 10 --runs "${RUNS:-150}" --export-json "$work/hardening.json" \
    -n "cell run --rm (hardened)" "$hardened" \
    -n "cell run --rm (none of it)" "$none" \
    -n "runc run" "$runc_run" \
    -n "podman run --rm" "$podman_run"
echo "load average after hyperfine: $(load1)"

# verdicts HARDENED NONE RUNC PODMAN (seconds): the hardening cost and the ratios, PASS/MISS per target
verdicts() {
    python3 - "$@" "$busy_warning" <<'PY'
import sys
h, n, r, p = (float(x) * 1000 for x in sys.argv[1:5])
note = sys.argv[5]
def verdict(ok): return "PASS" if ok else "MISS"
print(f"hardening costs {h - n:.2f} ms ({h:.1f} ms hardened vs {n:.1f} ms with none of it; target <= 3 ms): {verdict(h - n <= 3)}{note}")
print(f"hardened cell vs runc run: {h:.1f} ms vs {r:.1f} ms -> {r / h:.2f}x (target > 1: cell ahead): {verdict(h < r)}{note}")
print(f"hardened cell vs podman run --rm: {h:.1f} ms vs {p:.1f} ms -> {p / h:.2f}x (a peer; no target here){note}")
print(f"cell with none of it vs runc run: {n:.1f} ms vs {r:.1f} ms -> {r / n:.2f}x (for reference)")
PY
}
echo
echo "== results (hyperfine medians) =="
verdicts "$(median_of "$work/hardening.json" 0)" "$(median_of "$work/hardening.json" 1)" \
    "$(median_of "$work/hardening.json" 2)" "$(median_of "$work/hardening.json" 3)"

# The three cell and runc runs, interleaved one run of each at a time (ROUNDS rounds), so that a
# machine that drifts during the hyperfine runs above weighs on all three alike; the order is
# shuffled in each round. podman stays out: its cleanup (conmon, `podman container cleanup`)
# outlives `podman run` and would land on the runs after it; its figure is hyperfine's.
echo
echo "== interleaved rounds (${ROUNDS:-200}; medians; podman's from hyperfine) =="
python3 - "${ROUNDS:-200}" "$hardened" "$none" "$runc_run" > "$work/interleaved.txt" <<'PY'
import random, shlex, statistics, subprocess, sys, time
rounds = int(sys.argv[1])
commands = dict(zip(["hardened", "none", "runc"], (shlex.split(c) for c in sys.argv[2:5])))
times = {name: [] for name in commands}
order = list(commands)
shuffle = random.Random(1).shuffle
for _ in range(rounds):
    shuffle(order)
    for name in order:
        command = commands[name]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
m = {name: statistics.median(values) for name, values in times.items()}
print(" ".join(str(m[name]) for name in ["hardened", "none", "runc"]))
PY
read -r h n r < "$work/interleaved.txt"
verdicts "$h" "$n" "$r" "$(median_of "$work/hardening.json" 3)"
# Back-to-back runs keep about one core busy: a load near 1-2 here is the benchmark's own.
echo "load average at the end: $(load1)"
