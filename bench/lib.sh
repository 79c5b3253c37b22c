# Shared helpers for the benchmarks: a private podman configuration (the sandbox cannot raise
# RLIMIT_NPROC, and the host's /etc stays untouched), and ratio printing.
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
work=${BENCH_WORK:-$(mktemp -d /var/tmp/cell-bench.XXXXXX)}
trap 'cell_cleanup; podman_cleanup; rm -rf "$work"' EXIT

cell_bin() {
    if [ -z "${CELL:-}" ]; then
        # As .ci/setup builds it: release, the Swift runtime linked statically.
        (cd "$repo" && swift build -c release --static-swift-stdlib --product cell >/dev/null &&
            swift build -c release --static-swift-stdlib --product cell-monitor >/dev/null &&
            swift build -c release --static-swift-stdlib --product cell-init >/dev/null)
        CELL="$(cd "$repo" && swift build -c release --static-swift-stdlib --show-bin-path)/cell"
    fi
    echo "$CELL"
}

# The containers a benchmark left running in its own store (the script's $cell, CELL_ROOT under
# $work): their monitors would outlive the store and slow every later run.
cell_cleanup() {
    if [ -n "${cell:-}" ] && [ "${CELL_ROOT:-}" != "${CELL_ROOT#"$work"/}" ]; then
        local ids
        ids=$("$cell" ps -aq 2>/dev/null || true)
        [ -z "$ids" ] || "$cell" rm -f $ids >/dev/null 2>&1 || true
        # Networks hold the host's bridges and firewall rules: a reset gives them back.
        [ ! -d "$CELL_ROOT/networks" ] || "$cell" system reset -f >/dev/null 2>&1 || true
    fi
}

podman_setup() {
    mkdir -p "$work/podman"
    cat > "$work/podman/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
    export CONTAINERS_CONF="$work/podman/containers.conf"
    PODMAN="podman --root $work/podman/root --runroot $work/podman/run --tmpdir $work/podman/tmp --storage-driver overlay"
}

podman_cleanup() {
    if [ -n "${PODMAN:-}" ]; then
        $PODMAN system reset -f >/dev/null 2>&1 || true
        # podman leaves its overlay directory bind-mounted on itself: unmount everything under $work.
        awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    fi
}

# seconds of one hyperfine command from its JSON export: the median, which a few outliers on a
# noisy machine do not drag (the means are in hyperfine's own output above the results)
median_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"; }

# ratio NAME A_SECONDS B_SECONDS: prints how many times faster A is than B
ratio() { python3 -c "import sys; a,b=float(sys.argv[2]),float(sys.argv[3]); print(f'{sys.argv[1]}: {a*1000:.1f} ms vs {b*1000:.1f} ms -> {b/a:.2f}x')" "$@"; }

# runc_bundle DIR TARBALL: an OCI bundle of the rootfs tarball whose process is `true`, for
# `$RUNC run --bundle DIR ID` (runc deletes the container when it exits: one id serves every run).
runc_bundle() {
    mkdir -p "$1/rootfs"
    tar -C "$1/rootfs" -xf "$2"
    (cd "$1" && runc spec)
    python3 - "$1/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["true"]
spec["root"]["readonly"] = False
json.dump(spec, open(path, "w"))
PY
    RUNC="runc --root $work/runc"
}

# pss_of NAME: the mean Pss in kB of the processes named NAME
pss_of() {
    local total=0 count=0 kb
    for pid in $(pgrep -x "$1"); do
        kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        total=$((total + kb)); count=$((count + 1))
    done
    [ "$count" -gt 0 ] && echo $((total / count)) || echo 0
}

# busybox_images [PODMAN_NAME]: the busybox fixture as $tarball, imported into $cell as busybox
# and, given a name, into $PODMAN under that name
busybox_images() {
    tarball=$(bash "$repo/rootfs-fixtures/busybox.sh" "$work/busybox.tar")
    $cell import -c 'CMD ["sh"]' "$tarball" busybox >/dev/null
    if [ -n "${1:-}" ]; then $PODMAN import -q -c 'CMD ["sh"]' "$tarball" "$1" >/dev/null; fi
}
