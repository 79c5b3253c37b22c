/* `exec`: a new process inside a running container. Called from the CLI, which is
   multi-threaded, so everything after the clone is raw system calls (no malloc, no locks, no
   glibc set*id wrappers, which would signal threads that do not exist in the child).

   parent ──clone──▶ A: joins the cgroups (born in the v2 one), setns() into the
                        namespaces of the container's pid 1 (one call on its pidfd), then
                     ──clone(CLONE_PARENT)──▶ B: a sibling of A, so the caller's own child,
                        and born in the container's pid namespace; chdir, stdio, ids, exec.
   A reports B's pid and exits at once; B's exec closes the report pipe (close-on-exec).
   The caller waits for B directly: no process stays in between.

   B is cloned CLONE_VM|CLONE_VFORK on a stack of its own (as posix_spawn does). A is too on
   kernels without CLONE_INTO_CGROUP; where there is a v2 cgroup to be born in, A is a
   vfork-like clone3 without CLONE_VM (clone3 cannot start a function on a new stack), which
   copies the page tables (tens of microseconds for the CLI) but spares the move through
   cgroup.procs, which waits for an RCU grace period (milliseconds) on a quiet host. The
   caller's thread is suspended until A has exited (and A until B has exec'd), so sharing
   memory is safe; all signals stay blocked until A has reset every handler. */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A and B write struct cell_child_report on the report pipe: A B's pid (host view), either of
   them (or cell-init, B's helper) a failure, with the index of what failed where a stage has
   several (a limit, a step of making the terminal). */
static void report(int fd, pid_t pid, int stage, int error, int index) {
    struct cell_child_report message = { pid, stage, error, index };
    ssize_t ignored = write(fd, &message, sizeof message);
    (void)ignored;
}

static _Noreturn void fail_at(int fd, int stage, int index) {
    report(fd, 0, stage, errno, index);
    _exit(125);
}

static _Noreturn void fail(int fd, int stage) { fail_at(fd, stage, 0); }

/* Moves fds 0..2 that are not at their target out of the way, so installing one stream
   cannot overwrite another still to be installed. */
static int lift(int fd, int target) {
    if (fd < 0 || fd > 2 || fd == target) return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static _Noreturn void run_process(const struct cell_exec_config *c, char *const *helper_argv, int report_fd, int console) {
    if (c->working_directory && *c->working_directory && cell_internal_enter_directory(c->working_directory) < 0)
        fail(report_fd, CELL_STAGE_WORKING_DIRECTORY);
    int stdin_fd = console >= 0 ? console : c->stdin_fd, stdout_fd = console >= 0 ? console : c->stdout_fd;
    int stderr_fd = console >= 0 ? console : c->stderr_fd;
    int in = lift(stdin_fd, 0), out = lift(stdout_fd, 1), err = lift(stderr_fd, 2);
    if ((stdin_fd >= 0 && in < 0) || (stdout_fd >= 0 && out < 0) || (stderr_fd >= 0 && err < 0))
        fail(report_fd, CELL_STAGE_STDIO);
    if (cell_internal_install_stdio(in, 0) < 0 || cell_internal_install_stdio(out, 1) < 0 ||
        cell_internal_install_stdio(err, 2) < 0)
        fail(report_fd, CELL_STAGE_STDIO);
    /* A tty session of its own: the pty becomes its controlling terminal. Without one, it
       stays in the caller's process group, so the caller's terminal signals reach it. */
    if (c->terminal && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)) fail(report_fd, CELL_STAGE_TERMINAL);
    if (cell_internal_drop_bounding(c->capabilities) < 0) fail(report_fd, CELL_STAGE_CAPABILITIES);
    if (cell_internal_install_seccomp(c->seccomp_filter, c->seccomp_filter_length) < 0) fail(report_fd, CELL_STAGE_SECCOMP);
    if (syscall(SYS_setgroups, c->group_count, c->groups) < 0) fail(report_fd, CELL_STAGE_GROUPS);
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0) fail(report_fd, CELL_STAGE_GID);
    if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0) fail(report_fd, CELL_STAGE_UID);
    if (cell_internal_set_capabilities(c->capabilities, c->uid, c->no_new_privileges) < 0)
        fail(report_fd, CELL_STAGE_CAPABILITIES);
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail(report_fd, CELL_STAGE_CLOSE_FDS);
    umask(022);
    int stage = cell_internal_exec_command(c->exec_helper_fd, helper_argv, report_fd, c->argv, c->envp, c->search_path);
    fail(report_fd, stage);
}

#define CHILD_STACK_SIZE (128 * 1024)

struct exec_context {
    const struct cell_exec_config *config;
    char *const *helper_argv;
    int report_fd;
    char *process_stack; /* B's; A's is the caller's mapping's other half */
    int cloned_into_cgroup;
    int console; /* -t: the pty slave A made for B, or -1 */
};

static int process_main(void *argument) {
    const struct exec_context *context = argument;
    run_process(context->config, context->helper_argv, context->report_fd, context->console);
}

