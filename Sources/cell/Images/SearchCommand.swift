import ArgumentParser
import CellCore
import CellFormat
import CellPresentation
import CellRegistry

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search for images in a registry ([REGISTRY/]TERM; a registry without a search lists its catalog).")

    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided (stars=N, is-official=true|false).")
    var filter: [String] = []

    @Option(help: "Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE').")
    var format: String?

    @Option(help: "Max number of search results.")
    var limit: Int = 25

    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.")
    var noTrunc = false

    @Argument(help: "TERM")
    var term: String

    func run() throws {
        guard (1...100).contains(limit) else {
            throw DaemonError(CellError.invalidInput("limit \(limit) is outside the range of [1, 100]"))
        }
        var minimumStars = 0
        var official: Bool?
        for condition in filter {
            let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count == 2 ? parts[1] : nil) {
            case ("stars", let value?) where Int(value) != nil: minimumStars = Int(value)!
            case ("is-official", let value?) where ["true", "false"].contains(value): official = value == "true"
            case ("stars", let value?):
                throw DaemonError(CellError.invalidInput("invalid filter 'stars=\(value)'"))
            case ("is-official", let value?):
                throw DaemonError(CellError.invalidInput("invalid filter 'is-official=\(value)'"))
            default:
                throw DaemonError(CellError.invalidInput("invalid filter '\(condition)'"))
            }
        }
        let results = try DaemonError.reporting { try RegistrySearch.search(term, limit: limit, credentialStore: CredentialStore()) }
            .filter { $0.starCount >= minimumStars && (official == nil || $0.isOfficial == official) }
        let json = format == "json"
        let rows: [JSONValue] = results.map { result in
            var description = result.description.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.map(String.init).joined()
            if !noTrunc { description = Presentation.ellipsis(description, 45) }
            let officialText = json ? String(result.isOfficial) : (result.isOfficial ? "[OK]" : "")
            return .object([("Description", .string(description)), ("IsAutomated", .string(json ? "false" : "")),
                            ("IsOfficial", .string(officialText)), ("Name", .string(result.name)),
                            ("StarCount", .string(String(result.starCount)))])
        }
        let chosen = format.map { $0 == "table" ? nil : $0 } ?? nil
        try Listing.print(rows, format: chosen ?? "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}",
                          headers: ["Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS",
                                    "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED"])
    }
}
