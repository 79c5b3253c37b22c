/* --uidmap/--gidmap (--userns=auto): the container's root is an unprivileged host uid.

   The image's files stay as they are on disk (owned by 0): each layer and the container's
   directory are reached through idmapped mounts (open_tree + mount_setattr MOUNT_ATTR_IDMAP)
   that show on-disk id N as host id BASE+N, and the overlay is built on those. The overlay is
   mounted with the file-system ids of the container's root, so what overlay writes to the upper
   layer through the idmapped mount lands on disk as the container sees it (0 for its root), and
   `commit` and `cp` read the same files as without a mapping. The child joins the user
   namespace only after its mounts, just before it drops its privileges. */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOLDER_STACK_SIZE (64 * 1024)

static int hold(void *argument) {
    /* Lives until the parent closes the pipe: long enough to have its maps written and its
       namespace opened. Its own copy of the write end goes first, or EOF would never come. */
    const int *pipe_fds = argument;
    close(pipe_fds[1]);
    char byte;
    while (read(pipe_fds[0], &byte, 1) < 0 && errno == EINTR) {}
    _exit(0);
}

int cell_user_namespace_create(const char *uid_map, const char *gid_map) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) return -errno;
    char *stack = mmap(NULL, HOLDER_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int saved = errno;
        close(pipe_fds[0]); close(pipe_fds[1]);
        return -saved;
    }
    pid_t pid = clone(hold, stack + HOLDER_STACK_SIZE, CLONE_NEWUSER | SIGCHLD, pipe_fds);
    int result;
    if (pid < 0) {
        result = -errno;
    } else {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
        result = cell_internal_write_file(path, uid_map) < 0 ? -errno : 0;
        if (result == 0) {
            snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
            result = cell_internal_write_file(path, gid_map) < 0 ? -errno : 0;
        }
        if (result == 0) {
            snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
            result = open(path, O_RDONLY | O_CLOEXEC);
            if (result < 0) result = -errno;
        }
    }
    close(pipe_fds[1]);
    close(pipe_fds[0]);
    if (pid > 0) while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    munmap(stack, HOLDER_STACK_SIZE);
    return result;
}

/* Changing the fsuid away from 0 clears the file-system capabilities from the effective set;
   they are raised again from the permitted set, which is untouched. */
static int raise_effective(void) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) < 0) return -1;
    data[0].effective = data[0].permitted;
    data[1].effective = data[1].permitted;
    return (int)syscall(SYS_capset, &header, data);
}

int cell_internal_set_file_system_ids(uint32_t uid, uint32_t gid) {
    syscall(SYS_setfsgid, gid);
    syscall(SYS_setfsuid, uid);
    if ((uint32_t)syscall(SYS_setfsuid, -1) != uid) { errno = EPERM; return -1; }
    return raise_effective();
}
