import CellCore

/// `--uidmap`/`--gidmap` (or `--userns=auto`): the container's ids 0..<size are the host's
/// hostStart..<hostStart+size, so its root is an unprivileged user on the host.
public struct IDMapping: Equatable, Sendable {
    public struct Range: Equatable, Sendable {
        public var hostStart: UInt32
        public var size: UInt32

        public init(hostStart: UInt32, size: UInt32) {
            self.hostStart = hostStart
            self.size = size
        }

        /// A line of /proc/PID/uid_map: "0 HOST SIZE".
        var mapLine: String { "0 \(hostStart) \(size)\n" }

        /// The host's id for the container's `id`, nil when the range does not map it.
        public func hostID(of id: UInt32) -> UInt32? {
            id < size ? hostStart + id : nil
        }

        public func overlaps(_ other: Range) -> Bool {
            UInt64(hostStart) < UInt64(other.hostStart) + UInt64(other.size)
                && UInt64(other.hostStart) < UInt64(hostStart) + UInt64(size)
        }
    }

    public var uids: Range
    public var gids: Range

    public init(uids: Range, gids: Range) {
        self.uids = uids
        self.gids = gids
    }

    /// "CONTAINER:HOST:SIZE" as podman's --uidmap takes it; one range, from container id 0.
    public static func parseRange(_ text: String, flag: String) throws -> Range {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let container = UInt32(parts[0]), let host = UInt32(parts[1]), let size = UInt32(parts[2]),
              size > 0, UInt64(host) + UInt64(size) <= UInt64(UInt32.max) else {
            throw CellError(.usage, "invalid \(flag) \"\(text)\": want CONTAINER_ID:HOST_ID:SIZE")
        }
        guard container == 0 else {
            throw CellError(.usage, "invalid \(flag) \"\(text)\": cell maps one range, starting at container id 0")
        }
        guard host > 0 else {
            throw CellError(.usage, "invalid \(flag) \"\(text)\": mapping the container's root to the host's root is no remapping")
        }
        return Range(hostStart: host, size: size)
    }
}
