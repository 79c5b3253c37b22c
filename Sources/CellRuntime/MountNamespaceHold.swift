#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A reference to a container's mount namespace, taken when the container starts, so that
/// the namespace outlives its last process.
///
/// When a container's last process exits, the kernel tears its mount namespace down before
/// the exit is reported: it unmounts every mount (the overlay root, /proc, /sys, /dev and the
/// rest), waits out an RCU grace period and shuts each superblock down, about half a
/// millisecond of a `run --rm` here. Held, that work happens when the monitor lets go: for a
/// `--rm` container after the client has heard the exit (its folders are renamed away by
/// then); for one that stays, before its exit is recorded, so that a `start`, `cp` or `rm`
/// that follows never finds its overlay still mounted. Nothing of it is visible: the mounts
/// were never in the host's namespace, and the fd is close-on-exec and goes with the monitor
/// at the latest.
public final class MountNamespaceHold {
    private var descriptor: Int32

    /// Holds the mount namespace `pid` is in; holds nothing if it cannot be opened (the
    /// process is gone already): the teardown then simply happens at the exit, as without.
    public init(process pid: Int32) {
        descriptor = open("/proc/\(pid)/ns/mnt", O_RDONLY | O_CLOEXEC)
    }

    /// Lets the namespace go: if no process is left in it, the kernel unmounts it now.
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
