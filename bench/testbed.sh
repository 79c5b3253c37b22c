#!/usr/bin/env bash
# The provisioning testbed, side by side with podman standing in as `docker` (one run; ratios:
# how many times faster cell is). The tools and their files are the same for both
# (examples/provisioning); only the `docker` first on PATH differs.
#   docker exec C true             cell's docker alias vs podman (target: cell under 10 ms)
#   the loop: start the Debian testbed -> Ansible playbook -> Testinfra -> Serverspec -> remove
#                                  (target: cell at least 2.5x faster)
#   cell test, 20 commandTests     on busybox (target: under 1 s)
# Needs the Debian fixture (rootfs-fixtures/debian.sh builds it once per machine).
#   usage: bench/testbed.sh   (RUNS=N for more loops)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cell=$(cell_bin)
export CELL_ROOT="$work/cell"
podman_setup
runs=${RUNS:-3}
fixture=$(bash "$repo/rootfs-fixtures/debian.sh")
busybox=$(bash "$repo/rootfs-fixtures/busybox.sh" "$work/busybox.tar")

# `docker` for each: cell's own alias, and a wrapper running podman with the bench's storage.
mkdir -p "$work/cell-bin" "$work/podman-bin"
$cell system install-docker-alias "$work/cell-bin" >/dev/null
printf '#!/bin/sh\nexec %s "$@"\n' "$PODMAN" > "$work/podman-bin/docker"
chmod +x "$work/podman-bin/docker"

for bin in "$work/cell-bin" "$work/podman-bin"; do
    PATH="$bin:$PATH" docker import -c 'CMD ["bash"]' "$fixture" cell-fixtures/debian:bookworm >/dev/null
    PATH="$bin:$PATH" docker build -q -t testbed -f "$repo/Imagefiles/testbed/Imagefile" "$repo/Imagefiles/testbed" >/dev/null
    PATH="$bin:$PATH" docker import -c 'CMD ["sh"]' "$busybox" busybox >/dev/null
    PATH="$bin:$PATH" docker run -d --name execd busybox sleep 100000 >/dev/null
done

# One pass of the loop, with whichever docker is first on PATH.
cat > "$work/loop.sh" <<LOOP
set -e
name=host\$\$
examples=$repo/examples/provisioning
docker run -d --init --name \$name testbed >/dev/null
ansible-playbook -i "\$name," -c community.docker.docker \$examples/playbook.yml >/dev/null
/usr/bin/python3 -m pytest -q -p no:cacheprovider --hosts=docker://\$name \$examples/test_testbed.py >/dev/null
TARGET_CONTAINER=\$name rspec \$examples/spec/testbed_spec.rb >/dev/null
docker rm -f \$name >/dev/null
LOOP
export PYTHONDONTWRITEBYTECODE=1 ANSIBLE_LOCAL_TEMP="$work/ansible-tmp"

# cell test: 20 command tests, each in a fresh container.
{
    echo 'schemaVersion: "2.0.0"'
    echo 'commandTests:'
    for i in $(seq 1 20); do
        printf '  - name: "test %d"\n    command: echo\n    args: ["%d"]\n    expectedOutput: ["^%d\\n$"]\n' "$i" "$i" "$i"
    done
} > "$work/twenty.yaml"

hyperfine -N --warmup 3 --runs 100 --export-json "$work/exec.json" \
    -n "docker exec (cell)" "$work/cell-bin/docker exec execd true" \
    -n "docker exec (podman)" "$work/podman-bin/docker exec execd true"
hyperfine --warmup 1 --runs "$runs" --export-json "$work/loop.json" \
    -n "testbed loop (cell)" "PATH=$work/cell-bin:\$PATH bash $work/loop.sh" \
    -n "testbed loop (podman)" "PATH=$work/podman-bin:\$PATH bash $work/loop.sh"
hyperfine -N --warmup 2 --runs 20 --export-json "$work/structure.json" \
    -n "cell test, 20 commandTests" "$cell test --image busybox --config $work/twenty.yaml"

echo
echo "== results (medians) =="
ratio "docker exec C true, cell vs podman (target: cell < 10 ms)" "$(median_of "$work/exec.json" 0)" "$(median_of "$work/exec.json" 1)"
ratio "start -> ansible -> testinfra -> serverspec -> rm, cell vs podman (target >= 2.5x)" \
    "$(median_of "$work/loop.json" 0)" "$(median_of "$work/loop.json" 1)"
python3 -c "import sys; print(f'cell test with 20 commandTests: {float(sys.argv[1])*1000:.0f} ms (target < 1000 ms)')" "$(median_of "$work/structure.json" 0)"
