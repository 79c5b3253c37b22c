import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellPresentation

/// `cell info` (and `cell system info`): the machine and the store in docker info's layout, or
/// through --format over the same document docker's templates see (system.Info's fields at the
/// top, the client's under ClientInfo).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Display system-wide information.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    func run() throws {
        let containers = try GlobalOptions.lifecycle().listReapingAutoRemoved()
        let images = try GlobalOptions.imageStore().images()
        let summary = SystemSummary(root: GlobalOptions.root, containers: containers, images: images)
        var document = SystemInformation.document(summary, serverVersion: CellVersion.dockerCompatible)
        let client: JSONValue = .object([
            ("Debug", .bool(false)), ("Version", .string(CellVersion.dockerCompatible)),
            ("Context", .string("default")), ("Plugins", .array([])), ("Warnings", .null),
        ])
        document["ClientInfo"] = client
        if let format {
            try DocumentFormat.print(document, format: format)
            return
        }
        Output.line(Self.text(document, client: client))
    }

    /// docker/cli's prettyPrintInfo: Go's Println of label and value (so an empty value leaves the
    /// label's trailing space), labels whose value may be empty left out when it is.
    static func text(_ info: JSONValue, client: JSONValue) -> String {
        var lines: [String] = []
        func line(_ label: String, _ value: JSONValue?) {
            lines.append(label + " " + Self.plain(value))
        }
        func lineIfPresent(_ label: String, _ value: JSONValue?) {
            if !Self.plain(value).isEmpty { line(label, value) }
        }
        lines.append("Client:")
        lineIfPresent(" Version:   ", client["Version"])
        line(" Context:   ", client["Context"])
        line(" Debug Mode:", client["Debug"])
        lines.append("")
        lines.append("Server:")
        line(" Containers:", info["Containers"])
        line("  Running:", info["ContainersRunning"])
        line("  Paused:", info["ContainersPaused"])
        line("  Stopped:", info["ContainersStopped"])
        line(" Images:", info["Images"])
        lineIfPresent(" Server Version:", info["ServerVersion"])
        lineIfPresent(" Storage Driver:", info["Driver"])
        lineIfPresent(" Logging Driver:", info["LoggingDriver"])
        lineIfPresent(" Cgroup Driver:", info["CgroupDriver"])
        lineIfPresent(" Cgroup Version:", info["CgroupVersion"])
        lines.append(" Plugins:")
        line("  Volume:", info["Plugins"]?["Volume"])
        line("  Network:", info["Plugins"]?["Network"])
        line("  Log:", info["Plugins"]?["Log"])
        line(" Swarm:", info["Swarm"]?["LocalNodeState"])
        line(" Runtimes:", .string(info["Runtimes"]?.objectValue?.map(\.0).joined(separator: " ") ?? ""))
        line(" Default Runtime:", info["DefaultRuntime"])
        line(" Init Binary:", info["InitBinary"])
        line(" containerd version:", info["ContainerdCommit"]?["ID"])
        line(" runc version:", info["RuncCommit"]?["ID"])
        line(" init version:", info["InitCommit"]?["ID"])
        let security = info["SecurityOptions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !security.isEmpty {
            lines.append(" Security Options:")
            for option in security {
                // "name=seccomp,profile=builtin": the name, then its profile if any.
                let pairs = option.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
                for pair in pairs where pair.count == 2 && pair[0] == "name" { lines.append("  " + pair[1]) }
                for pair in pairs where pair.count == 2 && pair[0] == "profile" { lines.append("   Profile: " + pair[1]) }
            }
        }
        lineIfPresent(" Kernel Version:", info["KernelVersion"])
        lineIfPresent(" Operating System:", info["OperatingSystem"])
        lineIfPresent(" OSType:", info["OSType"])
        lineIfPresent(" Architecture:", info["Architecture"])
        line(" CPUs:", info["NCPU"])
        line(" Total Memory:", .string(HumanUnits.binarySize(info["MemTotal"]?.integerValue ?? 0)))
        lineIfPresent(" Name:", info["Name"])
        lineIfPresent(" ID:", info["ID"])
        line(" Docker Root Dir:", info["DockerRootDir"])
        line(" Debug Mode:", info["Debug"])
        line(" Experimental:", info["ExperimentalBuild"])
        line(" Live Restore Enabled:", info["LiveRestoreEnabled"])
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// A value as Go's Println shows it: strings bare, lists joined by spaces.
    private static func plain(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .integer(let number)?: return String(number)
        case .array(let items)?: return items.map { plain($0) }.joined(separator: " ")
        default: return ""
        }
    }
}
