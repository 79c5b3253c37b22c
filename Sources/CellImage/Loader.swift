#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

extension ImageStore {
    /// What `cell load` brought in: each image's id and the names it was given.
    public struct LoadedImage: Sendable {
        public var id: Digest
        public var names: [ImageReference]
    }

    /// `cell load`: an OCI image archive, or a docker-archive (`docker save`, `podman save`), plain or
    /// compressed. The archive is unpacked (safely) into the store's tmp/, every blob is checked
    /// against its digest, layers are decompressed and checked against the config's diff_ids, and
    /// only then are the images named.
    public func load(from source: ImportSource) throws -> [LoadedImage] {
        try withWriteSession {
            let staging = try FileSystem.makeTemporaryDirectory(in: layout.temporary, prefix: "load", mode: 0o755)
            defer { try? FileSystem.removeTree(staging) }
            let reader: TarReader
            switch source {
            case .file(let path): reader = try TarReader(path: path)
            case .standardInput: reader = try TarReader(fileDescriptor: 0, name: "standard input")
            case .descriptor(let fd, let name): reader = try TarReader(fileDescriptor: fd, name: name)
            }
            _ = try LayerExtractor(whiteouts: .keptAsFiles).extract(reader, into: staging)
            let archive = try StagedArchive(root: staging, name: source.displayName)
            if FileSystem.exists("\(staging)/index.json") && FileSystem.exists("\(staging)/oci-layout") {
                return try loadOCI(archive)
            }
            if FileSystem.exists("\(staging)/manifest.json") {
                return try loadDockerArchive(archive)
            }
            throw CellError.invalidInput("\(source.displayName) is not an image archive: it has neither index.json nor manifest.json")
        }
    }

    private func loadOCI(_ archive: StagedArchive) throws -> [LoadedImage] {
        let index = try StoredJSON.decode(ImageIndex.self, from: try archive.read("index.json"), what: "index.json of \(archive.name)")
        var loaded: [LoadedImage] = []
        for entry in index.manifests {
            let manifestDescriptor = try resolvePlatform(entry, in: archive)
            let manifest = try StoredJSON.decode(Manifest.self, from: try archive.readBlob(manifestDescriptor.digest),
                                           what: "manifest \(manifestDescriptor.digest)")
            var names: [ImageReference] = []
            if let name = entry.annotations?[Annotation.imageName] ?? entry.annotations?[Annotation.refName],
               name.contains(":") || name.contains("/"), let reference = try? ImageReference(parsing: name) {
                names.append(reference)
            }
            let id = try importImage(configDigest: manifest.config.digest,
                                     layerPaths: try manifest.layers.map { try archive.blobPath($0.digest) },
                                     layerDigests: manifest.layers.map { Optional($0.digest) },
                                     archive: archive, names: names)
            merge(LoadedImage(id: id, names: names), into: &loaded)
        }
        for image in loaded { ImageEvents.record("load", id: image.id, name: image.names.first?.familiarName, layout: layout) }
        return loaded
    }

    /// An index entry may be a multi-platform index: take the host's platform, else the first.
    private func resolvePlatform(_ descriptor: Descriptor, in archive: StagedArchive) throws -> Descriptor {
        guard MediaType.isIndex(descriptor.mediaType) else { return descriptor }
        let nested = try StoredJSON.decode(ImageIndex.self, from: try archive.readBlob(descriptor.digest),
                                     what: "index \(descriptor.digest)")
        let host = nested.manifests.first { $0.platform?.architecture == ImageConfig.hostArchitecture && $0.platform?.os == "linux" }
        guard let chosen = host ?? nested.manifests.first else {
            throw CellError.invalidInput("index \(descriptor.digest) in \(archive.name) lists no manifest")
        }
        return try resolvePlatform(chosen, in: archive)
    }

    private func loadDockerArchive(_ archive: StagedArchive) throws -> [LoadedImage] {
        let entries = try StoredJSON.decode([DockerArchiveManifestEntry].self, from: try archive.read("manifest.json"),
                                      what: "manifest.json of \(archive.name)")
        var loaded: [LoadedImage] = []
        for entry in entries {
            let configBytes = try archive.read(entry.config)
            let configDigest = Digest.sha256(of: configBytes)
            let names = try (entry.repoTags ?? []).map { try ImageReference(parsing: $0) }
            let id = try importImage(configDigest: configDigest, configBytes: configBytes,
                                     layerPaths: try entry.layers.map { try archive.resolve($0) },
                                     layerDigests: entry.layers.map { _ in nil }, archive: archive, names: names)
            merge(LoadedImage(id: id, names: names), into: &loaded)
        }
        for image in loaded { ImageEvents.record("load", id: image.id, name: image.names.first?.familiarName, layout: layout) }
        return loaded
    }

