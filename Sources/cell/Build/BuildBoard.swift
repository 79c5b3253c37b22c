import CellBuild
import CellFormat

/// What the terminal display knows of a build: every step reported so far, in order, with its
/// times and outcome, and the output of the one running. Drawn as BuildKit's tty frames:
///
///     [+] Building 1.6s (7/7) FINISHED
///      => [1/5] FROM busybox                                     0.0s
///      => CACHED [2/5] COPY app /app                             0.0s
///      => [3/5] RUN make                                         1.2s
///      => => # cc -o app main.c
struct BuildBoard {
    struct Row {
        var step: BuildStep
        var started: Double
        var finished: Double?
        var cached = false
        var failed = false
        var output: OutputTail
        /// A failed RUN's last lines (from its log: more than the output tail keeps).
        var lastLines: [String] = []
    }

    /// BuildKit shows a running step's last 6 lines.
    static let outputLines = 6
    /// What a frame keeps free beside an output line's text (BuildKit's termPad).
    static let outputPadding = 10

    let startTime: Double
    private(set) var rows: [Row] = []
    private var planned = 0

    init(startTime: Double) {
        self.startTime = startTime
    }

    mutating func apply(_ event: BuildEvent, at now: Double) {
        switch event {
        case .planned(let steps):
            planned = steps
        case .commandFailed:
            return
        case .started(let step):
            rows.append(Row(step: step, started: now, output: OutputTail(capacity: BuildBoard.outputLines)))
        case .cached(let step):
            rows.append(Row(step: step, started: now, finished: now, cached: true, output: OutputTail(capacity: 0)))
        case .output(let step, let bytes):
            if let index = rows.lastIndex(where: { $0.step.id == step.id }) { rows[index].output.append(bytes) }
        case .finished(let step, let seconds):
            if let index = rows.lastIndex(where: { $0.step.id == step.id }) { rows[index].finished = rows[index].started + seconds }
        case .failed(let step, let lastLines):
            if let index = rows.lastIndex(where: { $0.step.id == step.id }) {
                rows[index].finished = now
                rows[index].failed = true
                rows[index].lastLines = lastLines
            }
        }
    }

    /// Whether the build has reported anything yet (an Imagefile that does not parse fails
    /// before it plans a step: no frame to show for it).
    var isEmpty: Bool { planned == 0 && rows.isEmpty }

    /// The frame's lines, none longer than `width` - 1 (so that none wraps). While the build
    /// runs (`final` false) the frame fits `height`: the newest steps, and the running one's
    /// output if there is room; the final frame has every step and no output.
    func frame(width: Int, height: Int, now: Double, final: Bool, colors: Bool) -> [String] {
        let completed = rows.filter { $0.finished != nil }.count
        let total = max(planned, rows.count)
        var header = "[+] Building \(HumanUnits.fixed(now - startTime, digits: 1))s (\(completed)/\(total))"
        if final && completed == total && total > 0 { header += " FINISHED" }
        var lines = [clip(header, to: width - 1)]

        let running = final ? nil : rows.last { $0.finished == nil }
        var output = running?.output.shown ?? []
        let budget = final ? rows.count : max(1, height - 2)
        // The running step's output only where the steps still show around it.
        if output.count + 4 > budget { output = [] }
        for row in rows.suffix(budget - output.count) {
            guard let line = line(for: row, width: width, now: now) else { continue }
            let color = row.failed ? "\u{1B}[31m" : row.finished != nil ? "\u{1B}[34m" : nil
            lines.append(colors && color != nil ? color! + line + "\u{1B}[0m" : line)
            if row.step.id == running?.step.id {
                for text in output {
                    let shown = " => => # " + clip(text, to: width - BuildBoard.outputPadding)
                    lines.append(colors ? "\u{1B}[2m" + shown + "\u{1B}[0m" : shown)
                }
            }
        }
        return lines
    }

    /// ` => [3/5] RUN make ...   1.2s`: the step's name, cut to fit, and its time at the right.
    private func line(for row: Row, width: Int, now: Double) -> String? {
        var seconds = (row.finished ?? now) - row.started
        if seconds < 0.05 { seconds = 0 }
        var time = HumanUnits.fixed(seconds, digits: 1)
        if time.count < 3 { time = String(repeating: " ", count: 3 - time.count) + time }
        let timer = " \(time)s"
        let prefix = " => "
        let room = width - 1 - timer.count - 1 - prefix.count
        // Too narrow to show a step at all, as BuildKit gives up.
        guard room >= 12 else { return nil }
        var name = row.step.title
        if row.failed { name = "ERROR " + name }
        if row.cached { name = "CACHED " + name }
        let left = prefix + clip(name, to: room)
        return left + String(repeating: " ", count: max(1, width - 1 - timer.count - left.count)) + timer
    }

    private func clip(_ text: String, to count: Int) -> String {
        text.count > count ? String(text.prefix(max(0, count))) : text
    }
}
