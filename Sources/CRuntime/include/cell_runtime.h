#ifndef CELL_RUNTIME_H
#define CELL_RUNTIME_H

/* The fork->exec path of a container, in C: after clone() only async-signal-safe calls are
   allowed, which Swift cannot promise (its runtime allocates and takes locks). Everything the
   child needs is prepared by the caller in a flat struct before the clone; the child only
   makes system calls on it.

   Use: cell_spawn() clones a child that blocks on a release pipe; the caller puts the pid in
   its cgroups (anything that must happen before the container runs code), then calls
   cell_spawn_release(), which tells whether execve succeeded or at which stage setup failed. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

/* By its relative path: cell-init (no package dependencies, it is static) includes this file too. */
#include "../../CCore/include/cell_core.h"

/* One extra mount. Destinations are paths inside the container, resolved inside the new root
   (a symlink in them can never lead out of it). */
enum cell_mount_kind {
    CELL_MOUNT_BIND = 0,  /* source (host path) bound at destination, created if missing */
    CELL_MOUNT_TMPFS = 1, /* tmpfs with data `options` and MS_* `flags` at destination */
};

/* How a bind is read-only. Recursive is Docker 25's `ro`: every mount below the source (a /proc
   or /sys under `-v /:/host:ro`) is read-only too, through mount_setattr(AT_RECURSIVE). */
enum cell_read_only {
    CELL_READ_WRITE = 0,
    CELL_READ_ONLY = 1,          /* recursively; the start fails where the kernel cannot */
    CELL_READ_ONLY_TOP_ONLY = 2, /* `ro-non-recursive`: the top mount only, mounts below stay as they are */
};

struct cell_mount {
    int kind;
    const char *source;      /* bind: host path; tmpfs: unused */
    const char *destination; /* absolute path inside the container */
    const char *options;     /* tmpfs data ("size=64m,mode=1777") or NULL */
    unsigned long flags;     /* tmpfs: MS_* flags (MS_NOEXEC | MS_NOSUID | MS_NODEV by default) */
    int read_only;           /* an enum cell_read_only (a tmpfs: read-only or not) */
};

/* A device node made in the container's /dev (with mknod: the devices cgroup, not the node,
   decides what opens). */
struct cell_device {
    const char *path;      /* absolute, below /dev; missing directories are made */
    uint32_t mode;         /* S_IFCHR or S_IFBLK | permission bits */
    uint32_t major, minor;
    uint32_t uid, gid;     /* owner; 0:0 leaves it to the creator (the container's root) */
};

/* A resource limit set before exec (setrlimit; RLIM_INFINITY is all ones). */
struct cell_rlimit {
    int resource;          /* RLIMIT_* */
    uint64_t soft, hard;
};

/* A sysctl written below the container's /proc/sys. */
struct cell_sysctl {
    const char *path;      /* relative to /proc/sys: "net/ipv4/ip_forward" */
    const char *value;
};

/* -t: the pseudo-terminal is made inside the container, in its own devpts (as runc's
   --console-socket does): the child opens /dev/pts/ptmx once the container's /dev is in place
   (checked to be a devpts ptmx: 5:2 on a devpts mount), unlocks it, opens the slave through the
   master (TIOCGPTPEER: no path lookup), gives the slave to `owner` (the process's uid as the
   host sees it; the group stays devpts' gid= option, as runc does), sets the window size, and
   sends the master over `socket` (SCM_RIGHTS, one byte of data); the slave becomes 0, 1, 2 and
   the controlling terminal. cell_receive_fd takes the master on the other end. */
struct cell_console {
    int socket;        /* -1: no pty is made; stdin_fd then is the terminal (setsid + TIOCSCTTY) */
    uint32_t owner;    /* host uid for the slave, or (uint32_t)-1 to leave it to the opener */
    uint16_t rows, columns; /* the first window size; 0 leaves the kernel's 0x0 */
};

/* Which step of making the terminal failed (the failure's index, with CELL_STAGE_CONSOLE). */
enum cell_console_step {
    CELL_CONSOLE_OPEN = 0,  /* open /dev/pts/ptmx */
    CELL_CONSOLE_CHECK,     /* it is not the ptmx of a devpts mount (ENODEV) */
    CELL_CONSOLE_UNLOCK,    /* TIOCSPTLCK */
    CELL_CONSOLE_PEER,      /* TIOCGPTPEER: opening the slave */
    CELL_CONSOLE_OWNER,     /* fchown of the slave */
    CELL_CONSOLE_SIZE,      /* TIOCSWINSZ */
    CELL_CONSOLE_SEND,      /* sending the master */
    CELL_CONSOLE_BIND,      /* binding the slave at /dev/console (run only, as runc does) */
};

