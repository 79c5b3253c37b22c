/* The few C calls the lowest layer needs that Swift cannot make: openat2 (the variadic
   syscall(2) is not callable from Swift, and Glibc's module has no wrapper) and the GNU open
   flags the importer does not see. Async-signal-safe: the container's child uses them too. */
#ifndef CELL_CORE_H
#define CELL_CORE_H

/* GNU open/at flags Swift's importer does not see (no _GNU_SOURCE). */
enum cell_gnu_flags {
    CELL_O_PATH = 010000000,
    CELL_AT_EMPTY_PATH = 0x1000,
    CELL_O_TMPFILE = 020200000,
};

/* openat2(rootfd, path, flags | O_CLOEXEC, mode) resolving inside rootfd (RESOLVE_IN_ROOT,
   no magic links): the fd, or -errno. A leading "/" is dropped; "" or "/" is the root. The one
   place a path inside a container's root (or a layer, or a build context) is resolved. */
int cell_open_in_root(int rootfd, const char *path, int flags, unsigned mode);

/* openat2(dirfd, path, flags | O_CLOEXEC) below dirfd without following any symlink (nor "..",
   nor a magic link): for trees being written (a layer being extracted), where no link may be
   taken at all. The fd, or -errno (ELOOP for a symlink on the way, EXDEV for a way out). */
int cell_open_beneath(int dirfd, const char *path, int flags);

/* fstatfs(fd).f_type, the magic number of the file system fd is on (an O_PATH fd will do), or
   -errno. Swift's Glibc module does not carry sys/statfs.h. */
long cell_fd_filesystem_magic(int fd);

/* pipe2(fds, O_CLOEXEC), atomic unlike pipe + fcntl in a multi-threaded caller; 0 or -errno.
   Swift's Glibc module does not carry pipe2. */
int cell_pipe_cloexec(int fds[2]);

#endif
