/* A container process's resource limits (--ulimit) and OOM score adjustment (--oom-score-adj),
   set in a cloned child before exec, by the container's first process and by every exec, as
   runc does. Raw system calls only. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int cell_internal_set_rlimits(const struct cell_rlimit *limits, size_t count, int *failed) {
    for (size_t i = 0; i < count; i++) {
        /* One call sets both values, so a limit can be raised or lowered in any order of
           soft and hard. Raising the hard limit needs CAP_SYS_RESOURCE (EPERM without). */
        struct rlimit value = { (rlim_t)limits[i].soft, (rlim_t)limits[i].hard };
        if (syscall(SYS_prlimit64, 0, limits[i].resource, &value, NULL) < 0) {
            *failed = (int)i;
            return -1;
        }
    }
    return 0;
}

int cell_internal_set_oom_score_adj(const char *value) {
    if (value == NULL) return 0;
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return -1;
    size_t length = strlen(value);
    ssize_t written;
    do written = write(fd, value, length); while (written < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (written < 0) { errno = saved; return -1; }
    if ((size_t)written != length) { errno = EIO; return -1; }
    return 0;
}
