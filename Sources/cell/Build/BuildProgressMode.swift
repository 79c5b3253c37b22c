#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// `build --progress`, as `docker buildx build` reads it: `auto` (tty on a terminal, else
/// plain; BUILDKIT_PROGRESS decides when set), `plain`, `tty` (a terminal or an error),
/// `quiet` (the image id alone, as -q), and `rawjson`, which cell shows as plain.
enum BuildProgressMode: String {
    case auto, plain, tty, quiet, rawjson

    /// How a build shows itself: its progress on stderr as lines or redrawn in place, or not
    /// at all (then its id is the output).
    enum Display { case plain, terminal, quiet }

    /// The display for `--progress given` with `-q` (`quiet`), stderr being `terminal` or not.
    /// Errors as buildx words them (and exits 1).
    static func display(given: String, quiet: Bool, terminal: Bool, environment: String? = nil) throws -> Display {
        guard var mode = BuildProgressMode(rawValue: given) else { throw CellError.invalidInput("invalid progress mode \(given)") }
        if quiet || mode == .quiet {
            guard mode == .auto || mode == .quiet else {
                throw CellError.invalidInput("progress=\(given) and quiet cannot be used together")
            }
            return .quiet
        }
        // BUILDKIT_PROGRESS stands in for auto (not for -q, decided above).
        if mode == .auto, let environment, !environment.isEmpty {
            guard let chosen = BuildProgressMode(rawValue: environment) else { throw CellError.invalidInput("invalid progress mode \(environment)") }
            mode = chosen
        }
        switch mode {
        case .auto: return terminal ? .terminal : .plain
        case .tty:
            // containerd's console, which buildx asks for the terminal.
            guard terminal else { throw CellError.invalidInput("failed to get console: provided file is not a console") }
            return .terminal
        case .quiet: return .quiet
        case .plain, .rawjson: return .plain
        }
    }
}
