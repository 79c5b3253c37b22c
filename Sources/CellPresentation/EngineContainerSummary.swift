import CellContainers
import CellCore
import CellFormat

/// A container as the Engine API lists it (`GET /containers/json`: moby's types.Container, its
/// fields in Go's order), from which the docker CLI draws `ps`'s columns itself. `ps`'s own rows
/// are `ContainerListing`'s.
public enum EngineContainerSummary {
    /// `sizes`: the writable layer and, with the image, the whole root file system (`size=1`);
    /// nil leaves both out, as Docker does when they were not asked for.
    public static func json(_ container: Container, now: Timestamp, sizes: (writable: Int64, image: Int64)? = nil) -> JSONValue {
        let record = container.record
        let command = record.args.isEmpty ? record.path : record.path + " " + record.args.joined(separator: " ")
        var fields: [(String, JSONValue)] = [
            ("Id", .string(record.id)),
            ("Names", .strings(["/" + record.name])),
            ("Image", .string(record.image)),
            ("ImageID", .string(record.imageID)),
            ("Command", .string(command)),
            ("Created", .integer((Timestamp(rfc3339: record.created) ?? now).seconds)),
            ("Ports", ports(container)),
        ]
        // Go's omitempty: a zero size is left out too.
        if let sizes {
            if sizes.writable != 0 { fields.append(("SizeRw", .integer(sizes.writable))) }
            if sizes.writable + sizes.image != 0 { fields.append(("SizeRootFs", .integer(sizes.writable + sizes.image))) }
        }
        fields += [
            ("Labels", .object(record.config.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("State", .string(container.statusName)),
            ("Status", .string(ContainerListing.statusText(container.status, now: now) + ContainerListing.statusSuffix(container))),
            ("HostConfig", .object([("NetworkMode", .string(record.hostConfig.networkMode))])),
            ("NetworkSettings", .object([("Networks", NetworkViews.endpoints(of: record))])),
            ("Mounts", .array(ContainerInspection.mounts(record, volumesDirectory: container.volumesDirectory))),
        ]
        return .object(fields)
    }

    /// moby's []types.Port: a published port with its host address and port, an exposed one alone,
    /// sorted as the daemon leaves them for the CLI to group.
    static func ports(_ container: Container) -> JSONValue {
        let published = container.publishedPorts
        var entries: [JSONValue] = published.map {
            .object([
                ("IP", .string($0.hostAddress)), ("PrivatePort", .int($0.containerPort)),
                ("PublicPort", .int($0.hostPort)), ("Type", .string($0.protocol.rawValue)),
            ])
        }
        let covered = Set(published.map { "\($0.containerPort)/\($0.protocol.rawValue)" })
        for exposed in container.record.config.exposedPorts where !covered.contains(exposed) {
            let parts = exposed.split(separator: "/", maxSplits: 1)
            guard let number = UInt16(parts[0]) else { continue }
            entries.append(.object([("PrivatePort", .int(number)), ("Type", .string(parts.count > 1 ? String(parts[1]) : "tcp"))]))
        }
        return .array(entries)
    }
}
