import CellCore

/// A docker-style image reference, `[host[:port]/]path[:tag][@digest]`, normalized the way docker
/// normalizes it: `busybox` is `docker.io/library/busybox:latest`, shown back as `busybox`.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public static let defaultDomain = "docker.io"
    public static let defaultTag = "latest"

    public let domain: String
    public let path: String
    public let tag: String?
    public let digest: String?

    /// Parses and normalizes; a missing tag (and digest) becomes `latest`.
    public init(parsing text: String) throws {
        guard !text.isEmpty else { throw CellError.usage("invalid reference format: repository name must have at least one component") }
        var remainder = Substring(text)
        var digest: String?
        if let at = remainder.firstIndex(of: "@") {
            let digestText = String(remainder[remainder.index(after: at)...])
            guard (try? Digest(parsing: digestText)) != nil else {
                throw CellError.usage("invalid reference format: \(text)")
            }
            digest = digestText
            remainder = remainder[..<at]
        }
        var tag: String?
        if let colon = remainder.lastIndex(of: ":"), !remainder[remainder.index(after: colon)...].contains("/") {
            let tagText = String(remainder[remainder.index(after: colon)...])
            guard ImageReference.isValidTag(tagText) else {
                throw CellError.usage("invalid reference format: \(text)")
            }
            tag = tagText
            remainder = remainder[..<colon]
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var domain = ImageReference.defaultDomain
        if components.count > 1, ImageReference.looksLikeDomain(components[0]) {
            domain = components.removeFirst()
            guard ImageReference.isValidDomain(domain) else {
                throw CellError.usage("invalid reference format: \(text)")
            }
        }
        guard !components.isEmpty else { throw CellError.usage("invalid reference format: \(text)") }
        for component in components {
            if component != component.lowercased(), ImageReference.isValidComponent(component.lowercased()) {
                throw CellError.usage("invalid reference format: repository name (\(components.joined(separator: "/"))) must be lowercase")
            }
            guard ImageReference.isValidComponent(component) else {
                throw CellError.usage("invalid reference format: \(text)")
            }
        }
        if domain == ImageReference.defaultDomain && components.count == 1 {
            components.insert("library", at: 0)
        }
        let path = components.joined(separator: "/")
        guard path.utf8.count + domain.utf8.count + 1 <= 255 else {
            throw CellError.usage("invalid reference format: repository name must not be more than 255 characters")
        }
        self.domain = domain
        self.path = path
        self.tag = tag ?? (digest == nil ? ImageReference.defaultTag : nil)
        self.digest = digest
    }

    /// `docker.io/library/busybox`
    public var repository: String { "\(domain)/\(path)" }

    /// The full normalized name: `docker.io/library/busybox:latest`.
    public var description: String {
        var text = repository
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The repository as docker shows it: `busybox`, `user/app`, `localhost:5000/app`.
    public var familiarRepository: String {
        guard domain == ImageReference.defaultDomain else { return repository }
        if path.hasPrefix("library/"), path.split(separator: "/").count == 2 {
            return String(path.dropFirst("library/".count))
        }
        return path
    }

    /// `busybox:latest`
    public var familiarName: String {
        var text = familiarRepository
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// Whether the first part of a name is a registry (a dot, a colon, or localhost), as Docker reads it.
    public static func looksLikeRegistry(_ component: String) -> Bool { looksLikeDomain(component) }

    static func looksLikeDomain(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component != component.lowercased()
    }

    static func isValidDomain(_ domain: String) -> Bool {
        let parts = domain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty else { return false }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isValidComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isAlnum(byte) { index += 1; continue }
            // A separator run: ".", "_", "__" or one or more "-".
            var end = index
            while end < bytes.count && !isAlnum(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let ok = separator.elementsEqual([0x2e]) || separator.elementsEqual([0x5f])
                || separator.elementsEqual([0x5f, 0x5f]) || separator.allSatisfy { $0 == 0x2d }
            if !ok { return false }
            index = end
        }
        return true
    }

    /// `[\w][\w.-]{0,127}`
    static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        func isWord(_ b: UInt8) -> Bool { isAlnum(b) || (b >= 0x41 && b <= 0x5a) || b == 0x5f }
        return isWord(bytes[0]) && bytes.dropFirst().allSatisfy { isWord($0) || $0 == 0x2e || $0 == 0x2d }
    }

    static func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
}
