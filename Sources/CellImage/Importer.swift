import CellArchive
import CellCore

/// Where `cell import` reads a rootfs tarball from.
public enum ImportSource: Sendable {
    case file(String)
    case standardInput
    /// An open descriptor at the archive's start (a request body the Engine API spooled), read
    /// from where it stands; `name` is what errors call it.
    case descriptor(Int32, name: String)

    var displayName: String {
        switch self {
        case .file(let path): return path
        case .standardInput: return "standard input"
        case .descriptor(_, let name): return name
        }
    }
}

extension ImageStore {
    /// `cell import`: a rootfs tarball (plain, gzip, zstd, xz, bzip2) becomes a one-layer image.
    /// The layer is rewritten entry by entry as an uncompressed tar with clean relative paths
    /// (leading `/` and `./` dropped, device nodes left out: every container gets its own /dev),
    /// hashed as it is written. An entry that climbs out with `..` stops the import; nothing is
    /// named until every blob is durable, so a crash leaves the store as it was.
    public func importRootfs(from source: ImportSource, names: [ImageReference], changes: [String] = [],
                             message: String? = nil, now: Timestamp = .now()) throws -> Digest {
        var runtimeConfig = ContainerConfig()
        try ConfigChange.apply(changes, to: &runtimeConfig)
        return try withWriteSession {
            let reader: TarReader
            switch source {
            case .file(let path): reader = try TarReader(path: path)
            case .standardInput: reader = try TarReader(fileDescriptor: 0, name: "standard input")
            case .descriptor(let fd, let name): reader = try TarReader(fileDescriptor: fd, name: name)
            }
            let layer = try writeNormalizedLayer(from: reader, sourceName: source.displayName)
            let created = now.rfc3339Nano
            var comment = "Imported from \(source == .standardInput ? "-" : source.displayName)"
            if let message, !message.isEmpty { comment = message }
            let config = ImageConfig(created: created, config: runtimeConfig, diffIDs: [layer.digest],
                                     history: [History(created: created, createdBy: "", comment: comment)])
            let id = try commitImage(config: config, layers: [layer], names: names)
            ImageEvents.record("import", id: id, name: names.first?.familiarName, layout: layout)
            return id
        }
    }

    /// Copies a tar stream into a new uncompressed layer blob; its digest is also its diff_id.
    func writeNormalizedLayer(from reader: TarReader, sourceName: String) throws -> Descriptor {
        let blob = try BlobWriter(store: blobs)
        let writer = try TarWriter(compression: .none) { bytes in try blob.write(bytes) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while var entry = try reader.next() {
            guard let path = try ArchivePath.normalized(entry.path) else { continue }
            if entry.kind == .characterDevice || entry.kind == .blockDevice {
                if !entry.isOverlayWhiteout { continue }
            }
            entry.path = path
            if entry.kind == .hardlink, let target = entry.linkTarget {
                guard let normalizedTarget = try ArchivePath.normalized(target) else { continue }
                entry.linkTarget = normalizedTarget
            }
            try writer.append(entry)
            if entry.kind == .regular && entry.size > 0 {
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try reader.readData(into: $0) }
                    if count == 0 { break }
                    try buffer.withUnsafeBytes { try writer.writeData(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                }
            }
        }
        try writer.finish()
        let (digest, size) = try blob.commit()
        return Descriptor(mediaType: MediaType.ociLayer, digest: digest, size: size)
    }
}

extension ImportSource: Equatable {}
