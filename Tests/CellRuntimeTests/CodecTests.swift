import CellCore
@testable import CellRuntime
import Testing
@testable import CellPrivileges

@Suite struct CodecTests {
    static let overlaySpec = ContainerSpec(
        id: "0123456789abcdef0123",
        rootFilesystem: .overlay(.init(lowerDirectories: ["/l/top", "/l/base:with,colon"], upperDirectory: "/c/upper",
                                       workDirectory: "/c/work", mergedDirectory: "/c/merged")),
        process: .init(arguments: ["sh", "-c", "echo 'a b'\nexit 3", ""], environment: ["PATH=/bin", "X=a=b"],
                       workingDirectory: "/srv", uid: 1000, gid: 100, additionalGids: [10, 20], terminal: true),
        hostname: "web", network: .none,
        mounts: [.bind(source: "/host/data", destination: "/data", access: .readOnly), .tmpfs(destination: "/run", options: "size=1m")],
        readOnlyRootFilesystem: true, hostsFile: "/c/hosts", hostnameFile: "/c/hostname", resolvConfFile: "/c/resolv.conf",
        cgroupParent: "cell-x", cgroupName: "name", maskedPaths: [], readOnlyPaths: ["/proc/sys"],
        ports: [.init(hostAddress: "127.0.0.1", hostPort: 8080, containerPort: 80)],
        autoRemove: true, nameLink: "/var/lib/cell/container-names/web")

    @Test func seccompPoliciesRoundTripAndCompile() throws {
        var spec = ContainerSpec(id: "abc", rootFilesystem: .directory("/r"), process: .init(arguments: ["true"]))
        #expect(try ContainerSpec(decoding: spec.encoded()).process.seccomp == .dockerDefault)
        spec.process.seccomp = .unconfined
        #expect(try ContainerSpec(decoding: spec.encoded()).process.seccomp == .unconfined)
        let custom = SeccompProfile(defaultAction: .errno(38), rules: [
            .init(["read", "write"]),
            .init(["personality"], arguments: [.init(index: 0, value: 8, op: .equal)], excludesCapabilities: ["CAP_SYS_ADMIN"]),
            .init(["kill"], action: .log, includesCapabilities: ["CAP_KILL"]),
        ])
        spec.process.seccomp = .custom(custom)
        #expect(try ContainerSpec(decoding: spec.encoded()).process.seccomp == .custom(custom))
        let program = try SeccompFilter.compile(.dockerDefault, capabilities: .dockerDefault)
        #expect(program.count > 8 && program.count % 8 == 0)
        #expect(try SeccompFilter.compile(.dockerDefault, capabilities: .all) != program, "capabilities change the filter")
    }

    @Test func specRoundTrips() throws {
        let decoded = try ContainerSpec(decoding: CodecTests.overlaySpec.encoded())
        #expect(decoded == CodecTests.overlaySpec)
        let plain = ContainerSpec(id: "abc", rootFilesystem: .directory("/r"), process: .init(arguments: ["true"]))
        let decodedPlain = try ContainerSpec(decoding: plain.encoded())
        #expect(decodedPlain == plain)
        #expect(decodedPlain.maskedPaths == ContainerSpec.defaultMaskedPaths)
        #expect(decodedPlain.hostname == "abc")
    }

    @Test func processSettingsRoundTripAndOldSpecsReadWithDockersDefaults() throws {
        var spec = ContainerSpec(id: "abc", rootFilesystem: .directory("/r"), process: .init(arguments: ["true"]))
        spec.process.ulimits = [Ulimit(name: "core", soft: 0, hard: -1), Ulimit(name: "nofile", soft: 100, hard: 200)]
        spec.process.oomScoreAdjustment = -500
        spec.sysctls = ["net.ipv4.ip_forward": "1", "kernel.sem": "250 32000 100 128"]
        spec.shmSize = 1 << 30
        let decoded = try ContainerSpec(decoding: spec.encoded())
        #expect(decoded == spec)

        // A spec written before these records: no limits, no sysctls, Docker's 64 MiB /dev/shm.
        var writer = RecordWriter()
        try writer.append("cell-spec", "1")
        try writer.append("id", "old")
        try writer.append("root", "/r")
        try writer.append("arg", "true")
        let old = try ContainerSpec(decoding: writer.bytes)
        #expect(old.process.ulimits.isEmpty && old.process.oomScoreAdjustment == nil)
        #expect(old.sysctls.isEmpty && old.shmSize == 67_108_864)

        var bad = RecordWriter()
        try bad.append("cell-spec", "1")
        try bad.append("ulimit", ["as", "1", "1"])
        #expect(throws: CellError.self) { try ContainerSpec(decoding: bad.bytes) }
    }

