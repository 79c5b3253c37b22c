/* File-system calls that Swift's Glibc module cannot reach (it lacks _GNU_SOURCE and sys/vfs.h). */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

long cell_filesystem_magic(const char *path) {
    struct statfs buffer;
    if (statfs(path, &buffer) < 0) return -errno;
    return (long)buffer.f_type;
}

/* pipe2(O_CLOEXEC): atomic, unlike pipe + fcntl, in a multi-threaded caller. */
int cell_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}
