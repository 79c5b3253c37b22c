#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// The monitor's connection to fluentd, driven from its poll loop: each line becomes a Forward
/// protocol event in a bounded queue (`BoundedRecordQueue`: the oldest are dropped past
/// `fluentd-buffer-limit` records or `bufferByteCeiling` bytes), written whenever the
/// non-blocking socket takes it. Nothing here ever waits on fluentd once the container runs:
/// a receiver that is down, slow or gone costs buffered records, never the container's output.
///
/// Without `fluentd-async` the start needs a connection, as Docker's does (the one wait, of at
/// most 3 s, before the container exists). After that both modes behave alike: a lost
/// connection is made again at once, then after `ReconnectSchedule`'s growing waits while
/// records wait (no tries while nothing is queued, no polling in between); after
/// `fluentd-max-retries` failures in a row what is buffered is given up and the count starts over.
///
/// Delivery is at most once, as Docker's without acknowledgements: what the kernel took before
/// fluentd went away is lost with the connection. Readable data on the socket means fluentd
/// closed it (it sends nothing unasked), so a receiver that stops is noticed before the next
/// line is written into a dead connection.
public final class FluentdWriter: LogLineForwarder {
    public let destination: FluentdDestination
    /// cell's own bound on buffered bytes, whatever the count allows (Docker's default of a
    /// million events could hold gigabytes): the monitor's memory stays bounded.
    public static let bufferByteCeiling = 8 << 20
    /// At most this much is copied out of the queue for one send().
    private static let batchSize = 256 << 10
    /// POLLRDHUP (fluentd shut its side), which Swift's Glibc module leaves out (a GNU extension).
    private static let peerClosed: Int16 = 0x2000
    /// Go's dialer's timeout in Docker's driver.
    static let connectTimeout = 3.0

    private let encoder: FluentdEvent
    private var queue: BoundedRecordQueue
    private var schedule: ReconnectSchedule
    private var socket: Int32 = -1
    /// The socket's connect is under way (poll for POLLOUT).
    private var connecting = false
    private var connectStarted = 0.0
    private var connectedAt = 0.0
    /// The kernel's send buffer was full: wait for POLLOUT before writing again.
    private var blocked = false
    /// When bytes last moved, or records started waiting (for `fluentd-write-timeout`).
    private var lastProgress = 0.0
    /// The host's addresses, tried in turn; looked up again when empty (a name that did not
    /// resolve when the container started).
    private var targets: [NonBlockingConnection.Target] = []
    private var nextTarget = 0
    /// Targets tried since the last round of them all failed.
    private var triedInRound = 0
    /// Each stream's long line being sent in pieces (Docker's partial metadata).
    private var partials: [ContainerLogWriter.Stream: FluentdEvent.Partial] = [:]

    public var bufferedRecords: Int { queue.count }
    public var droppedRecords: Int { queue.droppedCount }
    public var isConnected: Bool { socket >= 0 && !connecting }

    public init(destination: FluentdDestination) throws {
        self.destination = destination
        encoder = FluentdEvent(destination: destination)
        queue = BoundedRecordQueue(maximumCount: destination.bufferLimit, maximumBytes: FluentdWriter.bufferByteCeiling)
        schedule = ReconnectSchedule(firstWait: Double(destination.retryWait) / 1000)
        if destination.async {
            targets = (try? FluentdWriter.targets(of: destination.address)) ?? []
            return
        }
        do {
            targets = try FluentdWriter.targets(of: destination.address)
            var failure: (NonBlockingConnection.Target, NonBlockingConnection.Failure)? = nil
            for target in targets {
                do {
                    socket = try NonBlockingConnection.connect(target, timeout: FluentdWriter.connectTimeout)
                    connectedAt = Deadline.monotonicNow()
                    return
                } catch {
                    failure = (target, error)
                }
            }
            if let (target, error) = failure {
                throw CellError(.setup, "dial \(FluentdWriter.scheme(of: destination.address)) \(target.name): \(error.text)")
            }
        } catch let error as CellError {
            throw CellError(.setup, "failed to initialize logging driver: \(error.message)")
        }
    }

