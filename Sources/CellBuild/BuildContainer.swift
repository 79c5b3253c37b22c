#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellContainers
import CellCore
import CellRuntime

/// A RUN step's throwaway container: the state's layers as the overlay's lower directories
/// and a fresh upper directory, which becomes the step's layer. It runs through cell-monitor
/// like any container (namespaces, cgroup, log), on the host's network, as docker build's
/// RUN reaches the network.
struct BuildContainer {
    let directory: String
    let id: String
    let seccompCache: String
    let execHelper: String
    /// `<directory>.lock`, held for the container's whole life (until `remove`): a sweep by
    /// another build deletes only directories whose lock it can take.
    private let lock: FileLock
    var upperDirectory: String { "\(directory)/upper" }

    /// The container's files under `parent` (the store's build directory).
    init(parent: String, seccompCache: String, execHelper: String) throws {
        self.seccompCache = seccompCache
        self.execHelper = execHelper
        var generator = SystemRandomNumberGenerator()
        id = (0..<4).map { _ in
            let word = String(generator.next(), radix: 16)
            return String(repeating: "0", count: 16 - word.count) + word
        }.joined()
        directory = "\(parent)/\(id)"
        try FileSystem.createDirectory(parent, mode: 0o700)
        // Locked before the directory exists, so a sweep never sees it unlocked while we live.
        lock = try FileLock(path: BuildContainer.lockPath(of: directory))
        try lock.lock()
        try FileSystem.createDirectory(directory, mode: 0o700)
        for sub in ["upper", "work", "merged"] { try FileSystem.createDirectory("\(directory)/\(sub)") }
    }

    /// Where the command's output goes besides the container's log.
    enum Output {
        /// Nowhere else (-q).
        case logged
        /// Our stdout and stderr, as it comes.
        case inherited
        /// To `receive`, piece by piece as it comes, stdout and stderr interleaved.
        case relayed((_ receive: [UInt8]) -> Void)
    }

    /// Runs the command to its end; its exit code. The output is in the container's log, and
    /// goes to `output` as it comes.
    func run(arguments: [String], environment: [String], user: ContainerUser, workingDirectory: String,
             layerDirectories: [String], mounts: [ContainerSpec.Mount] = [], monitorPath: String, output: Output,
             cancellation: BuildCancellation? = nil) throws -> Int32 {
        let hostname = String(id.prefix(12))
        for (name, bytes) in EtcFiles.make(hostname: hostname, network: .host, extraHosts: []) {
            try FileSystem.writeNewFile(bytes, to: "\(directory)/\(name)", durable: false)
        }
        var spec = ContainerSpec(
            id: id,
            rootFilesystem: .overlay(.init(lowerDirectories: layerDirectories.reversed(), upperDirectory: upperDirectory,
                                           workDirectory: "\(directory)/work", mergedDirectory: "\(directory)/merged")),
            process: .init(arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                           uid: user.uid, gid: user.gid, additionalGids: user.additionalGids),
            hostname: hostname, network: .host, mounts: mounts,
            hostsFile: "\(directory)/hosts", hostnameFile: "\(directory)/hostname", resolvConfFile: "\(directory)/resolv.conf",
            cgroupParent: "/cell-build")
        spec.seccompCache = seccompCache
        spec.execHelper = execHelper
        try FileSystem.writeNewFile(spec.encoded(), to: ContainerSpec.path(inContainerDirectory: directory), mode: 0o600, durable: false)
        defer { cancellation?.ended() }
        switch output {
        case .logged:
            _ = try ContainerLauncher.start(containerDirectory: directory, monitorPath: monitorPath)
            cancellation?.started(directory)
            let state = try ContainerSignaller.waitForExit(containerDirectory: directory, timeout: .infinity)
            return state?.exitCode ?? 125
        case .inherited:
            let started = try ContainerLauncher.start(containerDirectory: directory, monitorPath: monitorPath, attach: true)
            cancellation?.started(directory)
            return ContainerLauncher.waitForExit(started)
        case .relayed(let receive):
            let started = try ContainerLauncher.start(containerDirectory: directory, monitorPath: monitorPath, attach: true, captureOutput: true)
            cancellation?.started(directory)
            return ContainerLauncher.waitForExit(started, relayingOutput: receive)
        }
    }

    /// The last lines of the command's output (stdout and stderr as they came), for an error.
    func lastLines(_ count: Int) -> [String] {
        let path = "\(directory)/last-lines"
        guard let file = try? FileDescriptorHandle(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600) else { return [] }
        var copier = ContainerLogCopier(path: "\(directory)/container.log", selection: LogSelection(tail: count),
                                        stdout: file.fd, stderr: file.fd)
        copier.copyAvailable()
        try? file.close()
        guard let bytes = try? FileSystem.readFile(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Removes what the runtime made in the upper directory only to mount over: the step's
    /// layer is this directory, so they must go from it, not just from the archive.
    func dropMountPoints(presentIn layerDirectories: [String], mountTargets: [String] = []) {
        // RUN --mount targets: an empty directory made only to mount on.
        for target in mountTargets.sorted(by: >) {
            var path = String(target.drop { $0 == "/" })
            // rmdir removes only empty directories; parents made for the target go too.
            while !path.isEmpty, !MountPointStubs.inImage(path, layerDirectories), rmdir("\(upperDirectory)/\(path)") == 0 {
                path = FileSystem.dirname(of: path) == "." ? "" : FileSystem.dirname(of: path)
            }
        }
        for path in MountPointStubs.files + MountPointStubs.directories {
            var st = stat()
            let full = "\(upperDirectory)/\(path)"
            guard lstat(full, &st) == 0,
                  MountPointStubs.isStub(path, st, upperDirectory: upperDirectory, imageLayers: layerDirectories) else { continue }
            _ = (st.st_mode & S_IFMT) == S_IFDIR ? rmdir(full) : unlink(full)
        }
        // /etc copied up only to hold those stubs: empty and not opaque, it changes nothing.
        if !OverlayDirectory.isOpaque("\(upperDirectory)/etc") { rmdir("\(upperDirectory)/etc") }
    }

    func remove() {
        try? FileSystem.removeTree(directory)
        unlink(BuildContainer.lockPath(of: directory))
        lock.unlock()
    }

    static func lockPath(of directory: String) -> String { "\(directory).lock" }

    /// Removes the RUN containers of builds that are gone (killed: their lock is free). One
    /// whose monitor still runs it stays until it has exited.
    static func sweepAbandoned(in parent: String) {
        for name in (try? FileSystem.contentsOfDirectory(parent)) ?? [] where !name.hasSuffix(".lock") {
            let directory = "\(parent)/\(name)"
            guard let lock = try? FileLock(path: lockPath(of: directory)), (try? lock.tryLock()) == true else { continue }
            if let state = try? ContainerState.read(fromContainerDirectory: directory),
               state.monitorPid > 0 && ContainerSignaller.isAlive(state.monitorPid) && state.status == .running { continue }
            try? FileSystem.removeTree(directory)
            unlink(lockPath(of: directory))
        }
    }
}
