import CellCore

/// Docker's rules for a local volume's name, and the names anonymous volumes get.
public enum VolumeName {
    /// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, as Docker's local driver takes them.
    public static func check(_ name: String) throws {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
        }
        guard bytes.count >= 2, bytes.count <= 255, isAlphanumeric(bytes[0]),
              bytes.dropFirst().allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            throw CellError.invalidInput("create \(name): \"\(name)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")
        }
    }

    /// 64 random hex digits, as Docker names an anonymous volume.
    public static func anonymous() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<64).map { _ in digits[Int(generator.next() % 16)] })
    }
}
