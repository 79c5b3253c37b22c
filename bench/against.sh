#!/usr/bin/env bash
# This tree's cell against an earlier one, side by side in one run: what a change costs on the
# paths it touched (a hardening, a restructuring). Both are release builds with the Swift runtime
# linked statically, as .ci/setup builds cell; the earlier one is built from REV in a scratch
# worktree once and kept under /var/tmp (BASE_DIR). Prints, for each case, how many times faster this tree is (below 1: slower).
#   run --rm busybox true                     the runtime's whole start and teardown
#   run --rm -v DIR:/data:ro busybox true     a read-only bind (recursive since issue 23)
#   run --rm -u 1000:1000 busybox true        a user resolved in the image's passwd
#   exec C true                               into a running container
#   cp FILE C:/tmp/, cp C:/etc/passwd FILE    both directions through the container's root
#   commit C                                  a layer read from a container's upper directory
#   ps -a                                     a start of the binary and little else
#   build (cached)                            a 5-step Imagefile with a COPY, every step from the cache
#   usage: bench/against.sh [REV]             (REV: the commit to compare with, HEAD~1 by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rev=${1:-HEAD~1}
cell=$(cell_bin)

# The earlier cell, built once per commit and kept (a release build takes minutes).
base=${BASE_DIR:-/var/tmp/cell-bench-base-$(git -C "$repo" rev-parse --short "$rev")}
old="$base/bin/cell"
if [ ! -x "$old" ]; then
    source_tree="$work/base-source"
    git -C "$repo" worktree add --detach "$source_tree" "$rev" >/dev/null 2>&1
    for product in cell cell-monitor cell-init; do
        (cd "$source_tree" && swift build -c release --static-swift-stdlib --product "$product" >/dev/null)
    done
    mkdir -p "$base/bin"
    bin="$(cd "$source_tree" && swift build -c release --static-swift-stdlib --show-bin-path)"
    cp "$bin/cell" "$bin/cell-monitor" "$bin/cell-init" "$base/bin/"
    git -C "$repo" worktree remove --force "$source_tree"
fi

# This tree's binaries beside the earlier ones' kind of place: where a binary lies (which file
# system, how long its path) alone moved a start by 0.4 ms here.
mkdir -p "$work/bin"
cp "$cell" "$(dirname "$cell")/cell-monitor" "$(dirname "$cell")/cell-init" "$work/bin/"
cell="$work/bin/cell"

export CELL_ROOT="$work/cell"
busybox_images
mkdir -p "$work/data"
echo payload > "$work/file"
$cell run -d --name running busybox sleep 100000 >/dev/null
$cell run -d --name committed busybox sh -c 'echo changed > /etc/motd; exec sleep 100000' >/dev/null
mkdir -p "$work/context"
head -c 8M /dev/urandom > "$work/context/data.bin"
printf 'FROM busybox\nENV A=1\nCOPY data.bin /data.bin\nRUN echo built > /built\nWORKDIR /srv\nCMD ["sh"]\n' > "$work/context/Imagefile"
$cell build -q -t cached "$work/context" >/dev/null

cases=(
    "run --rm busybox true"
    "run --rm -v $work/data:/data:ro busybox true"
    "run --rm -u 1000:1000 busybox true"
    "exec running true"
    "cp $work/file running:/tmp/"
    "cp running:/etc/passwd $work/passwd-out"
    "commit committed"
    "ps -a"
    "build -q -t cached $work/context"
)
# Each case: one run of each cell at a time, in a shuffled order, ROUNDS rounds, so that a
# machine that drifts meanwhile weighs on both alike (hyperfine would time one, then the other).
echo "== this tree vs $rev (${ROUNDS:-60} interleaved rounds; medians; how many times faster this tree is, < 1 is slower) =="
for args in "${cases[@]}"; do
    for _ in 1 2 3; do $cell $args >/dev/null; $old $args >/dev/null; done  # warm-up
    python3 - "${ROUNDS:-60}" "$cell $args" "$old $args" > "$work/medians.txt" <<'PY'
import random, shlex, statistics, subprocess, sys, time
rounds, commands = int(sys.argv[1]), [shlex.split(c) for c in sys.argv[2:4]]
times = [[], []]
order = [0, 1]
for _ in range(rounds):
    random.shuffle(order)
    for index in order:
        start = time.perf_counter()
        subprocess.run(commands[index], check=True, stdout=subprocess.DEVNULL)
        times[index].append(time.perf_counter() - start)
print(statistics.median(times[0]), statistics.median(times[1]))
PY
    read -r new_median old_median < "$work/medians.txt"
    ratio "$args" "$new_median" "$old_median"
done
