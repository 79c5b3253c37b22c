import CellCore
import CellImagefile

/// Applies `--change`/`-c` instructions (`CMD ["sh"]`, `ENV PATH=/bin`, `EXPOSE 80`, ...) to an
/// image's runtime config, as `docker import -c` and `docker commit -c` do: each is read by the
/// Imagefile parser and means what it means in a build (`ConfigInstruction`), its words
/// expanded with the config's own variables.
public enum ConfigChange {
    public static let supported = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL"]

    public static func apply(_ changes: [String], to config: inout ContainerConfig) throws {
        var commandSet = false
        for change in changes {
            let command = try parse(change)
            let context = ConfigInstruction.Context(config: config, commandSetBefore: commandSet)
            guard let instruction = try ConfigInstruction(command, in: context) else { continue }
            instruction.apply(to: &config)
            commandSet = commandSet || instruction.setsCommand
        }
        // A JSON form's "\u0000" is the one way a NUL reaches here from a command line.
        try config.checkForNULBytes(kind: .setup)
    }

    /// One change as the Imagefile parser reads one instruction; errors are usage errors
    /// (exit 125), named without the parser's file and line.
    static func parse(_ change: String) throws -> Command {
        let keyword = String(change.trimmedWhitespace.prefix { !$0.isWhitespace })
        guard supported.contains(keyword.uppercased()) else {
            throw CellError.usage("\(keyword) is not a valid change command")
        }
        do {
            let instructions = try Imagefile(parsing: change, fileName: "--change").instructions
            guard instructions.count == 1 else { throw CellError.usage("\(keyword) is not a valid change command") }
            return try instructions[0].command(fileName: "--change")
        } catch let error as CellError {
            throw CellError.usage(error.message)
        }
    }
}
