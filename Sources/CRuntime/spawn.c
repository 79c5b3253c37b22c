/* The container's fork->exec path. Runs in the monitor (a single-threaded process), but is
   written as if it were not: after clone() the child only calls async-signal-safe functions
   and raw system calls (no malloc, no stdio, no glibc setuid wrappers, which signal threads
   that do not exist in the child). */
#define _GNU_SOURCE
#include "cell_runtime.h"
#include "process_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ---- small async-signal-safe helpers ---- */

/* Reports the failing stage with the current errno to the parent and exits. */
static _Noreturn void fail(int error_fd, int stage, int index) {
    struct cell_child_report report = { 0, stage, errno, index };
    ssize_t ignored = write(error_fd, &report, sizeof report);
    (void)ignored;
    _exit(125);
}

/* "/proc/self/fd/<fd>": mount(2) takes paths, and this one names exactly the inode an
   O_PATH fd resolved, so nothing can be swapped in between resolving and mounting. */
static void fd_path(char buf[32], int fd) {
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
   close_keeping_errno(fd, mount(...))`-shaped steps that must report the mount's error). */
static int close_keeping_errno(int fd, int result) {
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

/* Appends n in decimal to the string in buf (which has room for it). */
static void append_decimal(char *buf, uint32_t n) {
    char digits[10];
    int count = 0;
    do { digits[count++] = (char)('0' + n % 10); n /= 10; } while (n > 0);
    size_t at = strlen(buf);
    while (count > 0) buf[at++] = digits[--count];
    buf[at] = 0;
}

/* Opens `rel` below rootfd as an O_PATH fd, every symlink resolved as if rootfd were /;
   -1 with errno. */
static int open_beneath(int rootfd, const char *rel) {
    int fd = cell_open_in_root(rootfd, rel, O_PATH, 0);
    if (fd < 0) { errno = -fd; return -1; }
    return fd;
}

enum create_kind { CREATE_NONE, CREATE_DIRECTORY, CREATE_FILE };

/* Resolves a container path inside the new root, creating missing components (directories,
   and the last one as an empty file when asked). Each missing component is created with
   mkdirat/openat relative to its already-resolved parent, so a symlink can never lead a
   creation or a mount out of the root. Returns an O_PATH fd, or -1 with errno. */
static int open_in_root(int rootfd, const char *path, enum create_kind create) {
    while (*path == '/') path++;
    int fd = open_beneath(rootfd, path);
    if (fd >= 0 || errno != ENOENT || create == CREATE_NONE) return fd;

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
            if (last && create == CREATE_FILE) {
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

/* Mounts onto the path resolved in the root; returns the mount(2) result. */
static int mount_in_root(int rootfd, const char *source, const char *target, const char *type,
                         unsigned long flags, const char *data, enum create_kind create) {
    int fd = open_in_root(rootfd, target, create);
    if (fd < 0) return -1;
    char path[32];
    fd_path(path, fd);
    int result = mount(source, path, type, flags, data);
    return close_keeping_errno(fd, result);
}

/* Adds MS_RDONLY and/or MS_NODEV to a bind mount, keeping its nosuid/nodev/noexec/atime
   flags (leaving them out would be refused where they are locked). */
static int remount_bind(int rootfd, const char *target, unsigned long add) {
    int fd = open_in_root(rootfd, target, CREATE_NONE);
    if (fd < 0) return -1;
    struct statvfs st;
    unsigned long keep = 0;
    if (fstatvfs(fd, &st) == 0)
        keep = st.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
    char path[32];
    fd_path(path, fd);
    int result = mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | add | keep, NULL);
    return close_keeping_errno(fd, result);
}

/* ---- the stages ---- */

/* -t: /dev/console is the container's pty too, as runc binds it (init systems and getty write
   there). /dev is the container's own tmpfs: the mount point is a new empty file in it. */
static int bind_console(int slave) {
    int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    char path[32];
    fd_path(path, slave);
    return mount(path, "/dev/console", NULL, MS_BIND, NULL);
}

/* "/sys/fs/cgroup/<name>" into buf; -1 (ENAMETOOLONG) when it does not fit. */
static int cgroup_path(char buf[64], const char *name, size_t length) {
    static const char prefix[] = "/sys/fs/cgroup/";
    if (sizeof prefix + length > 64) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, prefix, sizeof prefix - 1);
    memcpy(buf + sizeof prefix - 1, name, length);
    buf[sizeof prefix - 1 + length] = 0;
    return 0;
}

/* A v1 host's view at /sys/fs/cgroup, laid out as Docker's: a tmpfs holding each controller
   hierarchy mounted (read-only unless privileged) from inside the cgroup namespace (so rooted
   at the container's own cgroup: memory/memory.limit_in_bytes is its limit, which runtimes
   like the JVM read), a symlink per controller of a joint hierarchy ("cpu" -> "cpu,cpuacct"),
   a hybrid host's v2 hierarchy at "unified"; then the tmpfs is made read-only. Runs after
   pivot_root, on the fresh sysfs: no path here is the image's. A hierarchy whose mount the
   kernel refuses (one that holds a controller cell does not know of, so the options do not
   name its whole set) is left out of the view rather than failing the start: it only shows,
   it confines nothing. */
static int mount_cgroup1_view(const char *const *hierarchies, int unified, unsigned long read_only) {
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    char path[64];
    if (mount("tmpfs", "/sys/fs/cgroup", "tmpfs", flags, "mode=755") < 0) return -1;
    for (const char *const *hierarchy = hierarchies; *hierarchy; hierarchy++) {
        const char *name = *hierarchy;
        if (cgroup_path(path, name, strlen(name)) < 0 || mkdir(path, 0555) < 0) return -1;
        if (mount("cgroup", path, "cgroup", flags | read_only, name) < 0) {
            if (rmdir(path) < 0) return -1;
            continue;
        }
        if (!strchr(name, ',')) continue;
        for (const char *part = name; *part;) {
            size_t length = strcspn(part, ",");
            if (cgroup_path(path, part, length) < 0 || symlink(name, path) < 0) return -1;
            part += length;
            if (*part == ',') part++;
        }
    }
    if (unified && (cgroup_path(path, "unified", 7) < 0 || mkdir(path, 0555) < 0 ||
                    mount("cgroup2", path, "cgroup2", flags | read_only, NULL) < 0))
        return -1;
    return mount(NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | flags, "mode=755");
}

/* Makes one node below /dev (dev: the fd of the container's fresh /dev tmpfs). */
static int make_device(int dev, const struct cell_device *device) {
    static const char prefix[] = "/dev/";
    if (strncmp(device->path, prefix, sizeof prefix - 1) != 0) { errno = EINVAL; return -1; }
    const char *relative = device->path + sizeof prefix - 1;
    size_t length = strlen(relative);
    if (length == 0 || length >= PATH_MAX) { errno = EINVAL; return -1; }
    char buffer[PATH_MAX];
    memcpy(buffer, relative, length + 1);
    char *slash = strrchr(buffer, '/');
    const char *name = buffer;
    int parent = dev;
    if (slash) {
        *slash = 0;
        name = slash + 1;
        parent = open_in_root(dev, buffer, CREATE_DIRECTORY);
        if (parent < 0) return -1;
    }
    int result = mknodat(parent, name, device->mode, makedev(device->major, device->minor));
    if (result == 0 && (device->uid || device->gid))
        result = fchownat(parent, name, device->uid, device->gid, AT_SYMLINK_NOFOLLOW);
    int saved = errno;
    if (parent != dev) close(parent);
    errno = saved;
    return result;
}

/* Bind-mounts a node of the fresh /dev tmpfs (dev) on itself: a mount of its own, which keeps
   its flags (no nodev) when /dev is remounted nodev. Nothing of the container has run yet, so
   the path made by make_device names that very node. */
static int bind_device_on_itself(int dev, const struct cell_device *device) {
    int fd = openat(dev, device->path + 5 /* "/dev/" */, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    char path[32];
    fd_path(path, fd);
    int result = mount(path, path, NULL, MS_BIND, NULL);
    return close_keeping_errno(fd, result);
}

/* /dev as Docker lays it out: a small tmpfs with the nodes made by mknod, devpts, shm (its
   data shm_options: --shm-size, 64 MiB by default) and mqueue. What the nodes open is the
   devices cgroup's decision (Cgroup.restrictDevices), as with runc; the nodes are the
   container's own, so a chmod of one changes nothing on the host. Without a devices cgroup
   (nodev: --cgroups=disabled), /dev itself is nodev and each node works through its own bind
   mount: one made later with mknod opens nothing. */
static int setup_dev(int rootfd, const struct cell_device *devices, size_t device_count, const char *shm_options,
                     uint32_t tty_gid, int nodev) {
    if (mount_in_root(rootfd, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", CREATE_DIRECTORY) < 0)
        return -1;
    /* Re-resolve: the fd must name the new tmpfs, which is empty and ours, so plain *at
       calls in it are safe. */
    int dev = open_in_root(rootfd, "/dev", CREATE_NONE);
    if (dev < 0) return -1;
    for (size_t i = 0; i < device_count; i++)
        if (make_device(dev, &devices[i]) < 0) goto fail;
    if (nodev) {
        for (size_t i = 0; i < device_count; i++)
            if (bind_device_on_itself(dev, &devices[i]) < 0) goto fail;
        char path[32];
        fd_path(path, dev);
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_STRICTATIME, NULL) < 0) goto fail;
    }
    /* New ptys belong to the "tty" group: 5, or the host gid that is the container's 5. */
    char pts_options[64] = "newinstance,ptmxmode=0666,mode=0620,gid=";
    append_decimal(pts_options, tty_gid ? tty_gid : 5);
    const struct { const char *name; const char *type; unsigned long flags; const char *data; mode_t mode; } mounts[] = {
        { "pts", "devpts", MS_NOSUID | MS_NOEXEC, pts_options, 0755 },
        { "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_options ? shm_options : "mode=1777,size=65536k", 01777 },
        { "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0755 },
    };
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        if (mkdirat(dev, mounts[i].name, mounts[i].mode) < 0) goto fail;
        int target = openat(dev, mounts[i].name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        if (target < 0) goto fail;
        char path[32];
        fd_path(path, target);
        int result = mount(mounts[i].type, path, mounts[i].type, mounts[i].flags, mounts[i].data);
        close(target);
        if (result < 0) goto fail;
    }
    static const char *const links[][2] = {
        { "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i][0], dev, links[i][1]) < 0) goto fail;
    close(dev);
    return 0;
fail:;
    return close_keeping_errno(dev, -1);
}

/* Writes each sysctl below the container's fresh /proc (proc_fd: its root), before anything
   is mounted over it: the path is resolved beneath it without symlinks or mount crossings,
   and the kernel takes the network and IPC values from our own (the container's) namespaces. */
static int write_sysctls(int proc_fd, const struct cell_sysctl *sysctls, size_t count, int *failed) {
    static const char prefix[] = "sys/";
    for (size_t i = 0; i < count; i++) {
        *failed = (int)i;
        size_t length = strlen(sysctls[i].path);
        char path[PATH_MAX];
        if (sizeof prefix + length > sizeof path) { errno = ENAMETOOLONG; return -1; }
        memcpy(path, prefix, sizeof prefix - 1);
        memcpy(path + sizeof prefix - 1, sysctls[i].path, length + 1);
        struct open_how how = {
            .flags = O_WRONLY | O_CLOEXEC | O_NOCTTY,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        int fd = (int)syscall(SYS_openat2, proc_fd, path, &how, sizeof how);
        if (fd < 0) return -1;
        int result = cell_internal_write_text(fd, sysctls[i].value);
        if (close_keeping_errno(fd, result) < 0) return -1;
    }
    return 0;
}

/* Sets mount attributes on the mount at `target` and every mount below it, in one call that
   no mount can slip past (mount_setattr, Linux 5.12; ENOSYS before it). */
static int set_recursively(int rootfd, const char *target, uint64_t attributes) {
    int fd = open_in_root(rootfd, target, CREATE_NONE);
    if (fd < 0) return -1;
    struct mount_attr attr = { .attr_set = attributes };
    int result = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
    return close_keeping_errno(fd, result);
}

/* A bind mount of the host's `source`; on failure, *stage says whether the mount itself or
   making it read-only failed. */
static int setup_bind(int rootfd, const struct cell_mount *m, int devices_allowed, int *stage) {
    int source = open(m->source, O_PATH | O_CLOEXEC);
    if (source < 0) return -1;
    struct stat st;
    if (fstat(source, &st) < 0) { close(source); return -1; }
    char source_path[32];
    fd_path(source_path, source);
    int result = mount_in_root(rootfd, source_path, m->destination, NULL, MS_BIND | MS_REC, NULL,
                               S_ISDIR(st.st_mode) ? CREATE_DIRECTORY : CREATE_FILE);
    if (close_keeping_errno(source, result) < 0) return -1;
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
static int mask_path(int rootfd, int null, const char *target) {
    int fd = open_in_root(rootfd, target, CREATE_NONE);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    struct stat st;
    int result = fstat(fd, &st);
    if (result == 0) {
        char path[32], source[32];
        fd_path(path, fd);
        fd_path(source, null);
        result = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0")
                                     : mount(source, path, NULL, MS_BIND, NULL);
    }
    return close_keeping_errno(fd, result);
}

static int make_read_only(int rootfd, const char *target) {
    int fd = open_in_root(rootfd, target, CREATE_NONE);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    char path[32];
    fd_path(path, fd);
    int result = mount(path, path, NULL, MS_BIND | MS_REC, NULL);
    if (close_keeping_errno(fd, result) < 0) return -1;
    /* Whatever is mounted below it too; the top alone on a kernel without mount_setattr. */
    if (set_recursively(rootfd, target, MOUNT_ATTR_RDONLY) == 0) return 0;
    return errno == ENOSYS ? remount_bind(rootfd, target, MS_RDONLY) : -1;
}

static int bring_loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    memcpy(request.ifr_name, "lo", 3);
    int result = ioctl(s, SIOCGIFFLAGS, &request);
    if (result == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        result = ioctl(s, SIOCSIFFLAGS, &request);
    }
    return close_keeping_errno(s, result);
}

/* mkdir -p, then chdir; runs after pivot_root, so the paths are the container's. */
static int enter_working_directory(const char *path) {
    /* Resolved inside the new root, missing directories made on the way, magic links
       (/proc/self/fd/N: a descriptor of ours that leads to the host) refused: CVE-2024-21626. */
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return -1;
    int fd = close_keeping_errno(rootfd, open_in_root(rootfd, *path ? path : "/", CREATE_DIRECTORY));
    if (fd < 0) return -1;
    if (close_keeping_errno(fd, fchdir(fd)) < 0) return -1;
    return cell_internal_check_working_directory();
}

void cell_internal_reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Points `target` (0, 1, 2) at fd; dup2 clears close-on-exec, and when fd already is the
   target, the flag is cleared by hand. */
int cell_internal_install_stdio(int fd, int target) {
    if (fd < 0) return 0;
    if (fd == target) {
        int flags = fcntl(fd, F_GETFD);
        return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(fd, target) < 0 ? -1 : 0;
}

static _Noreturn void child_main(const struct cell_spawn_config *c, char *const *helper_argv, int cloned_into_cgroup,
                                 int release_fd, int error_fd) {
    cell_internal_reset_signals();
    umask(0);
    /* Into the container's cgroups before anything else, so that what follows counts there. */
    if (cell_internal_join_cgroups(c->cgroup_fd, cloned_into_cgroup, c->cgroup_thread_fds, c->cgroup_thread_count) < 0)
        fail(error_fd, CELL_STAGE_CGROUP, 0);
    /* Through the host's /proc, as the host's root (as runc, before anything else: lowering
       it below what we have needs CAP_SYS_RESOURCE). */
    if (cell_internal_set_oom_score_adj(c->oom_score_adj) < 0) fail(error_fd, CELL_STAGE_OOM_SCORE_ADJ, 0);

    /* Nothing mounted from here on may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail(error_fd, CELL_STAGE_MAKE_PRIVATE, 0);

    /* The root: the overlay is mounted here, inside the container's mount namespace, so it
       disappears with the namespace and nothing is left on the host. A plain directory is
       bound onto itself to become a mount point (pivot_root needs one). */
    unsigned long nodev = c->devices_allowed ? 0 : MS_NODEV;
    /* With a user namespace, the overlay and every mount point made in it work with the ids
       of the container's root (the idmapped layers turn them into the ids on disk). */
    if (c->userns_fd >= 0 && cell_internal_set_file_system_ids(c->userns_root_uid, c->userns_root_gid) < 0)
        fail(error_fd, CELL_STAGE_USER_NAMESPACE, 0);
    int root_result = c->overlay_options
        ? mount("overlay", c->root, "overlay", nodev, c->overlay_options)
        : mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL);
    if (root_result == 0 && !c->overlay_options && nodev)
        root_result = mount(NULL, c->root, NULL, MS_BIND | MS_REMOUNT | MS_NODEV, NULL);
    if (root_result < 0) fail(error_fd, CELL_STAGE_MOUNT_ROOT, 0);
    int rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail(error_fd, CELL_STAGE_OPEN_ROOT, 0);

    if (mount_in_root(rootfd, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, CREATE_DIRECTORY) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_PROC, 0);
    if (c->sysctl_count > 0) {
        int proc_fd = open_in_root(rootfd, "/proc", CREATE_NONE);
        if (proc_fd < 0) fail(error_fd, CELL_STAGE_MOUNT_PROC, 0);
        int failed = 0;
        if (write_sysctls(proc_fd, c->sysctls, c->sysctl_count, &failed) < 0) fail(error_fd, CELL_STAGE_SYSCTL, failed);
        close(proc_fd);
    }
    if (setup_dev(rootfd, c->devices, c->device_count, c->shm_options, c->tty_gid, c->dev_nodev && !c->devices_allowed) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_DEV, 0);
    /* Read-only but for --privileged (cgroup_writable), as Docker mounts it. */
    unsigned long sys_read_only = c->cgroup_writable ? 0 : MS_RDONLY;
    if (mount_in_root(rootfd, "sysfs", "/sys", "sysfs", sys_read_only | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, CREATE_DIRECTORY) < 0)
        fail(error_fd, CELL_STAGE_MOUNT_SYS, 0);

    /* The masks' /dev/null is the container's own node, held before the volumes are mounted:
       one over /dev (Docker allows it) must not take it away, nor put a host node in its place. */
    int null = -1;
    if (c->masked_paths && c->masked_paths[0] && (null = open_in_root(rootfd, "/dev/null", CREATE_NONE)) < 0)
        fail(error_fd, CELL_STAGE_MASK_PATH, 0);
    for (size_t i = 0; i < c->mount_count; i++) {
        const struct cell_mount *m = &c->mounts[i];
        int stage = CELL_STAGE_MOUNT;
        int result = m->kind == CELL_MOUNT_BIND
            ? setup_bind(rootfd, m, c->devices_allowed, &stage)
            : mount_in_root(rootfd, "tmpfs", m->destination, "tmpfs", m->flags | (m->read_only ? MS_RDONLY : 0),
                            m->options, CREATE_DIRECTORY);
        if (result < 0) fail(error_fd, stage, (int)i);
    }
    if (null >= 0) {
        for (int i = 0; c->masked_paths[i]; i++)
            if (mask_path(rootfd, null, c->masked_paths[i]) < 0) fail(error_fd, CELL_STAGE_MASK_PATH, i);
        close(null);
    }
    for (int i = 0; c->read_only_paths && c->read_only_paths[i]; i++)
        if (make_read_only(rootfd, c->read_only_paths[i]) < 0) fail(error_fd, CELL_STAGE_READ_ONLY_PATH, i);

    /* pivot_root(".", "."): the old root ends up stacked on the new one and is detached at
       once, so no put_old directory is needed in the image. */
    if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        fail(error_fd, CELL_STAGE_PIVOT_ROOT, 0);
    close(rootfd);
    if (c->read_only_root) {
        struct statvfs st;
        unsigned long keep = 0;
        if (statvfs("/", &st) == 0) keep = st.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
        if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
            fail(error_fd, CELL_STAGE_READ_ONLY_ROOT, 0);
    }

    if ((c->clone_flags & CLONE_NEWUTS) && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
        fail(error_fd, CELL_STAGE_HOSTNAME, 0);
    if (c->loopback_up && bring_loopback_up() < 0) fail(error_fd, CELL_STAGE_LOOPBACK, 0);
    if (enter_working_directory(c->working_directory ? c->working_directory : "/") < 0)
        fail(error_fd, CELL_STAGE_WORKING_DIRECTORY, 0);
    /* -t: the pty comes from the container's own devpts, now that it is at /dev/pts; the
       parent has the master before it releases us. */
    int console = -1;
    if (c->terminal && c->console.socket >= 0) {
        int step;
        if ((console = cell_internal_open_console(&c->console, &step)) < 0) fail(error_fd, CELL_STAGE_CONSOLE, step);
        close(c->console.socket);
        if (bind_console(console) < 0) fail(error_fd, CELL_STAGE_CONSOLE, CELL_CONSOLE_BIND);
    }

    /* Wait for the parent's go before anything of the image runs: it finishes what needs our
       pid (the port forwarders' network; the v2 cgroup on kernels that could not clone us into
       it) while we mount. EOF means it gave up (or died). */
    char byte;
    ssize_t n;
    do n = read(release_fd, &byte, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(125);
    close(release_fd);

    if (c->cgroup_namespace) {
        const unsigned long read_only = c->cgroup_writable ? 0 : MS_RDONLY;
        if (unshare(CLONE_NEWCGROUP) < 0) fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
        if (c->mount_cgroup2 &&
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", read_only | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
        if (c->cgroup1_hierarchies && *c->cgroup1_hierarchies &&
            mount_cgroup1_view(c->cgroup1_hierarchies, c->mount_cgroup2_unified, read_only) < 0)
            fail(error_fd, CELL_STAGE_CGROUP_NAMESPACE, 0);
    }

    int in = console >= 0 ? console : c->stdin_fd, out = console >= 0 ? console : c->stdout_fd;
    int err = console >= 0 ? console : c->stderr_fd;
    if (cell_internal_install_stdio(in, 0) < 0 || cell_internal_install_stdio(out, 1) < 0 ||
        cell_internal_install_stdio(err, 2) < 0)
        fail(error_fd, CELL_STAGE_STDIO, 0);
    if (console > 2) close(console);
    if (c->terminal && (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)) fail(error_fd, CELL_STAGE_TERMINAL, 0);

    /* The limits once every mount and stdio is in place (a low nofile or fsize cannot get in
       their way), and while we are still the host's root (raising a hard limit needs
       CAP_SYS_RESOURCE in the host's user namespace). */
    int failed_limit = 0;
    if (cell_internal_set_rlimits(c->rlimits, c->rlimit_count, &failed_limit) < 0)
        fail(error_fd, CELL_STAGE_RLIMIT, failed_limit);

    /* Every mount is made: from here on root is only root inside its user namespace, and its
       namespaces (owned by the host's) give it no power over the mounts. */
    if (c->userns_fd >= 0 && setns(c->userns_fd, CLONE_NEWUSER) < 0) fail(error_fd, CELL_STAGE_USER_NAMESPACE, 0);

    /* Raw system calls: glibc's wrappers would try to signal the parent's other threads. */
    if (cell_internal_drop_bounding(c->capabilities) < 0) fail(error_fd, CELL_STAGE_CAPABILITIES, 0);
    if (cell_internal_install_seccomp(c->seccomp_filter, c->seccomp_filter_length) < 0) fail(error_fd, CELL_STAGE_SECCOMP, 0);
    if (syscall(SYS_setgroups, c->group_count, c->groups) < 0) fail(error_fd, CELL_STAGE_GROUPS, 0);
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0) fail(error_fd, CELL_STAGE_GID, 0);
    if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0) fail(error_fd, CELL_STAGE_UID, 0);
    if (cell_internal_set_capabilities(c->capabilities, c->uid, c->no_new_privileges) < 0)
        fail(error_fd, CELL_STAGE_CAPABILITIES, 0);

    /* Every fd above stdio closes at exec; the error pipe stays usable until then. */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail(error_fd, CELL_STAGE_CLOSE_FDS, 0);
    umask(022);
    fail(error_fd, cell_internal_exec_command(c->exec_helper_fd, helper_argv, error_fd, c->argv, c->envp, c->search_path), 0);
}

/* ---- the parent's side ---- */

int cell_spawn(const struct cell_spawn_config *config, struct cell_child *child) {
    int release[2], error[2];
    /* A socket, not a pipe: the child may have failed and gone before the release, and send()
       with MSG_NOSIGNAL reports that as EPIPE instead of raising SIGPIPE in the caller. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, release) < 0) return -errno;
    if (pipe2(error, O_CLOEXEC) < 0) {
        int saved = errno;
        close(release[0]); close(release[1]);
        return -saved;
    }
    /* The helper's arguments are allocated here: the child may not call malloc. */
    char **helper_argv = NULL;
    if (config->exec_helper_fd >= 0 &&
        (helper_argv = cell_internal_helper_arguments(config->argv, error[1], config->search_path)) == NULL) {
        close(release[0]); close(release[1]); close(error[0]); close(error[1]);
        return -ENOMEM;
    }
    /* A raw clone: like fork, the child continues here on a copy of our stack; born in its v2
       cgroup where the kernel can (before 5.7, ENOSYS or E2BIG: a plain clone, and the child
       joins it itself). */
    int cloned_into_cgroup = 1;
    long pid = cell_internal_clone_into_cgroup((unsigned long)(unsigned)config->clone_flags, config->cgroup_fd);
    if (pid < 0) {
        cloned_into_cgroup = 0;
        pid = syscall(SYS_clone, (unsigned long)config->clone_flags | SIGCHLD, NULL, NULL, NULL, NULL);
    }
    if (pid < 0) {
        int saved = errno;
        close(release[0]); close(release[1]); close(error[0]); close(error[1]);
        free(helper_argv);
        return -saved;
    }
    if (pid == 0) {
        close(release[1]);
        close(error[0]);
        child_main(config, helper_argv, cloned_into_cgroup, release[0], error[1]);
    }
    free(helper_argv); /* the child has its own copy */
    close(release[0]);
    close(error[1]);
    child->pid = (pid_t)pid;
    child->release_fd = release[1];
    child->error_fd = error[0];
    return 0;
}

int cell_spawn_release(struct cell_child *child, struct cell_spawn_failure *failure) {
    char byte = 1;
    ssize_t n;
    do n = send(child->release_fd, &byte, 1, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    int write_error = n == 1 ? 0 : errno;
    close(child->release_fd);
    child->release_fd = -1;
    struct cell_child_report report;
    size_t got = 0;
    while (got < sizeof report) {
        n = read(child->error_fd, (char *)&report + got, sizeof report - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    int read_error = n < 0 ? errno : 0;
    close(child->error_fd);
    child->error_fd = -1;
    if (got == sizeof report) {
        *failure = (struct cell_spawn_failure){ report.stage, report.error, report.index };
        return 1;
    }
    if (got == 0 && read_error == 0 && write_error == 0) return 0;
    return -(read_error ? read_error : write_error ? write_error : EIO);
}

void cell_spawn_abort(struct cell_child *child) {
    if (child->pid > 0) kill(child->pid, SIGKILL);
    if (child->release_fd >= 0) close(child->release_fd);
    if (child->error_fd >= 0) close(child->error_fd);
    child->release_fd = child->error_fd = -1;
}

int cell_socket_in_netns(int netns_fd, int domain, int type) {
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -errno;
    if (setns(netns_fd, CLONE_NEWNET) < 0) {
        int saved = errno;
        close(own);
        return -saved;
    }
    int s = socket(domain, type | SOCK_CLOEXEC, 0);
    int saved = errno;
    /* Back home; a thread stuck in the container's namespace would be worse than a crash. */
    if (setns(own, CLONE_NEWNET) < 0) _exit(125);
    close(own);
    return s < 0 ? -saved : s;
}

_Static_assert(CELL_NEW_MOUNT == CLONE_NEWNS && CELL_NEW_CGROUP == CLONE_NEWCGROUP && CELL_NEW_UTS == CLONE_NEWUTS && CELL_NEW_IPC == CLONE_NEWIPC &&
               CELL_NEW_PID == CLONE_NEWPID && CELL_NEW_NETWORK == CLONE_NEWNET, "namespace flags");
