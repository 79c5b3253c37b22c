/* The container process's privileges, set in the child just before exec: the capability
   bounding set reduced to the container's set, inheritable and ambient sets empty, effective
   and permitted the container's set for root and empty for any other user (as Docker has
   them), and no_new_privs when asked. Raw system calls only: it runs in a forked child. */
#define _GNU_SOURCE
#include "process_internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The highest capability the kernel knows (CAP_LAST_CAP of the running kernel, not of the
   headers we were built with): probe the bounding set from the top. */
static int last_capability(void) {
    int last = 63;
    while (last > 0 && prctl(PR_CAPBSET_READ, last, 0, 0, 0) < 0) last--;
    return last;
}

int cell_internal_drop_bounding(uint64_t capabilities) {
    int last = last_capability();
    for (int cap = 0; cap <= last; cap++) {
        if (capabilities & ((uint64_t)1 << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    }
    /* Keep permitted capabilities across the uid change below; execve resets the flag. */
    return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

int cell_internal_set_capabilities(uint64_t capabilities, uint32_t uid, int no_new_privileges) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    uint64_t granted = uid == 0 ? capabilities : 0;
    data[0].effective = data[0].permitted = (uint32_t)granted;
    data[1].effective = data[1].permitted = (uint32_t)(granted >> 32);
    if (syscall(SYS_capset, &header, data) < 0) return -1;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return -1;
    if (no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
    return 0;
}

int cell_internal_install_seccomp(const void *filter, size_t length) {
    if (filter == NULL || length == 0) return 0;
    struct sock_fprog program = { (unsigned short)(length / sizeof(struct sock_filter)), (struct sock_filter *)filter };
    /* Still holding CAP_SYS_ADMIN here, so no_new_privs is not required to install it. */
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0);
}