/* The kernel's CLONE_NEW* values (sched.h needs _GNU_SOURCE, which Swift's importer lacks). */
enum cell_namespace {
    CELL_NEW_MOUNT = 0x00020000,   /* CLONE_NEWNS */
    CELL_NEW_CGROUP = 0x02000000,  /* CLONE_NEWCGROUP */
    CELL_NEW_UTS = 0x04000000,     /* CLONE_NEWUTS */
    CELL_NEW_IPC = 0x08000000,     /* CLONE_NEWIPC */
    CELL_NEW_PID = 0x20000000,     /* CLONE_NEWPID */
    CELL_NEW_NETWORK = 0x40000000, /* CLONE_NEWNET */
};

struct cell_spawn_config {
    /* The process. */
    const char *const *argv;        /* NULL-terminated; argv[0] is searched in search_path */
    const char *const *envp;        /* NULL-terminated */
    const char *search_path;        /* PATH from the container's environment, for the lookup */
    const char *working_directory;  /* inside the container; created if missing */
    uint32_t uid, gid;
    const uint32_t *groups;         /* supplementary groups */
    size_t group_count;
    int stdin_fd, stdout_fd, stderr_fd; /* become 0, 1, 2 in the container (unused with a console) */
    int terminal;                   /* setsid + TIOCSCTTY on stdin (a pty slave) */
    /* Resource limits, set once every mount is made (before the privileges are dropped). */
    const struct cell_rlimit *rlimits;
    size_t rlimit_count;
    /* Written to /proc/self/oom_score_adj first thing (decimal), or NULL to inherit ours. */
    const char *oom_score_adj;
    struct cell_console console;    /* with terminal: the container's own pty, made after pivot_root */

    /* Namespaces: CLONE_NEW* flags. */
    int clone_flags;
    /* A cgroup v2 directory (O_PATH fd) the child starts in (clone3 CLONE_INTO_CGROUP, no
       migration afterwards; on kernels before 5.7 it writes "0" to its cgroup.procs), or -1. */
    int cgroup_fd;
    /* Cgroup v1 `tasks` files (opened for writing) the child writes "0" to first: a thread
       moving only itself takes no global lock, while a move through cgroup.procs waits for an
       RCU grace period (milliseconds) whenever the host has been quiet. The child has one
       thread, so this moves the whole process. */
    const int *cgroup_thread_fds;
    size_t cgroup_thread_count;
    const char *hostname;           /* set when CLONE_NEWUTS is given; NULL to skip */
    int loopback_up;                /* bring lo up (in a new network namespace) */

    /* The root file system. */
    const char *root;               /* directory that becomes / (overlay: the merged dir) */
    const char *overlay_options;    /* "lowerdir=..,upperdir=..,workdir=.." or NULL for a plain dir */
    /* Wait for cell_spawn_let_mount before the root is mounted: the child is cloned while the
       container is still being recorded, and its folders appear with the record. */
    int wait_before_root;
    int read_only_root;
    const struct cell_mount *mounts;
    size_t mount_count;
    /* Written below the new /proc/sys right after /proc is mounted, in the container's own
       network and IPC namespaces, before any mask or read-only remount. */
    const struct cell_sysctl *sysctls;
    size_t sysctl_count;
    /* The data of the tmpfs at /dev/shm ("mode=1777,size=67108864"). */
    const char *shm_options;
    const char *const *masked_paths;    /* NULL-terminated */
    const char *const *read_only_paths; /* NULL-terminated */

