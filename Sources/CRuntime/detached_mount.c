/* Mounts attached to no mount namespace, reached only through the fds returned here; closing
   the last fd (and the end of the last process exec'd from one) unmounts them. Safe in a
   multi-threaded process: no namespace of ours changes.
   - a stopped container's root file system, for `cp` (fsopen/fsconfig/fsmount);
   - a copy of one path's mount with attributes of its own (open_tree + mount_setattr): the
     sealed, read-only cell-init every container process is exec'd through, and the idmapped
     layers of a container with its own user namespace. */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif

int cell_mount_overlay_detached(const char *lowerdir, const char *upperdir, const char *workdir) {
    int fs = fsopen("overlay", FSOPEN_CLOEXEC);
    if (fs < 0) return -errno;
    int result = 0;
    if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lowerdir, 0) < 0 ||
        (upperdir && fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upperdir, 0) < 0) ||
        (workdir && fsconfig(fs, FSCONFIG_SET_STRING, "workdir", workdir, 0) < 0) ||
        fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
        result = -errno;
        close(fs);
        return result;
    }
    int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
    result = mnt < 0 ? -errno : mnt;
    close(fs);
    return result;
}

/* A detached copy of the mount at `path` (that subtree only) with `attributes` set on it. */
static int open_tree_with(const char *path, struct mount_attr *attributes) {
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) return -errno;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, attributes, sizeof *attributes) < 0) {
        int saved = errno;
        close(fd);
        return -saved;
    }
    return fd;
}

int cell_open_sealed_executable(const char *path) {
    struct mount_attr attributes = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    return open_tree_with(path, &attributes);
}

int cell_open_idmapped(const char *path, int userns_fd) {
    struct mount_attr attributes = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
    return open_tree_with(path, &attributes);
}
