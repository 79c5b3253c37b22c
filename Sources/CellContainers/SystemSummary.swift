#if canImport(Glibc)
import Glibc
#endif
import CellCgroups
import CellCore
import CellImage

/// The facts `info` reports about this machine and the store, gathered once: the counts from the
/// containers' records and the image index, the rest from the kernel, so that both faces show the
/// same numbers.
public struct SystemSummary: Sendable {
    public var containers: Int
    public var runningContainers: Int
    public var pausedContainers: Int
    public var stoppedContainers: Int
    public var images: Int
    /// "1" or "2", as Docker's CgroupVersion.
    public var cgroupVersion: String
    public var kernelVersion: String
    public var operatingSystem: String
    public var operatingSystemVersion: String
    /// uname's machine (`x86_64`), as Docker's Architecture.
    public var architecture: String
    public var hostname: String
    public var cpus: Int
    public var memoryBytes: Int64
    public var root: String

    public init(root: String, containers: [Container], images: [ImageSummary]) {
        self.root = root
        self.containers = containers.count
        // Docker counts a paused container as paused, not running.
        pausedContainers = containers.filter(\.isPaused).count
        runningContainers = containers.filter(\.isRunning).count - pausedContainers
        stoppedContainers = containers.count - runningContainers - pausedContainers
        // One image per id, however many names it has (Docker counts images, not tags).
        self.images = Set(images.map(\.id)).count
        cgroupVersion = ((try? CgroupLayout.detect())?.isUnified ?? true) ? "2" : "1"
        var name = utsname()
        uname(&name)
        kernelVersion = Self.text(of: &name.release)
        architecture = Self.text(of: &name.machine)
        hostname = Self.text(of: &name.nodename)
        let release = Self.osRelease()
        operatingSystem = release["PRETTY_NAME"] ?? "Linux"
        operatingSystemVersion = release["VERSION_ID"] ?? ""
        cpus = ProcessorCount.online
        memoryBytes = Self.memoryTotal()
    }

    private static func text<T>(of field: inout T) -> String {
        withUnsafeBytes(of: &field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// /proc/meminfo's MemTotal (in kB there), as Docker's MemTotal.
    private static func memoryTotal() -> Int64 {
        guard let bytes = (try? FileSystem.readFileIfPresent("/proc/meminfo")).flatMap({ $0 }) else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// /etc/os-release's KEY=value lines, quotes removed (Docker reads the same file).
    private static func osRelease() -> [String: String] {
        guard let bytes = (try? FileSystem.readFileIfPresent("/etc/os-release")).flatMap({ $0 }) else { return [:] }
        var values: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            values[String(line[..<equals])] = String(value)
        }
        return values
    }
}