    private func merge(_ image: LoadedImage, into loaded: inout [LoadedImage]) {
        if let existing = loaded.firstIndex(where: { $0.id == image.id }) {
            loaded[existing].names.append(contentsOf: image.names)
        } else {
            loaded.append(image)
        }
    }

    /// Stores one image: its config as it came (so its id is unchanged) and each layer
    /// decompressed, checked against both its compressed digest (when known) and its diff_id.
    private func importImage(configDigest: Digest, configBytes: [UInt8]? = nil, layerPaths: [String],
                             layerDigests: [Digest?], archive: StagedArchive, names: [ImageReference]) throws -> Digest {
        let bytes = try configBytes ?? archive.readBlob(configDigest)
        let config = try StoredJSON.decode(ImageConfig.self, from: bytes, what: "image config \(configDigest)")
        do {
            try config.config?.checkForNULBytes()
        } catch let error as CellError {
            throw CellError(error.kind, "image config \(configDigest.shortHex) in \(archive.name): \(error.message)")
        }
        guard config.rootfs.diffIDs.count == layerPaths.count else {
            throw CellError.invalidInput("image \(configDigest.shortHex) in \(archive.name) has \(layerPaths.count) layers but its config lists \(config.rootfs.diffIDs.count) diff_ids")
        }
        var layers: [Descriptor] = []
        for (index, path) in layerPaths.enumerated() {
            let diffID = config.rootfs.diffIDs[index]
            if let digest = layerDigests[index] {
                try verifyFile(path, digest: digest, what: "blob \(digest) in \(archive.name)")
            }
            if blobs.contains(diffID) {
                layers.append(Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: try blobs.size(of: diffID)))
                continue
            }
            let writer = try BlobWriter(store: blobs)
            try writer.writeDecompressed(from: path)
            let layerName = layerDigests[index].map { "layer \($0)" } ?? "layer \(archive.relative(path))"
            let (digest, size) = try writer.commit(expected: diffID, what: "\(layerName) of \(archive.name)")
            layers.append(Descriptor(mediaType: MediaType.ociLayer, digest: digest, size: size))
        }
        let configDescriptor = try blobs.write(bytes, mediaType: MediaType.ociConfig)
        return try commitImage(configDescriptor: configDescriptor, created: config.created, layers: layers, names: names)
    }
}

/// An image archive unpacked into a private staging directory. Every path the archive names is
/// resolved inside it: a symlink in the archive cannot make cell read a host file.
struct StagedArchive {
    let root: String
    let name: String

    init(root: String, name: String) throws {
        guard let real = realpath(root, nil) else {
            throw CellError.system("realpath \(root): \(Syscall.errorString(errno))")
        }
        self.root = String(cString: real)
        free(real)
        self.name = name
    }

    func resolve(_ relative: String) throws -> String {
        guard let real = realpath("\(root)/\(relative)", nil) else {
            throw CellError.invalidInput("\(name) names \(relative), which it does not contain")
        }
        defer { free(real) }
        let path = String(cString: real)
        guard path.hasPrefix(root + "/"), !FileSystem.isDirectory(path) else {
            throw CellError.invalidInput("\(name) names \(relative), which points outside the archive")
        }
        return path
    }

    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    func read(_ relative: String) throws -> [UInt8] {
        try FileSystem.readFile(try resolve(relative))
    }

    func blobPath(_ digest: Digest) throws -> String {
        try resolve("blobs/\(digest.algorithm)/\(digest.hex)")
    }

    /// A small blob, checked against its digest.
    func readBlob(_ digest: Digest) throws -> [UInt8] {
        let bytes = try read("blobs/\(digest.algorithm)/\(digest.hex)")
        guard Digest.sha256(of: bytes) == digest else {
            throw CellError.invalidInput("blob \(digest) in \(name) is corrupt: its content does not match its digest")
        }
        return bytes
    }
}
