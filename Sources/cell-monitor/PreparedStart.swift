import CellCore
import CellCgroups
import CellRuntime

/// What a monitor started ahead makes from the spec it is shown (`MonitorHandOff.preview`)
/// before the container is recorded: the decoded spec, the cgroup (made with its limits and
/// device rules) and the container's process, cloned into its namespaces and cgroup, waiting
/// before it mounts its root (whose folders appear with the record). It is cell's record
/// write that this work overlaps.
struct PreparedStart {
    /// The container's process made ahead; its plumbing is let go of with it (`abandonProcess`).
    final class Process {
        private(set) var plumbing: ProcessPlumbing?
        let cloned: ProcessSpawner.Cloned

        init(plumbing: ProcessPlumbing, cloned: ProcessSpawner.Cloned) {
            self.plumbing = plumbing
            self.cloned = cloned
        }

        func abandon() {
            cloned.abandon()
            plumbing = nil
        }
    }

    /// The directory the container is to be recorded at.
    let directory: String
    /// Nil if the preview could not be decoded (`error` says why).
    let spec: ContainerSpec?
    /// As far as it was made; nil with --cgroups=disabled.
    let cgroup: Cgroup?
    /// Nil when the spec needs what only the record brings (a user namespace's idmapped
    /// folders, a donor's namespaces looked up at the start), or something failed.
    let process: Process?
    /// What went wrong: reported once the container is handed over (its state records it).
    let error: CellError?

    init(directory: String, specBytes: [UInt8], options: MonitorOptions) {
        self.directory = directory
        var spec: ContainerSpec? = nil
        var cgroup: Cgroup? = nil
        var process: Process? = nil
        do {
            let decoded = try ContainerSpec(decoding: specBytes)
            spec = decoded
            PhaseTrace.mark("spec decoded from its preview")
            cgroup = try decoded.cgroup
            try cgroup.map { try PreparedStart.make($0, for: decoded) }
            PhaseTrace.mark("cgroup created, limits and device rules written")
            if PreparedStart.canCloneAhead(decoded) {
                let plumbing = try ProcessPlumbing(spec: decoded, interactive: options.interactive)
                let cloned = try ProcessSpawner(spec: decoded).clone(stdio: plumbing.stdio, cgroup: cgroup,
                                                                     windowSize: options.attach ? PseudoTerminal.windowSize(of: 0) : nil,
                                                                     waitingBeforeRoot: true)
                process = Process(plumbing: plumbing, cloned: cloned)
            }
            error = nil
        } catch {
            self.error = Monitor.asCellError(error)
        }
        self.spec = spec
        self.cgroup = cgroup
        self.process = process
    }

    /// Whether the child is cloned before the container is recorded. Only while a record that
    /// is synced is written (a --rm container's is not: its write is over before the clone
    /// would be, which then only competes with cell for the CPU, 0.5 ms slower); and only if
    /// nothing it is cloned with comes from the container's folder or from the start.
    static func canCloneAhead(_ spec: ContainerSpec) -> Bool {
        !spec.autoRemove && spec.idMapping == nil && spec.joinedNamespaces.isEmpty && spec.network != .container
    }

    /// The run stopped before handing the container over: nothing may stay of it.
    func abandon() {
        abandonProcess()
        try? cgroup?.remove(timeout: 1)
    }

    /// The process cloned ahead is not the container's after all (the start rewrote its spec).
    func abandonProcess() {
        process?.abandon()
    }

    /// Whether `other` (the spec a start rewrote) is the preview's but for its published
    /// ports, which only the monitor uses: the process cloned ahead is still the container's.
    func differsOnlyInPorts(from other: ContainerSpec) -> Bool {
        guard var spec else { return false }
        spec.ports = other.ports
        return spec == other
    }

    /// Whether `other` (the spec a start rewrote) asks for the same cgroup as the preview did:
    /// a start changes ports and namespace donors, never the cgroup.
    func hasTheCgroup(of other: ContainerSpec) -> Bool {
        guard let spec else { return false }
        return spec.cgroups == other.cgroups && spec.cgroupParent == other.cgroupParent && spec.cgroupName == other.cgroupName
            && spec.limits == other.limits && spec.devicesAllowed == other.devicesAllowed && spec.deviceRules == other.deviceRules
    }

    /// Makes `cgroup` with the spec's limits and device rules. What a failure left is the
    /// caller's to remove.
    static func make(_ cgroup: Cgroup, for spec: ContainerSpec) throws {
        try cgroup.create()
        try cgroup.apply(spec.limits)
        if !spec.devicesAllowed { try cgroup.restrictDevices(to: DeviceRule.dockerDefaults + spec.deviceRules) }
    }
}
