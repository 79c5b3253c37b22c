#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Content-addressed blobs: `blobs/sha256/<hex>`, immutable once named. Every write goes to a
/// temporary file, is hashed as it is written, fsynced, and renamed into place.
public struct BlobStore: Sendable {
    public let layout: StoreLayout

    public init(layout: StoreLayout) {
        self.layout = layout
    }

    public func contains(_ digest: Digest) -> Bool {
        FileSystem.exists(layout.blob(digest))
    }

    public func size(of digest: Digest) throws -> Int64 {
        try FileSystem.fileSize(layout.blob(digest))
    }

    /// Reads a (small) blob whole and checks that its bytes hash to its name.
    public func read(_ digest: Digest) throws -> [UInt8] {
        let path = layout.blob(digest)
        guard let bytes = try FileSystem.readFileIfPresent(path) else {
            throw CellError.notFound("blob \(digest) is missing from the store")
        }
        guard Digest.sha256(of: bytes) == digest else {
            throw CellError.invalidInput("blob \(digest) is corrupt: its content does not match its digest")
        }
        return bytes
    }

    /// Writes bytes as a blob; returns its descriptor.
    @discardableResult
    public func write(_ bytes: [UInt8], mediaType: String) throws -> Descriptor {
        // A blob that is there already (a config or manifest made again) is not written again:
        // a blob's file appears only by rename once complete, so its presence is proof enough.
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        let known = hasher.finalize()
        if FileSystem.exists(layout.blob(known)) {
            return Descriptor(mediaType: mediaType, digest: known, size: Int64(bytes.count))
        }
        let writer = try BlobWriter(store: self)
        try writer.write(bytes)
        let (digest, size) = try writer.commit()
        return Descriptor(mediaType: mediaType, digest: digest, size: size)
    }

    /// Moves a file the caller wrote and checked (its content hashes to `digest`, it was
    /// synced) into the store under that digest; the file is gone afterwards either way.
    public func adopt(_ path: String, as digest: Digest) throws {
        let destination = layout.blob(digest)
        if FileSystem.exists(destination) {
            unlink(path)
            return
        }
        try FileSystem.rename(path, to: destination)
        try FileSystem.syncDirectory(layout.blobs)
    }

    public func remove(_ digest: Digest) throws {
        if unlink(layout.blob(digest)) != 0 && errno != ENOENT {
            throw CellError.system("remove blob \(digest): \(Syscall.errorString(errno))")
        }
    }

    /// Every blob in the store (temporary files excluded).
    public func allDigests() throws -> [Digest] {
        try FileSystem.contentsOfDirectory(layout.blobs).compactMap { try? Digest(parsing: "sha256:\($0)") }
    }
}

/// Streams bytes into a new blob: a temporary file in the store's tmp/, hashed as written;
/// `commit` fsyncs and renames it to its digest; dropping it without commit removes the file.
public final class BlobWriter {
    private let store: BlobStore
    private let temporaryPath: String
    private let handle: FileDescriptorHandle
    private var hasher = SHA256Hasher()
    private var buffer: [UInt8] = []
    private var committed = false
    private static let bufferSize = 1 << 20

    public init(store: BlobStore) throws {
        self.store = store
        temporaryPath = "\(store.layout.temporary)/blob-\(getpid())-\(FileSystem.randomSuffix())"
        handle = try FileDescriptorHandle(path: temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        buffer.reserveCapacity(BlobWriter.bufferSize)
    }

    deinit {
        if !committed { unlink(temporaryPath) }
    }

    public var bytesWritten: Int64 { hasher.byteCount + Int64(buffer.count) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > BlobWriter.bufferSize { try flush() }
        if bytes.count >= BlobWriter.bufferSize {
            hasher.update(bytes)
            try handle.writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            hasher.update(raw)
            try handle.writeAll(raw)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The digest so far (after all writes), without committing.
    public func currentDigest() throws -> Digest {
        try flush()
        return hasher.finalize()
    }

    /// Makes the blob durable under its digest. When `expected` is given and differs, nothing is
    /// stored and the error names the blob.
    @discardableResult
    public func commit(expected: Digest? = nil, what: String? = nil) throws -> (Digest, Int64) {
        try flush()
        let digest = hasher.finalize()
        let size = hasher.byteCount
        if let expected, expected != digest {
            throw CellError.invalidInput("\(what ?? "blob \(expected)") is corrupt: its content hashes to \(digest), not \(expected)")
        }
        try handle.sync()
        try handle.close()
        let destination = store.layout.blob(digest)
        if FileSystem.exists(destination) {
            unlink(temporaryPath)
        } else {
            try FileSystem.rename(temporaryPath, to: destination)
            try FileSystem.syncDirectory(store.layout.blobs)
        }
        committed = true
        return (digest, size)
    }
}
