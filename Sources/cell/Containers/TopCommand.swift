import ArgumentParser
import CellContainers
import CellCore
import CellFormat

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container.")

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var container: String

    @Argument(parsing: .captureForPassthrough, help: "[ps OPTIONS] (default: the columns of ps -ef)")
    var psOptions: [String] = []

    func run() throws {
        let table = TableWriter(minWidth: 20, padding: 3)
        try DaemonError.reporting {
            let container = try GlobalOptions.containerStore().resolve(container)
            if psOptions.isEmpty {
                table.addRow(Container.processTitles)
                try container.processes().forEach { table.addRow($0.columns) }
            } else {
                let (titles, rows) = try container.processes(psArguments: psOptions)
                table.addRow(titles)
                rows.forEach { table.addRow($0) }
            }
        }
        print(table.render(), terminator: "")
    }
}
