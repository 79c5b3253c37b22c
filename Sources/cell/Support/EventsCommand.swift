import ArgumentParser
import CellCore
import CellEvents
import CellFormat

/// `cell events`: what the store's journal holds since `--since`, then each new event as it is
/// recorded (until `--until`, or an interrupt), in Docker's text or through `--format`.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Get real time events from cell.")

    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided (type=, event=, container=, image=, label=, volume=).")
    var filter: [String] = []

    @Option(help: "Format output using a custom template ('json', or a Go template).")
    var format: String?

    @Option(help: "Show all events created since timestamp.")
    var since: String?

    @Option(help: "Stream events until this timestamp.")
    var until: String?

    func run() throws {
        let now = Timestamp.now()
        let start = try since.map { text in try DaemonError.reporting { try TimeArgument.parse(text, now: now) } }
        let end = try until.map { text in try DaemonError.reporting { try TimeArgument.parse(text, now: now) } }
        let filter = try DaemonError.reporting { try EventFilter(self.filter) }
        let template = try format.flatMap { $0 == "json" ? nil : try GoTemplate($0) }
        let json = format == "json"
        func show(_ event: Event) throws {
            guard filter.admits(event) else { return }
            if json {
                Output.line(event.json.serialized(indent: nil, escapingHTML: false))
            } else if let template {
                Output.line(try template.render(event.json))
            } else {
                Output.line(event.text)
            }
            Output.flush()
        }
        let (past, offset) = EventJournal.read(root: GlobalOptions.root)
        // Without --since, only what happens from now on (as Docker); --until alone looks back.
        if start != nil || end != nil {
            for event in past where event.time >= (start ?? Timestamp(seconds: 0)) && event.time <= (end ?? now) { try show(event) }
        }
        if let end, end <= now { return }
        var failure: (any Error)?
        try EventJournal.follow(root: GlobalOptions.root, from: offset, until: end) { event in
            do { try show(event) } catch { failure = error; return false }
            return true
        }
        if let failure { throw failure }
    }
}
