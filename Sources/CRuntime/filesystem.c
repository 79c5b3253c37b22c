/* File-system calls that Swift's Glibc module cannot reach (it lacks _GNU_SOURCE and sys/vfs.h). */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

long cell_filesystem_magic(const char *path) {
    struct statfs buffer;
    if (statfs(path, &buffer) < 0) return -errno;
    return (long)buffer.f_type;
}


/* The working directory: `path` resolved inside the process's root ("/"), magic links such as
   /proc/self/fd/N refused, so a descriptor leaked into the process can never make its working
   directory a host directory (CVE-2024-21626); then checked to be reachable from the root. */
int cell_internal_enter_directory(const char *path) {
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return -1;
    int fd = cell_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0);
    close(rootfd);
    if (fd < 0) { errno = -fd; return -1; }
    int result = fchdir(fd);
    int saved = errno;
    close(fd);
    if (result < 0) { errno = saved; return -1; }
    return cell_internal_check_working_directory();
}

int cell_internal_check_working_directory(void) {
    char buffer[PATH_MAX];
    /* The raw call: the kernel answers "(unreachable)/..." for a directory outside the root. */
    long length = syscall(SYS_getcwd, buffer, sizeof buffer);
    if (length < 0) return -1;
    if (buffer[0] != '/') { errno = EPERM; return -1; }
    return 0;
}

int cell_internal_write_text(int fd, const char *text) {
    size_t length = strlen(text);
    ssize_t written;
    do written = write(fd, text, length); while (written < 0 && errno == EINTR);
    if (written < 0) return -1;
    if ((size_t)written != length) { errno = EIO; return -1; }
    return 0;
}

int cell_internal_write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return -1;
    int result = cell_internal_write_text(fd, text);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}
