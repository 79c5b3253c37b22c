import CellCore
import Crypto

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

    static func isLowerHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)
    }
}

/// Streaming sha256 (BoringSSL through swift-crypto: SHA-NI where the CPU has it).
public struct SHA256Hasher {
    private var state = Crypto.SHA256()
    public private(set) var byteCount: Int64 = 0

    public init() {}

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        state.update(bufferPointer: buffer)
        byteCount += Int64(buffer.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func finalize() -> Digest {
        let hex = state.finalize().map { byte -> String in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
        return Digest(hex: hex)
    }
}
