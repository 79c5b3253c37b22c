/* The steps of a container's start that spawn.c's child runs in order, one file per kernel
   concern (as crun's libcrun keeps them): mounts (container_mounts.c), /dev
   (container_devices.c), the v1 cgroup view (cgroup_view.c), the network namespace
   (network.c). Not part of the module's public interface; all async-signal-safe. Each returns
   0 (or an fd) on success, -1 with errno on failure. */
#ifndef CELL_CONTAINER_SETUP_H
#define CELL_CONTAINER_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "cell_runtime.h"

/* ---- container_mounts.c ---- */

/* "/proc/self/fd/<fd>" into buf: mount(2) takes paths, and this one names exactly the inode an
   O_PATH fd resolved. */
void cell_internal_fd_path(char buf[32], int fd);

/* Closes fd, keeping the errno of the call before it; returns result. */
int cell_internal_close_keeping_errno(int fd, int result);

/* What is made where a container path is missing. */
enum cell_create_kind { CELL_CREATE_NONE, CELL_CREATE_DIRECTORY, CELL_CREATE_FILE };

/* An O_PATH fd of `path` resolved inside the root, its missing components made as `create` says. */
int cell_internal_open_or_create_in_root(int rootfd, const char *path, enum cell_create_kind create);

/* mount(2) onto the path resolved (and made, as `create` says) inside the root. */
int cell_internal_mount_in_root(int rootfd, const char *source, const char *target, const char *type,
                                unsigned long flags, const char *data, enum cell_create_kind create);

/* A bind mount of the host's m->source, read-only (all the way down) as m->read_only says; on
   failure *stage tells whether the mount or making it read-only failed. */
int cell_internal_setup_bind(int rootfd, const struct cell_mount *m, int devices_allowed, int *stage);

/* Hides `target` (missing: nothing to hide) behind the container's /dev/null or an empty tmpfs. */
int cell_internal_mask_path(int rootfd, int null, const char *target);

/* Makes `target` (missing: nothing to do) read-only, with what is mounted below it. */
int cell_internal_make_read_only(int rootfd, const char *target);

/* -t: the container's pty (`slave`, an fd) bound at /dev/console. */
int cell_internal_bind_console(int slave);

/* ---- container_devices.c ---- */

/* /dev as Docker lays it out, in the new root. */
int cell_internal_setup_dev(int rootfd, const struct cell_device *devices, size_t device_count, const char *shm_options,
                            uint32_t tty_gid, int nodev);

/* ---- cgroup_view.c ---- */

/* A v1 host's hierarchies at /sys/fs/cgroup, as Docker lays them out (after pivot_root). */
int cell_internal_mount_cgroup1_view(const char *const *hierarchies, int unified, unsigned long read_only);

/* ---- network.c ---- */

/* The loopback interface of the new network namespace, up. */
int cell_internal_bring_loopback_up(void);

#endif
