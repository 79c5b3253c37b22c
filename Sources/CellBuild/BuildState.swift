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
}