    /* Privileges: the capability set (bit n = capability n) and no_new_privs. */
    uint64_t capabilities;
    int no_new_privileges;
    /* --privileged: device nodes work anywhere; otherwise every mount but /dev is nodev. */
    int devices_allowed;
    /* No devices cgroup to stand behind /dev (--cgroups=disabled): /dev is made nodev too, and
       each node of `devices` keeps working through a bind mount of itself, so a node the
       container makes with mknod opens nothing. */
    int dev_nodev;
    /* The nodes of /dev (Docker's six, and --device's or, privileged, the host's). */
    const struct cell_device *devices;
    size_t device_count;
    /* A compiled seccomp program (struct sock_filter entries), or NULL for none. */
    const void *seccomp_filter;
    size_t seccomp_filter_length;
    /* Once in its cgroups: a cgroup namespace of its own (its cgroup is its "/"), and that
       view mounted read-only at /sys/fs/cgroup: the v2 hierarchy on a v2 host (mount_cgroup2),
       else a tmpfs with the v1 hierarchies named in cgroup1_hierarchies (NULL-terminated, each
       its controllers joined by ",": the directory's name and the mount's options) and, on a
       hybrid host, the v2 one at "unified" (mount_cgroup2_unified). --privileged: /sys and the
       hierarchies are mounted read-write (cgroup_writable), so that systemd or a nested
       runtime can make cgroups below the container's, as with Docker. */
    int cgroup_namespace;
    int mount_cgroup2;
    const char *const *cgroup1_hierarchies;
    int mount_cgroup2_unified;
    int cgroup_writable;
    /* cell-init from cell_open_sealed_executable, which execs the command (so that no host
       binary of cell's is the container's /proc/self/exe), or -1 to exec it directly. */
    int exec_helper_fd;
    /* Another container's namespaces to join instead of new ones (--pid/--ipc container:NAME):
       pidfds of that container's pid 1, or -1. The PID one is entered by the parent around the
       clone (a process cannot change its own pid namespace, only its children's); the IPC one by
       the child, first thing, before /dev/mqueue and any sysctl. */
    int join_pid_pidfd;
    int join_ipc_pidfd;
    /* --network container:NAME: that container's pid 1's pidfd, whose network namespace the
       child enters first thing, as the IPC one (clone_flags then has no CLONE_NEWNET), or -1. */
    int join_net_pidfd;
    /* A user namespace (cell_user_namespace_create) the child joins after its mounts, or -1;
       the overlay is then mounted with the file-system ids the container's root has on the
       host (userns_root_uid/gid), over idmapped layers (cell_open_idmapped). */
    int userns_fd;
    uint32_t userns_root_uid, userns_root_gid;
    /* The group of the container's ptys (devpts' gid=): 0 for 5 ("tty"); with a user namespace,
       the host gid of the container's 5, so that they show as tty inside, as with runc, which
       mounts devpts from inside the namespace. */
    uint32_t tty_gid;
    /* CELL_TRACE: memory shared with the child (MAP_SHARED) where it notes the CLOCK_MONOTONIC
       time, in nanoseconds, at which each of its phases ended (enum cell_spawn_phase); NULL
       when not tracing. */
    int64_t *phase_times;
};

/* The child's phases, as CELL_TRACE shows them. */
enum cell_spawn_phase {
    CELL_PHASE_STARTED = 0,      /* running in the new namespaces, in its cgroups */
    CELL_PHASE_LET_MOUNT,        /* with wait_before_root: the parent's word that the root's folders exist */
    CELL_PHASE_ROOT_MOUNTED,     /* the overlay (or bind) root */
    CELL_PHASE_MOUNTED,          /* /proc, /dev, /sys, volumes, masks, read-only paths */
    CELL_PHASE_PIVOTED,          /* pivot_root, hostname, loopback, working directory */
    CELL_PHASE_CGROUP_VIEW,      /* its cgroup namespace and /sys/fs/cgroup */
    CELL_PHASE_RELEASED,         /* the parent's go */
    CELL_PHASE_CONFINED,         /* stdio, limits, capabilities, seccomp, ids: about to exec */
    CELL_PHASE_COUNT
};

