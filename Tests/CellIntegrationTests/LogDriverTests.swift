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
            (["--log-driver", "awslogs"], "Error: logger: cell has no awslogs logging driver yet (json-file, local, none, syslog, fluentd and journald)\n"),
            (["--log-opt", "compress=true"], "Error: compress cannot be true when max-file is less than 2 or max-size is not set\n"),
            (["--log-opt", "max-size=1m", "--log-opt", "max-file=2", "--log-opt", "compress=yes"], "Error: strconv.ParseBool: parsing \"yes\": invalid syntax\n"),
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

    /// json-file's `compress`: rotated files become `container.log.N.gz` (gzip, Docker's names),
    /// and `logs` reads across them in order, a tail too.
    @Test func compressedRotationKeepsGzipFilesThatLogsReads() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--name", "packed", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", "--log-opt", "compress=true",
                      "busybox", "sh", "-c", LogDriverTests.writer).expectSuccess()
        let id = try root.cell("inspect", "-f", "{{.Id}}", "packed").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = "\(root.path)/containers/\(id)"
        func files() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("container.log") }.sorted()
        }
        #expect(waitUntil { files() == ["container.log", "container.log.1.gz", "container.log.2.gz"] }, "\(files())")
        let unpacked = try Command.run("/bin/gzip", ["-dc", "\(directory)/container.log.1.gz"])
        #expect(unpacked.status == 0 && unpacked.lines.allSatisfy { $0.hasPrefix("{\"log\":\"line-") }, "\(unpacked.stdout.prefix(200))")
        let log = try root.cell("logs", "packed").lines
        #expect(log.last == "line-199-padding-padding-padding")
        let numbers = log.compactMap { Int($0.split(separator: "-")[1]) }
        #expect(numbers.count > 40 && numbers == Array(numbers[0]...199), "in order, across the compressed files")
        #expect(try root.cell("logs", "--tail", "40", "packed").lines == (160...199).map { "line-\($0)-padding-padding-padding" })
        try root.cell("rm", "packed").expectSuccess()
        try expectNothingLeft(root)
    }

    /// A disk that fills under the log: the container runs on and answers exec, the lines that
    /// could not be written are lost whole (no cut line in the file), and once there is room the
    /// log says how much was lost and why before it goes on.
    @Test func aFullDiskUnderTheLogLosesLinesNotTheContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "full", "busybox", "sh", "-c",
                      "i=0; while [ $i -lt 20000 ]; do echo line-$i-padding-padding-padding-padding; i=$((i+1)); done; exec sleep 1000").expectSuccess()
        let id = try root.cell("inspect", "-f", "{{.Id}}", "full").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The container's folder moves onto a 512 KiB tmpfs mounted over it; unmounted, the
        // folder underneath is as it was.
        let directory = "\(root.path)/containers/\(id)", saved = root.file("saved")
        try Command.run("/bin/cp", ["-a", directory, saved]).expectSuccess()
        try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", directory]).expectSuccess()
        var mounted = true
        defer { if mounted { _ = try? Command.run("/bin/umount", ["-l", directory]) } }
        try Command.run("/bin/sh", ["-c", "cp -a \"$1\"/. \"$2\"/", "sh", saved, directory]).expectSuccess()
        try root.cell("start", "full").expectSuccess()
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "full").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitUntil(timeout: 60) { ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").hasPrefix("sleep") },
                "the writer got through all its output")
        #expect(try root.cell("exec", "full", "echo", "alive").stdout == "alive\n")
        let log = "\(directory)/container.log"
        let kept = try String(contentsOfFile: log, encoding: .utf8)
        #expect(kept.hasSuffix("}\n") && kept.split(separator: "\n").allSatisfy { $0.hasPrefix("{\"log\":") && $0.hasSuffix("}") },
                "only whole lines in the file")
        // Room again: the next line comes after a word on what was lost.
        try Command.run("/usr/bin/truncate", ["-s", "0", log]).expectSuccess()
        try root.cell("exec", "full", "sh", "-c", "echo after > /proc/1/fd/1").expectSuccess()
        #expect(waitUntil { (try? root.cell("logs", "full").stdout.hasSuffix("after\n")) ?? false })
        // The word comes with the first write that fits: a small one while the disk was still
        // nearly full, or the one after the truncation.
        let said = kept + (try root.cell("logs", "full").stderr)
        #expect(said.contains("cell: ") && said.contains("bytes of the container's output could not be logged")
                && said.contains("No space left on device"), "\(said.suffix(400))")
        try root.cell("stop", "-t", "0", "full").expectSuccess()
        try Command.run("/bin/umount", [directory]).expectSuccess()
        mounted = false
        try? FileManager.default.removeItem(atPath: saved)
        try root.cell("rm", "-f", "full").expectSuccess()
        try expectNothingLeft(root)
    }

    /// syslog over TLS (`tcp+tls`) against rsyslog's gtls driver, which asks for a client
    /// certificate: the receiver's certificate is checked against the given CA (a stranger's
    /// fails the start), not at all with `syslog-tls-skip-verify`; RFC 5424 goes octet-counted.
    @Test func syslogOverTLSChecksTheReceiver() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let certificates = try TestCertificates(), stranger = try TestCertificates()
        let output = root.file("received")
        let port = try LocalRegistry.freePort()
        let configuration = """
        global(workDirectory="\(root.scratch)" DefaultNetstreamDriver="gtls"
               DefaultNetstreamDriverCAFile="\(certificates.authority)"
               DefaultNetstreamDriverCertFile="\(certificates.serverCertificate)"
               DefaultNetstreamDriverKeyFile="\(certificates.serverKey)")
        module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/certvalid")
        input(type="imtcp" Address="127.0.0.1" Port="\(port)")
        template(name="seen" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%|%msg%|\\n")
        *.* action(type="omfile" file="\(output)" template="seen")
        """
        try configuration.write(toFile: root.file("rsyslog.conf"), atomically: true, encoding: .utf8)
        let receiver = try ChildProcess("/usr/sbin/rsyslogd", ["-n", "-f", root.file("rsyslog.conf"), "-i", root.file("rsyslog.pid")], captureOutput: false)
        defer { kill(receiver.pid, SIGTERM); _ = receiver.waitForExit() }
        #expect(waitUntil { LocalRegistry.accepts(port: port) })
        func driver(authority: String, _ more: String...) -> [String] {
            ["--log-driver", "syslog", "--log-opt", "syslog-address=tcp+tls://127.0.0.1:\(port)", "--log-opt", "syslog-format=rfc5424",
             "--log-opt", "tag={{.Name}}", "--log-opt", "syslog-tls-ca-cert=\(authority)",
             "--log-opt", "syslog-tls-cert=\(certificates.clientCertificate)", "--log-opt", "syslog-tls-key=\(certificates.clientKey)"]
                + more.flatMap { ["--log-opt", $0] }
        }
        try root.cell(["run", "--name", "signed"] + driver(authority: certificates.authority) + ["busybox", "sh", "-c", "echo one; echo two >&2"]).expectSuccess()
        let refused = try root.cell(["run", "--name", "doubting"] + driver(authority: stranger.authority) + ["busybox", "echo", "never"])
        #expect(refused.status == 125 && refused.stderr.hasPrefix("Error: failed to initialize logging driver: tls: failed to verify certificate:")
                && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        try root.cell(["run", "--name", "trusting"] + driver(authority: stranger.authority, "syslog-tls-skip-verify=true")
                      + ["busybox", "echo", "three"]).expectSuccess()
        func received() -> [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        #expect(waitUntil { received().count == 3 }, "\(received())")
        let lines = received()
        #expect(lines.contains { $0.hasPrefix("daemon.info signed[") && $0.hasSuffix("]|one|") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("daemon.err signed[") && $0.hasSuffix("]|two|") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("daemon.info trusting[") && $0.hasSuffix("]|three|") }, "\(lines)")
        #expect(!lines.contains { $0.contains("never") })
        try root.cell("rm", "signed", "doubting", "trusting").expectSuccess()
        try expectNothingLeft(root)
    }

    /// The journald driver against Debian's systemd-journald, started for the test in a mount
    /// namespace of its own (its sockets and journal on tmpfs, the host's journal untouched):
    /// what journalctl shows of the entries (Docker's fields, priorities, the partial last line).
    @Test func journaldGetsDockersFields() throws {
        let journald = "/lib/systemd/systemd-journald"
        guard FileManager.default.isExecutableFile(atPath: journald) else {
            print("skipped: no \(journald) on this host (Debian's systemd package) to receive the journald driver's entries")
            return
        }
        let root = try CellRoot()
        try root.importBusybox()
        if !FileManager.default.fileExists(atPath: "/run/systemd/journal/socket") {
            let refused = try root.cell("run", "--rm", "--log-driver", "journald", "busybox", "true")
            #expect(refused.status == 125 && refused.stderr == "Error: failed to initialize logging driver: journald is not enabled on this host\n",
                    "\(refused.stderr)")
        }
        let script = """
            set -e
            for d in /run/systemd /run/log /var/log/journal; do mkdir -p $d; mount -t tmpfs tmpfs $d; done
            mkdir -p /run/systemd/journal
            \(journald) & journal=$!
            trap 'kill $journal; wait $journal 2>/dev/null || true' EXIT
            i=0; until [ -S /run/systemd/journal/socket ]; do i=$((i+1)); [ $i -lt 100 ] || exit 3; sleep 0.05; done
            "$1" run --name jd --label app=web --log-driver journald --log-opt labels=app --log-opt tag='{{.Name}}/t' \
                busybox sh -c 'echo out; echo err >&2; printf last' >/dev/null 2>&1
            { "$1" logs jd 2>&1; echo; } | sed 's/^/logs: /'
            "$1" rm jd >/dev/null
            i=0; until [ "$(journalctl --no-pager -q CONTAINER_NAME=jd | wc -l)" -ge 3 ]; do i=$((i+1)); [ $i -lt 100 ] || exit 4; sleep 0.05; done
            journalctl --no-pager -o json CONTAINER_NAME=jd
            """
        let result = try Command.run("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", Paths.cell],
                                     environment: ["CELL_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        let logs = result.lines.filter { $0.hasPrefix("logs: ") }
        #expect(Set(logs) == ["logs: out", "logs: err", "logs: last"], "Docker's dual logging: logs reads the local copy (\(logs))")
        let entries = result.lines.filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(entries.count == 3)
        let id = entries.first?["CONTAINER_ID_FULL"] as? String ?? ""
        for entry in entries {
            #expect(entry["CONTAINER_NAME"] as? String == "jd" && entry["CONTAINER_TAG"] as? String == "jd/t"
                    && entry["SYSLOG_IDENTIFIER"] as? String == "jd/t" && entry["IMAGE_NAME"] as? String == "busybox"
                    && entry["APP"] as? String == "web" && entry["CONTAINER_ID"] as? String == String(id.prefix(12)) && id.count == 64,
                    "\(entry)")
        }
        let byMessage = Dictionary(entries.map { (($0["MESSAGE"] as? String) ?? "", $0) }) { first, _ in first }
        #expect(byMessage["out"]?["PRIORITY"] as? String == "6" && byMessage["err"]?["PRIORITY"] as? String == "3")
        #expect(byMessage["last"]?["CONTAINER_PARTIAL_MESSAGE"] as? String == "true" && byMessage["out"]?["CONTAINER_PARTIAL_MESSAGE"] == nil)
        try expectNothingLeft(root)
    }

    @Test func syslogOptionsAreCheckedBeforeAnythingIsMade() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for (options, message) in [
            (["syslog-address=unix:///nonexistent/log"], "Error: stat /nonexistent/log: No such file or directory\n"),
            (["syslog-address=http://127.0.0.1"], "Error: logger: unsupported scheme in syslog-address 'http://127.0.0.1' (unix, unixgram, tcp, udp and tcp+tls)\n"),
            (["syslog-address=tcp://127.0.0.1:99999"], "Error: logger: invalid syslog-address 'tcp://127.0.0.1:99999'\n"),
            (["syslog-facility=local9"], "Error: logger: invalid syslog facility\n"),
            (["syslog-format=rfc9999"], "Error: logger: Invalid syslog format\n"),
            (["tag={{.Secret}}"], "Error: logger: invalid tag template {{.Secret}}: no field .Secret (.Command, .DaemonName, .FullID, .ID, .ImageFullID, .ImageID, .ImageName, .Name)\n"),
            (["tag={{.Name"], "Error: logger: invalid tag template {{.Name: unclosed action\n"),
            (["max-size=1m"], "Error: logger: unknown log opt 'max-size' for syslog log driver\n"),
            // A newline in the tag would end a message early and forge the next one on a stream.
            (["tag=x\nforged"], "Error: logger: the tag may not hold control characters\n"),
            (["syslog-address=tcp+tls://127.0.0.1:6514", "syslog-tls-ca-cert=/nonexistent/ca.pem"],
             "Error: logger: syslog-tls-ca-cert /nonexistent/ca.pem: No such file or directory\n"),
            (["syslog-address=tcp+tls://127.0.0.1:6514", "syslog-tls-cert=/etc/hostname"],
             "Error: logger: syslog-tls-cert and syslog-tls-key go together\n"),
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
