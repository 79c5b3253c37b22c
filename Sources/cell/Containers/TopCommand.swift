import ArgumentParser
import CellContainers
import CellCore
import CellFormat

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container.")

    @Argument(help: "CONTAINER")
    var container: String

    @Argument(parsing: .captureForPassthrough, help: "[ps OPTIONS] (ignored: ps -ef columns are shown)")
    var psOptions: [String] = []

    func run() throws {
        let rows = try DaemonError.reporting {
            try GlobalOptions.containerStore().resolve(container).processes()
        }
        let table = TableWriter(minWidth: 20, padding: 3)
        table.addRow(Container.processTitles)
        rows.forEach { table.addRow($0.columns) }
        print(table.render(), terminator: "")
    }
}