    @Test func sysctlKeysBecomePathsBelowProcSys() {
        #expect(ContainerSpec.sysctlPath("net.ipv4.ip_forward") == "net/ipv4/ip_forward")
        #expect(ContainerSpec.sysctlPath("kernel.shm_rmid_forced") == "kernel/shm_rmid_forced")
        // runc's rule: in a dotted key a slash stands for a dot (a VLAN interface's name).
        #expect(ContainerSpec.sysctlPath("net.ipv4.conf.eth0/100.rp_filter") == "net/ipv4/conf/eth0.100/rp_filter")
        #expect(ContainerSpec.sysctlPath("net/ipv4/conf/eth0.100/rp_filter") == "net/ipv4/conf/eth0.100/rp_filter")
        for escape in ["net...x", "net.ipv4..ip_forward", "net.", "", "net/../kernel/panic", "net/ipv4/./x", "/net/ipv4"] {
            #expect(ContainerSpec.sysctlPath(escape) == nil, "\(escape)")
        }
    }

    /// --cgroups=disabled is one record, written only then: a spec without it (every spec from
    /// before the flag) has cgroups; a mode this reader does not know is refused.
    @Test func cgroupsModeRoundTripsAndOlderSpecsHaveCgroups() throws {
        var spec = ContainerSpec(id: "abc", rootFilesystem: .directory("/r"), process: .init(arguments: ["true"]))
        #expect(try !String(decoding: spec.encoded(), as: UTF8.self).contains("cgroups"))
        #expect(try ContainerSpec(decoding: spec.encoded()).cgroups == .enabled)
        spec.cgroups = .disabled
        let decoded = try ContainerSpec(decoding: spec.encoded())
        #expect(decoded.cgroups == .disabled)
        #expect(decoded == spec)
        var writer = RecordWriter()
        try writer.append("cell-spec", "1")
        try writer.append("id", "abc")
        try writer.append("root", "/r")
        try writer.append("arg", "true")
        try writer.append("cgroups", "split")
        #expect(throws: CellError.self) { try ContainerSpec(decoding: writer.bytes) }
    }

    /// The fluentd driver's settings travel in the spec whole: both address forms, every option,
    /// the extra fields; a field that does not parse is refused.
    @Test func fluentdSettingsRoundTrip() throws {
        var spec = ContainerSpec(id: "abc", rootFilesystem: .directory("/r"), process: .init(arguments: ["true"]))
        for address in [FluentdDestination.Address.tcp(host: "::1", port: 5170), .unix(path: "/run/fluent d.sock")] {
            let fluentd = FluentdDestination(address: address, tag: "web/{{x}}", async: true, bufferLimit: 10, retryWait: 100,
                                             maxRetries: 3, subSecondPrecision: true, writeTimeout: 2500, containerID: "abc",
                                             containerName: "/web", extraFields: ["team": "core", "STAGE": "a=b"])
            spec.logConfiguration = LogConfiguration(driver: .fluentd, maximumSize: 20 << 20, maximumFiles: 5, fluentd: fluentd)
            #expect(try ContainerSpec(decoding: spec.encoded()) == spec)
        }
        let text = String(decoding: try spec.encoded(), as: UTF8.self).replacing("\u{0}2500\u{0}", with: "\u{0}soon\u{0}")
        #expect(throws: CellError.self) { try ContainerSpec(decoding: Array(text.utf8)) }
    }

