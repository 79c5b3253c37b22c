/// One resource limit of a container's processes (`--ulimit nofile=100:200`), under Docker's
/// name for it. -1 is unlimited (RLIM_INFINITY), as Docker stores it.
public struct Ulimit: Equatable, Sendable, Codable {
    public var name: String
    public var soft: Int64
    public var hard: Int64

    public init(name: String, soft: Int64, hard: Int64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// Docker's names and the kernel's RLIMIT_* numbers (go-units leaves out "as", which
    /// Docker does not offer).
    public static let resources: [String: Int32] = [
        "cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5, "nproc": 6, "nofile": 7,
        "memlock": 8, "locks": 10, "sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14, "rttime": 15,
    ]

    /// The RLIMIT_* number; nil for a name Docker does not know.
    public var resource: Int32? { Ulimit.resources[name] }

    /// The values setrlimit takes: -1 (and any negative, as Docker converts them) as unsigned.
    public var softValue: UInt64 { UInt64(bitPattern: soft) }
    public var hardValue: UInt64 { UInt64(bitPattern: hard) }

    /// `nofile=100:200`, as Docker prints one.
    public var description: String { "\(name)=\(soft):\(hard)" }
}
