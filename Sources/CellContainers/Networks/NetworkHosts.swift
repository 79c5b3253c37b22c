#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellNetwork

/// Names on a user-defined network, without a daemon: each member's /etc/hosts lists its peers
/// (name, `--network-alias`es, short id: Docker's DNS names) at their addresses, below a marker
/// line. Whoever changes the membership (a container made, removed or renamed) rewrites the
/// network's own list, `networks/<name>/hosts` (address, id, names per line), and then every
/// member's part below the marker, in place: the file is bind-mounted into a running container,
/// and a rename would leave the container the old one. Reading the list, not the members'
/// records, keeps a change at one write per member.
///
/// The trade-off against a resolver (Docker's 127.0.0.11): nothing runs, nothing to keep alive
/// and no query path at all, and a name is visible as soon as its container is made; but a
/// program that read /etc/hosts once does not see later peers, and a reader may meet a file
/// being rewritten (one pwrite of a few kilobytes, then the cut). An address stays a
/// container's from its creation to its removal, so a stopped peer's line stays true.
enum NetworkHosts {
    /// The line below which a member's /etc/hosts is its peers.
    static let marker = "# peers on the container's network (cell)"

    struct Member: Equatable {
        var address: String
        var id: String
        var names: [String]

        var line: String { "\(address)\t\(id)\t\(names.joined(separator: " "))" }

        init(address: String, id: String, names: [String]) {
            self.address = address
            self.id = id
            self.names = names
        }

        init?(line: Substring) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, !fields[1].isEmpty else { return nil }
            self.init(address: fields[0], id: fields[1], names: fields[2].split(separator: " ").map(String.init))
        }
    }

    static func member(_ record: ContainerRecord, on network: String) -> Member? {
        guard let endpoint = record.networks?[network] else { return nil }
        let name = record.name.hasPrefix("/") ? String(record.name.dropFirst()) : record.name
        return Member(address: endpoint.ipAddress, id: record.id, names: [name] + endpoint.aliases + [String(record.id.prefix(12))])
    }

    /// `record` on the network (made, or renamed): its line added or replaced, every member's file rewritten.
    static func join(_ record: ContainerRecord, network: Network, store: NetworkStore) {
        guard network.resolvesNames, let member = member(record, on: network.name) else { return }
        update(network, store: store) { members in
            members.removeAll { $0.id == record.id }
            members.append(member)
        }
    }

    /// The container `id` gone from the network.
    static func leave(_ id: String, network: Network, store: NetworkStore) {
        guard network.resolvesNames else { return }
        update(network, store: store) { members in members.removeAll { $0.id == id } }
    }

    private static func update(_ network: Network, store: NetworkStore, _ change: (inout [Member]) -> Void) {
        let list = store.hostsList(of: network.name)
        let containers = store.layout.containers
        try? FileLock(path: list + ".lock").withLock(.exclusive) {
            let text = (try? FileSystem.readFileIfPresent(list)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            var members = text.split(separator: "\n").compactMap(Member.init(line:))
            change(&members)
            // Members whose container is gone without a word here (a --rm container's monitor
            // takes it out of the store) drop out at the next change.
            members.removeAll { !FileSystem.exists("\(containers)/\($0.id)") }
            members.sort { $0.names.first ?? "" < $1.names.first ?? "" }
            try FileSystem.writeAtomically(Array(members.map { $0.line + "\n" }.joined().utf8), to: list, mode: 0o600, durable: false)
            for member in members {
                let peers = members.filter { $0.id != member.id }.map { "\($0.address)\t\($0.names.joined(separator: " "))\n" }.joined()
                try? rewritePeers("\(containers)/\(member.id)/hosts", peers: peers)
            }
        }
    }

    /// Replaces what follows the marker (adding the marker where it is missing).
    static func rewritePeers(_ path: String, peers: String) throws {
        let handle = try FileDescriptorHandle(path: path, flags: O_RDWR | O_NOFOLLOW)
        defer { try? handle.close() }
        guard flock(handle.fd, LOCK_EX) == 0 else { throw CellError.system("lock \(path): \(Syscall.errorString(errno))") }
        let current = String(decoding: try handle.readToEnd(limit: 1 << 20), as: UTF8.self)
        let lines = current.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.firstIndex { $0 == marker }.map { lines[..<$0] } ?? lines[...]
        var text = kept.joined(separator: "\n")
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let bytes = Array((text + marker + "\n" + peers).utf8)
        let written = bytes.withUnsafeBytes { pwrite(handle.fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count, ftruncate(handle.fd, off_t(bytes.count)) == 0 else {
            throw CellError.system("write \(path): \(Syscall.errorString(errno))")
        }
    }
}
