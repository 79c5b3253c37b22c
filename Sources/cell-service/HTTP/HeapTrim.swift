#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc_trim, found once (malloc.h is not in Swift's Glibc module): the memory freed in
/// the per-thread arenas of a burst of requests given back to the system.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    nonisolated(unsafe) private static let trim: Trim? = dlopen(nil, RTLD_NOW)
        .flatMap { dlsym($0, "malloc_trim") }
        .map { unsafeBitCast($0, to: Trim.self) }

    static func releaseFreeMemory() { _ = trim?(0) }
}
