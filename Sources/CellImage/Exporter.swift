#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

/// How `cell save` compresses layers.
public enum LayerCompression: String, Sendable, CaseIterable {
    case gzip, zstd, none

    var output: OutputCompression {
        switch self {
        case .gzip: return .gzip(level: 1)
        case .zstd: return .zstd(level: 3)
        case .none: return .none
        }
    }

    var mediaType: String {
        switch self {
        case .gzip: return MediaType.ociLayerGzip
        case .zstd: return MediaType.ociLayerZstd
        case .none: return MediaType.ociLayer
        }
    }
}

extension ImageStore {
    /// `cell save`: writes an OCI image archive (oci-layout, index.json, blobs/sha256/...) that
    /// also carries docker's manifest.json, so `docker load`, `podman load` and skopeo all read it.
    /// Layers are compressed on the way out; configs keep their bytes, so image ids survive.
    /// A descriptor above 2 is closed when the save ends, however it ends (a reader of a pipe
    /// sees the end even when a name does not resolve).
    public func save(_ names: [String], to fileDescriptor: Int32, outputName: String,
                     compression: LayerCompression = .gzip) throws {
        let output = FileDescriptorHandle(fd: fileDescriptor, path: outputName)
        defer { if fileDescriptor > 2 { try? output.close() } }
        var images: [(image: Image, tags: [ImageReference])] = []
        for name in names {
            let image = try resolve(name)
            let reference = try? ImageReference(parsing: name)
            let tags = reference.flatMap { image.names.contains($0) ? [$0] : nil } ?? image.names
            if let existing = images.firstIndex(where: { $0.image.id == image.id }) {
                images[existing].tags.append(contentsOf: tags.filter { !images[existing].tags.contains($0) })
            } else {
                images.append((image, tags))
            }
        }
        let archive = try TarWriter(compression: .none) { bytes in try output.writeAll(bytes) }
        var written = Set<Digest>()
        var indexEntries: [Descriptor] = []
        var dockerManifest: [DockerArchiveManifestEntry] = []
        try addFile(archive, path: "oci-layout", bytes: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        try withWriteSession {
            for (image, tags) in images {
                var layers: [Descriptor] = []
                for layer in image.layers {
                    layers.append(try addLayer(archive, layer, compression: compression, written: &written))
                }
                if written.insert(image.manifest.config.digest).inserted {
                    try addFile(archive, path: "blobs/sha256/\(image.manifest.config.digest.hex)", bytes: image.configBytes)
                }
                var manifest = Manifest(config: image.manifest.config, layers: layers)
                manifest.config.mediaType = MediaType.ociConfig
                let manifestBytes = try StoredJSON.encode(manifest)
                let manifestDigest = Digest.sha256(of: manifestBytes)
                if written.insert(manifestDigest).inserted {
                    try addFile(archive, path: "blobs/sha256/\(manifestDigest.hex)", bytes: manifestBytes)
                }
                let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: manifestDigest,
                                            size: Int64(manifestBytes.count))
                if tags.isEmpty { indexEntries.append(descriptor) }
                for tag in tags {
                    var named = descriptor
                    named.annotations = [Annotation.imageName: tag.description, Annotation.refName: tag.tag ?? "latest"]
                    indexEntries.append(named)
                }
                dockerManifest.append(DockerArchiveManifestEntry(
                    config: "blobs/sha256/\(image.manifest.config.digest.hex)",
                    repoTags: tags.map(\.familiarName),
                    layers: layers.map { "blobs/sha256/\($0.digest.hex)" }))
            }
        }
        try addFile(archive, path: "index.json", bytes: try StoredJSON.encode(ImageIndex(manifests: indexEntries)))
        try addFile(archive, path: "manifest.json", bytes: try StoredJSON.encode(dockerManifest))
        try archive.finish()
        for (image, tags) in images { ImageEvents.record("save", id: image.id, name: tags.first?.familiarName, layout: layout) }
    }

    private func addFile(_ archive: TarWriter, path: String, bytes: [UInt8]) throws {
        try archive.append(TarEntry.archiveMember(path: path, size: Int64(bytes.count)))
        try bytes.withUnsafeBytes { try archive.writeData($0) }
    }

    /// Adds one layer, compressed into a temporary file first (a tar header needs the size).
    private func addLayer(_ archive: TarWriter, _ layer: Descriptor, compression: LayerCompression,
                          written: inout Set<Digest>) throws -> Descriptor {
        let source = layout.blob(layer.digest)
        var path = source
        var descriptor = Descriptor(mediaType: compression.mediaType, digest: layer.digest, size: layer.size)
        let temporary = "\(layout.temporary)/save-\(getpid())-\(FileSystem.randomSuffix())"
        defer { unlink(temporary) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        if compression == .none || layer.mediaType != MediaType.ociLayer {
            // Stored as is: still check it is what its name says.
            var hasher = SHA256Hasher()
            let input = try FileDescriptorHandle(path: source, flags: O_RDONLY)
            while true {
                let count = try input.read(into: buffer)
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            descriptor.mediaType = layer.mediaType
            guard hasher.finalize() == layer.digest else {
                throw CellError.invalidInput("layer \(layer.digest) is corrupt: its content does not match its digest")
            }
        } else {
            descriptor = try LayerCompressor.compress(layer, in: layout, as: compression, to: temporary)
            path = temporary
        }
        guard written.insert(descriptor.digest).inserted else { return descriptor }
        try archive.append(TarEntry.archiveMember(path: "blobs/sha256/\(descriptor.digest.hex)", size: descriptor.size))
        let data = try FileDescriptorHandle(path: path, flags: O_RDONLY)
        while true {
            let count = try data.read(into: buffer)
            if count == 0 { break }
            try archive.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return descriptor
    }
}
