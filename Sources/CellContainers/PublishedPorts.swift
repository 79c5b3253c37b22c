import CellRuntime

extension Container {
    /// The ports published on the host. Host ports are fixed when the container starts (a -P
    /// port is chosen then), so they show while it runs; a stopped container has none.
    public var publishedPorts: [PublishedPort] {
        guard isRunning, !record.hostConfig.portBindings.isEmpty,
              let spec = try? ContainerSpec.read(fromContainerDirectory: directory) else { return [] }
        return spec.ports
    }
}
