#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime

/// One exec instance of the Engine API (`POST /containers/{id}/exec`, then `/exec/{id}/start`):
/// what it runs and how, and how far it got. Kept in the store beside its container,
/// `<container-dir>/execs/<id>.json`, so that any process over the store (a service started
/// again, another one, the CLI) finds it, and it goes with the container. Written whole (temp file
/// + rename) under `<container-dir>/execs/lock`.
public struct ExecRecord: Codable, Sendable {
    public var id: String
    public var containerID: String
    public var arguments: [String]
    /// As the request gave them ("NAME=value"; a bare "NAME" unsets it).
    public var environment: [String]
    /// As given; empty for the container's.
    public var user: String
    public var workingDir: String
    public var tty: Bool
    public var privileged: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var detachKeys: String
    /// [height, width] for a `-t` process's first size; absent for none.
    public var consoleSize: [UInt16]?
    /// Started, and not known to have ended.
    public var running: Bool = false
    public var exitCode: Int32? = nil
    /// The process (as the host sees it) once started; 0 before.
    public var pid: Int32 = 0
    /// The pid's start time, so that a pid reused after the process ended is not taken for it.
    public var pidStartTime: UInt64? = nil
    /// The process that started it and relays its streams (it records the exit), with its start
    /// time: a record whose starter and process are both gone did not end well, whatever it says.
    public var starterPid: Int32? = nil
    public var starterStartTime: UInt64? = nil

    /// The options `ContainerExec` runs it with.
    var options: ContainerExec.Options {
        var options = ContainerExec.Options(arguments: arguments, environment: environment,
                                            workingDirectory: workingDir.isEmpty ? nil : workingDir,
                                            user: user.isEmpty ? nil : user, interactive: attachStdin, tty: tty,
                                            privileged: privileged)
        options.bareNamesUnset = true
        return options
    }

    /// Running, as far as the processes on this host can tell: a record left `running` by a
    /// starter killed with its process is not.
    public var isRunning: Bool {
        guard running else { return false }
        if pid > 0 { return ProcessStat.startTime(of: pid).map { $0 == pidStartTime } ?? false }
        guard let starterPid else { return false }
        return ProcessStat.startTime(of: starterPid).map { $0 == starterStartTime } ?? false
    }

    // MARK: on disk

    static func directory(containerDirectory: String) -> String { "\(containerDirectory)/execs" }

    static func path(id: String, containerDirectory: String) -> String {
        "\(directory(containerDirectory: containerDirectory))/\(id).json"
    }

    /// Only 64 lowercase hex digits name an exec: anything else (`../`, a slash) names no file.
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy(Digest.isLowerHex)
    }

    static func read(id: String, containerDirectory: String) throws -> ExecRecord? {
        let path = path(id: id, containerDirectory: containerDirectory)
        guard let bytes = try FileSystem.readFileIfPresent(path) else { return nil }
        return try StoredJSON.decode(ExecRecord.self, from: bytes, what: path)
    }

    func write(containerDirectory: String) throws {
        try FileSystem.writeAtomically(try StoredJSON.encode(self), to: Self.path(id: id, containerDirectory: containerDirectory),
                                       mode: 0o600, durable: false)
    }

    /// Holds the container's exec lock around `body`. The folder is made with mkdir, never
    /// `mkdir -p`: a container removed meanwhile is not brought back as an empty directory.
    static func withLock<T>(containerDirectory: String, _ body: () throws -> T) throws -> T {
        let directory = directory(containerDirectory: containerDirectory)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw CellError.notFound("No such container: \(FileSystem.basename(of: containerDirectory))")
        }
        guard let lock = try FileLock.inExistingDirectory("\(directory)/lock") else {
            throw CellError.notFound("No such container: \(FileSystem.basename(of: containerDirectory))")
        }
        return try lock.withLock(.exclusive, body)
    }
}