/* Where the child was when it failed (reported with errno through the error pipe). */
enum cell_spawn_stage {
    CELL_STAGE_NONE = 0,
    CELL_STAGE_WAIT_RELEASE,
    CELL_STAGE_MAKE_PRIVATE,
    CELL_STAGE_MOUNT_ROOT,
    CELL_STAGE_OPEN_ROOT,
    CELL_STAGE_MOUNT_PROC,
    CELL_STAGE_MOUNT_DEV,
    CELL_STAGE_MOUNT_SYS,
    CELL_STAGE_MOUNT,           /* index = the mount's index in config->mounts */
    CELL_STAGE_MASK_PATH,       /* index = masked_paths index */
    CELL_STAGE_READ_ONLY_PATH,  /* index = read_only_paths index */
    CELL_STAGE_PIVOT_ROOT,
    CELL_STAGE_READ_ONLY_ROOT,
    CELL_STAGE_HOSTNAME,
    CELL_STAGE_LOOPBACK,
    CELL_STAGE_WORKING_DIRECTORY,
    CELL_STAGE_STDIO,
    CELL_STAGE_TERMINAL,
    CELL_STAGE_GROUPS,
    CELL_STAGE_GID,
    CELL_STAGE_UID,
    CELL_STAGE_CLOSE_FDS,
    CELL_STAGE_EXEC,            /* errno ENOENT: not found in PATH; EACCES/ENOEXEC: not executable */
    CELL_STAGE_CGROUP,          /* joining the container's cgroups */
    CELL_STAGE_JOIN_NAMESPACES, /* exec: setns into the container's namespaces */
    CELL_STAGE_FORK,            /* exec: the clone into the container's pid namespace */
    CELL_STAGE_CAPABILITIES,    /* the capability sets, no_new_privs */
    CELL_STAGE_SECCOMP,         /* installing the seccomp filter */
    CELL_STAGE_CGROUP_NAMESPACE, /* the cgroup namespace and its /sys/fs/cgroup */
    CELL_STAGE_EXEC_HELPER,     /* exec of cell-init, which then execs the command */
    CELL_STAGE_USER_NAMESPACE,  /* joining the container's user namespace */
    CELL_STAGE_RLIMIT,          /* index = the limit's index in rlimits */
    CELL_STAGE_OOM_SCORE_ADJ,   /* writing /proc/self/oom_score_adj */
    CELL_STAGE_SYSCTL,          /* index = the sysctl's index in sysctls */
    CELL_STAGE_CONSOLE,         /* index = the cell_console_step that failed */
    CELL_STAGE_MOUNT_READ_ONLY, /* index = the bind's index in config->mounts: making it read-only */
};

struct cell_spawn_failure {
    int32_t stage;
    int32_t error; /* errno */
    int32_t index; /* which mount / path, for the stages that have one */
};

struct cell_child {
    pid_t pid;
    int release_fd; /* write end: one byte lets the child go on */
    int error_fd;   /* read end: a cell_spawn_failure, or EOF once execve succeeded */
};

/* Clones the child into its cgroups, which builds its root and then waits for
   cell_spawn_release.
   Returns 0, or -errno when clone or a pipe failed (nothing is left behind then). */
int cell_spawn(const struct cell_spawn_config *config, struct cell_child *child);

/* With wait_before_root: lets the child mount its root and build the rest (up to the wait for
   cell_spawn_release). 0, or -errno (a child that failed or died: cell_spawn_release says how). */
int cell_spawn_let_mount(struct cell_child *child);

/* Lets the child run and waits until it has exec'd (returns 0) or failed (returns 1 and
   fills *failure; the child has exited and must still be reaped). -errno on other errors.
   Closes both pipes. */
int cell_spawn_release(struct cell_child *child, struct cell_spawn_failure *failure);

/* Kills (SIGKILL) a child that will not be released, and closes its pipes. Does not reap. */
void cell_spawn_abort(struct cell_child *child);

/* A process started inside a running container (exec). */
struct cell_exec_config {
    int pidfd;                      /* the container's pid 1 (checked by the caller) */
    int namespaces;                 /* CLONE_NEW* flags to join */
    /* The container's cgroup, joined as cell_spawn_config's fields say: its v2 directory
       (O_PATH) or -1, and its v1 `tasks` files, opened for writing. */
    int cgroup_fd;
    const int *cgroup_thread_fds;
    size_t cgroup_thread_count;
    const char *const *argv;        /* NULL-terminated; argv[0] is searched in search_path */
    const char *const *envp;
    const char *search_path;
    const char *working_directory;  /* inside the container; must exist */
    uint32_t uid, gid;
    const uint32_t *groups;
    size_t group_count;
    int stdin_fd, stdout_fd, stderr_fd; /* become 0, 1, 2 (unused with a console) */
    int terminal;                   /* setsid + TIOCSCTTY on stdin (a pty slave) */
    struct cell_console console;    /* with terminal: a pty of the container's, made once its
                                       namespaces are joined (before its user namespace) */
    int detached;                   /* not the caller's child: orphaned at once, init reaps it */
    uint64_t capabilities;          /* the container's capability set */
    int no_new_privileges;
    const void *seccomp_filter;     /* the container's seccomp program, or NULL */
    size_t seccomp_filter_length;
    int exec_helper_fd;             /* as in cell_spawn_config */
    int join_user_namespace;        /* the container has one of its own: joined last */
    /* The container's resource limits and OOM score adjustment (NULL: inherit ours), set
       before the namespaces are joined, while the process is still the host's root. */
    const struct cell_rlimit *rlimits;
    size_t rlimit_count;
    const char *oom_score_adj;
};

