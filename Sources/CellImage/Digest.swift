import CellCore
import CNettle

/// A content digest in OCI's form `algorithm:hex`. cell writes sha256 only; it reads sha512 names
/// so that it can reject them by name rather than by a parse error.
public struct Digest: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let algorithm: String
    public let hex: String

    public init(algorithm: String = "sha256", hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// Parses `sha256:<64 lower-case hex>`; anything else throws `.invalidInput`.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw CellError.invalidInput("invalid digest \"\(text)\"")
        }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        guard algorithm == "sha256", hex.utf8.count == 64, hex.utf8.allSatisfy(Digest.isLowerHex) else {
            throw CellError.invalidInput("invalid digest \"\(text)\"")
        }
        self.init(algorithm: algorithm, hex: hex)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// The 12-character form docker shows in tables.
    public var shortHex: String { String(hex.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256Hasher()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    public static func isLowerHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)
    }
}

/// Streaming sha256 (nettle: SHA-NI where the CPU has it).
public struct SHA256Hasher {
    private var state = sha256_ctx()
    public private(set) var byteCount: Int64 = 0

    public init() {
        nettle_sha256_init(&state)
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        nettle_sha256_update(&state, buffer.count, base.assumingMemoryBound(to: UInt8.self))
        byteCount += Int64(buffer.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> Digest {
        // nettle's digest resets the context: work on a copy, as the hasher is a value.
        var copy = state
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        nettle_sha256_digest(&copy, digest.count, &digest)
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0xf)])
        }
        return Digest(hex: String(decoding: hex, as: UTF8.self))
    }
}
