#!/usr/bin/env bash
# Builds the busybox base rootfs from Debian's busybox-static: the binary, a link per applet,
# /etc/passwd and /etc/group, and the usual empty directories. The tarball is reproducible
# (sorted names, fixed owner and mtime), so the image id is the same on every machine with the
# same busybox-static.
#   usage: rootfs-fixtures/busybox.sh [OUTPUT.tar]      (default rootfs-fixtures/out/busybox.tar)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out/busybox.tar}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "busybox.sh: $busybox is missing: apt-get install busybox-static" >&2; exit 1; }
"$busybox" --list-full >/dev/null 2>&1 || { echo "busybox.sh: $busybox is not busybox-static" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,run,root,home,var/log,var/www,tmp}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
install -m 755 "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    dir=$(dirname "$applet")
    mkdir -p "$root/$dir"
    # Relative links, so the rootfs also works where it is unpacked, outside a container;
    # --no-symlinks: the host's own /bin may be a link to usr/bin (merged /usr).
    rel=$(realpath --no-symlinks -m --relative-to="/$dir" /bin/busybox)
    ln -sf "$rel" "$root/$applet"
done
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
wheel:x:10:root
www-data:x:33:
users:x:100:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1704067200 \
    --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$out"
