#!/usr/bin/env bash
# Registries side by side with podman and skopeo, in one run, against Debian's docker-registry on
# loopback (medians; every run starts from an empty store or an empty registry):
#   pulling a 3-layer image of about 100 MB   (target: cell >= 1.5x faster than podman pull)
#   pushing it                                (target: cell >= 1.5x faster than podman push)
#   a pull of an image already present        (target: under 50 ms: a manifest check only)
#   the memory of a pull                      (target: independent of layer size: streamed)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
podman_setup
export CELL_ROOT="$work/cell"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry="127.0.0.1:$port"
cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry-data
  delete:
    enabled: true
http:
  addr: $registry
YAML
# (Re)starts the registry with empty storage: a push then has to send every blob.
cat > "$work/fresh-registry.sh" <<SH
#!/usr/bin/env bash
[ -f "$work/registry.pid" ] && kill "\$(cat "$work/registry.pid")" 2>/dev/null && while kill -0 "\$(cat "$work/registry.pid")" 2>/dev/null; do sleep 0.01; done
rm -rf "$work/registry-data"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
echo \$! > "$work/registry.pid"
until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", $port), 0.2)' 2>/dev/null; do sleep 0.01; done
SH
chmod +x "$work/fresh-registry.sh"
"$work/fresh-registry.sh"
trap 'kill "$(cat "$work/registry.pid")" 2>/dev/null; cell_cleanup; podman_cleanup; rm -rf "$work"' EXIT

# Three layers of about 33 MB each, from the machine's own files (binaries and libraries compress
# as real images do).
python3 - "$work/layers" <<'PY'
import os, shutil, sys
dest = sys.argv[1]
for index, top in enumerate(("/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/share")):
    total, root = 0, os.path.join(dest, str(index))
    for base, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            src = os.path.join(base, name)
            if os.path.islink(src) or not os.path.isfile(src):
                continue
            dst = root + src
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            total += os.path.getsize(src)
            if total >= 33 * 1000 * 1000:
                break
        if total >= 33 * 1000 * 1000:
            break
PY
mkdir -p "$work/context" "$work/small-context"
for i in 0 1 2; do tar -C "$work/layers/$i" -cf "$work/context/layer$i.tar" .; done
printf 'FROM scratch\nADD layer0.tar /\nADD layer1.tar /\nADD layer2.tar /\n' > "$work/context/Dockerfile"
$cell build -q -t "$registry/bench/image:1" "$work/context" >/dev/null
$cell push -q "$registry/bench/image:1" >/dev/null
size_mb=$(( $(du -sb "$work/registry-data" | cut -f1) / 1000000 ))
echo "image: 3 layers, $size_mb MB compressed in the registry"
$PODMAN pull -q --tls-verify=false "$registry/bench/image:1" >/dev/null

echo "== pull =="
hyperfine -N --warmup 1 --runs 5 --export-json "$work/pull.json" \
    -n "cell pull" --prepare "rm -rf $work/pulled" "env CELL_ROOT=$work/pulled $cell pull -q $registry/bench/image:1" \
    -n "podman pull" --prepare "$PODMAN rmi -af" "$PODMAN pull -q --tls-verify=false $registry/bench/image:1" \
    -n "skopeo copy" --prepare "rm -rf $work/skopeo-dir" "skopeo copy -q --src-tls-verify=false docker://$registry/bench/image:1 oci:$work/skopeo-dir:1"

echo "== push (each run into an empty registry) =="
$PODMAN pull -q --tls-verify=false "$registry/bench/image:1" >/dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/push.json" \
    -n "cell push" --prepare "$work/fresh-registry.sh" "$cell push -q $registry/bench/image:1" \
    -n "podman push" --prepare "$work/fresh-registry.sh" "$PODMAN push -q --tls-verify=false $registry/bench/image:1"

echo "== pull of an image already present =="
"$work/fresh-registry.sh"
$cell push -q "$registry/bench/image:1" >/dev/null
hyperfine -N --warmup 3 --runs 30 --export-json "$work/present.json" \
    -n "cell pull (present)" "$cell pull -q $registry/bench/image:1" \
    -n "podman pull (present)" "$PODMAN pull -q --tls-verify=false $registry/bench/image:1"

echo "== memory of a pull: the 100 MB image, and a 1 MB one =="
printf 'FROM scratch\nADD small.tar /\n' > "$work/small-context/Dockerfile"
tar -C /usr/bin -cf "$work/small-context/small.tar" ls cat
$cell build -q -t "$registry/bench/small:1" "$work/small-context" >/dev/null
$cell push -q "$registry/bench/small:1" >/dev/null
big=$( { /usr/bin/time -f %M env CELL_ROOT="$work/mem-big" "$cell" pull -q "$registry/bench/image:1" >/dev/null; } 2>&1 )
small=$( { /usr/bin/time -f %M env CELL_ROOT="$work/mem-small" "$cell" pull -q "$registry/bench/small:1" >/dev/null; } 2>&1 )

echo
echo "== results (ratios = how many times faster cell is) =="
ratio "pull of $size_mb MB (target >= 1.5x podman)" "$(median_of "$work/pull.json" 0)" "$(median_of "$work/pull.json" 1)"
ratio "pull vs skopeo copy to a directory" "$(median_of "$work/pull.json" 0)" "$(median_of "$work/pull.json" 2)"
ratio "push of $size_mb MB (target >= 1.5x podman)" "$(median_of "$work/push.json" 0)" "$(median_of "$work/push.json" 1)"
ratio "pull of a present image (target < 50 ms)" "$(median_of "$work/present.json" 0)" "$(median_of "$work/present.json" 1)"
echo "pull's peak memory: ${big} kB for $size_mb MB, ${small} kB for 1 MB (target: about the same)"
