/* The container's fork->exec path. Runs in the monitor (a single-threaded process), but is
   written as if it were not: after clone() the child only calls async-signal-safe functions
   and raw system calls (no malloc, no stdio, no glibc setuid wrappers, which signal threads
   that do not exist in the child). */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"
#include "container_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ---- small async-signal-safe helpers ---- */

/* Reports the failing stage with the current errno to the parent and exits. */
static _Noreturn void fail(int error_fd, int stage, int index) {
    struct cell_child_report report = { 0, stage, errno, index };
    ssize_t ignored = write(error_fd, &report, sizeof report);
    (void)ignored;
    _exit(125);
}

/* ---- the stages ---- */

/* Writes each sysctl below the container's fresh /proc (proc_fd: its root), before anything
   is mounted over it: the path is resolved beneath it without symlinks or mount crossings,
   and the kernel takes the network and IPC values from our own (the container's) namespaces. */
static int write_sysctls(int proc_fd, const struct cell_sysctl *sysctls, size_t count, int *failed) {
    static const char prefix[] = "sys/";
    for (size_t i = 0; i < count; i++) {
        *failed = (int)i;
        size_t length = strlen(sysctls[i].path);
        char path[PATH_MAX];
        if (sizeof prefix + length > sizeof path) { errno = ENAMETOOLONG; return -1; }
        memcpy(path, prefix, sizeof prefix - 1);
        memcpy(path + sizeof prefix - 1, sysctls[i].path, length + 1);
        struct open_how how = {
            .flags = O_WRONLY | O_CLOEXEC | O_NOCTTY,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        int fd = (int)syscall(SYS_openat2, proc_fd, path, &how, sizeof how);
        if (fd < 0) return -1;
        int result = cell_internal_write_text(fd, sysctls[i].value);
        if (cell_internal_close_keeping_errno(fd, result) < 0) return -1;
    }
    return 0;
}

/* mkdir -p, then chdir; runs after pivot_root, so the paths are the container's. */
static int enter_working_directory(const char *path) {
    /* Resolved inside the new root, missing directories made on the way, magic links
       (/proc/self/fd/N: a descriptor of ours that leads to the host) refused: CVE-2024-21626. */
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return -1;
    int fd = cell_internal_close_keeping_errno(rootfd, cell_internal_open_or_create_in_root(rootfd, *path ? path : "/", CELL_CREATE_DIRECTORY));
    if (fd < 0) return -1;
    if (cell_internal_close_keeping_errno(fd, fchdir(fd)) < 0) return -1;
    return cell_internal_check_working_directory();
}

void cell_internal_reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Points `target` (0, 1, 2) at fd; dup2 clears close-on-exec, and when fd already is the
   target, the flag is cleared by hand. */
int cell_internal_install_stdio(int fd, int target) {
    if (fd < 0) return 0;
    if (fd == target) {
        int flags = fcntl(fd, F_GETFD);
        return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(fd, target) < 0 ? -1 : 0;
}

/* CELL_TRACE: the time a phase ended, in the page the parent reads (clock_gettime is
   async-signal-safe). */
static void note_phase(const struct cell_spawn_config *c, enum cell_spawn_phase phase) {
    if (!c->phase_times) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    c->phase_times[phase] = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static _Noreturn void child_main(const struct cell_spawn_config *c, char *const *helper_argv, int cloned_into_cgroup,
                                 int release_fd, int error_fd) {
    cell_internal_reset_signals();
    /* Not dumpable until the exec: we hold the monitor's descriptors (the host's cgroup
       directory among them) and run the monitor's code, and from the moment our capabilities
       are the container's, its other processes (a shared pid namespace: --pid container:NAME,
       --pid host) would pass the ptrace check on /proc/PID/fd and climb `..` from a directory
       to the host's root (CVE-2016-9962). The exec makes the command dumpable as usual. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(error_fd, CELL_STAGE_JOIN_NAMESPACES, 0);
    /* The container goes with its monitor (its pid namespace with its pid 1): a monitor killed
       at any moment leaves no process that the record does not show running, nor one a later
       start would run beside. Should the monitor die before this line, the waits below read
       the end of its socket and we exit. The command keeps it (only a set-id exec clears it). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail(error_fd, CELL_STAGE_JOIN_NAMESPACES, 0);
    umask(0);
    /* Into the container's cgroups before anything else, so that what follows counts there. */
    if (cell_internal_join_cgroups(c->cgroup_fd, cloned_into_cgroup, c->cgroup_thread_fds, c->cgroup_thread_count) < 0)
        fail(error_fd, CELL_STAGE_CGROUP, 0);
    if (c->join_ipc_pidfd >= 0 && syscall(SYS_setns, c->join_ipc_pidfd, CLONE_NEWIPC) < 0)
        fail(error_fd, CELL_STAGE_JOIN_NAMESPACES, 0);
    /* Before /sys is mounted: its class/net shows the namespace of whoever mounts it. */
    if (c->join_net_pidfd >= 0 && syscall(SYS_setns, c->join_net_pidfd, CLONE_NEWNET) < 0)
        fail(error_fd, CELL_STAGE_JOIN_NAMESPACES, 0);
    /* Through the host's /proc, as the host's root (as runc, before anything else: lowering
       it below what we have needs CAP_SYS_RESOURCE). */
    if (cell_internal_set_oom_score_adj(c->oom_score_adj) < 0) fail(error_fd, CELL_STAGE_OOM_SCORE_ADJ, 0);
    note_phase(c, CELL_PHASE_STARTED);

    /* Nothing mounted from here on may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(error_fd, CELL_STAGE_MAKE_PRIVATE, 0);
    /* Cloned ahead of the container's record: its root's folders appear with it. EOF means
       the parent gave up (or died). */
    if (c->wait_before_root) {
        char go;
        ssize_t got;
        do got = read(release_fd, &go, 1); while (got < 0 && errno == EINTR);
        if (got != 1) _exit(125);
        note_phase(c, CELL_PHASE_LET_MOUNT);
    }

    /* The root: the overlay is mounted here, inside the container's mount namespace, so it
       disappears with the namespace and nothing is left on the host. A plain directory is
       bound onto itself to become a mount point (pivot_root needs one). */
    unsigned long nodev = c->devices_allowed ? 0 : MS_NODEV;
    /* With a user namespace, the overlay and every mount point made in it work with the ids
       of the container's root (the idmapped layers turn them into the ids on disk). */
    if (c->userns_fd >= 0 && cell_internal_set_file_system_ids(c->userns_root_uid, c->userns_root_gid) < 0)
        fail(error_fd, CELL_STAGE_USER_NAMESPACE, 0);
    int root_result = c->overlay_options
        ? mount("overlay", c->root, "overlay", nodev, c->overlay_options)
        : mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL);
    if (root_result == 0 && !c->overlay_options && nodev)
        root_result = mount(NULL, c->root, NULL, MS_BIND | MS_REMOUNT | MS_NODEV, NULL);
    if (root_result < 0) fail(error_fd, CELL_STAGE_MOUNT_ROOT, 0);
    int rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail(error_fd, CELL_STAGE_OPEN_ROOT, 0);
    note_phase(c, CELL_PHASE_ROOT_MOUNTED);

    if (cell_internal_mount_in_root(rootfd, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, CELL_CREATE_DIRECTORY) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_PROC, 0);
    if (c->sysctl_count > 0) {
        int proc_fd = cell_internal_open_or_create_in_root(rootfd, "/proc", CELL_CREATE_NONE);
        if (proc_fd < 0) fail(error_fd, CELL_STAGE_MOUNT_PROC, 0);
        int failed = 0;
        if (write_sysctls(proc_fd, c->sysctls, c->sysctl_count, &failed) < 0) fail(error_fd, CELL_STAGE_SYSCTL, failed);
        close(proc_fd);
    }
    if (cell_internal_setup_dev(rootfd, c->devices, c->device_count, c->shm_options, c->tty_gid, c->dev_nodev && !c->devices_allowed) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_DEV, 0);
    /* Read-only but for --privileged (cgroup_writable), as Docker mounts it. */
    unsigned long sys_read_only = c->cgroup_writable ? 0 : MS_RDONLY;
    if (cell_internal_mount_in_root(rootfd, "sysfs", "/sys", "sysfs", sys_read_only | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, CELL_CREATE_DIRECTORY) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_SYS, 0);

    /* The masks' /dev/null is the container's own node, held before the volumes are mounted:
       one over /dev (Docker allows it) must not take it away, nor put a host node in its place. */
    int null = -1;
    if (c->masked_paths && c->masked_paths[0] && (null = cell_internal_open_or_create_in_root(rootfd, "/dev/null", CELL_CREATE_NONE)) < 0)
        fail(error_fd, CELL_STAGE_MASK_PATH, 0);
    for (size_t i = 0; i < c->mount_count; i++) {
        const struct cell_mount *m = &c->mounts[i];
        int stage = CELL_STAGE_MOUNT;
        int result = m->kind == CELL_MOUNT_BIND
            ? cell_internal_setup_bind(rootfd, m, c->devices_allowed, &stage)
            : cell_internal_mount_in_root(rootfd, "tmpfs", m->destination, "tmpfs", m->flags | (m->read_only ? MS_RDONLY : 0),
                            m->options, CELL_CREATE_DIRECTORY);
        if (result < 0) fail(error_fd, stage, (int)i);
    }
    if (null >= 0) {
        for (int i = 0; c->masked_paths[i]; i++)
            if (cell_internal_mask_path(rootfd, null, c->masked_paths[i]) < 0) fail(error_fd, CELL_STAGE_MASK_PATH, i);
        close(null);
    }
    for (int i = 0; c->read_only_paths && c->read_only_paths[i]; i++)
        if (cell_internal_make_read_only(rootfd, c->read_only_paths[i]) < 0) fail(error_fd, CELL_STAGE_READ_ONLY_PATH, i);
    note_phase(c, CELL_PHASE_MOUNTED);

    /* pivot_root(".", "."): the old root ends up stacked on the new one and is detached at
       once, so no put_old directory is needed in the image. */
    if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        fail(error_fd, CELL_STAGE_PIVOT_ROOT, 0);
    close(rootfd);
    if (c->read_only_root) {
        struct statvfs st;
        unsigned long keep = 0;
        if (statvfs("/", &st) == 0) keep = st.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
        if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
            fail(error_fd, CELL_STAGE_READ_ONLY_ROOT, 0);
    }

    if ((c->clone_flags & CLONE_NEWUTS) && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
        fail(error_fd, CELL_STAGE_HOSTNAME, 0);
    if (c->loopback_up && cell_internal_bring_loopback_up() < 0) fail(error_fd, CELL_STAGE_LOOPBACK, 0);
    if (enter_working_directory(c->working_directory ? c->working_directory : "/") < 0)
        fail(error_fd, CELL_STAGE_WORKING_DIRECTORY, 0);
    /* -t: the pty comes from the container's own devpts, now that it is at /dev/pts; the
       parent has the master before it releases us. */
    int console = -1;
    if (c->terminal && c->console.socket >= 0) {
        int step;
        if ((console = cell_internal_open_console(&c->console, &step)) < 0) fail(error_fd, CELL_STAGE_CONSOLE, step);
        close(c->console.socket);
        if (cell_internal_bind_console(console) < 0) fail(error_fd, CELL_STAGE_CONSOLE, CELL_CONSOLE_BIND);
    }
    note_phase(c, CELL_PHASE_PIVOTED);

    /* Our cgroups are final since our first step (cell_internal_join_cgroups): the cgroup
       namespace and its view are made while the parent still plumbs the network. */
    if (c->cgroup_namespace) {
        const unsigned long read_only = c->cgroup_writable ? 0 : MS_RDONLY;
        if (unshare(CLONE_NEWCGROUP) < 0) fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
        if (c->mount_cgroup2 &&
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", read_only | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
        if (c->cgroup1_hierarchies && *c->cgroup1_hierarchies &&
            cell_internal_mount_cgroup1_view(c->cgroup1_hierarchies, c->mount_cgroup2_unified, read_only) < 0)
            fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
    }
    note_phase(c, CELL_PHASE_CGROUP_VIEW);

    /* Wait for the parent's go before anything of the image runs: it finishes what needs our
       pid (the network interfaces, the port forwarders' network) while we mount. EOF means it
       gave up (or died). */
    char byte;
    ssize_t n;
    do n = read(release_fd, &byte, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(125);
    close(release_fd);
    note_phase(c, CELL_PHASE_RELEASED);

    int in = console >= 0 ? console : c->stdin_fd, out = console >= 0 ? console : c->stdout_fd;
    int err = console >= 0 ? console : c->stderr_fd;
    if (cell_internal_install_stdio(in, 0) < 0 || cell_internal_install_stdio(out, 1) < 0 ||
        cell_internal_install_stdio(err, 2) < 0)
        fail(error_fd, CELL_STAGE_STDIO, 0);
    if (console > 2) close(console);
    /* A session of its own, tty or not (as runc's init makes one): the keys typed on an attached
       client's terminal reach the container only through the monitor (--sig-proxy), never as
       the terminal's signals to its process group. */
    if (setsid() < 0 || (c->terminal && ioctl(0, TIOCSCTTY, 0) < 0)) fail(error_fd, CELL_STAGE_TERMINAL, 0);

    /* The limits once every mount and stdio is in place (a low nofile or fsize cannot get in
       their way), and while we are still the host's root (raising a hard limit needs
       CAP_SYS_RESOURCE in the host's user namespace). */
    int failed_limit = 0;
    if (cell_internal_set_rlimits(c->rlimits, c->rlimit_count, &failed_limit) < 0)
        fail(error_fd, CELL_STAGE_RLIMIT, failed_limit);

    /* Every mount is made: from here on root is only root inside its user namespace, and its
       namespaces (owned by the host's) give it no power over the mounts. */
    if (c->userns_fd >= 0 && setns(c->userns_fd, CLONE_NEWUSER) < 0) fail(error_fd, CELL_STAGE_USER_NAMESPACE, 0);

    /* Raw system calls: glibc's wrappers would try to signal the parent's other threads. */
    if (cell_internal_drop_bounding(c->capabilities) < 0) fail(error_fd, CELL_STAGE_CAPABILITIES, 0);
    if (cell_internal_install_seccomp(c->seccomp_filter, c->seccomp_filter_length) < 0) fail(error_fd, CELL_STAGE_SECCOMP, 0);
    if (syscall(SYS_setgroups, c->group_count, c->groups) < 0) fail(error_fd, CELL_STAGE_GROUPS, 0);
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0) fail(error_fd, CELL_STAGE_GID, 0);
    if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0) fail(error_fd, CELL_STAGE_UID, 0);
    if (cell_internal_set_capabilities(c->capabilities, c->uid, c->no_new_privileges) < 0)
        fail(error_fd, CELL_STAGE_CAPABILITIES, 0);

    /* Every fd above stdio closes at exec; the error pipe stays usable until then. */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail(error_fd, CELL_STAGE_CLOSE_FDS, 0);
    umask(022);
    note_phase(c, CELL_PHASE_CONFINED);
    fail(error_fd, cell_internal_exec_command(c->exec_helper_fd, helper_argv, error_fd, c->argv, c->envp, c->search_path), 0);
}

/* ---- the parent's side ---- */

int cell_spawn(const struct cell_spawn_config *config, struct cell_child *child) {
    int release[2], error[2];
    /* A socket, not a pipe: the child may have failed and gone before the release, and send()
       with MSG_NOSIGNAL reports that as EPIPE instead of raising SIGPIPE in the caller. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, release) < 0) return -errno;
    if (pipe2(error, O_CLOEXEC) < 0) {
        int saved = errno;
        close(release[0]); close(release[1]);
        return -saved;
    }
    /* The helper's arguments are allocated here: the child may not call malloc. */
    char **helper_argv = NULL;
    if (config->exec_helper_fd >= 0 &&
        (helper_argv = cell_internal_helper_arguments(config->argv, error[1], config->search_path)) == NULL) {
        close(release[0]); close(release[1]); close(error[0]); close(error[1]);
        return -ENOMEM;
    }
    /* A raw clone: like fork, the child continues here on a copy of our stack; born in its v2
       cgroup where the kernel can (before 5.7, ENOSYS or E2BIG: a plain clone, and the child
       joins it itself). */
    /* Joining another container's pid namespace: our children are born in it (pid_for_children),
       then ours is restored. */
    int own_pid_namespace = -1;
    if (config->join_pid_pidfd >= 0) {
        own_pid_namespace = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own_pid_namespace < 0 || syscall(SYS_setns, config->join_pid_pidfd, CLONE_NEWPID) < 0) {
            int saved = errno;
            if (own_pid_namespace >= 0) close(own_pid_namespace);
            close(release[0]); close(release[1]); close(error[0]); close(error[1]);
            free(helper_argv);
            return -saved;
        }
    }
    int cloned_into_cgroup = 1;
    long pid = cell_internal_clone_into_cgroup((unsigned long)(unsigned)config->clone_flags, config->cgroup_fd);
    if (pid < 0) {
        cloned_into_cgroup = 0;
        pid = syscall(SYS_clone, (unsigned long)config->clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
    }
    int clone_errno = errno;
    if (pid != 0 && own_pid_namespace >= 0) {
        /* Our own active namespace is always one we may return to. */
        (void)syscall(SYS_setns, own_pid_namespace, CLONE_NEWPID);
        close(own_pid_namespace);
    }
    if (pid < 0) {
        close(release[0]); close(release[1]); close(error[0]); close(error[1]);
        free(helper_argv);
        return -clone_errno;
    }
    if (pid == 0) {
        close(release[1]);
        close(error[0]);
        child_main(config, helper_argv, cloned_into_cgroup, release[0], error[1]);
    }
    free(helper_argv); /* the child has its own copy */
    close(release[0]);
    close(error[1]);
    child->pid = (pid_t)pid;
    child->release_fd = release[1];
    child->error_fd = error[0];
    return 0;
}

int cell_spawn_let_mount(struct cell_child *child) {
    char byte = 1;
    ssize_t n;
    do n = send(child->release_fd, &byte, 1, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -errno;
}

int cell_spawn_release(struct cell_child *child, struct cell_spawn_failure *failure) {
    char byte = 1;
    ssize_t n;
    do n = send(child->release_fd, &byte, 1, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    int write_error = n == 1 ? 0 : errno;
    close(child->release_fd);
    child->release_fd = -1;
    struct cell_child_report report;
    size_t got = 0;
    while (got < sizeof report) {
        n = read(child->error_fd, (char *)&report + got, sizeof report - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    int read_error = n < 0 ? errno : 0;
    close(child->error_fd);
    child->error_fd = -1;
    if (got == sizeof report) {
        *failure = (struct cell_spawn_failure){ report.stage, report.error, report.index };
        return 1;
    }
    if (got == 0 && read_error == 0 && write_error == 0) return 0;
    return -(read_error ? read_error : write_error ? write_error : EIO);
}

void cell_spawn_abort(struct cell_child *child) {
    if (child->pid > 0) kill(child->pid, SIGKILL);
    if (child->release_fd >= 0) close(child->release_fd);
    if (child->error_fd >= 0) close(child->error_fd);
    child->release_fd = child->error_fd = -1;
}

_Static_assert(CELL_NEW_MOUNT == CLONE_NEWNS && CELL_NEW_CGROUP == CLONE_NEWCGROUP && CELL_NEW_UTS == CLONE_NEWUTS && CELL_NEW_IPC == CLONE_NEWIPC &&
               CELL_NEW_PID == CLONE_NEWPID && CELL_NEW_NETWORK == CLONE_NEWNET, "namespace flags");
