#define _GNU_SOURCE
#include "cell_core.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One openat2 call, retried on EINTR and on EAGAIN: a rename or mount anywhere on the system
   while ".." was resolved (the kernel cannot then prove the walk stayed inside); with other
   containers starting, that is common, and retrying is what the kernel asks for. */
static int open_resolving(int dirfd, const char *path, int flags, unsigned mode, unsigned long long resolve) {
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = resolve,
    };
    while (*path == '/') path++;
    if (*path == 0) path = ".";
    long fd;
    int tries = 0;
    do fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    while (fd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 1000)));
    return fd < 0 ? -errno : (int)fd;
}

/* RESOLVE_IN_ROOT: `path` is resolved as if rootfd were "/", so neither "..", an absolute
   symlink nor a magic link (/proc/self/root) leads out of it. */
int cell_open_in_root(int rootfd, const char *path, int flags, unsigned mode) {
    return open_resolving(rootfd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int cell_open_beneath(int dirfd, const char *path, int flags) {
    return open_resolving(dirfd, path, flags, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

_Static_assert(CELL_O_PATH == O_PATH && CELL_AT_EMPTY_PATH == AT_EMPTY_PATH, "GNU flags");
