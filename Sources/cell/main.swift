#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

PhaseTrace.start(process: "cell")
var arguments = Array(CommandLine.arguments.dropFirst())
// A shell's TAB (the scripts of `cell completion`) asks before anything is taken off or parsed:
// its words are a line being typed, global options and all.
if arguments.first == "__complete" {
    exit(CommandLineCompletion.run(Array(arguments.dropFirst())))
}
// Global options come before the verb (`cell --root DIR images`), as with docker; they are taken
// off here so that each verb parses only its own flags.
do {
    arguments = try GlobalOptions.consume(from: arguments)
} catch let error as CellError {
    Output.fail(error)
}
PhaseTrace.mark("global options taken")
let status = CellCommand.main(arguments)
PhaseTrace.mark("command done")
exit(status)