    deinit { if socket >= 0 { close(socket) } }

    public func forward(_ line: ArraySlice<UInt8>, stream: ContainerLogWriter.Stream, complete: Bool, time: Timestamp) {
        var partial: FluentdEvent.Partial? = nil
        if var current = partials[stream] {
            current.ordinal += 1
            current.last = complete
            partial = current
            partials[stream] = complete ? nil : current
        } else if !complete {
            let first = FluentdEvent.Partial(id: FluentdWriter.randomID(), ordinal: 1, last: false)
            partial = first
            partials[stream] = first
        }
        if queue.isEmpty { lastProgress = Deadline.monotonicNow() }
        queue.append(encoder.encode(line, source: stream, time: time, partial: partial))
    }

    // MARK: the poll loop

    /// The socket to poll (fd -1 while there is none): POLLOUT while connecting or while records
    /// wait on a full send buffer, POLLIN always (fluentd closing it).
    public func descriptors() -> [pollfd] {
        var events = Int16(POLLIN) | FluentdWriter.peerClosed
        if connecting || (blocked && !queue.isEmpty) { events |= Int16(POLLOUT) }
        return [pollfd(fd: socket, events: events, revents: 0)]
    }

    /// How long poll() may sleep for this writer's sake (-1: until its socket says something).
    public var pollTimeout: Int32 {
        guard !queue.isEmpty else { return -1 }
        let now = Deadline.monotonicNow()
        if socket < 0 { return schedule.millisecondsUntilDue(at: now) }
        if connecting { return FluentdWriter.milliseconds(until: connectStarted + FluentdWriter.connectTimeout, now: now) }
        if destination.writeTimeout > 0 {
            return FluentdWriter.milliseconds(until: lastProgress + Double(destination.writeTimeout) / 1000, now: now)
        }
        return -1
    }

