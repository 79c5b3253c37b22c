import Foundation
import Testing

/// `--log-driver fluentd` against a Forward protocol receiver of the test's own
/// (`FluentdReceiver`, which decodes every frame strictly and refuses anything the
/// specification does not allow): what it received is what is asserted.
@Suite("containers: fluentd log driver")
struct FluentdLogDriverTests {
    /// A line every 20 ms, numbered, for as long as the container runs.
    static let ticker = "i=0; while true; do echo line-$i; i=$((i+1)); usleep 20000; done"

    @Test func eachLineReachesTheReceiverAsDockersDriverSendsIt() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let receiver = try FluentdReceiver(root: root)
        let before = Int(Date().timeIntervalSince1970)

        // TCP, Docker's default tag (the short id) and whole seconds.
        let plain = try root.cell("run", "--name", "plain", "--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(receiver.port)",
                                  "busybox", "sh", "-c", "echo out; echo err >&2")
        #expect(plain.status == 0 && plain.stdout == "out\n" && plain.stderr == "err\n", "\(plain.stderr)")
        let id = try root.cell("inspect", "-f", "{{.Id}}", "plain").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil { receiver.logs(of: "plain").count == 2 }, "\(receiver.events) \(receiver.errors)")
        let after = Int(Date().timeIntervalSince1970)
        let events = receiver.events.filter { $0.record["container_name"] == "/plain" }
        #expect(Set(events.map { "\($0.record["source"] ?? ""):\($0.log)" }) == ["stdout:out", "stderr:err"])
        for event in events {
            #expect(event.tag == String(id.prefix(12)))
            #expect(event.record["container_id"] == id)
            #expect(Set(event.record.keys) == ["container_id", "container_name", "source", "log"])
            #expect(event.nanoseconds == nil && (before...after).contains(event.seconds), "\(event)")
            #expect(event.option == [:], "Docker's client sends an empty option map")
        }

        // The unix socket: a tag template, EventTime, labels and environment, a line longer than
        // 16 KiB in Docker's partial pieces, and a last line without its newline.
        let long = String(repeating: "x", count: 20_000)
        let sock = try root.cell("run", "--name", "sock", "--log-driver", "fluentd", "--log-opt", "fluentd-address=unix://\(receiver.socketPath)",
                                 "--log-opt", "tag={{.Name}}/{{.ImageName}}/{{.ID}}", "--log-opt", "fluentd-sub-second-precision=true",
                                 "--label", "team=core", "--log-opt", "labels=team,absent", "-e", "STAGE=test", "--log-opt", "env=STAGE",
                                 "busybox", "sh", "-c", "echo é; head -c 20000 /dev/zero | tr '\\0' x; echo; printf partial")
        #expect(sock.status == 0 && sock.stdout == "é\n\(long)\npartial", "\(sock.stderr)")
        let sockID = try root.cell("inspect", "-f", "{{.Id}}", "sock").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil { receiver.logs(of: "sock").count == 4 }, "\(receiver.logs(of: "sock").map(\.count)) \(receiver.errors)")
        let pieces = receiver.events.filter { $0.record["container_name"] == "/sock" }
        #expect(pieces.map(\.log) == ["é", String(repeating: "x", count: 16384), String(repeating: "x", count: 3616), "partial"])
        let end = Double(Date().timeIntervalSince1970)
        for event in pieces {
            #expect(event.tag == "sock/busybox/\(sockID.prefix(12))")
            #expect(event.record["team"] == "core" && event.record["STAGE"] == "test" && event.record["absent"] == nil)
            #expect(event.record["source"] == "stdout" && event.record["container_id"] == sockID)
            let time = Double(event.seconds) + Double(event.nanoseconds ?? -1_000_000_000) / 1e9
            #expect(event.nanoseconds != nil && time >= Double(before) && time <= end, "\(event)")
        }
        #expect(pieces.contains { ($0.nanoseconds ?? 0) != 0 }, "sub-second times carry nanoseconds")
        #expect(pieces[0].record["partial_message"] == nil)
        let first = pieces[1].record, second = pieces[2].record, last = pieces[3].record
        #expect(first["partial_message"] == "true" && first["partial_ordinal"] == "1" && first["partial_last"] == "false")
        #expect(second["partial_message"] == "true" && second["partial_ordinal"] == "2" && second["partial_last"] == "true")
        #expect(first["partial_id"]?.count == 64 && first["partial_id"] == second["partial_id"])
        // Docker marks a last line that never got its newline as the first piece of one.
        #expect(last["partial_message"] == "true" && last["partial_ordinal"] == "1" && last["partial_last"] == "false")
        #expect(last["partial_id"] != first["partial_id"])

        // Docker's dual logging: logs still reads everything.
        #expect(try root.cell("logs", "sock").stdout == "é\n\(long)\npartial")
        #expect(try root.cell("logs", "plain").stderr == "err\n")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", "plain").stdout == "fluentd\n")
        #expect(receiver.errors.isEmpty, "\(receiver.errors)")
        try root.cell("rm", "plain", "sock").expectSuccess()
        try expectNothingLeft(root)
    }

    /// fluentd-async: the receiver is stopped mid-stream and started again. The containers run
    /// on and keep every line in their own logs; one gets every line it wrote while nothing
    /// listened once the receiver is back, the other, with a buffer of 10 events, only the
    /// newest 10 of them (the oldest are dropped).
    @Test func anAsyncDriverBuffersWhileTheReceiverIsDownAndNeverHoldsTheContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let receiver = try FluentdReceiver(root: root)
        let driver = ["--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(receiver.port)",
                      "--log-opt", "fluentd-async=true", "--log-opt", "fluentd-retry-wait=100ms"]
        try root.cell(["run", "-d", "--name", "ticker"] + driver + ["busybox", "sh", "-c", FluentdLogDriverTests.ticker]).expectSuccess()
        try root.cell(["run", "-d", "--name", "bounded"] + driver + ["--log-opt", "fluentd-buffer-limit=10",
                                                                   "busybox", "sh", "-c", FluentdLogDriverTests.ticker]).expectSuccess()
        func logged(_ name: String) -> [String] { (try? root.cell("logs", name).lines) ?? [] }
        func running(_ name: String) -> Bool { (try? root.cell("inspect", "-f", "{{.State.Running}}", name).stdout) == "true\n" }
        #expect(waitUntil { receiver.logs(of: "ticker").count >= 10 && receiver.logs(of: "bounded").count >= 10 })

        receiver.stop()
        let stoppedAt = ["ticker": logged("ticker").count, "bounded": logged("bounded").count]
        // A second of output or so with nothing listening, far more than 10 events.
        #expect(waitUntil { logged("ticker").count >= stoppedAt["ticker"]! + 60 && logged("bounded").count >= stoppedAt["bounded"]! + 60 })
        #expect(running("ticker") && running("bounded"), "a receiver that is down holds no container up")

        // Counted before the restart: every one of these lines was written while nothing listened.
        let restartedAt = ["ticker": logged("ticker").count, "bounded": logged("bounded").count]
        try receiver.start()
        func numbers(_ name: String) -> [Int] { receiver.logs(of: name).compactMap { Int($0.dropFirst("line-".count)) } }
        // The last line written before the restart (the bounded one's may be among those dropped
        // while it waits out its back-off: a line written after the restart, then).
        #expect(waitUntil(timeout: 20) { numbers("ticker").contains(restartedAt["ticker"]! - 1) }, "\(numbers("ticker").suffix(3))")
        #expect(waitUntil(timeout: 20) { numbers("bounded").contains { $0 >= restartedAt["bounded"]! } }, "\(numbers("bounded").suffix(3))")
        // Every line once, in order, across both lives of the receiver.
        let received = receiver.logs(of: "ticker")
        let all = logged("ticker")
        #expect(received == Array(all.prefix(received.count)), "\(received.count) received of \(all.count)")
        #expect(receiver.events.contains { $0.connection > 1 && $0.record["container_name"] == "/ticker" })

        // The bounded one: one gap, in the outage, past which at most 10 lines written while
        // the receiver was away arrived.
        let bounded = numbers("bounded")
        #expect(bounded == bounded.sorted() && Set(bounded).count == bounded.count)
        let gaps = zip(bounded, bounded.dropFirst()).filter { $1 != $0 + 1 }
        #expect(gaps.count == 1, "\(gaps)")
        if let (lastBefore, firstAfter) = gaps.first {
            #expect(restartedAt["bounded"]! - firstAfter <= 10, "the buffer held at most 10: \(lastBefore) → \(firstAfter)")
            #expect(firstAfter - lastBefore > 40, "the oldest of the outage were dropped: \(lastBefore) → \(firstAfter)")
        }
        let own = logged("bounded").compactMap { Int($0.dropFirst("line-".count)) }
        #expect(own == Array(0..<own.count), "the container's own log has every line")
        #expect(running("ticker") && running("bounded"))
        #expect(receiver.errors.isEmpty, "\(receiver.errors)")
        try root.cell("rm", "-f", "ticker", "bounded").expectSuccess()
        try expectNothingLeft(root)
    }

    /// A receiver that accepts and never reads: the container writes 20 MB all the same (about
    /// 90 MB of events, far past the buffer), and the monitor's memory stays within the buffer's
    /// ceiling. The oldest events are dropped, never the container's output.
    @Test func aReceiverThatReadsNothingHoldsUpNoOutput() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let port = try LocalRegistry.freePort()
        let stalled = try ChildProcess("/usr/bin/python3", ["-c", FluentdLogDriverTests.deafReceiver, String(port)], captureOutput: false)
        defer {
            kill(stalled.pid, SIGKILL)
            stalled.waitForExit()
        }
        #expect(waitUntil { LocalRegistry.accepts(port: port) })
        try root.cell("run", "-d", "--name", "flood", "--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(port)",
                      "busybox", "sh", "-c", "yes 0123456789012345678901234567890123456789 | head -c 20000000; echo; echo last; touch /done; sleep 1000")
            .expectSuccess()
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "flood").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: "/proc/\(pid)/root/done") }, "the container wrote it all")
        // The monitor catches up with the pipe: the last line is in the container's own log.
        #expect(waitUntil(timeout: 60) { (try? root.cell("logs", "--tail", "1", "flood").stdout) == "last\n" })
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let monitor = status.split(separator: "\n").first { $0.hasPrefix("PPid:") }.flatMap { Int($0.dropFirst(5).trimmingCharacters(in: .whitespaces)) } ?? 0
        let peak = try String(contentsOfFile: "/proc/\(monitor)/status", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("VmHWM:") }.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? .max
        #expect(peak < 48 * 1024, "the monitor's peak memory: \(peak) kB")
        try root.cell("rm", "-f", "flood").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Accepts every connection and never reads from one.
    static let deafReceiver = """
    import socket, sys
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", int(sys.argv[1])))
    server.listen(16)
    kept = []
    while True:
        kept.append(server.accept())
    """

    /// Without fluentd-async the start needs the receiver, as Docker's does: one line, 125, and
    /// nothing running. With it, the same container runs, and its exit waits for no receiver.
    @Test func withoutAsyncAReceiverThatIsNotThereFailsTheStart() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let port = try LocalRegistry.freePort()
        let refused = try root.cell("run", "--name", "nowhere", "--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(port)",
                                    "busybox", "echo", "hi")
        #expect(refused.status == 125 && refused.stdout.isEmpty, "\(refused.stdout)")
        #expect(refused.stderr == "Error: failed to initialize logging driver: dial tcp 127.0.0.1:\(port): connect: connection refused\n")
        #expect(try root.cell("ps", "-a", "--filter", "name=nowhere", "--format", "{{.Status}}").stdout == "Created\n")

        let socket = root.file("absent.sock")
        let detached = try root.cell("run", "-d", "--log-driver", "fluentd", "--log-opt", "fluentd-address=unix://\(socket)", "busybox", "true")
        #expect(detached.status == 125 && detached.stdout.isEmpty)
        #expect(detached.stderr == "Error: failed to initialize logging driver: dial unix \(socket): connect: no such file or directory\n")
        let removed = try root.cell("run", "--rm", "--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(port)", "busybox", "true")
        #expect(removed.status == 125 && removed.stderr.split(separator: "\n").count == 1)
        #expect(try root.cell("ps", "-q").stdout.isEmpty, "nothing runs")

        let started = Date()
        let async = try root.cell("run", "--rm", "--log-driver", "fluentd", "--log-opt", "fluentd-address=127.0.0.1:\(port)",
                                  "--log-opt", "fluentd-async=true", "busybox", "echo", "hi")
        #expect(async.status == 0 && async.stdout == "hi\n", "\(async.stderr)")
        #expect(Date().timeIntervalSince(started) < 2, "the exit waits for no receiver that is down")
        let left = try root.cell("ps", "-aq").lines
        #expect(left.count == 2, "nowhere and the detached one stay created: \(left)")
        try root.cell(["rm"] + left).expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func fluentdOptionsAreCheckedBeforeAnythingIsMade() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for (options, message) in [
            (["fluentd-colour=red"], "Error: logger: unknown log opt 'fluentd-colour' for fluentd log driver\n"),
            (["max-size=1m"], "Error: logger: unknown log opt 'max-size' for fluentd log driver\n"),
            (["fluentd-address=http://127.0.0.1:24224"], "Error: logger: invalid fluentd-address (http://127.0.0.1:24224): unsupported scheme: 'http'\n"),
            (["fluentd-address=127.0.0.1:99999"], "Error: logger: invalid fluentd-address (127.0.0.1:99999): invalid port\n"),
            (["fluentd-address=unix://"], "Error: logger: invalid fluentd-address (unix://): path is empty\n"),
            (["fluentd-address=tcp://127.0.0.1:24224/x"], "Error: logger: invalid fluentd-address (tcp://127.0.0.1:24224/x): should not contain a path element\n"),
            (["fluentd-async=maybe"], "Error: logger: invalid fluentd-async 'maybe': strconv.ParseBool: parsing \"maybe\": invalid syntax\n"),
            (["fluentd-sub-second-precision=2"], "Error: logger: invalid fluentd-sub-second-precision '2': strconv.ParseBool: parsing \"2\": invalid syntax\n"),
            (["fluentd-buffer-limit=lots"], "Error: logger: invalid fluentd-buffer-limit 'lots' (a number of events, as 8192 or 8k)\n"),
            (["fluentd-retry-wait=soon"], "Error: logger: invalid fluentd-retry-wait 'soon' (a duration, as 1s or 500ms)\n"),
            (["fluentd-max-retries=3000000000"], "Error: logger: invalid fluentd-max-retries: value out of range\n"),
            (["fluentd-write-timeout=-1s"], "Error: logger: invalid value for fluentd-write-timeout: value must be a duration that is non-negative\n"),
            (["fluentd-request-ack=true"], "Error: logger: cell's fluentd log driver does not take 'fluentd-request-ack' yet\n"),
            (["cache-disabled=true"], "Error: logger: cell's fluentd log driver does not take 'cache-disabled=true' yet (false)\n"),
            (["tag={{.Secret}}"], "Error: logger: invalid tag template {{.Secret}}: no field .Secret (.Command, .DaemonName, .FullID, .ID, .ImageFullID, .ImageID, .ImageName, .Name)\n"),
        ] {
            let refused = try root.cell(["run", "--rm", "--log-driver", "fluentd"] + options.flatMap { ["--log-opt", $0] } + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(options): \(refused.stderr)")
        }
        let regex = try root.cell("create", "--log-driver", "fluentd", "--log-opt", "labels-regex=(", "busybox", "true")
        #expect(regex.status == 125 && regex.stderr.hasPrefix("Error: logger: invalid labels-regex '(': ")
                && regex.stderr.split(separator: "\n").count == 1, "\(regex.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }
}
