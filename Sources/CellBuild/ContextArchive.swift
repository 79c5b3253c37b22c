#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

/// A build context that arrives as a tar stream (the Engine API's `/build` body; plain, gzip or
/// any compression libarchive reads), unpacked into a private directory of the store's tmp/ as a
/// hostile layer is (`LayerExtractor`: no entry lands outside it, no symlink is followed, device
/// nodes are skipped), with the Imagefile the request names copied out of it beside it. The
/// directory goes with `remove()`; whatever a crash leaves in tmp/ the next collection takes.
public final class ContextArchive: Sendable {
    /// Holds `context/` (the build context) and the Imagefile.
    public let directory: String
    public var contextDirectory: String { "\(directory)/context" }
    /// The Imagefile to build: a copy of the one named inside the context, under its own name
    /// (errors name it as the client did), in a folder of its own.
    public let imagefile: String

    /// Unpacks the tar read from `descriptor` (left open, the caller's) under `temporaryDirectory`,
    /// then finds `imagefileName` inside it (nil: Dockerfile, Imagefile or Containerfile, the
    /// first there is).
    public init(unpacking descriptor: Int32, in temporaryDirectory: String, imagefileName: String?) throws {
        try FileSystem.createDirectory(temporaryDirectory, mode: 0o700)
        let directory = try FileSystem.makeTemporaryDirectory(in: temporaryDirectory, prefix: "build-context", mode: 0o700)
        do {
            try FileSystem.createDirectory("\(directory)/context", mode: 0o755)
            let reader = try TarReader(fileDescriptor: descriptor, name: "the build context")
            // A client's few compressed bytes must not unpack to fill the store's disk: the context
            // may take what is free there, less a tenth of the disk kept for everything else.
            _ = try LayerExtractor(whiteouts: .keptAsFiles, sizeLimit: Self.room(in: temporaryDirectory))
                .extract(reader, into: "\(directory)/context")
            imagefile = try Self.copyImagefile(named: imagefileName, from: "\(directory)/context", into: directory)
        } catch {
            try? FileSystem.removeTree(directory)
            throw error
        }
        self.directory = directory
    }

    deinit { remove() }

    /// The bytes free to unprivileged users on the file system of `directory`, less a tenth of
    /// its size; nil when it cannot be asked.
    static func room(in directory: String) -> Int64? {
        var status = statvfs()
        guard statvfs(directory, &status) == 0 else { return nil }
        let free = Int64(status.f_bavail) * Int64(status.f_frsize), size = Int64(status.f_blocks) * Int64(status.f_frsize)
        return max(0, free - size / 10)
    }

    public func remove() {
        try? FileSystem.removeTree(directory)
    }

    /// The Imagefile is looked up inside the context as if the context were "/" (openat2's
    /// RESOLVE_IN_ROOT): `../../etc/passwd` or a symlink to /etc/shadow names a path of the
    /// context, never of the host, as Docker scopes it (`FollowSymlinkInScope`).
    private static func copyImagefile(named given: String?, from contextDirectory: String, into directory: String) throws -> String {
        let root = open(contextDirectory, O_DIRECTORY | O_RDONLY | O_CLOEXEC)
        guard root >= 0 else { throw CellError.system("open \(contextDirectory): \(Syscall.errorString(errno))") }
        defer { close(root) }
        var name = given ?? "Dockerfile"
        var found = try ContextFileReader.read(name, in: root, what: "the Dockerfile \(name)")
        if given == nil {
            for candidate in ["Imagefile", "Containerfile"] where found == nil {
                found = try ContextFileReader.read(candidate, in: root, what: "the Dockerfile \(candidate)")
                if found != nil { name = candidate }
            }
        }
        guard let bytes = found else {
            // Docker's words, which the docker CLI shows as they are.
            throw CellError.invalidInput("Cannot locate specified Dockerfile: \(given ?? "Dockerfile")")
        }
        let base = FileSystem.basename(of: name)
        try FileSystem.createDirectory("\(directory)/imagefile", mode: 0o700)
        let imagefile = "\(directory)/imagefile/" + (["", ".", "..", "/"].contains(base) ? "Dockerfile" : base)
        try FileSystem.writeNewFile(bytes, to: imagefile, mode: 0o600, durable: false)
        return imagefile
    }
}
