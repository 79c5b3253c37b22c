/* A stopped container's root file system, for `cp`, without mounting anything anywhere:
   the new mount API (fsopen/fsconfig/fsmount) gives a mount that is attached to no mount
   namespace. The returned fd reaches it; closing the last fd unmounts it. Safe in a
   multi-threaded process (no namespace of ours changes). */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

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
