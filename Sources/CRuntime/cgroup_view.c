/* The container's view of its cgroups at /sys/fs/cgroup on a v1 (or hybrid) host.
   Async-signal-safe. */
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
int cell_internal_mount_cgroup1_view(const char *const *hierarchies, int unified, unsigned long read_only) {
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
