#!/usr/bin/env bash
# What the default hardening costs, side by side in one run (medians):
#   cell run --rm busybox true with Docker's defaults (capabilities, seccomp, masked and read-only
#   paths, nodev mounts) vs --privileged (none of those) -- target: at most 3 ms more -- and vs
#   runc run of a ready bundle (target: cell stays ahead).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
export CELL_ROOT="$work/cell"
tarball=$(bash "$repo/rootfs-fixtures/busybox.sh" "$work/busybox.tar")
$cell import -c 'CMD ["sh"]' "$tarball" busybox >/dev/null
mkdir -p "$work/bundle/rootfs"
tar -C "$work/bundle/rootfs" -xf "$tarball"
(cd "$work/bundle" && runc spec)
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["true"]
spec["root"]["readonly"] = False
json.dump(spec, open(sys.argv[1], "w"))
PY
hyperfine -N --warmup 10 --runs ${RUNS:-150} --export-json "$work/hardening.json" \
    -n "cell run --rm (hardened)" "$cell run --rm busybox true" \
    -n "cell run --rm --privileged" "$cell run --rm --privileged busybox true" \
    -n "runc run" "runc --root $work/runc run --bundle $work/bundle bench"
echo
echo "== results (medians) =="
python3 -c "import sys; h,p=float(sys.argv[1]),float(sys.argv[2]); print(f'hardening costs {(h-p)*1000:.1f} ms ({h*1000:.1f} vs {p*1000:.1f} ms; target <= 3 ms)')" \
    "$(median_of "$work/hardening.json" 0)" "$(median_of "$work/hardening.json" 1)"
ratio "hardened cell vs runc run (target > 1)" "$(median_of "$work/hardening.json" 0)" "$(median_of "$work/hardening.json" 2)"

# The same three, interleaved one run of each at a time (200 rounds), so that a machine that drifts
# during the hyperfine runs above weighs on all three alike.
python3 - "$cell" "$work" <<'PY'
import statistics, subprocess, sys, time
cell, work = sys.argv[1], sys.argv[2]
commands = {
    "hardened": [cell, "run", "--rm", "busybox", "true"],
    "privileged": [cell, "run", "--rm", "--privileged", "busybox", "true"],
    "runc": ["runc", "--root", f"{work}/runc", "run", "--bundle", f"{work}/bundle", "bench"],
}
times = {name: [] for name in commands}
for _ in range(200):
    for name, command in commands.items():
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
m = {name: statistics.median(values) * 1000 for name, values in times.items()}
print(f"interleaved medians: hardened {m['hardened']:.1f} ms, privileged {m['privileged']:.1f} ms, runc {m['runc']:.1f} ms"
      f" -> hardening costs {m['hardened'] - m['privileged']:.1f} ms, hardened cell vs runc {m['runc'] / m['hardened']:.2f}x")
PY
