#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// The versions both faces report: cell's own, and the Docker release and Engine API version whose
/// commands, output and endpoints it follows (tools read these to decide what they may ask for).
public enum CellVersion {
    public static let current = "0.1.0"
    /// The Docker engine release cell's commands and output follow.
    public static let dockerCompatible = "24.0.7"
    /// The Engine API version of that release: what `/_ping` and `/version` report.
    public static let apiVersion = "1.43"
}

extension VersionInformation {
    /// This machine's and this binary's facts, with the face's own oldest API version.
    public static func current(minimumAPIVersion: String) -> VersionInformation {
        VersionInformation(
            dockerVersion: CellVersion.dockerCompatible, apiVersion: CellVersion.apiVersion,
            minimumAPIVersion: minimumAPIVersion, cellVersion: CellVersion.current,
            architecture: ImageConfig.hostArchitecture, kernelVersion: kernelVersion, buildTime: buildTime)
    }

    /// uname's release, as Docker reports it.
    public static var kernelVersion: String {
        (try? FileSystem.readFileIfPresent("/proc/sys/kernel/osrelease")).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self).trimmedWhitespace } ?? ""
    }

    /// The running binary's modification time (when it was linked) in Go's time.ANSIC, UTC.
    static var buildTime: String {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return "" }
        var seconds = status.st_mtim.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Y", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
