/* cell-init: the --init process, PID 1 of a container (docker's tini, podman's catatonit).
   It starts the command as its only child, forwards every signal it gets to it, reaps the
   orphans the kernel hands to PID 1, and exits with the command's status. Linked statically:
   it is bind-mounted read-only into images that have no libc of ours.

   Also the last step of every container process (`--exec`): cell execs it from a sealed,
   read-only mount and it execs the command (the reason: ../CRuntime/exec_helper.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../CRuntime/exec_helper.h"

static int exit_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

/* cell-init --exec REPORT_FD [--path PATH] -- COMMAND [ARG...]: execs the command, searched
   in PATH (the container's), with this environment; when that fails, reports the stage and
   errno on REPORT_FD as the process cell started would have. REPORT_FD closes by the exec. */
static int exec_command(int argc, char **argv) {
    if (argc < 4) return 125;
    int report_fd = atoi(argv[2]);
    int first = 3;
    const char *search_path = NULL;
    if (first + 1 < argc && strcmp(argv[first], "--path") == 0) {
        search_path = argv[first + 1];
        first += 2;
    }
    if (first < argc && strcmp(argv[first], "--") == 0) first++;
    if (first >= argc) return 125;
    fcntl(report_fd, F_SETFD, FD_CLOEXEC);
    extern char **environ;
    cell_exec_search((const char *const *)argv + first, (const char *const *)environ, search_path);
    struct cell_child_report report = { 0, CELL_STAGE_EXEC, errno, 0 };
    ssize_t ignored = write(report_fd, &report, sizeof report);
    (void)ignored;
    return 125;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--exec") == 0) return exec_command(argc, argv);
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0) first++;
    if (first >= argc) {
        fprintf(stderr, "usage: cell-init [--] COMMAND [ARG...]\n");
        return 125;
    }

    /* Every signal waits in sigtimedwait below; the child gets the mask it had before. */
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);

    pid_t child = fork();
    if (child < 0) {
        perror("cell-init: fork");
        return 125;
    }
    if (child == 0) {
        /* Its own process group, in the terminal's foreground when there is one: Ctrl-C reaches
           the command, not init. */
        setpgid(0, 0);
        if (isatty(STDIN_FILENO)) {
            signal(SIGTTOU, SIG_IGN);
            tcsetpgrp(STDIN_FILENO, getpgrp());
            signal(SIGTTOU, SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, &previous, NULL);
        execvp(argv[first], argv + first);
        int error = errno;
        fprintf(stderr, "cell-init: exec %s failed: %s\n", argv[first], strerror(error));
        _exit(error == ENOENT ? 127 : 126);
    }

    for (;;) {
        siginfo_t info;
        struct timespec tick = { 1, 0 };
        int signal_number = sigtimedwait(&all, &info, &tick);
        if (signal_number < 0 && errno != EAGAIN && errno != EINTR) {
            perror("cell-init: sigtimedwait");
            return 125;
        }
        if (signal_number > 0 && signal_number != SIGCHLD) {
            kill(child, signal_number);
            continue;
        }
        /* SIGCHLD, or the periodic tick (a SIGCHLD can merge with one already pending). */
        for (;;) {
            int status;
            pid_t reaped = waitpid(-1, &status, WNOHANG);
            if (reaped <= 0) break;
            if (reaped == child) return exit_status(status);
        }
    }
}
