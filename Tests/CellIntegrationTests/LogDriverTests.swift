import Foundation
import Testing

/// `--log-driver json-file|local|none` and json-file's rotation (`max-size`, `max-file`).
@Suite("containers: log drivers")
struct LogDriverTests {
    static let writer = "i=0; while [ $i -lt 200 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done"

    @Test func aRotatedLogKeepsItsNewestFilesAndReadsAcrossThem() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--name", "rotating", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", "busybox", "sh", "-c", LogDriverTests.writer)
        #expect(run.status == 0 && run.lines.count == 200, "attached clients see everything")
        let id = try root.cell("inspect", "-f", "{{.Id}}", "rotating").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/containers/\(id)").filter { $0.hasPrefix("container.log") }.sorted()
        #expect(files == ["container.log", "container.log.1", "container.log.2"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: "\(root.path)/containers/\(id)/\(file)")[.size] as! Int
            #expect(size < 2048 + 200, "\(file): \(size) bytes")
        }
        let log = try root.cell("logs", "rotating").lines
        #expect(log.last == "line-199-padding-padding-padding")
        #expect(log.count < 200 && log.count > 40, "the oldest lines went with the oldest file")
        let numbers = log.compactMap { Int($0.split(separator: "-")[1]) }
        #expect(numbers == Array(numbers[0]...199), "in order, across the files")
        let tail = try root.cell("logs", "--tail", "30", "rotating").lines
        #expect(tail == (170...199).map { "line-\($0)-padding-padding-padding" })
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.LogConfig}}", "rotating").stdout == "{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"3\",\"max-size\":\"2k\"}}\n")
        try root.cell("rm", "rotating").expectSuccess()
    }

    @Test func noneKeepsNothingAndUnknownDriversAreRefused() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--name", "silent", "--log-driver", "none", "busybox", "echo", "shown")
        #expect(run.stdout == "shown\n", "the attached client still sees it")
        let logs = try root.cell("logs", "silent")
        #expect(logs.status == 1 && logs.stderr == "Error response from daemon: configured logging driver does not support reading\n")
        try root.cell("run", "--rm", "--log-driver", "local", "busybox", "true").expectSuccess()
        for (flags, message) in [
            (["--log-driver", "journald"], "Error: logger: cell has no journald logging driver yet (json-file, local, none, syslog and fluentd)\n"),
            (["--log-opt", "colour=red"], "Error: logger: unknown log opt 'colour' for json-file log driver\n"),
            (["--log-driver", "none", "--log-opt", "max-size=1m"], "Error: logger: unknown log opt 'max-size' for none log driver\n"),
            (["--log-opt", "max-file=0"], "Error: logger: max-file cannot be less than 1\n"),
            (["--link", "db:db"], "Error: could not get container for db\n"),
        ] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        try root.cell("rm", "silent").expectSuccess()
        try expectNothingLeft(root)
    }

    /// The syslog driver against Debian's rsyslogd, on a socket and a TCP port of the test's own:
    /// what rsyslog files (facility, severity, tag, text) is what is asserted.
    @Test func syslogSendsEachLineToARealReceiver() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let socket = root.file("log"), output = root.file("received")
        let port = try LocalRegistry.freePort()
        let configuration = """
        global(workDirectory="\(root.scratch)")
        module(load="imuxsock" SysSock.Use="off")
        input(type="imuxsock" Socket="\(socket)")
        module(load="imtcp")
        input(type="imtcp" Address="127.0.0.1" Port="\(port)")
        template(name="seen" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%|%msg%|\\n")
        *.* action(type="omfile" file="\(output)" template="seen")
        """
        try configuration.write(toFile: root.file("rsyslog.conf"), atomically: true, encoding: .utf8)
        let receiver = try ChildProcess("/usr/sbin/rsyslogd", ["-n", "-f", root.file("rsyslog.conf"), "-i", root.file("rsyslog.pid")], captureOutput: false)
        defer { kill(receiver.pid, SIGTERM); _ = receiver.waitForExit() }
        #expect(waitUntil { FileManager.default.fileExists(atPath: socket) && LocalRegistry.accepts(port: port) })

        // The local socket, Docker's default tag (the short id) and facility (daemon).
        let id = try root.cell("run", "-d", "--log-driver", "syslog", "--log-opt", "syslog-address=unix://\(socket)",
                               "busybox", "sh", "-c", "echo out; echo err >&2").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let short = String(id.prefix(12))
        // Over TCP: a facility, a tag template and RFC 5424; a last line without a newline is sent too.
        try root.cell("run", "--name", "tcp", "--log-driver", "syslog", "--log-opt", "syslog-address=tcp://127.0.0.1:\(port)",
                      "--log-opt", "syslog-facility=local3", "--log-opt", "syslog-format=rfc5424",
                      "--log-opt", "tag={{.Name}}/{{.ImageName}}", "busybox", "printf", "é\\npartial").expectSuccess()
        // RFC 3164's text starts after the tag's ": "; rsyslog keeps the space, RFC 5424 has none.
        func received() -> [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map { $0.replacingOccurrences(of: "| ", with: "|") }
        }
        #expect(waitUntil { received().count == 4 }, "\(received())")
        let lines = received()
        #expect(lines.contains { $0.hasPrefix("daemon.info \(short)[") && $0.hasSuffix("]:|out|") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("daemon.err \(short)[") && $0.hasSuffix("]:|err|") }, "\(lines)")
        let tcp = lines.filter { $0.hasPrefix("local3.info tcp/busybox[") }
        #expect(tcp.count == 2 && tcp[0].hasSuffix("]|é|") && tcp[1].hasSuffix("]|partial|"), "\(lines)")
        // Docker's dual logging: logs still reads what was sent.
        #expect(try root.cell("logs", "tcp").stdout == "é\npartial")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", "tcp").stdout == "syslog\n")

        // A receiver that is not there fails the start in one line; the container stays created.
        let refused = try root.cell("run", "--name", "nowhere", "--log-driver", "syslog", "--log-opt", "syslog-address=tcp://127.0.0.1:\(try LocalRegistry.freePort())", "busybox", "true")
        #expect(refused.status == 125 && refused.stderr.hasPrefix("Error: failed to initialize logging driver: dial tcp 127.0.0.1:") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(try root.cell("ps", "-a", "--filter", "name=nowhere", "--format", "{{.Status}}").stdout == "Created\n")
        try root.cell("rm", "-f", id, "tcp", "nowhere").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func syslogOptionsAreCheckedBeforeAnythingIsMade() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for (options, message) in [
            (["syslog-address=unix:///nonexistent/log"], "Error: stat /nonexistent/log: No such file or directory\n"),
            (["syslog-address=http://127.0.0.1"], "Error: logger: unsupported scheme in syslog-address 'http://127.0.0.1' (unix, unixgram, tcp and udp)\n"),
            (["syslog-address=tcp://127.0.0.1:99999"], "Error: logger: invalid syslog-address 'tcp://127.0.0.1:99999'\n"),
            (["syslog-facility=local9"], "Error: logger: invalid syslog facility\n"),
            (["syslog-format=rfc9999"], "Error: logger: Invalid syslog format\n"),
            (["tag={{.Secret}}"], "Error: logger: invalid tag template {{.Secret}}: no field .Secret (.Command, .DaemonName, .FullID, .ID, .ImageFullID, .ImageID, .ImageName, .Name)\n"),
            (["tag={{.Name"], "Error: logger: invalid tag template {{.Name: unclosed action\n"),
            (["max-size=1m"], "Error: logger: unknown log opt 'max-size' for syslog log driver\n"),
            // A newline in the tag would end a message early and forge the next one on a stream.
            (["tag=x\nforged"], "Error: logger: the tag may not hold control characters\n"),
            (["syslog-tls-cert=/x"], "Error: logger: cell's syslog log driver does not take 'syslog-tls-cert' yet\n"),
        ] {
            let refused = try root.cell(["run", "--rm", "--log-driver", "syslog"] + options.flatMap { ["--log-opt", $0] } + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(options): \(refused.stderr)")
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// Docker's daemon.json keys in `$CELL_CONFIG_DIR/logging.json`: the defaults of containers
    /// made without `--log-driver`, their options merged under the command line's.
    @Test func defaultsComeFromLoggingJSON() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let settings = root.file("settings")
        try FileManager.default.createDirectory(atPath: settings, withIntermediateDirectories: true)
        let environment = ["CELL_CONFIG_DIR": settings]
        func cell(_ arguments: String...) throws -> CommandResult { try root.cell(arguments, environment: environment) }
        try #"{"log-driver": "json-file", "log-opts": {"max-size": "2k", "max-file": "2"}}"#.write(toFile: "\(settings)/logging.json", atomically: true, encoding: .utf8)
        try cell("run", "--name", "rotating", "busybox", "sh", "-c", LogDriverTests.writer).expectSuccess()
        let id = try cell("inspect", "-f", "{{.Id}}", "rotating").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/containers/\(id)").filter { $0.hasPrefix("container.log") }.sorted()
        #expect(files == ["container.log", "container.log.1"])
        #expect(try cell("inspect", "-f", "{{json .HostConfig.LogConfig}}", "rotating").stdout == "{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"2\",\"max-size\":\"2k\"}}\n")
        // The command line's option wins over its key; another driver takes none of them.
        try cell("create", "--name", "three", "--log-opt", "max-file=3", "busybox", "true").expectSuccess()
        #expect(try cell("inspect", "-f", "{{json .HostConfig.LogConfig.Config}}", "three").stdout == "{\"max-file\":\"3\",\"max-size\":\"2k\"}\n")
        try cell("create", "--name", "quiet", "--log-driver", "none", "busybox", "true").expectSuccess()
        #expect(try cell("inspect", "-f", "{{json .HostConfig.LogConfig}}", "quiet").stdout == "{\"Type\":\"none\",\"Config\":{}}\n")
        #expect(try cell("info", "--format", "{{.LoggingDriver}}").stdout == "json-file\n")

        try #"{"log-driver": "none"}"#.write(toFile: "\(settings)/logging.json", atomically: true, encoding: .utf8)
        #expect(try cell("info", "--format", "{{.LoggingDriver}}").stdout == "none\n")
        try cell("run", "--name", "silent", "busybox", "echo", "hi").expectSuccess()
        #expect(try cell("logs", "silent").stderr == "Error response from daemon: configured logging driver does not support reading\n")

        // A mistyped key is an error, not an unbounded log.
        try #"{"log-driver": "json-file", "log-opt": {"max-size": "1m"}}"#.write(toFile: "\(settings)/logging.json", atomically: true, encoding: .utf8)
        let refused = try cell("run", "--rm", "busybox", "true")
        #expect(refused.status == 125 && refused.stderr == "Error: \(settings)/logging.json: unknown key log-opt (log-driver, log-opts)\n", "\(refused.stderr)")
        try cell("rm", "rotating", "three", "quiet", "silent").expectSuccess()
        try expectNothingLeft(root)
    }
}
