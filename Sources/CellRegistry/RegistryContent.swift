#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// Manifests and blobs of a repository, each checked against its digest as it arrives.
extension RegistryRepository {
    /// What `GET /v2/<name>/manifests/<reference>` accepts: the four manifest kinds Docker pulls.
    static let acceptedManifests = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList,
                                    MediaType.dockerManifest]
    static let schema1Types = ["application/vnd.docker.distribution.manifest.v1+json",
                               "application/vnd.docker.distribution.manifest.v1+prettyjws"]
    /// The spec's bound on a manifest (registries refuse bigger ones too).
    static let manifestLimit = 4 << 20

    /// A manifest as served: its bytes (kept exactly, so its digest stays the registry's), its
    /// media type and digest.
    public struct FetchedManifest: Sendable {
        public var bytes: [UInt8]
        public var mediaType: String
        public var digest: Digest
    }

    /// The manifest for a tag or digest; one fetched by digest must hash to it.
    public func manifest(_ tagOrDigest: String) throws -> FetchedManifest {
        let response = try send("GET", "manifests/\(tagOrDigest)",
                                headers: ["Accept: " + RegistryRepository.acceptedManifests.joined(separator: ", ")])
        guard response.isSuccess else {
            switch response.status {
            case 404: throw CellError.notFound("manifest for \(name):\(tagOrDigest) not found: \(RegistryError.describe(response))")
            case 401, 403: throw denied(RegistryError.describe(response))
            default: throw CellError.system("manifest for \(name):\(tagOrDigest): \(RegistryError.describe(response))")
            }
        }
        guard response.body.count < RegistryRepository.manifestLimit else {
            throw CellError.invalidInput("manifest for \(name):\(tagOrDigest) is larger than 4 MiB")
        }
        let mediaType = (response.header("content-type") ?? "").split(separator: ";").first.map { String($0).trimmedWhitespace } ?? ""
        if RegistryRepository.schema1Types.contains(mediaType) {
            throw CellError.invalidInput("\(name):\(tagOrDigest) is an image manifest of version 2, schema 1, which Docker no longer pulls and cell never did: push it again with a current tool")
        }
        let digest = Digest.sha256(of: response.body)
        if let wanted = try? Digest(parsing: tagOrDigest), wanted != digest {
            throw CellError.invalidInput("manifest for \(name)@\(wanted) is corrupt: its content hashes to \(digest)")
        }
        // A registry that does not say (or says JSON) leaves the type to the document itself.
        let declared = RegistryRepository.acceptedManifests.contains(mediaType) ? mediaType : nil
        return FetchedManifest(bytes: response.body, mediaType: declared ?? RegistryRepository.mediaType(of: response.body), digest: digest)
    }

    /// The `mediaType` a manifest names, or, without one, what its fields make it.
    static func mediaType(of bytes: [UInt8]) -> String {
        struct Shape: Decodable {
            var mediaType: String?
            var manifests: [Descriptor]?
        }
        guard let shape = try? StoredJSON.decode(Shape.self, from: bytes, what: "manifest") else { return MediaType.ociManifest }
        return shape.mediaType ?? (shape.manifests != nil ? MediaType.ociIndex : MediaType.ociManifest)
    }

    /// A small blob (a config), whole, checked against `descriptor`.
    public func smallBlob(_ descriptor: Descriptor, limit: Int = 16 << 20) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let response = try send("GET", "blobs/\(descriptor.digest)") { chunk, _ in
            guard bytes.count + chunk.count <= limit else {
                throw CellError.invalidInput("blob \(descriptor.digest) of \(self.name) is larger than \(limit) bytes")
            }
            bytes += chunk
        }
        try check(response, blob: descriptor.digest)
        let actual = Digest.sha256(of: bytes)
        guard actual == descriptor.digest else {
            throw CellError.invalidInput("blob \(descriptor.digest) of \(name) is corrupt: its content hashes to \(actual)")
        }
        return bytes
    }

    /// Downloads a blob into `file` (from its start), hashing as it goes; a dropped connection
    /// is resumed from where it stopped (a range request; a registry that answers with the
    /// whole blob starts it over). The digest must match `descriptor` at the end.
    public func download(_ descriptor: Descriptor, to file: FileDescriptorHandle,
                         progress: @escaping (Int64) -> Void) throws {
        var hasher = SHA256Hasher()
        var received: Int64 = 0
        var attempts = 0
        while true {
            attempts += 1
            do {
                var startingOver = received > 0
                let response = try send("GET", "blobs/\(descriptor.digest)", rangeStart: received > 0 ? received : nil) { chunk, status in
                    if startingOver && status == 200 {
                        startingOver = false
                        // The whole blob again: start over.
                        guard ftruncate(file.fd, 0) == 0, lseek(file.fd, 0, SEEK_SET) == 0 else {
                            throw CellError.system("truncate the download of \(descriptor.digest): \(Syscall.errorString(errno))")
                        }
                        hasher = SHA256Hasher()
                        received = 0
                    }
                    hasher.update(chunk)
                    try file.writeAll(chunk)
                    received += Int64(chunk.count)
                    if received > descriptor.size {
                        throw CellError.invalidInput("blob \(descriptor.digest) of \(self.name) is longer than the \(descriptor.size) bytes its manifest says")
                    }
                    progress(received)
                }
                try check(response, blob: descriptor.digest)
                break
            } catch let error as CellError where error.kind == .system && attempts < 4 && received < descriptor.size {
                continue
            }
        }
        let actual = hasher.finalize()
        guard actual == descriptor.digest, received == descriptor.size else {
            throw CellError.invalidInput("filesystem layer verification failed for digest \(descriptor.digest): its content hashes to \(actual) (\(received) bytes, \(descriptor.size) expected)")
        }
    }

    private func check(_ response: HTTPResponse, blob digest: Digest) throws {
        guard !response.isSuccess else { return }
        switch response.status {
        case 404: throw CellError.notFound("blob \(digest) of \(name) not found: \(RegistryError.describe(response))")
        case 401, 403: throw denied(RegistryError.describe(response))
        default: throw CellError.system("blob \(digest) of \(name): \(RegistryError.describe(response))")
        }
    }
}
