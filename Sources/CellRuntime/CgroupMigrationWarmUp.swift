#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The first cgroup migration after a quiet spell waits for an RCU grace period (the kernel's
/// cgroup_threadgroup_rwsem has to leave its fast mode: ~8 ms on this machine, most of an
/// exec), and the migrations that follow within the spell do not. `exec` must move its new
/// process into the container's cgroups on v1; a move of this process into the cgroup it is
/// already in changes nothing but takes that wait, so it is started first, on a thread of its
/// own, while the rest of exec is prepared.
public enum CgroupMigrationWarmUp {
    public static func start() {
        guard let layout = try? CgroupLayout.detect(), let own = try? Cgroup.of(process: getpid(), layout: layout),
              let directory = own.directories.first else { return }
        let path = strdup("\(directory)/cgroup.procs")
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        let started = pthread_create(&thread, &attributes, { argument in
            let path = argument!.assumingMemoryBound(to: CChar.self)
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                _ = write(fd, "0", 1)  // refused (EBUSY and the like) after the wait, which is all we want
                close(fd)
            }
            free(path)
            return nil
        }, path)
        if started != 0 { free(path) }
    }
}
