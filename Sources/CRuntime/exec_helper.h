/* What the container's last exec shares with cell-init's --exec mode (Sources/cell-init),
   which includes this file by its relative path: the search for the command in the
   container's PATH, and the report a failed exec sends back to cell.

   Why a helper at all (CVE-2019-5736): the process that execs the container's command is a
   copy of cell (or cell-monitor), so a command that is a script starting `#!/proc/self/exe`
   would run cell's own host binary inside the container, whose processes could then open it
   through /proc/PID/exe and overwrite it. Instead the child execs cell-init from a detached,
   read-only mount of it (cell_open_sealed_executable), and cell-init execs the command: every
   /proc/.../exe a container can reach names a file it cannot open for writing (EROFS). A
   monitor exec'd from such a mount of itself (`--sealed`) needs no helper for its children. */
#ifndef CELL_EXEC_HELPER_H
#define CELL_EXEC_HELPER_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "include/cell_runtime.h" /* the stages */

#define CELL_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A child's message to its parent on the report pipe: a failure (pid 0, the stage and errno),
   or, from exec's intermediate process, the pid of the process it started (stage 0). Far
   below PIPE_BUF, so each write is atomic. */
struct cell_child_report {
    int32_t pid;
    int32_t stage;
    int32_t error; /* errno */
    int32_t index; /* which mount / path, for the stages that have one */
};

/* execvpe's search, inside the container: PATH from the container's environment (NULL: the
   default), not ours. Returns only on failure, with errno ENOENT (not found), EACCES (found
   but not executable) or the kernel's error. Async-signal-safe. */
static inline void cell_exec_search(const char *const *arguments, const char *const *environment, const char *search_path) {
    const char *file = arguments[0];
    char *const *argv = (char *const *)arguments;
    char *const *envp = (char *const *)environment;
    if (file == NULL || *file == 0) { errno = ENOENT; return; }
    if (strchr(file, '/')) { execve(file, argv, envp); return; }

    const char *search = search_path ? search_path : CELL_DEFAULT_PATH;
    size_t file_length = strlen(file);
    int denied = 0;
    for (const char *p = search;; ) {
        const char *end = strchr(p, ':');
        if (end == NULL) end = p + strlen(p);
        size_t dir_length = (size_t)(end - p);
        char candidate[PATH_MAX];
        if (dir_length + file_length + 2 <= sizeof candidate) {
            size_t at = 0;
            if (dir_length == 0) candidate[at++] = '.'; /* an empty entry is the current directory */
            memcpy(candidate + at, p, dir_length);
            at += dir_length;
            candidate[at++] = '/';
            memcpy(candidate + at, file, file_length + 1);
            execve(candidate, argv, envp);
            switch (errno) {
            case EACCES: denied = 1; break;
            case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT: case ELOOP: break;
            default: return; /* ENOEXEC and friends: report what the kernel said */
            }
        }
        if (*end == 0) break;
        p = end + 1;
    }
    errno = denied ? EACCES : ENOENT;
}

#endif
