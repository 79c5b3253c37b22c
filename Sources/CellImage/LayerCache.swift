#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

extension ImageStore {
    /// The unpacked directories of an image's layers, bottom layer first, ready to be overlay
    /// lowerdirs (reverse them for the mount option). Unpacks what is not cached yet.
    public func unpackedLayers(of image: Image) throws -> [String] {
        guard image.layers.count == image.diffIDs.count else {
            throw CellError.invalidInput("image \(image.id.shortHex) has \(image.layers.count) layers but \(image.diffIDs.count) diff_ids")
        }
        return try zip(image.layers, image.diffIDs).map { try unpackedLayer($0.0, diffID: $0.1) }
    }

    /// One layer unpacked once per diff_id under layers/<hex>, with OCI whiteouts turned into
    /// overlay's (0/0 character devices, opaque xattrs). Unpacked into a temporary directory and
    /// renamed, so a crash never leaves a half layer under the real name. The blob is verified
    /// against its digest first.
    public func unpackedLayer(_ layer: Descriptor, diffID: Digest) throws -> String {
        let destination = layout.layer(diffID)
        if FileSystem.isDirectory(destination) { return destination }
        return try withWriteSession {
            if FileSystem.isDirectory(destination) { return destination }
            let blobPath = layout.blob(layer.digest)
            guard FileSystem.exists(blobPath) else {
                throw CellError.notFound("layer \(layer.digest) is missing from the store")
            }
            try verifyFile(blobPath, digest: layer.digest, what: "layer \(layer.digest)")
            let temporary = "\(layout.layers)/.tmp-\(diffID.hex)-\(getpid())-\(FileSystem.randomSuffix())"
            do {
                try FileSystem.createDirectory(temporary)
                let reader = try TarReader(path: blobPath)
                _ = try LayerExtractor(whiteouts: .overlay).extract(reader, into: temporary)
                if Glibc.rename(temporary, destination) != 0 {
                    // Another cell process won the race: its copy is as good as ours.
                    guard errno == EEXIST || errno == ENOTEMPTY else {
                        throw CellError.system("rename \(temporary): \(Syscall.errorString(errno))")
                    }
                    try FileSystem.removeTree(temporary)
                }
                try FileSystem.syncDirectory(layout.layers)
            } catch {
                try? FileSystem.removeTree(temporary)
                throw error
            }
            return destination
        }
    }

    /// Hashes a file and compares; the error names what was corrupt.
    func verifyFile(_ path: String, digest: Digest, what: String) throws {
        let actual = try ImageStore.sha256(ofFile: path)
        guard actual == digest else {
            throw CellError.invalidInput("\(what) is corrupt: its content hashes to \(actual), not \(digest)")
        }
    }

    static func sha256(ofFile path: String) throws -> Digest {
        let handle = try FileDescriptorHandle(path: path, flags: O_RDONLY)
        var hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try handle.read(into: buffer)
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize()
    }
}
