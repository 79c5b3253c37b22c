/* A container process's resource limits (--ulimit) and OOM score adjustment (--oom-score-adj),
   set in a cloned child before exec, by the container's first process and by every exec, as
   runc does. Raw system calls only. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
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
    return value == NULL ? 0 : cell_internal_write_file("/proc/self/oom_score_adj", value);
}
