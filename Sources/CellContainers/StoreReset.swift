import CellCore
import CellImage

/// `system reset`: what the host holds for a store goes first (running containers, bridges and
/// firewall rules), then the store's files.
public enum StoreReset {
    public static func reset(_ lifecycle: ContainerLifecycle) throws {
        let root = lifecycle.store.layout.root
        guard FileSystem.exists(root) else { return }
        for container in try lifecycle.store.list() {
            try lifecycle.remove(container, force: true, volumes: true)
        }
        try NetworkOperations(root: root).removeAll()
        for entry in try FileSystem.contentsOfDirectory(root) {
            try FileSystem.removeTree("\(root)/\(entry)")
        }
    }
}
