#!/usr/bin/env bash
# The builder side by side with podman build and buildah bud, in one run (medians):
#   a fully cached rebuild of a five-step Imagefile   (target: cell under 50 ms)
#   the first build of an Imagefile that COPYs 64 MB  (target: cell >= 2x faster than podman build)
#   committing a container's 64 MB of new files       (target: within 1.5x of tar c | sha256sum of the files)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"
BUILDAH="buildah --root $work/podman/root --runroot $work/podman/run --storage-driver overlay"

busybox_images localhost/busybox

# Five steps, the kind every Imagefile has.
mkdir -p "$work/small"
echo "hello" > "$work/small/hello.txt"
cat > "$work/small/Dockerfile" <<'IMAGEFILE'
FROM busybox
ENV APP=/app
WORKDIR /app
COPY hello.txt .
RUN cat hello.txt > copy.txt
CMD ["cat", "/app/copy.txt"]
IMAGEFILE
sed 's|^FROM busybox|FROM localhost/busybox|' "$work/small/Dockerfile" > "$work/small/Containerfile.podman"
$cell build -q -t small "$work/small" >/dev/null
$PODMAN build -q --layers -t small -f "$work/small/Containerfile.podman" "$work/small" >/dev/null
$BUILDAH bud -q --layers -t small2 -f "$work/small/Containerfile.podman" "$work/small" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/cached.json" \
    -n "cell build (cached)" "$cell build -q -t small $work/small" \
    -n "podman build (cached)" "$PODMAN build -q --layers -t small -f $work/small/Containerfile.podman $work/small" \
    -n "buildah bud (cached)" "$BUILDAH bud -q --layers -t small2 -f $work/small/Containerfile.podman $work/small"

# 64 MB of new files in one COPY (and a RUN after it, as real Imagefiles have).
mkdir -p "$work/big/data"
for i in $(seq 1 64); do head -c 1048576 /dev/urandom > "$work/big/data/part-$i.bin"; done
cat > "$work/big/Dockerfile" <<'IMAGEFILE'
FROM busybox
COPY data/ /data/
RUN du -sh /data > /data.size
IMAGEFILE
sed 's|^FROM busybox|FROM localhost/busybox|' "$work/big/Dockerfile" > "$work/big/Containerfile.podman"
hyperfine -N --warmup 1 --runs 5 --export-json "$work/first.json" \
    -n "tar c | sha256sum of the files" "bash -c 'tar -C $work/big -c data | sha256sum'" \
    -n "cell build (first)" "$cell build -q --no-cache -t big $work/big" \
    -n "podman build (first)" "$PODMAN build -q --no-cache -t big -f $work/big/Containerfile.podman $work/big"
$cell rmi -f big small >/dev/null 2>&1 || true

# cell commit of a container whose writable layer holds those 64 MB.
$cell run --name c64 -v "$work/big/data:/src:ro" busybox cp -r /src /data
upper="$CELL_ROOT/containers/$($cell inspect -f '{{.Id}}' c64)/upper"
hyperfine -N --warmup 1 --runs 8 --export-json "$work/commit.json" \
    -n "tar c | sha256sum of the layer" "bash -c 'tar -C $upper -c data | sha256sum'" \
    -n "cell commit" "$cell commit c64"
$cell rm c64 >/dev/null

echo
echo "== results (medians; ratios: how many times faster cell is) =="
ratio "cached rebuild of 5 steps, cell vs podman build (target: cell < 50 ms)" "$(median_of "$work/cached.json" 0)" "$(median_of "$work/cached.json" 1)"
ratio "cached rebuild of 5 steps, cell vs buildah bud" "$(median_of "$work/cached.json" 0)" "$(median_of "$work/cached.json" 2)"
ratio "first build with a 64 MB COPY, cell vs podman build (target >= 2)" "$(median_of "$work/first.json" 1)" "$(median_of "$work/first.json" 2)"
ratio "commit of 64 MB of new files, cell vs tar c | sha256sum (target: ratio >= 0.67, within 1.5x)" "$(median_of "$work/commit.json" 1)" "$(median_of "$work/commit.json" 0)"
ratio "the whole first build vs tar c | sha256sum of its 64 MB (hash for the cache, copy, archive, a RUN)" "$(median_of "$work/first.json" 1)" "$(median_of "$work/first.json" 0)"
