#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore

// `cell system service` execs this binary (NIO stays out of the `cell` command's start). It serves
// the Docker Engine API over the same libraries the CLI calls; see docs/ARCHITECTURE.md.

// A client gone mid-answer is a failed write, not the end of the service.
signal(SIGPIPE, SIG_IGN)
TerminationSignals.block()
ServiceHeap.limitArenas()

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(ServiceArguments.usage)
    exit(0)
}

func fail(_ message: String) -> Never {
    _ = Syscall.writeAll(2, Array("cell system service: \(message)\n".utf8)[...])
    exit(125)
}

/// The binaries a container's start needs, beside this one (CELL_MONITOR overrides, as for `cell`).
func besideExecutable(_ name: String) -> String {
    guard let executable = FileSystem.symlinkTarget("/proc/self/exe") else { return name }
    return FileSystem.dirname(of: executable) + "/" + name
}

do {
    let options = try ServiceArguments(arguments)
    let monitor = getenv("CELL_MONITOR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? besideExecutable("cell-monitor")
    let engine = Engine(root: options.root, monitorPath: monitor, initPath: besideExecutable("cell-init"))
    // How long a client may take to send a request (a lying Content-Length): seconds.
    let requestTimeout = getenv("CELL_SERVICE_REQUEST_TIMEOUT").flatMap { Int(String(cString: $0)) }.flatMap { $0 > 0 ? $0 : nil } ?? 30
    try MonitorReaper.startReaping()
    let server = APIServer(router: Router(routes: RouteTable.all, engine: engine), idleSeconds: options.idleSeconds,
                           requestTimeout: requestTimeout)
    // The files are read before anything listens: a wrong path stops the start.
    try server.run(address: options.address, tls: try options.tls?.makeContext(), verifiesClients: options.tls?.verifiesClients == true)
    exit(0)
} catch let error as ServiceError {
    fail(error.description)
} catch let error as CellError {
    fail(error.message)
} catch {
    fail("\(error)")
}
