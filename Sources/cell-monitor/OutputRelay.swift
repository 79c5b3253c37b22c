#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellRuntime

/// Moves bytes: the container's stdout/stderr into the log (and, attached, to our own
/// stdout/stderr); our stdin into the container's (interactive). Owns (and closes) the
/// container-side fds it is given; our own stdin it only stops reading.
struct OutputRelay {
    private let log: ContainerLogWriter
    private let attach: Bool
    private var output: Int32
    private var errorOutput: Int32
    private var input: Int32
    private var containerInput: Int32
    /// Attach clients, who get the output too.
    private let server: AttachServer?
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// Set when our own stdout went away (a closed pipe): the log still gets everything.
    private var echoBroken = false

    init(log: ContainerLogWriter, attach: Bool, output: Int32, errorOutput: Int32, input: Int32, containerInput: Int32,
         server: AttachServer? = nil) {
        self.server = server
        self.log = log
        self.attach = attach
        self.output = output
        self.errorOutput = errorOutput
        self.input = input
        self.containerInput = containerInput
    }

    /// True while the container's output may still produce bytes.
    var isOpen: Bool { output >= 0 || errorOutput >= 0 }

    /// The fds to poll, in the order `handle` expects them back (a negative fd is skipped).
    func descriptors() -> [pollfd] {
        [pollfd(fd: output, events: Int16(POLLIN), revents: 0),
         pollfd(fd: errorOutput, events: Int16(POLLIN), revents: 0),
         pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
    }

    mutating func handle(_ ready: ArraySlice<pollfd>) {
        let readable = Int16(POLLIN | POLLHUP | POLLERR)
        let first = ready.startIndex
        if ready[first].revents & readable != 0 && !relay(from: output, stream: .stdout) { output = -1 }
        if ready[first + 1].revents & readable != 0 && !relay(from: errorOutput, stream: .stderr) { errorOutput = -1 }
        if ready[first + 2].revents & readable != 0 { forwardInput() }
    }

    /// Copies one chunk; false (and the fd closed) at end of file.
    private mutating func relay(from fd: Int32, stream: ContainerLogWriter.Stream) -> Bool {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        // A pty master reads EIO, not EOF, once the last slave fd is closed.
        if n <= 0 {
            try? log.finish(stream)
            close(fd)
            return false
        }
        try? log.append(buffer[0..<n], stream: stream)
        server?.broadcast(buffer[0..<n], stream: stream)
        if attach && !echoBroken {
            let target: Int32 = stream == .stdout ? 1 : 2
            if !Syscall.writeAll(target, buffer[0..<n]) { echoBroken = true }
        }
        return true
    }

    private mutating func forwardInput() {
        let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if n <= 0 || !Syscall.writeAll(containerInput, buffer[0..<n]) {
            // Our stdin ended (or the container stopped reading): the container sees EOF.
            input = -1
            if containerInput >= 0 { close(containerInput) }
            containerInput = -1
        }
    }

    /// Closes what is left once the container is gone.
    mutating func finish() {
        for fd in [output, errorOutput, containerInput] where fd >= 0 { close(fd) }
        try? log.finish(.stdout)
        try? log.finish(.stderr)
        output = -1
        errorOutput = -1
        containerInput = -1
    }

}
