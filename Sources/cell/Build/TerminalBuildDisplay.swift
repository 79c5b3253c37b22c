#if canImport(Glibc)
import Glibc
#endif
import CellBuild
import CellCore

/// `--progress=tty` (and auto on a terminal): the build's steps redrawn in place on stderr, as
/// BuildKit's tty display does. The build reports its events from its own thread; a thread of
/// ours redraws every 100 ms (the clocks move even when nothing is reported), so a step that
/// floods its output costs ten frames a second, no more. Each frame goes back up over the
/// last one (`ESC[nA`), rewrites each line (`ESC[K` clears what is left of the old one) and
/// clears whatever the last frame had below (`ESC[J`); the cursor is hidden while it draws.
final class TerminalBuildDisplay: @unchecked Sendable {
    static let period = 0.1

    private let fd: Int32
    private let colors: Bool
    private var board: BuildBoard
    /// Guards `board` and `stopping`, which the build's thread and ours both touch.
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var stopping = false
    private var ticker: pthread_t?
    /// How many lines the last frame drew: how far up the next one starts. Only the drawing
    /// thread (ours, then the caller's after `finish`'s join) touches it.
    private var drawnLines = 0

    /// `fd`: the terminal (stderr). NO_COLOR in the environment draws without colors.
    init(fd: Int32 = 2) {
        self.fd = fd
        colors = getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true
        board = BuildBoard(startTime: Deadline.monotonicNow())
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&wake)
        pthread_mutex_destroy(&mutex)
    }

    /// The progress the builder reports to: events kept for the next frame, RUN output too.
    var progress: BuildProgress {
        BuildProgress(commandOutput: .events) { [self] event in
            pthread_mutex_lock(&mutex)
            board.apply(event, at: Deadline.monotonicNow())
            pthread_mutex_unlock(&mutex)
        }
    }

    /// Starts redrawing.
    func start() {
        // No thread: the final frame alone, at the end.
        ticker = try? NativeThread.start { self.redrawUntilStopped() }.get()
    }

    /// Stops redrawing and draws the final frame: every step, the header FINISHED when all
    /// are done; then, below it, the last lines of a RUN that failed.
    func finish() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_signal(&wake)
        pthread_mutex_unlock(&mutex)
        if let ticker { pthread_join(ticker, nil) }
        ticker = nil
        draw(final: true)
        for row in board.rows where row.failed && !row.lastLines.isEmpty {
            Output.error(PlainBuildDisplay.failureReport(row.step, row.lastLines))
        }
    }

    private func redrawUntilStopped() {
        pthread_mutex_lock(&mutex)
        var deadline = timespec()
        while !stopping {
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            deadline.tv_nsec += Int(TerminalBuildDisplay.period * 1e9)
            if deadline.tv_nsec >= 1_000_000_000 {
                deadline.tv_sec += 1
                deadline.tv_nsec -= 1_000_000_000
            }
            while !stopping && pthread_cond_timedwait(&wake, &mutex, &deadline) == 0 {}
            if stopping { break }
            pthread_mutex_unlock(&mutex)
            draw(final: false)
            pthread_mutex_lock(&mutex)
        }
        pthread_mutex_unlock(&mutex)
    }

    private func draw(final: Bool) {
        let (rows, columns) = TerminalSize.of(fd) ?? (24, 80)
        pthread_mutex_lock(&mutex)
        let lines = board.isEmpty ? [] : board.frame(width: Int(columns), height: Int(rows), now: Deadline.monotonicNow(), final: final, colors: colors)
        pthread_mutex_unlock(&mutex)
        guard !lines.isEmpty else { return }
        var text = "\u{1B}[?25l"
        if drawnLines > 0 { text += "\r\u{1B}[\(drawnLines)A" }
        for line in lines { text += line + "\u{1B}[K\n" }
        text += "\u{1B}[J\u{1B}[?25h"
        drawnLines = lines.count
        _ = Syscall.writeAll(fd, Array(text.utf8)[...])
    }
}
