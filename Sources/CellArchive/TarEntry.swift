import CellCore

/// One member of a tar stream as stored: the path is kept verbatim (normalizing it is the
/// extractor's job, because what is safe depends on where it lands).
public struct TarEntry: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case regular, directory, symlink, hardlink, characterDevice, blockDevice, fifo, socket
    }

    /// An extended attribute; values are bytes (security.capability is binary).
    public struct ExtendedAttribute: Equatable, Sendable {
        public var name: String
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public var path: String
    public var kind: Kind
    /// Bytes of data that follow the header (0 for everything but regular files).
    public var size: Int64
    /// Permission bits including setuid, setgid and sticky (no file-type bits).
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var userName: String?
    public var groupName: String?
    public var modificationTime: Timestamp
    /// The target of a symlink, or the path of the earlier member a hardlink points at.
    public var linkTarget: String?
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    public var extendedAttributes: [ExtendedAttribute]

    public init(
        path: String, kind: Kind, size: Int64 = 0, mode: UInt32 = 0o644, uid: UInt32 = 0, gid: UInt32 = 0,
        userName: String? = nil, groupName: String? = nil,
        modificationTime: Timestamp = Timestamp(seconds: 0), linkTarget: String? = nil,
        deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, extendedAttributes: [ExtendedAttribute] = []
    ) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.userName = userName
        self.groupName = groupName
        self.modificationTime = modificationTime
        self.linkTarget = linkTarget
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.extendedAttributes = extendedAttributes
    }

    /// The overlay whiteout: a character device 0/0.
    public var isOverlayWhiteout: Bool {
        kind == .characterDevice && deviceMajor == 0 && deviceMinor == 0
    }
}
