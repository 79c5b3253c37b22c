#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellNetwork

/// Names on a user-defined network, without a daemon: each member's /etc/hosts lists the
/// network's members, itself included (name, `--network-alias`es, short id: Docker's DNS names)
/// at their addresses, in a section per network below a marker line. Whoever changes the
/// membership (a container made, removed, renamed, connected or disconnected) rewrites the
/// network's own list, `networks/<name>/hosts` (address, id, names per line), and then every
/// member's section, in place: the file is bind-mounted into a running container, and a rename
/// would leave the container the old one. Reading the list, not the members' records, keeps a
/// change at one write per member.
///
/// The trade-off against a resolver (Docker's 127.0.0.11): nothing runs, nothing to keep alive
/// and no query path at all, and a name is visible as soon as its container is made; but a
/// program that read /etc/hosts once does not see later peers, and a reader may meet a file
/// being rewritten (one pwrite of a few kilobytes, then the cut). An address stays a
/// container's from its creation to its removal, so a stopped peer's line stays true.
enum NetworkHosts {
    /// The line below which a member's /etc/hosts has its peers on `network` (up to the next
    /// such line: a container on two networks has two sections).
    static func marker(_ network: String) -> String { "# peers on network \(network) (cell)" }

    static let markerPrefix = "# peers on network "

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

    /// The member's names: its container name first, then its aliases, its short id last.
    /// Words that could not have been given (a record of an older cell) are left out, so that
    /// each member stays one line of the list and of every hosts file.
    static func member(_ record: ContainerRecord, on network: String) -> Member? {
        guard let endpoint = record.networks?[network], IPv4Address(endpoint.ipAddress) != nil else { return nil }
        let name = record.name.hasPrefix("/") ? String(record.name.dropFirst()) : record.name
        let names = [name] + endpoint.aliases + [String(record.id.prefix(12))]
        return Member(address: endpoint.ipAddress, id: record.id, names: names.filter(NetworkStore.isValidName))
    }

    /// A network's section of the hosts files: every member's name and short id first, then the
    /// aliases. A resolver takes the first line that has a name, and an alias may be any word,
    /// also another container's name: so `--network-alias db` never answers for the container
    /// named `db`. (Docker's resolver answers with both addresses.)
    static func section(_ members: [Member]) -> String {
        let own = members.map { member -> String in
            let fixed = [member.names.first, member.names.count > 1 ? member.names.last : nil].compactMap { $0 }
            return "\(member.address)\t\(fixed.joined(separator: " "))\n"
        }
        let aliases = members.compactMap { member -> String? in
            guard member.names.count > 2 else { return nil }
            return "\(member.address)\t\(member.names.dropFirst().dropLast().joined(separator: " "))\n"
        }
        return (own + aliases).joined()
    }

    /// `record` on the network (made, or renamed): its line added or replaced, every member's file rewritten.
    static func join(_ record: ContainerRecord, network: Network, store: NetworkStore) {
        guard network.resolvesNames, let member = member(record, on: network.name) else { return }
        update(network, store: store) { members in
            members.removeAll { $0.id == record.id }
            members.append(member)
        }
    }

    /// The container `id` gone from the network (removed, or disconnected: then its own file
    /// loses the network's section).
    static func leave(_ id: String, network: Network, store: NetworkStore) {
        guard network.resolvesNames else { return }
        update(network, store: store) { members in members.removeAll { $0.id == id } }
        try? rewritePeers("\(store.layout.containers)/\(id)/hosts", network: network.name, peers: nil)
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
            // Every member's section is the same: the member itself too, whose name and aliases
            // resolve to its own address on the network, as Docker's resolver answers them.
            let lines = section(members)
            for member in members {
                try? rewritePeers("\(containers)/\(member.id)/hosts", network: network.name, peers: lines)
            }
        }
    }

    /// Replaces the network's section (adding it at the end where it is missing); nil `peers`
    /// removes it. Rewriters of one file (the updates of two networks it is on) take turns
    /// through `hosts.lock` beside it, never through an flock of the file itself: the container
    /// has that file too (its /etc/hosts), and a process in it holding an flock there would
    /// stall every change on its networks, each holding its network's list lock meanwhile.
    static func rewritePeers(_ path: String, network: String, peers: String?) throws {
        // A container being removed meanwhile has no file left to rewrite.
        guard let lock = try FileLock.inExistingDirectory(path + ".lock") else { return }
        try lock.withLock(.exclusive) { try rewriteLocked(path, network: network, peers: peers) }
    }

    private static func rewriteLocked(_ path: String, network: String, peers: String?) throws {
        let handle = try FileDescriptorHandle(path: path, flags: O_RDWR | O_NOFOLLOW)
        defer { try? handle.close() }
        let current = String(decoding: try handle.readToEnd(limit: 1 << 20), as: UTF8.self)
        var lines = current.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let own = marker(network)
        if let start = lines.firstIndex(of: own) {
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix(markerPrefix) } ?? lines.endIndex
            lines.removeSubrange(start..<end)
        }
        let text = lines.map { $0 + "\n" }.joined()
        let bytes = Array((text + (peers.map { own + "\n" + $0 } ?? "")).utf8)
        let written = bytes.withUnsafeBytes { pwrite(handle.fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count, ftruncate(handle.fd, off_t(bytes.count)) == 0 else {
            throw CellError.system("write \(path): \(Syscall.errorString(errno))")
        }
    }
}
