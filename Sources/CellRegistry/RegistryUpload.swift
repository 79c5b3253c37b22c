#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// Blobs and manifests into a repository (the Distribution API's push side).
extension RegistryRepository {
    /// Blobs from this size on are sent in chunks (PATCH), smaller ones in one PUT.
    static let chunkSize: Int64 = 32 << 20

    /// Whether the repository has the blob already (`HEAD /v2/<name>/blobs/<digest>`).
    func hasBlob(_ digest: Digest) throws -> Bool {
        let response = try send("HEAD", "blobs/\(digest)")
        switch response.status {
        case 200: return true
        case 404: return false
        case 401, 403: throw denied(RegistryError.describe(response))
        default: throw CellError.system("blob \(digest) of \(name): unexpected status code \(response.status)")
        }
    }

    /// Asks the registry to mount the blob from another repository of its own; true when it
    /// did (201), false when it started an upload instead (202) or refused.
    func mountBlob(_ digest: Digest, from other: String) throws -> Bool {
        let response = try send("POST", "blobs/uploads/?mount=\(URLQuery.escape(digest.description))&from=\(URLQuery.escape(other))")
        return response.status == 201
    }

    /// Uploads the blob at `path` (`size` bytes, hashing to `digest`): one PUT, or PATCHes of
    /// `chunkSize` and a closing PUT for a big one. `progress` gets the bytes sent so far.
    func upload(_ digest: Digest, size: Int64, from path: String, progress: (Int64) -> Void) throws {
        let start = try send("POST", "blobs/uploads/")
        guard start.status == 202, var location = start.header("location") else {
            if start.status == 401 || start.status == 403 { throw denied(RegistryError.describe(start)) }
            throw CellError.system("blob upload to \(name): \(RegistryError.describe(start))")
        }
        let file = try FileDescriptorHandle(path: path, flags: O_RDONLY)
        var sent: Int64 = 0
        if size >= RegistryRepository.chunkSize {
            while sent < size {
                let length = min(RegistryRepository.chunkSize, size - sent)
                let response = try send("PATCH", "", absoluteURL: try absolute(location),
                                        headers: ["Content-Type: application/octet-stream",
                                                  "Content-Range: \(sent)-\(sent + length - 1)"],
                                        body: .file(descriptor: file.fd, offset: sent, length: length))
                guard response.status == 202, let next = response.header("location") else {
                    throw CellError.system("blob upload to \(name): \(RegistryError.describe(response))")
                }
                location = next
                sent += length
                progress(sent)
            }
        }
        let rest = size - sent
        let separator = location.contains("?") ? "&" : "?"
        let response = try send("PUT", "", absoluteURL: try absolute(location) + "\(separator)digest=\(URLQuery.escape(digest.description))",
                                headers: ["Content-Type: application/octet-stream"],
                                body: .file(descriptor: file.fd, offset: sent, length: rest))
        guard response.status == 201 else {
            throw CellError.system("blob upload of \(digest) to \(name): \(RegistryError.describe(response))")
        }
        progress(size)
    }

    /// Puts the manifest under `tag` (or its digest); the digest the registry answers with.
    func putManifest(_ bytes: [UInt8], mediaType: String, as tag: String) throws -> Digest {
        let response = try send("PUT", "manifests/\(tag)", headers: ["Content-Type: \(mediaType)"], body: .bytes(bytes))
        guard response.status == 201 else {
            if response.status == 401 || response.status == 403 { throw denied(RegistryError.describe(response)) }
            throw CellError.system("manifest \(name):\(tag): \(RegistryError.describe(response))")
        }
        let ours = Digest.sha256(of: bytes)
        if let said = response.header("docker-content-digest").flatMap({ try? Digest(parsing: $0) }), said != ours {
            throw CellError.invalidInput("\(reference.domain) stored the manifest of \(name):\(tag) as \(said), not \(ours)")
        }
        return ours
    }

    /// A Location header may be a path on the registry.
    private func absolute(_ location: String) throws -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        return try baseURL() + (location.hasPrefix("/") ? "" : "/") + location
    }
}
