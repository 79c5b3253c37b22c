import CellArchive

extension BlobWriter {
    /// Writes the file at `path` decompressed (gzip, zstd, or as it is): a layer's diff
    /// from its compressed blob, as a pull and a `load` both need it.
    public func writeDecompressed(from path: String) throws {
        let stream = try RawStreamReader(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try stream.read(into: buffer)
            if count == 0 { break }
            try write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
