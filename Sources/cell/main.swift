#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

// Global options come before the verb (`cell --root DIR images`), as with docker; they are taken
// off here so that each verb parses only its own flags.
var arguments = Array(CommandLine.arguments.dropFirst())
do {
    let words = ShortOptionValues.split(try GlobalOptions.consume(from: arguments))
    arguments = BooleanFlagValues.rewrite(EmptyOptionValues.split(words))
} catch let error as CellError {
    Output.fail(error)
}
exit(CellCommand.main(arguments))
