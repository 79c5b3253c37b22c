#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore

/// `docker rename CONTAINER NEW_NAME`. Docker's CLI prints the daemon's error, then a line of
/// its own naming the container, and exits 1.
struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename a container", usage: "cell rename CONTAINER NEW_NAME")

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    @Argument(help: "NEW_NAME")
    var newName: String

    func run() throws {
        let oldName = container.trimmedWhitespace
        let wanted = newName.trimmedWhitespace
        guard !oldName.isEmpty, !wanted.isEmpty else {
            Output.error("Error: Neither old nor new names may be empty")
            throw ExitCode(1)
        }
        do {
            try GlobalOptions.containerStore().rename(oldName, to: wanted)
        } catch let error as CellError {
            Output.error("Error response from daemon: \(error.message)")
            Output.error("Error: failed to rename container named \(oldName)")
            throw ExitCode(1)
        }
    }
}