    @Test func specRejectsTruncatedAndForeignInput() throws {
        var bytes = try CodecTests.overlaySpec.encoded()
        bytes.removeLast(3)
        #expect(throws: CellError.self) { try ContainerSpec(decoding: bytes) }
        #expect(throws: CellError.self) { try ContainerSpec(decoding: Array("hello\0".utf8)) }
        #expect(throws: CellError.self) { try ContainerSpec(decoding: ContainerState().encoded()) }
    }

    @Test func readersSkipUnknownRecords() throws {
        var writer = RecordWriter()
        try writer.append("cell-state", "1")
        try writer.append("future-field", ["a", "b"])
        try writer.append("pid", "42")
        let state = try ContainerState(decoding: writer.bytes)
        #expect(state.pid == 42)
    }

    @Test func stateRoundTripsAndIsWrittenAtomically() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try ContainerState.read(fromContainerDirectory: directory.path) == nil)
        let state = ContainerState(status: .exited, pid: 77, pidStartTime: 123456, exitCode: 137, exitSignal: 9,
                                   startedAt: Timestamp(seconds: 1_714_558_830, nanoseconds: 5),
                                   finishedAt: Timestamp(seconds: 1_714_558_831, nanoseconds: 999_999_999),
                                   oomKilled: true, monitorPid: 76, error: "line one\nline two")
        try state.write(toContainerDirectory: directory.path)
        #expect(try ContainerState.read(fromContainerDirectory: directory.path) == state)
        #expect(try FileSystem.contentsOfDirectory(directory.path) == ["state"])
    }

    @Test func overlayOptionsEscapeSeparators() {
        let options = ProcessSpawner(spec: CodecTests.overlaySpec).overlayOptions
        #expect(options == "lowerdir=/l/top:/l/base\\:with\\,colon,upperdir=/c/upper,workdir=/c/work")
    }

    @Test func syncMessagesRoundTrip() {
        #expect(MonitorSyncMessage(line: MonitorSyncMessage.started(pid: 1234).line) == .started(pid: 1234))
        let notFound = CellError(.commandNotFound, "exec: \"foo\": executable file not found in $PATH")
        #expect(MonitorSyncMessage(line: MonitorSyncMessage.failed(notFound).line) == .failed(notFound))
        let setup = CellError(.setup, "mount overlay on /x: Invalid argument")
        #expect(MonitorSyncMessage(line: MonitorSyncMessage.failed(setup).line) == .failed(setup))
        #expect(MonitorSyncMessage(line: "garbage") == nil)
    }
}

