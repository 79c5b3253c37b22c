/* Pseudo-terminals for `-t`: the container's own (made in the child, see cell_console), and
   the sizes and modes of terminals. */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

/* In the child, after clone (async-signal-safe: raw system calls only). /dev/pts/ptmx rather
   than /dev/ptmx, which is a link in the container's writable /dev: a process in the container
   could put a node of its own there, and a 5:2 node outside a devpts mount opens the host's
   devpts. No symlink is followed on the way, and the result must be the ptmx of a devpts
   mount, as runc checks. */
int cell_internal_open_console(const struct cell_console *console, int *step) {
    struct open_how how = { .flags = O_RDWR | O_NOCTTY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
    *step = CELL_CONSOLE_OPEN;
    int master = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/pts/ptmx", &how, sizeof how);
    if (master < 0) return -1;
    int slave = -1;
    struct statfs fs;
    struct stat st;
    *step = CELL_CONSOLE_CHECK;
    if (fstatfs(master, &fs) < 0 || fstat(master, &st) < 0) goto fail;
    if (fs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
        errno = ENODEV;
        goto fail;
    }
    int unlock = 0;
    *step = CELL_CONSOLE_UNLOCK;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) goto fail;
    *step = CELL_CONSOLE_PEER;
    slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) goto fail;
    *step = CELL_CONSOLE_OWNER;
    if (console->owner != (uint32_t)-1 && fchown(slave, console->owner, (gid_t)-1) < 0) goto fail;
    *step = CELL_CONSOLE_SIZE;
    struct winsize size = { .ws_row = console->rows, .ws_col = console->columns };
    if (size.ws_row && size.ws_col && ioctl(master, TIOCSWINSZ, &size) < 0) goto fail;

    *step = CELL_CONSOLE_SEND;
    char byte = 0;
    struct iovec data = { .iov_base = &byte, .iov_len = 1 };
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control.space,
                              .msg_controllen = sizeof control.space };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &master, sizeof master);
    ssize_t sent;
    do sent = sendmsg(console->socket, &message, MSG_NOSIGNAL); while (sent < 0 && errno == EINTR);
    if (sent != 1) goto fail;
    close(master);
    return slave;
fail:;
    int saved = errno;
    if (slave >= 0) close(slave);
    close(master);
    errno = saved;
    return -1;
}

int cell_receive_fd(int socket) {
    char byte;
    struct iovec data = { .iov_base = &byte, .iov_len = 1 };
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { .msg_iov = &data, .msg_iovlen = 1, .msg_control = control.space,
                              .msg_controllen = sizeof control.space };
    ssize_t n;
    do n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    int fd = -1;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
        header->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(header), sizeof fd);
    if (fd >= 0 && !(message.msg_flags & MSG_CTRUNC)) return fd;
    if (fd >= 0) close(fd);
    return n == 0 ? -ECONNRESET : -EBADMSG;
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
