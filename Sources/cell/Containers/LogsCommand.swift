import ArgumentParser
import CellContainers
import CellCore
import CellFormat

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Fetch the logs of a container.")

    @Flag(name: [.customShort("f"), .long], help: "Follow log output.")
    var follow = false

    @Flag(name: [.customShort("t"), .long], help: "Show timestamps.")
    var timestamps = false

    @Option(name: [.customShort("n"), .long], help: "Number of lines to show from the end of the logs (default \"all\").")
    var tail: String = "all"

    @Option(help: "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes).")
    var since: String?

    @Option(help: "Show logs before a timestamp or relative time.")
    var until: String?

    @Flag(help: "Show extra details provided to logs.")
    var details = false

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    func run() throws {
        let store = try GlobalOptions.containerStore()
        let container = try store.resolve(container)
        let now = Timestamp.now()
        let sinceTime = try since.map { try Self.time($0, now: now) }
        let untilTime = try until.map { try Self.time($0, now: now) }
        var tailCount: Int?
        if tail != "all" {
            guard let count = Int(tail) else { throw CellError.usage("invalid value for --tail: \(tail)") }
            tailCount = count < 0 ? nil : count
        }
        let selection = LogSelection(timestamps: timestamps, since: sinceTime, until: untilTime, tail: tailCount)
        Output.flush()
        try DaemonError.reporting { try store.copyLogs(of: container, selection: selection, follow: follow) }
    }

    /// `--since`/`--until` in any of Docker's forms (`TimeArgument`); a mistake is the flag's.
    static func time(_ text: String, now: Timestamp) throws -> Timestamp {
        do {
            return try TimeArgument.parse(text, now: now)
        } catch {
            throw CellError.usage("invalid time: \(text)")
        }
    }
}
