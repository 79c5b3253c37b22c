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

    /// The file from the topmost layer that has it; a whiteout hides lower copies. Symlinks are
    /// not followed (a layer's symlink points into the container, not the host).
    func read(_ relative: String) -> String {
        for layer in layerDirectories {
            let path = "\(layer)/\(relative)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFCHR { return "" }
            guard (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 4 << 20,
                  let bytes = try? FileSystem.readFile(path) else { return "" }
            return String(decoding: bytes, as: UTF8.self)
        }
        return ""
    }
}
