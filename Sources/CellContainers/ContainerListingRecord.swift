import CellImage
import CellNetwork

/// The part of a container's record (config.json) that `ps` shows and filters on. Decoding a
/// whole record, its host configuration above all, is most of what a listing of a thousand
/// containers costs; this takes the same file and decodes only these fields (the decoder
/// passes over the rest).
struct ContainerListingRecord: Decodable {
    var id: String
    var name: String
    var created: String
    var image: String
    var imageID: String
    var path: String
    var args: [String]
    var config: Config
    var hostConfig: HostConfig
    var networks: [String: NetworkEndpoint]?

    struct Config: Decodable {
        var labels: [String: String]
        var exposedPorts: [String]
        var healthcheck: Healthcheck?
    }

    struct HostConfig: Decodable {
        var binds: [String]
        var portBindings: [PortBinding]
        var networkMode: String
        var autoRemove: Bool
    }

    /// A record that holds these fields, the rest empty: for showing and filtering only, never
    /// to act on (an `rm` or a start loads the whole record).
    var partialRecord: ContainerRecord {
        ContainerRecord(
            id: id, name: name, created: created, image: image, imageID: imageID, path: path, args: args,
            config: ContainerRecord.Config(hostname: "", user: "", env: [], cmd: nil, entrypoint: nil, workingDir: "",
                                           labels: config.labels, exposedPorts: config.exposedPorts, stopSignal: nil,
                                           stopTimeout: nil, tty: false, openStdin: false, volumes: [],
                                           healthcheck: config.healthcheck),
            hostConfig: ContainerRecord.HostConfig(binds: hostConfig.binds, portBindings: hostConfig.portBindings,
                                                   publishAllPorts: false, networkMode: hostConfig.networkMode,
                                                   autoRemove: hostConfig.autoRemove, readonlyRootfs: false, tmpfs: [:],
                                                   initProcess: false, privileged: false, capAdd: [], capDrop: [],
                                                   securityOpt: [], extraHosts: []),
            mountPoints: nil, networks: networks, layerDirectories: [])
    }
}
