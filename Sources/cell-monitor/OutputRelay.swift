#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellRuntime

/// Moves bytes: the container's stdout/stderr into the log (and, attached, to our own
/// stdout/stderr, those the client attached to); our stdin into the container's
/// (interactive), watching it for the detach keys on a terminal. Owns (and closes) the
/// container-side fds it is given; our own stdin it only stops reading.
struct OutputRelay {
    private let log: ContainerLogWriter
    /// Whether the container's stdout and stderr are copied to ours (attached, and asked for).
    private var echoOutput: Bool
    private var echoError: Bool
    /// On a terminal: the keys that detach the client, looked for in what it types.
    private var detachKeys: DetachKeys?
    private var output: Int32
    private var errorOutput: Int32
    private var input: Int32
    private var containerInput: Int32
    /// Attach clients, who get the output too.
    private let server: AttachServer?
    /// Large for a container that floods its output, and left uninitialized: a quiet container's
    /// monitor never touches (so never holds) most of its pages.
    private var buffer = [UInt8](unsafeUninitializedCapacity: 256 * 1024) { _, count in count = 256 * 1024 }
    /// Set when our own stdout went away (a closed pipe): the log still gets everything.
    private var echoBroken = false

    init(log: ContainerLogWriter, attachment: Attachment?, output: Int32, errorOutput: Int32, input: Int32,
         containerInput: Int32, detachKeys: DetachKeys? = nil, server: AttachServer? = nil) {
        self.server = server
        self.log = log
        self.echoOutput = attachment?.standardOutput ?? false
        self.echoError = attachment?.standardError ?? false
        self.detachKeys = detachKeys
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

    /// Moves what is ready; true when the client typed the detach keys.
    mutating func handle(_ ready: ArraySlice<pollfd>) -> Bool {
        let readable = Int16(POLLIN | POLLHUP | POLLERR)
        let first = ready.startIndex
        if ready[first].revents & readable != 0 && !relay(from: output, stream: .stdout) { output = -1 }
        if ready[first + 1].revents & readable != 0 && !relay(from: errorOutput, stream: .stderr) { errorOutput = -1 }
        if ready[first + 2].revents & readable != 0 { return forwardInput() }
        return false
    }

    /// The client is gone (or detached): its stdout, stderr and stdin are no longer used. Our
    /// end of the container's stdin is closed: a pipe's reader sees EOF, as after Docker's
    /// `run -i` loses its client; a terminal stays open to attach clients (the server holds
    /// its own descriptor of it).
    mutating func detach() {
        echoOutput = false
        echoError = false
        input = -1
        detachKeys = nil
        if containerInput >= 0 { close(containerInput) }
        containerInput = -1
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
        if (stream == .stdout ? echoOutput : echoError) && !echoBroken {
            let target: Int32 = stream == .stdout ? 1 : 2
            if !Syscall.writeAll(target, buffer[0..<n]) { echoBroken = true }
        }
        return true
    }

    /// True when the detach keys were typed (what came before them is forwarded).
    private mutating func forwardInput() -> Bool {
        let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return false }
        var typed = n > 0 ? Array(buffer[0..<n]) : []
        var detach = false
        if n > 0, var keys = detachKeys {
            (typed, detach) = keys.scan(typed[...])
            detachKeys = keys
        }
        if n <= 0 || !Syscall.writeAll(containerInput, typed[...]) {
            // Our stdin ended (or the container stopped reading): the container sees EOF.
            input = -1
            if containerInput >= 0 { close(containerInput) }
            containerInput = -1
        }
        return detach
    }

    /// Closes what is left once the container is gone.
    mutating func finish() {
        for fd in [output, errorOutput, containerInput] where fd >= 0 { close(fd) }
        try? log.finish(.stdout)
        try? log.finish(.stderr)
        log.close()
        output = -1
        errorOutput = -1
        containerInput = -1
    }

}
