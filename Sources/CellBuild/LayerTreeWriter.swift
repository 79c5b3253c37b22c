#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore
import CellImagefile
import CellRuntime

/// COPY and ADD as one: their sources, destination and flags.
struct CopySpecification {
    var sources: [String]
    var destination: String
    var from: String?
    var chown: String?
    var chmod: String?
    /// `COPY <<EOF /path`: files whose content is in the Imagefile.
    var inline: [Heredoc] = []
    /// Flags cell does not implement yet (named in the error).
    var unsupported: [String] = []

    init(_ copy: CopyCommand) {
        inline = copy.inlineSources
        if !copy.excludes.isEmpty { unsupported.append("--exclude") }
        if copy.parents { unsupported.append("--parents") }
        sources = copy.sources
        destination = copy.destination
        from = copy.from
        chown = copy.chown
        chmod = copy.chmod
    }

    init(_ add: AddCommand) {
        inline = add.inlineSources
        if !add.excludes.isEmpty { unsupported.append("--exclude") }
        sources = add.sources
        destination = add.destination
        chown = add.chown
        chmod = add.chmod
    }
}

/// Where COPY reads: context paths, or the layers of a stage or image (`--from`).
enum CopyOrigin {
    case context([String])
    case layers([String])
}

/// Builds a COPY or ADD layer in a private directory: the destination's parent directories
/// (with the image's own metadata where the image has them, and through its symlinks, so
/// `/bin -> usr/bin` is kept), then the sources, every name opened relative to its parent.
struct LayerTreeWriter {
    let root: String
    /// The image's layers, bottom first.
    let imageLayers: [String]

    func copy(origin: CopyOrigin, sources: [String], context: BuildContext, destination: String, destinationIsDirectory: Bool,
              owner: (UInt32, UInt32), mode: mode_t?, extractArchives: Bool) throws {
        var opened: [(fd: Int32, relative: String)] = []
        var originRoot: Int32 = -1
        defer {
            for entry in opened { close(entry.fd) }
            if originRoot >= 0 { close(originRoot) }
        }
        switch origin {
        case .context(let paths):
            for path in paths { opened.append((try context.open(path), path)) }
        case .layers(let layers):
            if layers.isEmpty { throw CellError.invalidInput("COPY --from: the source has no files") }
            originRoot = try LayerView.open(layers)
            for source in sources {
                let path = BuildContext.clean(source)
                let fd = RootedPath.open(path, in: originRoot, flags: OpenFlags.path | O_NOFOLLOW)
                if fd < 0 { throw CellError.invalidInput("COPY --from failed: \(source): no such file or directory") }
                opened.append((fd, path))
            }
        }
        let anyDirectory = opened.contains { LayerTreeWriter.isDirectory($0.fd) }
        let resolved = resolveInImage(destination)
        let intoDirectory = destinationIsDirectory || anyDirectory || imageHasDirectory(resolved)
        let directoryPath = intoDirectory ? resolved : FileSystem.dirname(of: resolved)
        let directory = try makeDirectories(directoryPath)
        defer { close(directory) }
        let selection: ((String) -> FileTreeCopier.Selection)?
        if case .context = origin { selection = { context.selection($0) } } else { selection = nil }
        let copier = FileTreeCopier(owner: owner, mode: mode, select: selection)
        for (fd, relative) in opened {
            let name = intoDirectory ? FileSystem.basename(of: relative.isEmpty ? "." : relative) : FileSystem.basename(of: resolved)
            if LayerTreeWriter.isDirectory(fd) {
                try copier.copyContents(of: fd, into: directory, relativePath: relative)
            } else if extractArchives, LayerTreeWriter.looksLikeArchive(relative) {
                // ADD's local archives are unpacked, with the same defenses as image layers.
                let input = open("/proc/self/fd/\(fd)", O_RDONLY | O_CLOEXEC)
                if input < 0 { throw CellError.system("open \(relative): \(Syscall.errorString(errno))") }
                defer { close(input) }
                let reader = try TarReader(fileDescriptor: input, name: relative)
                _ = try LayerExtractor(whiteouts: .keptAsFiles).extract(reader, into: "\(root)\(directoryPath)")
            } else {
                try copier.copy(fd, to: directory, name: name, relativePath: relative)
            }
        }
    }

    // MARK: The destination

    /// `path` with every symlink the image has on the way replaced by its target.
    func resolveInImage(_ path: String) -> String {
        var components = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !components.isEmpty {
            let component = components.removeFirst()
            if component == "." { continue }
            if component == ".." { _ = resolved.popLast(); continue }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            if hops < 40, let target = imageEntry(candidate).flatMap({ FileSystem.symlinkTarget($0) }) {
                hops += 1
                if target.hasPrefix("/") { resolved = [] }
                components = target.split(separator: "/").map(String.init) + components
                continue
            }
            resolved.append(component)
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// The topmost layer's file for `path`, if the image has one.
    private func imageEntry(_ path: String) -> String? {
        for layer in imageLayers.reversed() {
            let candidate = layer + path
            var st = stat()
            if lstat(candidate, &st) == 0 {
                // An overlay whiteout (0/0 character device) hides the path.
                if (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0 { return nil }
                return candidate
            }
        }
        return nil
    }

    private func imageHasDirectory(_ path: String) -> Bool {
        imageEntry(path).map(FileSystem.isDirectory) ?? false
    }

    /// mkdir -p below the layer's root, each new directory with the image's metadata for it
    /// when the image has it (else root's 0755); an fd of the last one.
    private func makeDirectories(_ path: String) throws -> Int32 {
        var current = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if current < 0 { throw CellError.system("open \(root): \(Syscall.errorString(errno))") }
        var walked = ""
        for component in path.split(separator: "/").map(String.init) {
            walked += "/" + component
            if mkdirat(current, component, 0o755) == 0 {
                var st = stat()
                if let existing = imageEntry(walked), stat(existing, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    fchownat(current, component, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW)
                    fchmodat(current, component, st.st_mode & 0o7777, 0)
                    var times = [st.st_atim, st.st_mtim]
                    utimensat(current, component, &times, AT_SYMLINK_NOFOLLOW)
                }
            } else if errno != EEXIST {
                close(current)
                throw CellError.system("mkdir \(walked): \(Syscall.errorString(errno))")
            }
            let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(current)
            if next < 0 { throw CellError.invalidInput("cannot copy to \(walked): not a directory") }
            current = next
        }
        return current
    }

    // MARK: Sources

    static func isDirectory(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func looksLikeArchive(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tar.zstd"]
            .contains { lowered.hasSuffix($0) }
    }
}