    /// What poll() reported of the socket (the entry `descriptors` gave).
    public func handle(_ ready: ArraySlice<pollfd>) {
        guard let entry = ready.first, socket >= 0, entry.fd == socket, entry.revents != 0 else { return }
        if connecting {
            let code = NonBlockingConnection.outcome(of: socket)
            if code == 0 { becameConnected() } else { connectFailed() }
            return
        }
        if entry.revents & Int16(POLLOUT) != 0 { blocked = false }
        if entry.revents & (Int16(POLLIN) | FluentdWriter.peerClosed | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
            var scratch = [UInt8](repeating: 0, count: 512)
            let n = read(socket, &scratch, scratch.count)
            let gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)
            if gone || entry.revents & (FluentdWriter.peerClosed | Int16(POLLHUP) | Int16(POLLERR)) != 0 { lost() }
        }
    }

    /// Connects when a try is due and writes what the socket takes; for every turn of the loop.
    public func pump() {
        guard !queue.isEmpty else { return }
        let now = Deadline.monotonicNow()
        if socket < 0 {
            guard schedule.isDue(at: now) else { return }
            startConnecting()
        }
        if connecting {
            if now - connectStarted >= FluentdWriter.connectTimeout { connectFailed() }
            return
        }
        guard socket >= 0 else { return }
        if !blocked { write() }
        if socket >= 0, !queue.isEmpty, destination.writeTimeout > 0,
           Deadline.monotonicNow() - lastProgress >= Double(destination.writeTimeout) / 1000 {
            // fluent-logger's WriteTimeout: a receiver that takes nothing for so long is given up
            // on and connected to anew.
            lost(failure: true)
        }
    }

    /// At the container's exit: what is queued gets up to `seconds` to go out over a connection
    /// that works (one try at once if there is none; a receiver that is down is not waited for).
    public func drain(within seconds: Double) {
        let deadline = Deadline(after: seconds)
        if socket < 0 && !queue.isEmpty { startConnecting() }
        while !queue.isEmpty && socket >= 0 && !deadline.hasPassed {
            if !connecting && !blocked { write() }
            guard !queue.isEmpty, socket >= 0 else { break }
            var entries = descriptors()
            _ = poll(&entries, 1, Int32(min(deadline.remaining, 0.1) * 1000) + 1)
            handle(entries[...])
            if connecting && Deadline.monotonicNow() - connectStarted >= FluentdWriter.connectTimeout { connectFailed() }
        }
    }

    // MARK: the connection

    private func startConnecting() {
        if targets.isEmpty { targets = (try? FluentdWriter.targets(of: destination.address)) ?? [] }
        guard !targets.isEmpty else { return roundFailed() }
        while socket < 0 {
            let target = targets[nextTarget % targets.count]
            do {
                let (fd, pending) = try NonBlockingConnection.start(target)
                socket = fd
                if pending {
                    connecting = true
                    connectStarted = Deadline.monotonicNow()
                } else {
                    becameConnected()
                }
            } catch {
                // Refused at once (fluentd down on this host): the host's next address, if any
                // is left in this round, else the wait.
                nextTarget += 1
                triedInRound += 1
                if triedInRound >= targets.count { return roundFailed() }
            }
        }
    }

    private func becameConnected() {
        connecting = false
        blocked = false
        triedInRound = 0
        schedule.connected()
        connectedAt = Deadline.monotonicNow()
        lastProgress = connectedAt
    }

    private func connectFailed() {
        closeSocket()
        nextTarget += 1
        triedInRound += 1
        if triedInRound >= targets.count { roundFailed() }
    }

    /// Every address failed: wait before the next round, or give up what waits after too many.
    private func roundFailed() {
        triedInRound = 0
        schedule.failed()
        if schedule.failures >= destination.maxRetries {
            queue.removeAll()
            partials = [:]
            schedule.connected()
        }
    }

    /// The connection went away: tried again at once, unless it had lasted under a second
    /// (a receiver that accepts and closes is then not reconnected to in a busy loop).
    private func lost(failure: Bool = false) {
        let lasted = Deadline.monotonicNow() - connectedAt
        closeSocket()
        queue.restartFirst()
        if failure || lasted < 1 { schedule.failed() }
    }

    private func closeSocket() {
        if socket >= 0 { close(socket) }
        socket = -1
        connecting = false
        blocked = false
    }

    /// Sends what the kernel takes, in batches, until the queue is empty or the buffer full.
    private func write() {
        while !queue.isEmpty && socket >= 0 {
            let slices = queue.pending(upTo: FluentdWriter.batchSize)
            let batch = slices.count == 1 ? slices[0] : slices.reduce(into: [UInt8]()) { $0 += $1 }[...]
            let sent = batch.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                queue.consume(sent)
                lastProgress = Deadline.monotonicNow()
                if sent < batch.count {
                    blocked = true
                    return
                }
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                blocked = true
                return
            } else {
                lost()
                return
            }
        }
    }

    // MARK: helpers

    private static func targets(of address: FluentdDestination.Address) throws -> [NonBlockingConnection.Target] {
        switch address {
        case .unix(let path): return [.unix(path)]
        case .tcp(let host, let port): return try NonBlockingConnection.resolve(host: host, port: port).map { .inet($0) }
        }
    }

    private static func scheme(of address: FluentdDestination.Address) -> String {
        if case .unix = address { return "unix" }
        return "tcp"
    }

    private static func milliseconds(until time: Double, now: Double) -> Int32 {
        time <= now ? 0 : Int32(min(((time - now) * 1000).rounded(.up), Double(Int32.max)))
    }

    /// 64 hex digits, as Docker's stringid.GenerateRandomID makes a partial line's id.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for _ in 0..<4 {
            let hex = String(generator.next() as UInt64, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }
}
