#define _GNU_SOURCE
#include "cell_core.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int cell_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}
