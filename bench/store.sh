#!/usr/bin/env bash
# The image store side by side with podman and with the raw tools, in one run:
#   import of a ~200 MB rootfs   vs  tar c | sha256sum (target: >= 0.5x its throughput) and podman import
#   save of it (gzip)            vs  gzip -1 of the same tar (target: >= 1x) and podman save
#   cell images with 500 images  vs  podman images with 500 images (target: < 50 ms)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"

# A ~200 MB rootfs from the machine's own files (libraries, binaries, documentation).
python3 - "$work/rootfs" <<'PY'
import os, shutil, sys
dest, total, limit = sys.argv[1], 0, 200 * 1000 * 1000
for top in ("/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/share"):
    for base, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            src = os.path.join(base, name)
            if os.path.islink(src) or not os.path.isfile(src):
                continue
            dst = dest + src
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            total += os.path.getsize(src)
            if total >= limit:
                sys.exit(0)
PY
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
size_mb=$(( $(stat -c %s "$work/rootfs.tar") / 1000000 ))
echo "rootfs: ${size_mb} MB"

hyperfine -N --warmup 1 --runs 5 --export-json "$work/import.json" \
    -n "tar c | sha256sum" --prepare true "bash -c 'tar -C $work/rootfs -c . | sha256sum'" \
    -n "cell import" --prepare "rm -rf $CELL_ROOT" "$cell import $work/rootfs.tar bench:1" \
    -n "podman import" --prepare "$PODMAN rmi -af" "$PODMAN import $work/rootfs.tar bench:1"
$cell import "$work/rootfs.tar" bench:1 >/dev/null
$PODMAN import "$work/rootfs.tar" bench:1 >/dev/null

hyperfine -N --warmup 1 --runs 5 --export-json "$work/save.json" \
    -n "gzip -1" --prepare true "bash -c 'gzip -1 -c $work/rootfs.tar > $work/gz.out'" \
    -n "cell save" --prepare true "$cell save -o $work/cell-save.tar bench:1" \
    -n "podman save" --prepare "rm -f $work/podman-save.tar" "$PODMAN save -o $work/podman-save.tar localhost/bench:1"

# 500 images: distinct configs over one small layer.
tar -C "$work/rootfs" -cf "$work/small.tar" ./bin 2>/dev/null || tar -cf "$work/small.tar" -T /dev/null
for i in $(seq 1 500); do echo "$i"; done | xargs -P 2 -I{} "$cell" import -c "ENV N={}" "$work/small.tar" "many/img:{}" >/dev/null
for i in $(seq 1 500); do echo "$i"; done | xargs -P 2 -I{} $PODMAN import -q -c "ENV N={}" "$work/small.tar" "many/img:{}" >/dev/null
# podman images takes over a minute per call with 500 images here: it gets two runs of its own.
hyperfine -N --warmup 3 --runs 20 --export-json "$work/images.json" -n "cell images" "$cell images"
hyperfine -N --runs 2 --export-json "$work/podman-images.json" -n "podman images" "$PODMAN images"

echo
echo "== results ($size_mb MB rootfs; ratios = how many times faster the first is) =="
base=$(median_of "$work/import.json" 0); ci=$(median_of "$work/import.json" 1); pi=$(median_of "$work/import.json" 2)
python3 -c "import sys; b,c=float(sys.argv[1]),float(sys.argv[2]); print(f'import throughput: cell {sys.argv[3]/c:.0f} MB/s, tar|sha256sum {sys.argv[3]/b:.0f} MB/s -> {b/c:.2f} of baseline (target >= 0.5)')" "$base" "$ci" "$size_mb" 2>/dev/null || \
python3 -c "import sys; b,c,m=float(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'import throughput: cell {m/c:.0f} MB/s, tar|sha256sum {m/b:.0f} MB/s -> {b/c:.2f} of baseline (target >= 0.5)')" "$base" "$ci" "$size_mb"
ratio "cell import vs podman import" "$ci" "$pi"
gz=$(median_of "$work/save.json" 0); cs=$(median_of "$work/save.json" 1); ps=$(median_of "$work/save.json" 2)
python3 -c "import sys; g,c=float(sys.argv[1]),float(sys.argv[2]); print(f'save throughput: {g/c:.2f} of gzip -1 (target >= 1)')" "$gz" "$cs"
ratio "cell save (gzip layers) vs podman save (docker-archive, uncompressed)" "$cs" "$ps"
ci=$(median_of "$work/images.json" 0); pi=$(median_of "$work/podman-images.json" 0)
ratio "images with 500 images (target < 50 ms)" "$ci" "$pi"
