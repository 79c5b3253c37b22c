/* How a new container process gets into its cgroups (the container's first process and exec's).
   The cheap ways only: born in its v2 cgroup (clone3 CLONE_INTO_CGROUP), and in each v1
   hierarchy its only thread moving itself through `tasks`. A move through cgroup.procs
   write-locks the kernel's cgroup_threadgroup_rwsem, which on a host that has been quiet waits
   for an RCU grace period first (5-20 ms here); it remains only for v2 on kernels before 5.7. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

long cell_internal_clone_into_cgroup(unsigned long flags, int cgroup_fd) {
    if (cgroup_fd < 0) {
        errno = EBADF;
        return -1;
    }
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = (uint64_t)flags | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    return syscall(SYS_clone3, &args, sizeof args);
}

int cell_internal_join_cgroups(int cgroup_fd, int cloned_into, const int *thread_fds, size_t thread_count) {
    if (cgroup_fd >= 0 && !cloned_into) {
        int fd = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        ssize_t written = write(fd, "0", 1);  /* "0" is the writer: no pid to translate */
        int saved = errno;
        close(fd);
        if (written != 1) {
            errno = saved;
            return -1;
        }
    }
    for (size_t i = 0; i < thread_count; i++)
        if (write(thread_fds[i], "0", 1) != 1) return -1;
    return 0;
}
