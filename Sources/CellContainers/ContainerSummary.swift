#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellNetwork

/// What `ps` shows of a container (`ContainerListingRecord`), kept beside its record as
/// `summary` in the record format: a listing of a thousand containers reads these in a
/// fraction of the time a thousand config.json take to decode.
///
/// A summary names the config.json it was made from (its `FileIdentity`), which is
/// written first: one that does not match (a crash between the two writes, a record written by
/// an older cell) is passed over for the record itself, so `ps` never shows what is not so.
enum ContainerSummary {
    static let fileName = "summary"
    private static let header = "cell-container-summary"

    /// The summary of `record`, whose config.json `source` describes.
    static func encode(_ record: ContainerRecord, source: stat) throws -> [UInt8] {
        var writer = RecordWriter()
        try writer.append(header, "1")
        try writer.append("source", FileIdentity(source).fields)
        try writer.append("id", record.id)
        try writer.append("name", record.name)
        try writer.append("created", record.created)
        try writer.append("image", record.image)
        try writer.append("image-id", record.imageID)
        try writer.append("path", record.path)
        try writer.append("args", record.args)
        for (key, value) in record.config.labels.sorted(by: { $0.key < $1.key }) { try writer.append("label", [key, value]) }
        try writer.append("exposed", record.config.exposedPorts)
        if let test = record.config.healthcheck?.test { try writer.append("healthcheck", test) }
        try writer.append("binds", record.hostConfig.binds)
        for binding in record.hostConfig.portBindings {
            try writer.append("port-binding", [String(binding.containerPort), binding.proto, binding.hostIP, String(binding.hostPort)])
        }
        try writer.append("network-mode", record.hostConfig.networkMode)
        try writer.append("auto-remove", record.hostConfig.autoRemove ? "1" : "0")
        for (name, endpoint) in (record.networks ?? [:]).sorted(by: { $0.key < $1.key }) {
            try writer.append("network", [name, endpoint.networkID, endpoint.endpointID, endpoint.ipAddress, String(endpoint.prefixLength),
                                          endpoint.gateway, endpoint.macAddress] + endpoint.aliases)
        }
        return writer.bytes
    }

    /// The listing's fields, or nil when `bytes` are no summary of the config.json that
    /// `source` describes.
    static func decode(_ bytes: [UInt8], source: stat) -> ContainerListingRecord? {
        guard let document = try? RecordDocument(bytes, what: fileName, header: header),
              document.records.first?.value == "1" else { return nil }
        var fields: [String: [String]] = [:]
        var labels: [String: String] = [:], portBindings: [PortBinding] = [], networks: [String: NetworkEndpoint] = [:]
        var healthcheck: Healthcheck?
        for record in document.records.dropFirst() {
            let values = record.fields
            switch record.key {
            case "label":
                guard values.count == 2 else { return nil }
                labels[values[0]] = values[1]
            case "healthcheck": healthcheck = Healthcheck(test: values)
            case "port-binding":
                guard values.count == 4, let port = UInt16(values[0]), let hostPort = UInt16(values[3]) else { return nil }
                portBindings.append(PortBinding(containerPort: port, proto: values[1], hostIP: values[2], hostPort: hostPort))
            case "network":
                guard values.count >= 7, let prefix = Int(values[4]) else { return nil }
                networks[values[0]] = NetworkEndpoint(networkID: values[1], endpointID: values[2], ipAddress: values[3], prefixLength: prefix,
                                                      gateway: values[5], macAddress: values[6], aliases: Array(values[7...]))
            default: fields[record.key] = values
            }
        }
        guard fields["source"] == FileIdentity(source).fields else { return nil }
        func one(_ key: String) -> String? { fields[key].flatMap { $0.count == 1 ? $0[0] : nil } }
        guard let id = one("id"), let name = one("name"), let created = one("created"), let image = one("image"),
              let imageID = one("image-id"), let path = one("path"), let args = fields["args"], let exposed = fields["exposed"],
              let binds = fields["binds"], let networkMode = one("network-mode"), let autoRemove = one("auto-remove") else { return nil }
        return ContainerListingRecord(
            id: id, name: name, created: created, image: image, imageID: imageID, path: path, args: args,
            config: .init(labels: labels, exposedPorts: exposed, healthcheck: healthcheck),
            hostConfig: .init(binds: binds, portBindings: portBindings, networkMode: networkMode, autoRemove: autoRemove == "1"),
            networks: networks.isEmpty ? nil : networks)
    }
}
