import CellCore

/// One entry of a container's device allow-list, as the devices cgroup writes it
/// ("c 1:3 rwm": type, major:minor, access; `*` for any number).
public struct DeviceRule: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Character, Sendable { case character = "c", block = "b", all = "a" }

    public struct Access: OptionSet, Equatable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        // The values of the kernel's BPF_DEVCG_ACC_* flags.
        public static let mknod = Access(rawValue: 1)
        public static let read = Access(rawValue: 2)
        public static let write = Access(rawValue: 4)
        public static let all: Access = [.read, .write, .mknod]
    }

    public var kind: Kind
    /// nil: any.
    public var major: UInt32?
    public var minor: UInt32?
    public var access: Access

    public init(_ kind: Kind, _ major: UInt32?, _ minor: UInt32?, _ access: Access = .all) {
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// Docker's (runc's) default allow-list: any node may be made, and only these opened:
    /// null, zero, full, random, urandom, tty, console, ptmx and the pseudo-terminals.
    public static let dockerDefaults: [DeviceRule] = [
        DeviceRule(.character, nil, nil, .mknod), DeviceRule(.block, nil, nil, .mknod),
        DeviceRule(.character, 1, 3), DeviceRule(.character, 1, 5), DeviceRule(.character, 1, 7),
        DeviceRule(.character, 1, 8), DeviceRule(.character, 1, 9), DeviceRule(.character, 5, 0),
        DeviceRule(.character, 5, 1), DeviceRule(.character, 5, 2), DeviceRule(.character, 136, nil),
    ]

    /// The devices cgroup's text: "c 1:3 rwm", "b *:* m".
    public var description: String {
        let number = { (value: UInt32?) in value.map(String.init) ?? "*" }
        return "\(kind.rawValue) \(number(major)):\(number(minor)) \(Access.letters(access))"
    }

    /// Parses the devices cgroup's text (`--device-cgroup-rule 'c 10:200 rwm'`).
    public init(parsing text: String) throws {
        let invalid = CellError.usage("invalid device cgroup rule: '\(text)'")
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, words[0].count == 1, let kind = Kind(rawValue: words[0].first!) else { throw invalid }
        let numbers = words[1].split(separator: ":", omittingEmptySubsequences: false)
        guard numbers.count == 2 else { throw invalid }
        func number(_ text: Substring) throws -> UInt32? {
            if text == "*" { return nil }
            guard let value = UInt32(text) else { throw invalid }
            return value
        }
        guard let access = Access(letters: words[2]) else { throw invalid }
        self.init(kind, try number(numbers[0]), try number(numbers[1]), access)
    }
}

extension DeviceRule.Access {
    /// "rwm", "rw", "m"...; nil for an empty string or another letter.
    public init?<S: StringProtocol>(letters: S) {
        var access: DeviceRule.Access = []
        for letter in letters {
            switch letter {
            case "r": access.insert(.read)
            case "w": access.insert(.write)
            case "m": access.insert(.mknod)
            default: return nil
            }
        }
        if access.isEmpty { return nil }
        self = access
    }

    static func letters(_ access: DeviceRule.Access) -> String {
        (access.contains(.read) ? "r" : "") + (access.contains(.write) ? "w" : "") + (access.contains(.mknod) ? "m" : "")
    }
}
