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
            (["--log-driver", "syslog"], "Error: logger: cell has no syslog logging driver yet (json-file, local and none)\n"),
            (["--log-opt", "colour=red"], "Error: logger: unknown log opt 'colour' for json-file log driver\n"),
            (["--log-driver", "none", "--log-opt", "max-size=1m"], "Error: logger: unknown log opt 'max-size' for none log driver\n"),
            (["--log-opt", "max-file=0"], "Error: logger: max-file cannot be less than 1\n"),
            (["--link", "db:db"], "Error: --link: links need a network that containers share, and cell's containers have none yet\n"),
        ] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        try root.cell("rm", "silent").expectSuccess()
        try expectNothingLeft(root)
    }
}
