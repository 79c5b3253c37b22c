/// Where a build's progress goes: the events and, for RUN steps, how their commands' output
/// travels. `-q` builds with none: the output is only in each RUN container's log.
public struct BuildProgress: Sendable {
    public enum CommandOutput: Sendable {
        /// On our own stdout and stderr, as it comes (the plain display: the monitor writes
        /// there directly).
        case inherited
        /// As `BuildEvent.output` events (a display that draws it where it wants it).
        case events
    }

    public var commandOutput: CommandOutput
    public var report: @Sendable (BuildEvent) -> Void

    public init(commandOutput: CommandOutput, report: @escaping @Sendable (BuildEvent) -> Void) {
        self.commandOutput = commandOutput
        self.report = report
    }
}
