/// A YAML node with the 1-based line it starts on, for messages that name a file, a line and a key.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// quoted: single- or double-quoted, or a block scalar (| or >): never null, a bool or a number.
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        /// Keys in the order written.
        case mapping([(key: String, value: YAMLNode)])
        /// An empty value, `~` or `null`.
        case null
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// The text of a scalar (a plain `true` or `8080` too); nil for collections and null.
    public var string: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// YAML 1.2's core schema: true/false in three spellings, plain only.
    public var bool: Bool? {
        guard case .scalar(let text, quoted: false) = kind else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// A plain decimal integer, or 0o/0x.
    public var int: Int? {
        guard case .scalar(let text, quoted: false) = kind else { return nil }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        return Int(text)
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [(key: String, value: YAMLNode)]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    /// The value of `key` in a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key == key }?.value
    }
}

/// Why a YAML text could not be read, and where.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
