import ArgumentParser
import CellContainers
import CellCore

/// `docker update`: new resource limits for containers, running (their cgroup at once) or not.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Update configuration of one or more containers.")

    @OptionGroup var limits: ResourceFlags

    @Option(help: "Restart policy to apply when a container exits.")
    var restart: String?

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var containers: [String]

    func run() throws {
        let change = try limits.resourceLimits()
        guard !change.isEmpty || restart != nil else { throw CellError.usage("you must provide one or more flags when using this command") }
        let lifecycle = try GlobalOptions.lifecycle()
        // A container without cgroups cannot take limits: refused up front with run's status
        // (125), before any container is changed. (Names that resolve to nothing are left to the
        // loop, which says so as docker does.)
        if !change.isEmpty {
            let store = try GlobalOptions.containerStore()
            for name in containers {
                if let container = try? store.resolve(name) { try ContainerLifecycle.checkTakesLimits(container) }
            }
        }
        try EachContainer.run(containers) { container, name in
            try lifecycle.update(container, limits: change, restartPolicy: restart) { Output.error($0) }
            Output.line(name)
        }
    }
}
