import CellCore
import CellRuntime

/// `--pid`, `--ipc` and `--network container:NAME`: the container whose namespace another
/// one joins, looked up by name or id at each start (as Docker does), so that the joiner
/// follows a donor that was restarted, and fails to start, in Docker's words, when the donor
/// is gone or stopped. The monitor then pins the donor's pid 1 with a pidfd and joins
/// through it; if the donor stops between the lookup and the join, the join fails the same way.
public enum NamespaceDonors {
    /// NAME in `container:NAME`, or nil for any other mode.
    public static func reference(in mode: String) -> String? {
        mode.hasPrefix("container:") ? String(mode.dropFirst("container:".count)) : nil
    }

    /// The donors' directories, by namespace, for a container with `hostConfig`.
    static func directories(for hostConfig: ContainerRecord.HostConfig,
                            in store: ContainerStore) throws -> [ContainerSpec.HostNamespace: String] {
        var result: [ContainerSpec.HostNamespace: String] = [:]
        if let reference = reference(in: hostConfig.networkMode) {
            // Docker's words for a network donor.
            guard let donor = try store.find(reference) else { throw CellError.notFound("No such container: \(reference)") }
            guard donor.isRunning else { throw CellError.conflict("cannot join network of a non running container: \(donor.id)") }
            result[.net] = donor.directory
        }
        for (namespace, mode) in [(ContainerSpec.HostNamespace.pid, hostConfig.pidMode), (.ipc, hostConfig.ipcMode)] {
            guard let reference = mode.flatMap(reference(in:)) else { continue }
            let what = "failed to join \(namespace.rawValue.uppercased()) namespace"
            guard let donor = try store.find(reference) else {
                throw CellError.conflict("\(what): No such container: \(reference)")
            }
            guard donor.isRunning else { throw CellError.conflict("\(what): container \(reference) is not running") }
            // Docker's donors opt in; a host-IPC one shares what anyone may join.
            if namespace == .ipc && !["shareable", "host"].contains(donor.record.hostConfig.ipcMode ?? "") {
                throw CellError.conflict("\(what): container \(reference): non-shareable IPC (hint: use IpcMode:shareable for the donor container)")
            }
            result[namespace] = donor.directory
        }
        return result
    }
}
