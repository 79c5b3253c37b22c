import CellImage

/// The body of `POST /commit`: a container.Config whose set fields go over the container's in
/// the new image (moby's merge, `ContainerCommit`). The fields an image config keeps are read;
/// the rest of a container's Config (Hostname, Image, the Attach flags...) means nothing to an
/// image, and Docker ignores it here too. The docker CLI sends `null`, docker-py `{}`.
enum CommitConfigRequest {
    static func overrides(from body: [UInt8]) throws -> ContainerConfig? {
        var fields = try JSONFields(body: body, path: "Config")
        var config = ContainerConfig()
        config.user = try fields.string("User")
        config.exposedPorts = try fields.keys("ExposedPorts").map { Dictionary($0.map { ($0, EmptyObject()) }) { first, _ in first } }
        config.env = try fields.strings("Env")
        config.entrypoint = try fields.strings("Entrypoint")
        config.cmd = try fields.strings("Cmd")
        config.volumes = try fields.keys("Volumes").map { Dictionary($0.map { ($0, EmptyObject()) }) { first, _ in first } }
        config.workingDir = try fields.string("WorkingDir")
        config.labels = try fields.stringMap("Labels").map { Dictionary($0) { _, last in last } }
        config.stopSignal = try fields.string("StopSignal")
        return config == ContainerConfig() ? nil : config
    }
}
