#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// The Engine API's exec instances (`docker exec` through a service, docker-py's `exec_run`):
/// created, then started once with a peer at the other end of the process's stdio, inspected
/// while and after it runs. The process is run as `cell exec` runs it (`ContainerExec`); the
/// records are the store's (`ExecRecord`).
public struct ExecInstances: Sendable {
    public let store: ContainerStore

    public init(store: ContainerStore) {
        self.store = store
    }

    /// What `POST /containers/{id}/exec` asks for.
    public struct Request: Sendable {
        public var arguments: [String]
        public var environment: [String] = []
        public var user = ""
        public var workingDir = ""
        public var tty = false
        public var privileged = false
        public var attachStdin = false
        public var attachStdout = false
        public var attachStderr = false
        public var detachKeys = ""
        public var consoleSize: (height: UInt16, width: UInt16)?

        public init(arguments: [String]) {
            self.arguments = arguments
        }
    }

    /// How Docker tells of an exec that could not start: runc's wording for a command that is
    /// missing or cannot run (the CLI prints it, the API writes it into the stream), the error's
    /// own message for anything else.
    public static func failureMessage(_ error: CellError) -> String {
        switch error.kind {
        case .commandNotFound, .commandNotExecutable:
            return "OCI runtime exec failed: exec failed: unable to start container process: \(error.message): unknown"
        default:
            return error.message
        }
    }

    /// Docker's refusals of an exec in a container that cannot take one (409).
    static func checkAcceptsExec(_ container: Container, reference: String) throws {
        if case .restarting = container.status {
            throw CellError.conflict("Container \(container.id) is restarting, wait until the container is running")
        }
        guard container.isRunning else { throw CellError.conflict("container \(container.id) is not running") }
        if container.isPaused {
            throw CellError.conflict("Container \(reference) is paused, unpause the container before exec")
        }
    }

    /// A new exec instance in the running container `reference` names; its id. The user is
    /// looked up now (as Docker does, so that a typo fails early): a 400 when unknown.
    public func create(in reference: String, _ request: Request) throws -> ExecRecord {
        guard !request.arguments.isEmpty else { throw CellError.invalidInput("No exec command specified") }
        if !request.detachKeys.isEmpty {
            guard (try? DetachKeys(parsing: request.detachKeys)) != nil else {
                throw CellError.invalidInput("Invalid escape keys (\(request.detachKeys)) provided")
            }
        }
        let container = try store.resolve(reference)
        try Self.checkAcceptsExec(container, reference: reference)
        var record = ExecRecord(id: VolumeName.anonymous(), containerID: container.id, arguments: request.arguments,
                                environment: request.environment, user: request.user, workingDir: request.workingDir,
                                tty: request.tty, privileged: request.privileged, attachStdin: request.attachStdin,
                                attachStdout: request.attachStdout, attachStderr: request.attachStderr,
                                detachKeys: request.detachKeys,
                                consoleSize: request.consoleSize.map { [$0.height, $0.width] })
        do {
            _ = try ContainerExec.process(for: record.options, in: RunningContainer(containerDirectory: container.directory))
        } catch let error as CellError where error.kind != .conflict {
            throw CellError.invalidInput(error.message)
        }
        // Docker shows the container's user and directory when the exec names none.
        if record.user.isEmpty { record.user = container.record.config.user }
        try ExecRecord.withLock(containerDirectory: container.directory) {
            sweepFinished(containerDirectory: container.directory)
            try record.write(containerDirectory: container.directory)
        }
        Events.container("exec_create: \(request.arguments.joined(separator: " "))", container, ["execID": record.id])
        return record
    }

    /// The exec instance `id` names and its container: Docker's 404s when either is gone.
    public func find(_ id: String) throws -> (Container, ExecRecord) {
        let missing = CellError.notFound("No such exec instance: \(id)")
        guard ExecRecord.isValidID(id) else { throw missing }
        for name in try FileSystem.contentsOfDirectory(store.layout.containers) where !name.hasPrefix(".") {
            let directory = store.directory(of: name)
            guard let record = try ExecRecord.read(id: id, containerDirectory: directory) else { continue }
            guard let container = try? store.load(id: name) else { throw missing }
            var shown = record
            shown.running = record.isRunning
            return (container, shown)
        }
        throw missing
    }

