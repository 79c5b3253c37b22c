/* Helpers shared by the container's start path (spawn.c) and exec (exec.c). Not part of the
   module's public interface: both run in a forked child and are async-signal-safe. */
#ifndef CELL_PROCESS_INTERNAL_H
#define CELL_PROCESS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "exec_helper.h"
#include "cell_runtime.h"

/* Points `target` (0, 1, 2) at fd (close-on-exec cleared); a negative fd leaves it alone. */
int cell_internal_install_stdio(int fd, int target);

/* The container's command line as cell-init's --exec mode takes it (see exec_helper.h):
   "cell-init --exec REPORT_FD [--path PATH] -- ARGV...". Allocated (malloc) by the parent
   before the clone; NULL when out of memory. */
char **cell_internal_helper_arguments(const char *const *argv, int report_fd, const char *search_path);

/* The last step of a child: execs the command through the sealed helper when helper_fd >= 0
   (helper_argv names report_fd, which stays open for it), else straight from here. Returns only on failure: the stage that failed (errno set). */
int cell_internal_exec_command(int helper_fd, char *const *helper_argv, int report_fd, const char *const *argv,
                               const char *const *envp, const char *search_path);

/* Every signal back to its default disposition and an empty mask: ignored signals and the
   mask survive execve, and a new process in a container must not inherit ours. */
void cell_internal_reset_signals(void);

/* Capabilities, in two steps around the uid change: first the bounding set reduced to
   `capabilities` (and keep-caps set), then effective/permitted (the set for uid 0, none for
   others), inheritable and ambient empty, and no_new_privs when asked. 0 or -1 with errno. */
int cell_internal_drop_bounding(uint64_t capabilities);
int cell_internal_set_capabilities(uint64_t capabilities, uint32_t uid, int no_new_privileges);

/* Installs a seccomp BPF program (struct sock_filter entries; none: nothing). Called while the
   process still has CAP_SYS_ADMIN, before the uid and capability changes, which the program
   must therefore allow. 0 or -1 with errno. */
int cell_internal_install_seccomp(const void *filter, size_t length);

/* chdir into `path` resolved inside "/" without magic links (no leaked fd can lead out), and
   a check that the result is reachable from the root. 0 or -1 with errno. */
int cell_internal_enter_directory(const char *path);
int cell_internal_check_working_directory(void);

/* clone3 with CLONE_INTO_CGROUP (flags must not include CLONE_VM: the child returns here on
   a copy of the caller's stack, as from fork): the pid, 0 in the child, or -1 with errno
   (ENOSYS, E2BIG before 5.7; EBADF without a cgroup). */
long cell_internal_clone_into_cgroup(unsigned long flags, int cgroup_fd);

/* In the new process, which must have one thread: joins the v2 cgroup (cgroup_fd, O_PATH)
   unless it was cloned into it, and writes "0" to each v1 `tasks` file. 0 or -1 with errno. */
int cell_internal_join_cgroups(int cgroup_fd, int cloned_into, const int *thread_fds, size_t thread_count);

/* Writes all of `text` to fd in one write (EINTR retried; a short write is EIO), as /proc and
   /sys files take a value. 0, or -1 with errno. Raw system calls only. */
int cell_internal_write_text(int fd, const char *text);

/* The same to the existing file at `path` (opened for writing, not created). */
int cell_internal_write_file(const char *path, const char *text);

/* Sets each limit (prlimit on ourselves); on failure -1 with errno and *failed = its index. */
int cell_internal_set_rlimits(const struct cell_rlimit *limits, size_t count, int *failed);

/* Writes `value` (decimal) to /proc/self/oom_score_adj; NULL does nothing. 0 or -1 with errno. */
int cell_internal_set_oom_score_adj(const char *value);

/* -t: makes the container's pty as `console` says (see cell_console) and returns its slave
   (close-on-exec), or -1 with errno and *step (a cell_console_step) set. */
struct cell_console;
int cell_internal_open_console(const struct cell_console *console, int *step);

/* setfsuid/setfsgid, with the effective capabilities raised again (see user_namespace.c). */
int cell_internal_set_file_system_ids(uint32_t uid, uint32_t gid);

#endif