@Suite struct LogFormatTests {
    @Test func entryIsDockerJSONFile() {
        let time = Timestamp(seconds: 1_714_558_830, nanoseconds: 123_456_700)
        let entry = ContainerLogWriter.entry(Array("a \"q\" \\ <b>&\t\u{1}é\n".utf8)[...], stream: .stderr, time: time)
        #expect(String(decoding: entry, as: UTF8.self)
            == "{\"log\":\"a \\\"q\\\" \\\\ \\u003cb\\u003e\\u0026\\t\\u0001é\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:20:30.1234567Z\"}\n")
        let invalid = ContainerLogWriter.entry([0x61, 0xff, 0x0a][...], stream: .stdout, time: Timestamp(seconds: 0))
        #expect(String(decoding: invalid, as: UTF8.self)
            == "{\"log\":\"a\u{FFFD}\\n\",\"stream\":\"stdout\",\"time\":\"1970-01-01T00:00:00Z\"}\n")
    }

    @Test func writerSplitsLinesAndFlushesTheRest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try ContainerLogWriter(path: "\(directory.path)/log") { Timestamp(seconds: 0) }
        try writer.append(Array("one\ntw".utf8)[...], stream: .stdout)
        try writer.append(Array("o\n".utf8)[...], stream: .stdout)
        try writer.append(Array("err".utf8)[...], stream: .stderr)
        try writer.finish(.stderr)
        try writer.append(Array(repeating: UInt8(ascii: "x"), count: ContainerLogWriter.maximumLineLength + 10)[...], stream: .stdout)
        try writer.finish(.stdout)
        let lines = try LogLine.parse(file: "\(directory.path)/log")
        #expect(lines.map(\.text).prefix(3) == ["one\n", "two\n", "err"])
        #expect(lines.map(\.stream).prefix(3) == ["stdout", "stdout", "stderr"])
        #expect(lines.count == 5)
        #expect(lines[3].text.utf8.count == ContainerLogWriter.maximumLineLength)
        #expect(lines[4].text == String(repeating: "x", count: 10))
    }

    @Test func escapingFollowsGoByteByByte() {
        func escaped(_ bytes: [UInt8]) -> String {
            var output: [UInt8] = []
            ContainerLogWriter.appendEscaped(bytes[...], to: &output)
            return String(decoding: output, as: UTF8.self)
        }
        #expect(escaped(Array("\u{2028}x\u{2029}".utf8)) == "\\u2028x\\u2029")
        #expect(escaped(Array("é€😀".utf8)) == "é€😀")
        // Overlong, a surrogate, past U+10FFFF, a lone continuation, a cut sequence: one U+FFFD a byte.
        #expect(escaped([0xc0, 0xaf]) == "\u{FFFD}\u{FFFD}")
        #expect(escaped([0xed, 0xa0, 0x80]) == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(escaped([0xf4, 0x90, 0x80, 0x80]) == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(escaped([0x80, 0x61]) == "\u{FFFD}a")
        #expect(escaped([0xe2, 0x82]) == "\u{FFFD}\u{FFFD}")
    }

    @Test func howOutputIsChunkedDoesNotChangeTheLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var text: [UInt8] = []
        for index in 0..<300 { text += Array("line \(index) \"é\"\t<&>\n".utf8) }
        text += Array(repeating: UInt8(ascii: "y"), count: 3 * ContainerLogWriter.maximumLineLength + 7) + [0x0a]
        var generator = SystemRandomNumberGenerator()
        var logs: [[UInt8]] = []
        for run in 0..<3 {
            let path = "\(directory.path)/log\(run)"
            let writer = try ContainerLogWriter(path: path) { Timestamp(seconds: 0) }
            var start = 0
            while start < text.count {
                let end = run == 0 ? text.count : min(text.count, start + Int.random(in: 1...5000, using: &generator))
                try writer.append(text[start..<end], stream: .stdout)
                start = end
            }
            try writer.finish(.stdout)
            logs.append(try FileSystem.readFile(path))
        }
        #expect(logs[0] == logs[1] && logs[1] == logs[2])
        let lines = try LogLine.parse(file: "\(directory.path)/log0")
        #expect(lines.count == 304)
        #expect(lines[299].text == "line 299 \"é\"\t<&>\n")
        #expect(lines[300...302].allSatisfy { $0.text.utf8.count == ContainerLogWriter.maximumLineLength })
        #expect(lines[303].text == String(repeating: "y", count: 7) + "\n")
    }
}

/// A line of the json-file log, decoded just enough for the tests.
struct LogLine {
    var text: String
    var stream: String
    var time: String

    static func parse(file: String) throws -> [LogLine] {
        let content = String(decoding: try FileSystem.readFile(file), as: UTF8.self)
        return content.split(separator: "\n").map { line in
            LogLine(text: field("log", in: line), stream: field("stream", in: line), time: field("time", in: line))
        }
    }

    /// The unescaped string value of `"key":"..."`.
    private static func field(_ key: String, in line: Substring) -> String {
        let needle = Array("\"\(key)\":\"".unicodeScalars)
        let scalars = Array(line.unicodeScalars)
        guard let at = scalars.indices.first(where: { Array(scalars[$0...].prefix(needle.count)) == needle }) else { return "" }
        var result = ""
        var iterator = scalars[(at + needle.count)...].makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\"" { break }
            guard scalar == "\\", let escaped = iterator.next() else { result.unicodeScalars.append(scalar); continue }
            switch escaped {
            case "n": result += "\n"
            case "t": result += "\t"
            case "r": result += "\r"
            case "u":
                var hex = ""
                for _ in 0..<4 { if let digit = iterator.next() { hex.unicodeScalars.append(digit) } }
                if let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) { result.unicodeScalars.append(decoded) }
            default: result.unicodeScalars.append(escaped)
            }
        }
        return result
    }
}
