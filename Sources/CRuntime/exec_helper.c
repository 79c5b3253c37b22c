/* The container's last exec, through cell-init (why: exec_helper.h). */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

char **cell_internal_helper_arguments(const char *const *argv, int report_fd, const char *search_path) {
    size_t count = 0;
    while (argv[count]) count++;
    /* "cell-init" "--exec" FD ["--path" PATH] "--" ARGV... NULL, and the digits of FD. */
    char **result = malloc((count + 7) * sizeof *result + 16);
    if (result == NULL) return NULL;
    char *digits = (char *)(result + count + 7);
    snprintf(digits, 16, "%d", report_fd);
    size_t at = 0;
    result[at++] = "cell-init";
    result[at++] = "--exec";
    result[at++] = digits;
    if (search_path) {
        result[at++] = "--path";
        result[at++] = (char *)search_path;
    }
    result[at++] = "--";
    for (size_t i = 0; i < count; i++) result[at++] = (char *)argv[i];
    result[at] = NULL;
    return result;
}

int cell_internal_exec_command(int helper_fd, char *const *helper_argv, int report_fd, const char *const *argv,
                               const char *const *envp, const char *search_path) {
    if (helper_fd < 0) {
        cell_exec_search(argv, envp, search_path);
        return CELL_STAGE_EXEC;
    }
    /* The report fd must outlive this exec: cell-init reports a failed exec of the command on
       it, and closes it by its own exec. Everything else is close-on-exec already. */
    int flags = fcntl(report_fd, F_GETFD);
    if (flags < 0 || fcntl(report_fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) return CELL_STAGE_EXEC_HELPER;
    syscall(SYS_execveat, helper_fd, "", helper_argv, envp, AT_EMPTY_PATH);
    return CELL_STAGE_EXEC_HELPER;
}
