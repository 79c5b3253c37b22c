#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// What each build step made, by its cache key: the key is the digest of the parent state's
/// config, the instruction after expansion and, for COPY and ADD, the content of what they
/// copy. An entry names the config and layers of the step's result; one whose blobs were
/// collected since is a miss. `<root>/build-cache/<key hex>`, written atomically.
struct BuildCache {
    let directory: String

    struct Entry: Equatable {
        var config: Digest
        var layers: [Descriptor]
    }

    static func key(parent: Digest, step: String, content: Digest? = nil) -> Digest {
        var text = "cell-build-cache 1\n\(parent)\n\(step)\n"
        if let content { text += "\(content)\n" }
        return Digest.sha256(of: Array(text.utf8))
    }

    func entry(for key: Digest) -> Entry? {
        guard let bytes = try? FileSystem.readFileIfPresent("\(directory)/\(key.hex)"),
              let records = try? RecordReader.records(in: bytes, what: "build cache entry") else { return nil }
        var config: Digest?
        var layers: [Descriptor] = []
        for record in records {
            switch record.key {
            case "config": config = try? Digest(parsing: record.value)
            case "layer":
                guard record.fields.count == 2, let digest = try? Digest(parsing: record.fields[0]),
                      let size = Int64(record.fields[1]) else { return nil }
                layers.append(Descriptor(mediaType: MediaType.ociLayer, digest: digest, size: size))
            default: continue
            }
        }
        return config.map { Entry(config: $0, layers: layers) }
    }

    func store(_ entry: Entry, for key: Digest) throws {
        var writer = RecordWriter()
        try writer.append("cell-build-cache", "1")
        try writer.append("config", entry.config.description)
        for layer in entry.layers { try writer.append("layer", [layer.digest.description, String(layer.size)]) }
        try FileSystem.createDirectory(directory)
        try FileSystem.writeAtomically(writer.bytes, to: "\(directory)/\(key.hex)")
    }
}
