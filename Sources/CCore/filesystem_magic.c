#include "cell_core.h"

#include <errno.h>
#include <sys/vfs.h>

long cell_fd_filesystem_magic(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) < 0) return -errno;
    return (long)st.f_type;
}
