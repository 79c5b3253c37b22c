import CellCore
import CellCgroups
import CellRuntime

/// What a monitor started ahead makes from the spec it is shown (`MonitorHandOff.preview`)
/// before the container is recorded: the decoded spec and the cgroup, made with its limits
/// and device rules. It is cell's record write that this work overlaps.
struct PreparedStart {
    /// The directory the container is to be recorded at.
    let directory: String
    /// Nil if the preview could not be decoded (`error` says why).
    let spec: ContainerSpec?
    /// As far as it was made; nil with --cgroups=disabled.
    let cgroup: Cgroup?
    /// What went wrong: reported once the container is handed over (its state records it).
    let error: CellError?

    init(directory: String, specBytes: [UInt8]) {
        self.directory = directory
        var spec: ContainerSpec? = nil
        var cgroup: Cgroup? = nil
        do {
            let decoded = try ContainerSpec(decoding: specBytes)
            spec = decoded
            PhaseTrace.mark("spec decoded from its preview")
            cgroup = try PreparedStart.cgroup(for: decoded)
            try cgroup.map { try PreparedStart.make($0, for: decoded) }
            error = nil
            PhaseTrace.mark("cgroup created, limits and device rules written")
        } catch {
            self.error = Monitor.asCellError(error)
        }
        self.spec = spec
        self.cgroup = cgroup
    }

    /// The run stopped before handing the container over: nothing may stay of it.
    func abandon() {
        try? cgroup?.remove(timeout: 1)
    }

    /// Whether `other` (the spec a start rewrote) asks for the same cgroup as the preview did:
    /// a start changes ports and namespace donors, never the cgroup.
    func hasTheCgroup(of other: ContainerSpec) -> Bool {
        guard let spec else { return false }
        return spec.cgroups == other.cgroups && spec.cgroupParent == other.cgroupParent && spec.cgroupName == other.cgroupName
            && spec.limits == other.limits && spec.devicesAllowed == other.devicesAllowed && spec.deviceRules == other.deviceRules
    }

    /// The container's cgroup, not made yet; nil with --cgroups=disabled.
    static func cgroup(for spec: ContainerSpec) throws -> Cgroup? {
        spec.cgroups == .disabled ? nil : try Cgroup(layout: CgroupLayout.detect(), parent: spec.cgroupParent, name: spec.cgroupName)
    }

    /// Makes `cgroup` with the spec's limits and device rules. What a failure left is the
    /// caller's to remove.
    static func make(_ cgroup: Cgroup, for spec: ContainerSpec) throws {
        try cgroup.create()
        try cgroup.apply(spec.limits)
        if !spec.devicesAllowed { try cgroup.restrictDevices(to: DeviceRule.dockerDefaults + spec.deviceRules) }
    }
}
