/* Mounts inside a new container root, in its child before pivot_root: every path resolved in
   the root (a symlink in the image never leads a mount out of it), binds made read-only all the
   way down. Async-signal-safe: raw system calls, no allocation. */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"
#include "container_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* "/proc/self/fd/<fd>": mount(2) takes paths, and this one names exactly the inode an
   O_PATH fd resolved, so nothing can be swapped in between resolving and mounting. */
void cell_internal_fd_path(char buf[32], int fd) {
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0;
    do { digits[n++] = (char)('0' + fd % 10); fd /= 10; } while (fd > 0);
    memcpy(buf, prefix, sizeof prefix - 1);
    int at = sizeof prefix - 1;
    while (n > 0) buf[at++] = digits[--n];
    buf[at] = 0;
}

/* Closes fd, keeping the errno of the call before it; returns result (for `return
   cell_internal_close_keeping_errno(fd, mount(...))`-shaped steps that must report the mount's error). */
int cell_internal_close_keeping_errno(int fd, int result) {
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

/* Opens `rel` below rootfd as an O_PATH fd, every symlink resolved as if rootfd were /;
   -1 with errno. */
static int open_beneath(int rootfd, const char *rel) {
    int fd = cell_open_in_root(rootfd, rel, O_PATH, 0);
    if (fd < 0) { errno = -fd; return -1; }
    return fd;
}

/* Resolves a container path inside the new root, creating missing components (directories,
   and the last one as an empty file when asked). Each missing component is created with
   mkdirat/openat relative to its already-resolved parent, so a symlink can never lead a
   creation or a mount out of the root. Returns an O_PATH fd, or -1 with errno. */
int cell_internal_open_or_create_in_root(int rootfd, const char *path, enum cell_create_kind create) {
    while (*path == '/') path++;
    int fd = open_beneath(rootfd, path);
    if (fd >= 0 || errno != ENOENT || create == CELL_CREATE_NONE) return fd;

    char prefix[PATH_MAX];
    size_t length = 0;
    int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    if (parent < 0) return -1;
    const char *p = path;
    while (*p) {
        const char *end = p;
        while (*end && *end != '/') end++;
        size_t component = (size_t)(end - p);
        const char *next = end;
        while (*next == '/') next++;
        if (length + component + 2 > sizeof prefix || component > NAME_MAX) {
            close(parent);
            errno = ENAMETOOLONG;
            return -1;
        }
        if (length > 0) prefix[length++] = '/';
        memcpy(prefix + length, p, component);
        length += component;
        prefix[length] = 0;
        char name[NAME_MAX + 1];
        memcpy(name, p, component);
        name[component] = 0;

        fd = open_beneath(rootfd, prefix);
        if (fd < 0 && errno == ENOENT) {
            int last = (*next == 0);
            if (last && create == CELL_CREATE_FILE) {
                int file = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (file >= 0) close(file);
                else if (errno != EEXIST) { close(parent); return -1; }
            } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
                close(parent);
                return -1;
            }
            fd = open_beneath(rootfd, prefix);
        }
        close(parent);
        if (fd < 0) return -1;
        parent = fd;
        p = next;
    }
    return parent;
}

/* Whether `fd` (what `target` resolved to in the root) is the root itself, or inside /proc when
   `target` as written is not: the path was checked as written (MountDestination), and a
   symlink in the image (`/data -> /proc`, `/rootlink -> /`, `/sys -> /proc`) must not turn it into
   a mount over the root or over the kernel's files (runc's check, CVE-2019-19921). errno EXDEV. */
static int resolves_where_no_mount_goes(int rootfd, int fd, const char *target) {
    struct stat root, st;
    if (fstat(rootfd, &root) == 0 && fstat(fd, &st) == 0 && root.st_dev == st.st_dev && root.st_ino == st.st_ino) {
        errno = EXDEV;
        return 1;
    }
    while (*target == '/') target++;
    int written_in_proc = strncmp(target, "proc", 4) == 0 && (target[4] == 0 || target[4] == '/');
    if (!written_in_proc && cell_fd_filesystem_magic(fd) == PROC_SUPER_MAGIC) {
        errno = EXDEV;
        return 1;
    }
    return 0;
}

/* Mounts onto the path resolved in the root; returns the mount(2) result. */
int cell_internal_mount_in_root(int rootfd, const char *source, const char *target, const char *type,
                                unsigned long flags, const char *data, enum cell_create_kind create) {
    int fd = cell_internal_open_or_create_in_root(rootfd, target, create);
    if (fd < 0) return -1;
    if (resolves_where_no_mount_goes(rootfd, fd, target)) return cell_internal_close_keeping_errno(fd, -1);
    char path[32];
    cell_internal_fd_path(path, fd);
    int result = mount(source, path, type, flags, data);
    return cell_internal_close_keeping_errno(fd, result);
}