/* Starts the process and returns 0 once it has exec'd, with *pid (a child of the caller, to
   be reaped by it); 1 with *failure filled when a stage failed (nothing is left to reap);
   -errno when the clone or a pipe failed. Safe to call from a multi-threaded process. */
int cell_exec_spawn(const struct cell_exec_config *config, pid_t *pid, struct cell_spawn_failure *failure);

/* Opens a socket of the given type inside the network namespace `netns_fd` and returns it
   (-errno on failure). The calling thread enters the namespace only for the socket() call. */
int cell_socket_in_netns(int netns_fd, int domain, int type, int protocol);

/* statfs(path).f_type (a file system's magic number), or -errno. Swift's Glibc module does not
   carry sys/statfs.h. */
long cell_filesystem_magic(const char *path);

/* An overlay mounted nowhere (fsopen/fsmount): an O_PATH fd of its root, or -errno. The
   mount lives as long as fds into it do. upperdir/workdir NULL: read-only overlay. */
int cell_mount_overlay_detached(const char *lowerdir, const char *upperdir, const char *workdir);

/* An O_PATH fd of the executable at `path` on a mount of its own that is read-only, nosuid,
   nodev and attached nowhere (open_tree + mount_setattr): a process exec'd from it cannot be
   written through /proc/PID/exe (EROFS). The mount lives as long as fds or processes use it.
   Close-on-exec; -errno on failure. */
int cell_open_sealed_executable(const char *path);

/* A new user namespace with these uid_map and gid_map contents ("0 100000 65536\n"), held by
   the returned fd (close-on-exec); -errno on failure. Safe in a multi-threaded process. */
int cell_user_namespace_create(const char *uid_map, const char *gid_map);

/* An O_PATH fd of a detached mount of `path` that shows its ids through the mapping of the
   user namespace `userns_fd` (MOUNT_ATTR_IDMAP); -errno on failure. */
int cell_open_idmapped(const char *path, int userns_fd);

/* Loads an eBPF device-cgroup program (instructions: struct bpf_insn words) and attaches it to
   the cgroup v2 directory cgroup_fd (allowing other programs above it). 0 or -errno. */
int cell_device_filter_attach(int cgroup_fd, const uint64_t *instructions, size_t count);

/* pidfd_open(pid, 0): a close-on-exec fd naming one process, readable once it exits; -errno. */
int cell_pidfd_open(pid_t pid);

/* pidfd_send_signal(pidfd, signal, NULL, 0): 0 or -errno. */
int cell_pidfd_send_signal(int pidfd, int signal);

/* Drops this process's resident pages of read-only code (MADV_DONTNEED on every executable,
   never-writable segment). Startup touches far more code than an idle poll loop needs; the
   pages still used come back from the page cache on the next touch. */
void cell_trim_resident_code(void);

/* Receives one fd sent with SCM_RIGHTS (a container's pty master, see cell_console), made
   close-on-exec: the fd, or -errno (-ECONNRESET when the sender closed the socket unsent). */
int cell_receive_fd(int socket);

/* Copies the window size of terminal `from` to `to` (the kernel then signals SIGWINCH). */
int cell_copy_window_size(int from, int to);

/* A terminal's size, and setting one (attach clients send theirs to the monitor). 0 or -errno. */
int cell_window_size(int fd, unsigned short *rows, unsigned short *columns);
int cell_set_window_size(int fd, unsigned short rows, unsigned short columns);

/* Puts a terminal in raw mode, saving its settings; and puts them back. 0 or -errno. */
int cell_make_raw(int fd, struct termios *saved);
int cell_restore_terminal(int fd, const struct termios *saved);

/* accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK): the fd or -errno. */
int cell_accept(int listener);

/* Blocks `signals` and returns a non-blocking, close-on-exec signalfd for them (or -errno). */
int cell_signalfd_open(const int *signals, size_t count);

/* The next pending signal's number from a signalfd, or 0 when none is pending. */
int cell_signalfd_next(int fd);

#endif
