/* Pseudo-terminals for `-t`. */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int cell_open_pty(int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -errno;
    if (unlockpt(m) < 0) goto fail;
    /* TIOCGPTPEER opens the slave through the master: no path lookup that could be raced. */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) goto fail;
    *master = m;
    *slave = s;
    return 0;
fail:;
    int saved = errno;
    close(m);
    return -saved;
}

int cell_copy_window_size(int from, int to) {
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) < 0) return -errno;
    return ioctl(to, TIOCSWINSZ, &size) < 0 ? -errno : 0;
}

int cell_make_raw(int fd, struct termios *saved) {
    if (tcgetattr(fd, saved) < 0) return -errno;
    struct termios raw = *saved;
    cfmakeraw(&raw);
    return tcsetattr(fd, TCSANOW, &raw) < 0 ? -errno : 0;
}

int cell_restore_terminal(int fd, const struct termios *saved) {
    return tcsetattr(fd, TCSANOW, saved) < 0 ? -errno : 0;
}

int cell_window_size(int fd, unsigned short *rows, unsigned short *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) < 0) return -errno;
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}

int cell_set_window_size(int fd, unsigned short rows, unsigned short columns) {
    struct winsize size = { .ws_row = rows, .ws_col = columns };
    return ioctl(fd, TIOCSWINSZ, &size) < 0 ? -errno : 0;
}
