#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

/// A stored (uncompressed) layer compressed for an archive or a registry: the same bytes make
/// the same compressed bytes (libarchive's gzip writes no time), so a layer saved or pushed
/// twice keeps its digest. The layer is checked against its digest as it is read.
enum LayerCompressor {
    /// Compresses `layer` from the store into a new file at `path`; its descriptor there. A
    /// `durable` file is synced (it is to become a blob).
    static func compress(_ layer: Descriptor, in layout: StoreLayout, as compression: LayerCompression,
                         to path: String, durable: Bool = false) throws -> Descriptor {
        let input = try FileDescriptorHandle(path: layout.blob(layer.digest), flags: O_RDONLY)
        let output = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        var hasher = SHA256Hasher(), compressedHasher = SHA256Hasher()
        let compressor = try StreamCompressor(compression: compression.output) { bytes in
            compressedHasher.update(bytes)
            try output.writeAll(bytes)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try input.read(into: buffer)
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(chunk)
            try compressor.write(chunk)
        }
        try compressor.finish()
        if durable { try output.sync() }
        try output.close()
        guard hasher.finalize() == layer.digest else {
            throw CellError.invalidInput("layer \(layer.digest) is corrupt: its content does not match its digest")
        }
        return Descriptor(mediaType: compression.mediaType, digest: compressedHasher.finalize(), size: compressedHasher.byteCount)
    }
}

extension ImageStore {
    /// `layer` (uncompressed, in the store) gzip-compressed as a blob of the store too, for a
    /// push; made once, found again by the next push through the manifest that names it.
    public func storeCompressed(_ layer: Descriptor) throws -> Descriptor {
        let temporary = "\(layout.temporary)/compress-\(getpid())-\(FileSystem.randomSuffix())"
        defer { unlink(temporary) }
        let descriptor = try LayerCompressor.compress(layer, in: layout, as: .gzip, to: temporary, durable: true)
        try blobs.adopt(temporary, as: descriptor.digest)
        return descriptor
    }
}
