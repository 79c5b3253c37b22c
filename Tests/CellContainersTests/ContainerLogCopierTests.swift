#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing
@testable import CellContainers

/// A log file in a temporary directory and two files standing in for stdout and stderr.
private final class LogFixture {
    let directory: String
    var log: String { "\(directory)/container.log" }
    let stdout: Int32
    let stderr: Int32

    init() throws {
        var template = Array("/tmp/cell-log-test.XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        stdout = open("\(directory)/out", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        stderr = open("\(directory)/err", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    }

    deinit {
        close(stdout)
        close(stderr)
        try? FileSystem.removeTree(directory)
    }

    func append(_ text: String, _ stream: ContainerLogWriter.Stream = .stdout, at seconds: Int64 = 1_700_000_000) throws {
        try append(bytes: ContainerLogWriter.entry(Array(text.utf8)[...], stream: stream, time: Timestamp(seconds: seconds, nanoseconds: 5)))
    }

    func append(bytes: [UInt8]) throws {
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        defer { close(fd) }
        #expect(Syscall.writeAll(fd, bytes[...]))
    }

    func written(_ stream: ContainerLogWriter.Stream) throws -> String {
        String(decoding: try FileSystem.readFile("\(directory)/\(stream == .stdout ? "out" : "err")"), as: UTF8.self)
    }

    func copier(_ selection: LogSelection = LogSelection()) -> ContainerLogCopier {
        ContainerLogCopier(path: log, selection: selection, stdout: stdout, stderr: stderr)
    }

    /// Everything in the log now, through a new copier.
    @discardableResult
    func copyAll(_ selection: LogSelection = LogSelection()) -> Int? {
        var copier = copier(selection)
        return copier.copyAvailable()
    }
}

@Test func logTextComesBackAsWritten() throws {
    let fixture = try LogFixture()
    let texts = ["plain\n", "quote \" backslash \\ tab\t cr\r\n", "<html> & \u{2028}\n", "bell \u{07} nul \u{00}\n",
                 "unicode é ✓ 🐧\n", "no newline at the end"]
    for text in texts { try fixture.append(text) }
    #expect(fixture.copyAll() == texts.count)
    #expect(try fixture.written(.stdout) == texts.joined())
}

@Test func streamsGoToTheirOwnDescriptors() throws {
    let fixture = try LogFixture()
    try fixture.append("out 1\n")
    try fixture.append("err 1\n", .stderr)
    try fixture.append("out 2\n")
    fixture.copyAll()
    #expect(try fixture.written(.stdout) == "out 1\nout 2\n")
    #expect(try fixture.written(.stderr) == "err 1\n")
}

@Test func tailShowsTheLastLines() throws {
    let fixture = try LogFixture()
    for number in 1...5000 { try fixture.append("line \(number)\n") }
    fixture.copyAll(LogSelection(tail: 3))
    #expect(try fixture.written(.stdout) == "line 4998\nline 4999\nline 5000\n")
}

@Test func tailOfZeroShowsNothingAndTailBeyondTheStartShowsAll() throws {
    let fixture = try LogFixture()
    for number in 1...3 { try fixture.append("line \(number)\n") }
    fixture.copyAll(LogSelection(tail: 0))
    #expect(try fixture.written(.stdout) == "")
    fixture.copyAll(LogSelection(tail: 10))
    #expect(try fixture.written(.stdout) == "line 1\nline 2\nline 3\n")
}

@Test func sinceAndUntilSelectByTime() throws {
    let fixture = try LogFixture()
    for second in Int64(0)..<5 { try fixture.append("at \(second)\n", at: 1_700_000_000 + second) }
    let selection = LogSelection(since: Timestamp(seconds: 1_700_000_001), until: Timestamp(seconds: 1_700_000_003, nanoseconds: 10))
    fixture.copyAll(selection)
    #expect(try fixture.written(.stdout) == "at 1\nat 2\nat 3\n")
}

@Test func timestampsPrefixEachLine() throws {
    let fixture = try LogFixture()
    try fixture.append("hello\n")
    fixture.copyAll(LogSelection(timestamps: true))
    #expect(try fixture.written(.stdout) == "2023-11-14T22:13:20.000000005Z hello\n")
}

@Test func aLineStillBeingWrittenWaitsForItsNewline() throws {
    let fixture = try LogFixture()
    let line = ContainerLogWriter.entry(Array("split\n".utf8)[...], stream: .stdout, time: Timestamp(seconds: 1))
    var copier = fixture.copier()
    try fixture.append(bytes: Array(line[..<20]))
    #expect(copier.copyAvailable() == 0)
    try fixture.append(bytes: Array(line[20...]))
    #expect(copier.copyAvailable() == 1)
    #expect(try fixture.written(.stdout) == "split\n")
}

@Test func malformedLinesAreSkipped() throws {
    let fixture = try LogFixture()
    try fixture.append(bytes: Array("garbage\n{\"log\":\"torn\n".utf8))
    try fixture.append("good\n")
    #expect(fixture.copyAll() == 3)
    #expect(try fixture.written(.stdout) == "good\n")
}

@Test func aMissingLogIsEmpty() throws {
    let fixture = try LogFixture()
    #expect(fixture.copyAll() == 0)
}

/// `logs -t` prints nine fractional digits, as Docker's RFC3339NanoFixed does, whatever the
/// stored time trimmed.
@Test func timestampsHaveNineFractionalDigits() {
    func fixed(_ time: String) -> String {
        var output: [UInt8] = []
        Array(time.utf8).withUnsafeBufferPointer { ContainerLogCopier.appendFixedNanoseconds($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }
    #expect(fixed("2026-12-04T21:56:56.3707Z") == "2026-12-04T21:56:56.370700000Z")
    #expect(fixed("2026-12-04T21:56:56.370778581Z") == "2026-12-04T21:56:56.370778581Z")
    #expect(fixed("2026-12-04T21:56:56Z") == "2026-12-04T21:56:56.000000000Z")
    #expect(fixed("2026-12-04T21:56:56.5+01:00") == "2026-12-04T21:56:56.500000000+01:00")
}
