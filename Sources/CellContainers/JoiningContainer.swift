import CellCore
import CellRuntime

/// What joins a running container from outside: exec, attach, top. The runtime does the
/// joining; these take a `Container` so that no caller handles its directory.
extension Container {
    /// docker exec: runs `options.arguments` in the container with our stdio; its exit status
    /// (0 at once with `detach`). Throws `.conflict` when the container is not running, and
    /// `.commandNotFound` (127) or `.commandNotExecutable` (126) in runc's wording.
    public func exec(_ options: ExecOptions) throws -> Int32 {
        if isPaused { throw CellError.conflict("container \(id) is paused, unpause the container before exec") }
        let command = options.arguments.joined(separator: " ")
        let execID = VolumeName.anonymous()
        Events.container("exec_create: \(command)", self, ["execID": execID])
        Events.container("exec_start: \(command)", self, ["execID": execID])
        PhaseTrace.mark("exec_create and exec_start recorded")
        let status = try ContainerExec.run(containerDirectory: directory, options: options)
        PhaseTrace.mark("process exited, output relayed")
        Events.container("exec_die", self, ["execID": execID, "exitCode": String(status)])
        PhaseTrace.mark("exec_die recorded")
        return status
    }

    /// docker attach: our stdio to the running container's (stdin too with `stdin`, if it was
    /// created with -i) until it exits or `detachKeys` are typed on a tty; with
    /// `proxiesSignals`, signals sent to us go to the container (not on a tty).
    public func attach(stdin: Bool, detachKeys: DetachKeys = DetachKeys(), proxiesSignals: Bool = true) throws -> AttachOutcome {
        if isPaused { throw CellError.conflict("You cannot attach to a paused container, unpause it first") }
        Events.container("attach", self)
        return try ContainerAttach.attach(containerDirectory: directory, stdin: stdin, detachKeys: detachKeys,
                                          proxiesSignals: proxiesSignals)
    }

    /// docker top: the container's processes, as `ps -ef` shows them (`processTitles` are its columns).
    public func processes() throws -> [ProcessRow] {
        try ContainerTop.processes(containerDirectory: directory)
    }

    /// docker top C OPTIONS: the host's `ps OPTIONS`, cut to the container's processes.
    public func processes(psArguments: [String]) throws -> (titles: [String], rows: [[String]]) {
        try ContainerTop.processes(containerDirectory: directory, psArguments: psArguments)
    }

    /// The column titles of `processes()`.
    public static var processTitles: [String] { ContainerTop.titles }
}
