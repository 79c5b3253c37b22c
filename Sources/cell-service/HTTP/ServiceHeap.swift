#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// The service's heap kept small between bursts of requests. glibc gives each new thread an arena
/// of its own, up to eight per CPU, and a thread per request makes dozens: what a burst frees is
/// scattered among them, pinned by what little each still holds. So the arenas are limited to one
/// per CPU (the heavy work runs one per CPU anyway, `FairGate`), and their free memory goes back to
/// the system when the last request of a burst ends. malloc.h is not in Swift's Glibc module: its
/// two calls are found once by name.
enum ServiceHeap {
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    private typealias Trim = @convention(c) (Int) -> Int32

    /// malloc.h's M_ARENA_MAX.
    private static let arenaMaximum: Int32 = -8

    nonisolated(unsafe) private static let option: Option? = symbol("mallopt")
    nonisolated(unsafe) private static let trim: Trim? = symbol("malloc_trim")

    private static func symbol<Function>(_ name: String) -> Function? {
        dlopen(nil, RTLD_NOW).flatMap { dlsym($0, name) }.map { unsafeBitCast($0, to: Function.self) }
    }

    /// Before any thread starts.
    static func limitArenas() { _ = option?(arenaMaximum, Int32(clamping: ProcessorCount.online)) }

    static func releaseFreeMemory() { _ = trim?(0) }
}