static int enter_container(void *argument) {
    struct exec_context *context = argument;
    const struct cell_exec_config *c = context->config;
    int report_fd = context->report_fd;
    /* The caller's handlers and mask must not reach the new process (the caller blocked
       every signal around the clone, so none of its handlers can run on our stack). */
    cell_internal_reset_signals();
    /* Not dumpable while we are cell inside the container (until the exec): its processes,
       without CAP_SYS_PTRACE, cannot open our /proc/PID/exe, the host's binary
       (CVE-2019-5736). The exec makes the new program dumpable as usual. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail(report_fd, CELL_STAGE_JOIN_NAMESPACES);

    if (cell_internal_join_cgroups(c->cgroup_fd, context->cloned_into_cgroup, c->cgroup_thread_fds, c->cgroup_thread_count) < 0)
        fail(report_fd, CELL_STAGE_CGROUP);
    /* The container's limits and OOM score, as runc gives every exec: set here, still the
       host's root in the host's /proc, and inherited by B. Neither is shared with the caller
       (a vfork child keeps its own OOM score; the limits are copied at the clone). */
    if (cell_internal_set_oom_score_adj(c->oom_score_adj) < 0) fail(report_fd, CELL_STAGE_OOM_SCORE_ADJ);
    int failed_limit = 0;
    if (cell_internal_set_rlimits(c->rlimits, c->rlimit_count, &failed_limit) < 0)
        fail_at(report_fd, CELL_STAGE_RLIMIT, failed_limit);
    /* One setns on the pidfd joins them all at once, and the pidfd pins the very process the
       caller checked (a reused pid cannot be joined by mistake). The mount namespace also sets
       our root and working directory to the container's root. */
    if (syscall(SYS_setns, c->pidfd, c->namespaces) < 0) fail(report_fd, CELL_STAGE_JOIN_NAMESPACES);
    /* -t: a pty of the container's own devpts (our root is the container's now), made while we
       are still the host's root, which may give the slave to the process's uid; B inherits the
       slave (its clone copies our fds), the master goes back to the caller. */
    if (c->terminal && c->console.socket >= 0) {
        int step;
        if ((context->console = cell_internal_open_console(&c->console, &step)) < 0)
            fail_at(report_fd, CELL_STAGE_CONSOLE, step);
    }
    /* Its user namespace last: joined first, it would leave us without the power to join the
       others, which the host's user namespace owns. */
    if (c->join_user_namespace && syscall(SYS_setns, c->pidfd, CLONE_NEWUSER) < 0) fail(report_fd, CELL_STAGE_USER_NAMESPACE);

    /* setns(pid) only places children in the namespace: clone once more. CLONE_PARENT makes
       the new process the caller's child, so A can go and the caller reaps B itself; a
       detached one stays A's, and is adopted (and reaped) by init when A exits. */
    int pid = clone(process_main, context->process_stack + CHILD_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | (c->detached ? SIGCHLD : CLONE_PARENT), argument);
    if (pid < 0) fail(report_fd, CELL_STAGE_FORK);
    report(report_fd, (pid_t)pid, CELL_STAGE_NONE, 0, 0);
    _exit(0);
}

static void reap(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

int cell_exec_spawn(const struct cell_exec_config *config, pid_t *pid, struct cell_spawn_failure *failure) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) return -errno;
    char *stacks = mmap(NULL, 2 * CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stacks == MAP_FAILED) {
        int saved = errno;
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return -saved;
    }
    /* The helper's arguments are allocated here: the children share our memory but may not
       call malloc. */
    char **helper_argv = NULL;
    if (config->exec_helper_fd >= 0 &&
        (helper_argv = cell_internal_helper_arguments(config->argv, pipe_fds[1], config->search_path)) == NULL) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        munmap(stacks, 2 * CHILD_STACK_SIZE);
        return -ENOMEM;
    }
    struct exec_context context = { config, helper_argv, pipe_fds[1], stacks + CHILD_STACK_SIZE, 1, -1 };
    sigset_t all, saved_mask;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
    /* Returns once A has exited (CLONE_VFORK), which is after B exec'd or failed. */
    long a = cell_internal_clone_into_cgroup(CLONE_VFORK, config->cgroup_fd);
    if (a == 0) _exit(enter_container(&context));
    if (a < 0) {
        context.cloned_into_cgroup = 0;
        a = clone(enter_container, stacks + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &context);
    }
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    close(pipe_fds[1]);
    munmap(stacks, 2 * CHILD_STACK_SIZE);
    free(helper_argv);
    if (a < 0) {
        close(pipe_fds[0]);
        return -clone_error;
    }

    /* Messages until EOF: A's pid report, and a failure from A or B, in any order. EOF comes
       once A has exited and B has exec'd (or died). */
    pid_t child = 0;
    int failed = 0;
    int read_error = 0;
    struct cell_child_report message;
    while (1) {
        size_t got = 0;
        ssize_t n = 0;
        while (got < sizeof message) {
            n = read(pipe_fds[0], (char *)&message + got, sizeof message - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (n < 0) read_error = errno;
        if (got < sizeof message) break;
        if (message.pid > 0) child = message.pid;
        if (message.stage != CELL_STAGE_NONE && !failed) {
            *failure = (struct cell_spawn_failure){ message.stage, message.error, message.index };
            failed = 1;
        }
    }
    close(pipe_fds[0]);
    reap((pid_t)a);
    if (failed || read_error) {
        if (child > 0) reap(child);
        return failed ? 1 : -read_error;
    }
    if (child <= 0) return -ECHILD;
    *pid = child;
    return 0;
}
