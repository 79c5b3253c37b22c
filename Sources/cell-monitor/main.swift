#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellRuntime

PhaseTrace.start(process: "cell-monitor")
// cell-monitor [--sealed] [--sync-fd N] [--attach [--attach-streams LIST] [--detach-keys KEYS] [--no-sig-proxy]]
//              [--interactive] (<container-dir> | --directory-fd N)
//
// Starts the container described by <container-dir>/spec, keeps its stdio, writes its log and
// state, waits for it, cleans up, and exits (with the container's status under --attach).
var options = MonitorOptions()
var directoryDescriptor: Int32 = -1
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--sync-fd":
        guard let value = arguments.popFirst(), let fd = Int32(value), fd >= 0 else {
            printUsageError("--sync-fd needs a file descriptor number")
            exit(125)
        }
        options.syncDescriptor = fd
    case "--attach": options.attach = true
    case "--attach-streams":
        let streams = (arguments.popFirst() ?? "").split(separator: ",")
        guard streams.allSatisfy({ ["stdout", "stderr", "none"].contains($0) }) else {
            printUsageError("--attach-streams takes stdout, stderr or none")
            exit(125)
        }
        options.attachment.standardOutput = streams.contains("stdout")
        options.attachment.standardError = streams.contains("stderr")
    case "--detach-keys":
        guard let value = arguments.popFirst(), let keys = try? DetachKeys(parsing: value) else {
            printUsageError("--detach-keys needs a key sequence")
            exit(125)
        }
        options.attachment.detachKeys = keys
    case "--no-sig-proxy": options.attachment.proxiesSignals = false
    case "--interactive", "-i": options.interactive = true
    // Exec'd from a sealed, read-only copy of itself (`ContainerLauncher`): checked, then the
    // container's process execs its command without cell-init. Its name is its own again (the
    // kernel named it after the exec'd path, /proc/self/fd/N), for ps, top and pgrep.
    case "--sealed":
        SealedExecutable.currentProcessIsSealed = SealedExecutable.currentBinaryIsReadOnly
        try? FileDescriptorHandle(path: "/proc/self/comm", flags: O_WRONLY).writeAll(Array("cell-monitor".utf8))
    case "--directory-fd":
        guard let value = arguments.popFirst(), let fd = Int32(value), fd >= 0 else {
            printUsageError("--directory-fd needs a file descriptor number")
            exit(125)
        }
        directoryDescriptor = fd
    default:
        if argument.hasPrefix("-") || !options.containerDirectory.isEmpty {
            printUsageError(nil)
            exit(125)
        }
        options.containerDirectory = argument
    }
}
if directoryDescriptor >= 0 && !options.containerDirectory.isEmpty {
    printUsageError("--directory-fd and a directory exclude each other")
    exit(125)
}
if directoryDescriptor < 0 && options.containerDirectory.isEmpty {
    printUsageError(nil)
    exit(125)
}
// A detached monitor must not pin the caller's working directory (or its mount).
if !options.containerDirectory.isEmpty && !options.containerDirectory.hasPrefix("/") {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    if getcwd(&buffer, buffer.count) != nil {
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        options.containerDirectory = directory + "/" + options.containerDirectory
    }
}
_ = chdir("/")
// What the process that started us left open without CLOEXEC (an API server's listening and
// client sockets, a test runner's pipes) is not ours to hold for the container's lifetime: a
// listener held here would keep its address busy after that process ended.
for fd in ((try? FileSystem.contentsOfDirectory("/proc/self/fd")) ?? []).compactMap(Int32.init)
where fd > 2 && fd != options.syncDescriptor && fd != directoryDescriptor {
    close(fd)
}
signal(SIGPIPE, SIG_IGN)
Monitor.reserveStandardDescriptors()
// Started ahead of its container (`cell run`): shown the spec once it is planned, it makes the
// cgroup and clones the container's process (which waits before its root) while cell records
// the container; then it is handed the container (`MonitorHandOff`). The socket's end before
// that: the run stopped; nothing may stay of it.
var prepared: PreparedStart? = nil
if directoryDescriptor >= 0 {
    handOff: while true {
        switch MonitorHandOff.receive(from: directoryDescriptor) {
        case .preview(let directory, let spec)? where prepared == nil:
            prepared = PreparedStart(directory: directory, specBytes: spec, options: options)
        case .handed(let directory, let specRewritten)?:
            options.containerDirectory = directory
            options.specRewritten = specRewritten
            break handOff
        default:
            prepared?.abandon()
            exit(0)
        }
    }
    close(directoryDescriptor)
    PhaseTrace.mark("container handed over")
}
let status = Monitor(options: options, prepared: prepared).run()
PhaseTrace.mark("done")
exit(status)

func printUsageError(_ problem: String?) {
    let text = (problem.map { "cell-monitor: \($0)\n" } ?? "")
        + "usage: cell-monitor [--sealed] [--sync-fd N] [--attach [--attach-streams LIST] [--detach-keys KEYS] [--no-sig-proxy]] [--interactive] (<container-dir> | --directory-fd N)\n"
    _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