    /// Takes the exec instance for a start: refused (409) when its container cannot take it or it
    /// was started before, else marked running by this process. What the caller does next (the
    /// hijack of its connection) cannot change that: `ExecStart.run` must follow.
    public func claim(_ id: String) throws -> ExecStart {
        let (container, _) = try find(id)
        try Self.checkAcceptsExec(container, reference: container.id)
        let record = try ExecRecord.withLock(containerDirectory: container.directory) { () throws -> ExecRecord in
            guard var record = try ExecRecord.read(id: id, containerDirectory: container.directory) else {
                throw CellError.notFound("No such exec instance: \(id)")
            }
            if record.exitCode != nil || (record.running && !record.isRunning) {
                throw CellError.conflict("exec command \(id) has already run")
            }
            if record.running { throw CellError.conflict("exec command \(id) is already running") }
            record.running = true
            record.starterPid = getpid()
            record.starterStartTime = ProcessStat.startTime(of: getpid())
            try record.write(containerDirectory: container.directory)
            return record
        }
        return ExecStart(container: container, record: record)
    }

    /// `POST /exec/{id}/resize`: the size of a running `-t` exec's terminal. The terminal is held
    /// by the process relaying it; one started by another process is out of reach (409).
    public func resize(_ id: String, height: UInt16, width: UInt16) throws {
        let (container, record) = try find(id)
        try Self.checkAcceptsExec(container, reference: container.id)
        guard record.tty else { throw CellError.conflict("exec \(id) has no terminal to resize: it was created without Tty") }
        guard record.isRunning, let terminal = ExecTerminals.shared.terminal(of: id) else {
            throw CellError.conflict("exec \(id) is not running in this service: its terminal cannot be resized")
        }
        terminal.setWindowSize(rows: height, columns: width)
    }

    /// Records of execs that ended more than five minutes ago go (Docker forgets them as soon);
    /// a container that runs many (a provisioning run) does not pile them up.
    private func sweepFinished(containerDirectory: String) {
        let directory = ExecRecord.directory(containerDirectory: containerDirectory)
        let now = Timestamp.now().seconds
        for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] where name.hasSuffix(".json") {
            let path = "\(directory)/\(name)"
            var info = stat()
            guard stat(path, &info) == 0, Int64(info.st_mtim.tv_sec) < now - 300 else { continue }
            guard let record = try? ExecRecord.read(id: String(name.dropLast(5)), containerDirectory: containerDirectory),
                  !record.isRunning else { continue }
            unlink(path)
        }
    }
}

/// A claimed exec instance, to be run once.
public struct ExecStart: Sendable {
    public let container: Container
    public let record: ExecRecord

    /// Runs the process. `peer` gets its output and gives its input (Detach: none, and this
    /// returns once it has started); `consoleSize` ([height, width] of the start request) over
    /// the creation's. The exit status is recorded before this returns, so that an inspect right
    /// after the stream's end sees it (the docker CLI asks at once); nil when detached or when the
    /// peer went away first (recorded when the process ends).
    public func run(peer: (any SessionPeer)?, consoleSize: (height: UInt16, width: UInt16)?) throws -> Int32? {
        let directory = container.directory
        let id = record.id
        let command = record.arguments.joined(separator: " ")
        var record = self.record
        let container = self.container
        @Sendable func finish(_ status: Int32) {
            ExecTerminals.shared.remove(id)
            _ = try? ExecRecord.withLock(containerDirectory: directory) {
                guard var current = try ExecRecord.read(id: id, containerDirectory: directory) else { return }
                current.running = false
                current.exitCode = status
                try current.write(containerDirectory: directory)
            }
            Events.container("exec_die", container, ["execID": id, "exitCode": String(status)])
        }
        func started(_ pid: Int32) {
            record.pid = pid
            record.pidStartTime = ProcessStat.startTime(of: pid)
            _ = try? ExecRecord.withLock(containerDirectory: directory) { try record.write(containerDirectory: directory) }
        }
        Events.container("exec_start: \(command)", container, ["execID": id])
        do {
            let running = try RunningContainer(containerDirectory: directory)
            var process = try ContainerExec.process(for: record.options, in: running)
            guard let peer else {
                // Detached, nothing of ours would hold a terminal's master (Docker's shim does):
                // the process gets /dev/null as its stdio instead, with or without Tty.
                process.terminal = false
                started(try ContainerExec.startDetached(in: running, process: process, whenExited: finish))
                return nil
            }
            let size = consoleSize ?? record.consoleSize.flatMap { $0.count == 2 ? (height: $0[0], width: $0[1]) : nil }
            let status = try ContainerExec.run(in: running, process: process, interactive: record.attachStdin, peer: peer,
                                               windowSize: size.map { (rows: $0.height, columns: $0.width) }) { pid, terminal in
                if let terminal { ExecTerminals.shared.add(terminal, for: id) }
                started(pid)
            }
            guard let status else {
                // The client went: the process has lost its stdio and is reaped when it ends.
                ChildReaper.watch(record.pid, whenExited: finish)
                return nil
            }
            finish(status)
            return status
        } catch let error as CellError {
            // Docker's default for a process that did not start: 126, unless the command was
            // not found (127).
            finish(error.kind == .commandNotFound ? 127 : 126)
            throw error
        }
    }
}
