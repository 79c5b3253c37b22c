/* cgroup v2's device allow-list: an eBPF program (built by DeviceFilterProgram in Swift)
   loaded and attached to the container's cgroup directory, where it stays after our fds
   close, until the cgroup is removed. Only the bpf(2) calls are here: Swift cannot make
   that variadic system call. */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int cell_device_filter_attach(int cgroup_fd, const uint64_t *instructions, size_t count) {
    union bpf_attr load;
    memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = (uint64_t)(uintptr_t)instructions;
    load.insn_cnt = (uint32_t)count;
    load.license = (uint64_t)(uintptr_t)"Apache-2.0";
    int program = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
    if (program < 0) return -errno;
    union bpf_attr attach;
    memset(&attach, 0, sizeof attach);
    attach.target_fd = (uint32_t)cgroup_fd;
    attach.attach_bpf_fd = (uint32_t)program;
    attach.attach_type = BPF_CGROUP_DEVICE;
    /* Programs of a parent cgroup (a systemd unit's) keep applying as well. */
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    int result = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach);
    int saved = errno;
    close(program);
    return result < 0 ? -saved : 0;
}
