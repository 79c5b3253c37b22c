/* The container's /dev: a tmpfs of its own with the nodes made by mknod, devpts, shm and
   mqueue. Async-signal-safe. */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"
#include "container_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Appends n in decimal to the string in buf (which has room for it). */
static void append_decimal(char *buf, uint32_t n) {
    char digits[10];
    int count = 0;
    do { digits[count++] = (char)('0' + n % 10); n /= 10; } while (n > 0);
    size_t at = strlen(buf);
    while (count > 0) buf[at++] = digits[--count];
    buf[at] = 0;
}

/* Makes one node below /dev (dev: the fd of the container's fresh /dev tmpfs). */
static int make_device(int dev, const struct cell_device *device) {
    static const char prefix[] = "/dev/";
    if (strncmp(device->path, prefix, sizeof prefix - 1) != 0) { errno = EINVAL; return -1; }
    const char *relative = device->path + sizeof prefix - 1;
    size_t length = strlen(relative);
    if (length == 0 || length >= PATH_MAX) { errno = EINVAL; return -1; }
    char buffer[PATH_MAX];
    memcpy(buffer, relative, length + 1);
    char *slash = strrchr(buffer, '/');
    const char *name = buffer;
    int parent = dev;
    if (slash) {
        *slash = 0;
        name = slash + 1;
        parent = cell_internal_open_or_create_in_root(dev, buffer, CELL_CREATE_DIRECTORY);
        if (parent < 0) return -1;
    }
    int result = mknodat(parent, name, device->mode, makedev(device->major, device->minor));
    if (result == 0 && (device->uid || device->gid))
        result = fchownat(parent, name, device->uid, device->gid, AT_SYMLINK_NOFOLLOW);
    int saved = errno;
    if (parent != dev) close(parent);
    errno = saved;
    return result;
}

/* Bind-mounts a node of the fresh /dev tmpfs (dev) on itself: a mount of its own, which keeps
   its flags (no nodev) when /dev is remounted nodev. Nothing of the container has run yet, so
   the path made by make_device names that very node. */
static int bind_device_on_itself(int dev, const struct cell_device *device) {
    int fd = openat(dev, device->path + 5 /* "/dev/" */, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    char path[32];
    cell_internal_fd_path(path, fd);
    int result = mount(path, path, NULL, MS_BIND, NULL);
    return cell_internal_close_keeping_errno(fd, result);
}

/* /dev as Docker lays it out: a small tmpfs with the nodes made by mknod, devpts, shm (its
   data shm_options: --shm-size, 64 MiB by default) and mqueue. What the nodes open is the
   devices cgroup's decision (Cgroup.restrictDevices), as with runc; the nodes are the
   container's own, so a chmod of one changes nothing on the host. Without a devices cgroup
   (nodev: --cgroups=disabled), /dev itself is nodev and each node works through its own bind
   mount: one made later with mknod opens nothing. */
int cell_internal_setup_dev(int rootfd, const struct cell_device *devices, size_t device_count, const char *shm_options,
                            uint32_t tty_gid, int nodev) {
    if (cell_internal_mount_in_root(rootfd, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", CELL_CREATE_DIRECTORY) < 0)
        return -1;
    /* Re-resolve: the fd must name the new tmpfs, which is empty and ours, so plain *at
       calls in it are safe. */
    int dev = cell_internal_open_or_create_in_root(rootfd, "/dev", CELL_CREATE_NONE);
    if (dev < 0) return -1;
    for (size_t i = 0; i < device_count; i++)
        if (make_device(dev, &devices[i]) < 0) goto fail;
    if (nodev) {
        for (size_t i = 0; i < device_count; i++)
            if (bind_device_on_itself(dev, &devices[i]) < 0) goto fail;
        char path[32];
        cell_internal_fd_path(path, dev);
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_STRICTATIME, NULL) < 0) goto fail;
    }
    /* New ptys belong to the "tty" group: 5, or the host gid that is the container's 5. */
    char pts_options[64] = "newinstance,ptmxmode=0666,mode=0620,gid=";
    append_decimal(pts_options, tty_gid ? tty_gid : 5);
    const struct { const char *name; const char *type; unsigned long flags; const char *data; mode_t mode; } mounts[] = {
        { "pts", "devpts", MS_NOSUID | MS_NOEXEC, pts_options, 0755 },
        { "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_options ? shm_options : "mode=1777,size=65536k", 01777 },
        { "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755 },
    };
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        if (mkdirat(dev, mounts[i].name, mounts[i].mode) < 0) goto fail;
        int target = openat(dev, mounts[i].name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        if (target < 0) goto fail;
        char path[32];
        cell_internal_fd_path(path, target);
        int result = mount(mounts[i].type, path, mounts[i].type, mounts[i].flags, mounts[i].data);
        close(target);
        if (result < 0) goto fail;
    }
    static const char *const links[][2] = {
        { "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i][0], dev, links[i][1]) < 0) goto fail;
    close(dev);
    return 0;
fail:;
    return cell_internal_close_keeping_errno(dev, -1);
}
