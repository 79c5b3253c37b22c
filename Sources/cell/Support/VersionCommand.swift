#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// `docker version`: the client and the "server" (cell has none: the same binary answers for
/// both), in docker's layout or through --format. Tools read `{{.Server.Version}}` to decide
/// which docker features they may use, so the engine version is the docker release whose CLI
/// cell follows; cell's own version is in the components.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the cell version information.")

    /// The oldest Engine API version docker 24's engine answers.
    static let minimumAPIVersion = "1.12"

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    func run() throws {
        let document = VersionInformation.current(minimumAPIVersion: Self.minimumAPIVersion).document
        guard let format else {
            Output.line(Self.text(document))
            return
        }
        try DocumentFormat.print(document, format: format)
    }

    /// docker/cli's defaultVersionTemplate through its tabwriter (cells padded to 20).
    static func text(_ document: JSONValue) -> String {
        func row(_ label: String, _ value: String) -> String {
            label + String(repeating: " ", count: max(20 - label.count, 1)) + value
        }
        let client = document["Client"], server = document["Server"]
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
        var lines = [
            "Client:",
            row(" Version:", text(client?["Version"])),
            row(" API version:", text(client?["ApiVersion"])),
            row(" Go version:", text(client?["GoVersion"])),
            row(" Git commit:", text(client?["GitCommit"])),
            row(" Built:", text(client?["BuildTime"])),
            row(" OS/Arch:", text(client?["Os"]) + "/" + text(client?["Arch"])),
            row(" Context:", text(client?["Context"])),
            "",
            "Server: " + text(server?["Platform"]?["Name"]),
        ]
        for component in server?["Components"]?.arrayValue ?? [] {
            let details = component["Details"]
            lines.append(" \(text(component["Name"])):")
            lines.append(row("  Version:", text(component["Version"])))
            if text(component["Name"]) == "Engine" {
                lines += [
                    row("  API version:", "\(text(details?["ApiVersion"])) (minimum version \(text(details?["MinAPIVersion"])))"),
                    row("  Go version:", text(details?["GoVersion"])),
                    row("  Git commit:", text(details?["GitCommit"])),
                    row("  Built:", text(details?["BuildTime"])),
                    row("  OS/Arch:", text(details?["Os"]) + "/" + text(details?["Arch"])),
                    row("  Experimental:", text(details?["Experimental"])),
                ]
            } else {
                for (key, value) in (details?.objectValue ?? []).sorted(by: { $0.0 < $1.0 }) {
                    lines.append(row("  \(key):", text(value)))
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
