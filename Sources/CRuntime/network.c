/* Network namespace steps: the loopback interface of a new namespace, and a socket opened in
   another one (published ports). Async-signal-safe where the child calls them. */
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

int cell_internal_bring_loopback_up(void) {
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
    return cell_internal_close_keeping_errno(s, result);
}

int cell_socket_in_netns(int netns_fd, int domain, int type, int protocol) {
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -errno;
    if (setns(netns_fd, CLONE_NEWNET) < 0) {
        int saved = errno;
        close(own);
        return -saved;
    }
    int s = socket(domain, type | SOCK_CLOEXEC, protocol);
    int saved = errno;
    /* Back home; a thread stuck in the container's namespace would be worse than a crash. */
    if (setns(own, CLONE_NEWNET) < 0) _exit(125);
    close(own);
    return s < 0 ? -saved : s;
}
