#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// Resolves docker's `-u` / USER against the image's /etc/passwd and /etc/group, read from the
/// unpacked layers (top layer first) before the container runs; the rules are
/// `ContainerUser.resolve`'s (runc's and Docker's).
public struct ImageUserResolver {
    let layerDirectories: [String]

    public init(layerDirectories: [String]) {
        self.layerDirectories = layerDirectories
    }

    /// `additionalGroups`: --group-add's names or numbers.
    public func resolve(_ text: String, additionalGroups: [String] = []) throws -> ContainerUser {
        try ContainerUser.resolve(text, passwd: read("etc/passwd"), group: read("etc/group"), additionalGroups: additionalGroups)
    }

    /// The file from the topmost layer that has it; a whiteout hides lower copies. Each path is
    /// resolved inside its layer: a layer's symlink (`etc -> /etc`) points into the container,
    /// never at a host file.
    func read(_ relative: String) -> String {
        for layer in layerDirectories {
            let root = open(layer, OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
            guard root >= 0 else { continue }
            defer { close(root) }
            guard let text = try? ContainerUser.readText(in: root, relative) else { continue }
            return text
        }
        return ""
    }
}
