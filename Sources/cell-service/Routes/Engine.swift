import CellContainers
import CellImage

/// The library as the routes reach it: the store under `root`, opened anew for every request as
/// the `cell` command opens it, so that both faces see the same containers and images at the same
/// moment; and the binaries a container's start needs, found beside this one.
struct Engine: Sendable {
    let root: String
    let monitorPath: String
    let initPath: String

    func containers() throws -> ContainerStore {
        try ContainerStore(layout: StoreLayout(root: root))
    }

    func images() throws -> ImageStore {
        try ImageStore(root: root)
    }

    func networks() throws -> NetworkOperations {
        try NetworkOperations(root: root)
    }

    func volumes() throws -> VolumeOperations {
        try VolumeOperations(root: root)
    }

    func lifecycle() throws -> ContainerLifecycle {
        ContainerLifecycle(store: try containers(), monitorPath: monitorPath)
    }

    func runner() -> ContainerRunner {
        ContainerRunner(root: root, monitorPath: monitorPath, initBinary: initPath)
    }

    /// The container a path names (id, name or unique id prefix), or Docker's 404.
    func container(_ reference: String) throws -> Container {
        try containers().resolve(reference)
    }
}
