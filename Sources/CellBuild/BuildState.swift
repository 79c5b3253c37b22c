import CellImage

/// The image a stage has built so far: its config (stored, so its digest is the id it would
/// have), its layers, and where they are unpacked.
struct BuildState {
    var config: ImageConfig
    var configDigest: Digest
    var layers: [Descriptor]
    var layerDirectories: [String]

    var runtime: ContainerConfig {
        get { config.config ?? ContainerConfig() }
        set { config.config = newValue }
    }

    /// WORKDIR so far ("/" when none).
    var workingDirectory: String { runtime.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/" }

    /// A path as WORKDIR and COPY's destination take it: relative ones below WORKDIR.
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workingDirectory == "/" ? "/" : workingDirectory + "/") + path
    }

    /// SHELL so far: what shell-form RUN, CMD and ENTRYPOINT run through.
    var shell: [String] { runtime.shell ?? ["/bin/sh", "-c"] }
}