/* Adds MS_RDONLY and/or MS_NODEV to a bind mount, keeping its nosuid/nodev/noexec/atime
   flags (leaving them out would be refused where they are locked). */
static int remount_bind(int rootfd, const char *target, unsigned long add) {
    int fd = cell_internal_open_or_create_in_root(rootfd, target, CELL_CREATE_NONE);
    if (fd < 0) return -1;
    struct statvfs st;
    unsigned long keep = 0;
    if (fstatvfs(fd, &st) == 0)
        keep = st.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
    char path[32];
    cell_internal_fd_path(path, fd);
    int result = mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | add | keep, NULL);
    return cell_internal_close_keeping_errno(fd, result);
}

/* Sets mount attributes on the mount at `target` and every mount below it, in one call that
   no mount can slip past (mount_setattr, Linux 5.12; ENOSYS before it). */
static int set_recursively(int rootfd, const char *target, uint64_t attributes) {
    int fd = cell_internal_open_or_create_in_root(rootfd, target, CELL_CREATE_NONE);
    if (fd < 0) return -1;
    struct mount_attr attr = { .attr_set = attributes };
    int result = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
    return cell_internal_close_keeping_errno(fd, result);
}

/* A bind mount of the host's `source`; on failure, *stage says whether the mount itself or
   making it read-only failed. */
int cell_internal_setup_bind(int rootfd, const struct cell_mount *m, int devices_allowed, int *stage) {
    int source = open(m->source, O_PATH | O_CLOEXEC);
    if (source < 0) return -1;
    struct stat st;
    if (fstat(source, &st) < 0) { close(source); return -1; }
    char source_path[32];
    cell_internal_fd_path(source_path, source);
    int result = cell_internal_mount_in_root(rootfd, source_path, m->destination, NULL, MS_BIND | MS_REC, NULL,
                               S_ISDIR(st.st_mode) ? CELL_CREATE_DIRECTORY : CELL_CREATE_FILE);
    if (cell_internal_close_keeping_errno(source, result) < 0) return -1;
    if (m->read_only == CELL_READ_ONLY) {
        *stage = CELL_STAGE_MOUNT_READ_ONLY;
        return set_recursively(rootfd, m->destination, MOUNT_ATTR_RDONLY | (devices_allowed ? 0 : MOUNT_ATTR_NODEV));
    }
    unsigned long add = (m->read_only ? MS_RDONLY : 0) | (devices_allowed ? 0 : MS_NODEV);
    if (!add) return 0;
    *stage = CELL_STAGE_MOUNT_READ_ONLY;
    /* nodev reaches every mount below too where the kernel can; a read-only top alone was asked for. */
    if (!m->read_only && set_recursively(rootfd, m->destination, MOUNT_ATTR_NODEV) == 0) return 0;
    return remount_bind(rootfd, m->destination, add);
}

/* Hides a path: the container's /dev/null (null: an O_PATH fd of it) over a file (never the
   host's: a chmod through the mask would change it), an empty read-only tmpfs over a directory. */
int cell_internal_mask_path(int rootfd, int null, const char *target) {
    int fd = cell_internal_open_or_create_in_root(rootfd, target, CELL_CREATE_NONE);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    struct stat st;
    int result = fstat(fd, &st);
    if (result == 0) {
        char path[32], source[32];
        cell_internal_fd_path(path, fd);
        cell_internal_fd_path(source, null);
        result = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
                                     : mount(source, path, NULL, MS_BIND, NULL);
    }
    return cell_internal_close_keeping_errno(fd, result);
}

int cell_internal_make_read_only(int rootfd, const char *target) {
    int fd = cell_internal_open_or_create_in_root(rootfd, target, CELL_CREATE_NONE);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    char path[32];
    cell_internal_fd_path(path, fd);
    int result = mount(path, path, NULL, MS_BIND | MS_REC, NULL);
    if (cell_internal_close_keeping_errno(fd, result) < 0) return -1;
    /* Whatever is mounted below it too; the top alone on a kernel without mount_setattr. */
    if (set_recursively(rootfd, target, MOUNT_ATTR_RDONLY) == 0) return 0;
    return errno == ENOSYS ? remount_bind(rootfd, target, MS_RDONLY) : -1;
}

/* -t: /dev/console is the container's pty too, as runc binds it (init systems and getty write
   there). /dev is the container's own tmpfs: the mount point is a new empty file in it. */
int cell_internal_bind_console(int slave) {
    int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    char path[32];
    cell_internal_fd_path(path, slave);
    return mount(path, "/dev/console", NULL, MS_BIND, NULL);
}
