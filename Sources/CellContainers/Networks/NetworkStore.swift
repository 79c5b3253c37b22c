#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellNetwork

/// The store's networks: `networks/<name>/network.json`, made whole under a temporary name and
/// renamed, removed by a rename to `.rm-<name>` first (as volumes are). Addresses are files,
/// `networks/<name>/addresses/<IPv4>`, created with O_EXCL: two containers made at once never
/// get the same one, and no lock is needed to take one. A claim whose container never got a
/// record (its creator was killed) is swept once it is a minute old.
public struct NetworkStore {
    public let layout: StoreLayout

    public init(layout: StoreLayout) {
        self.layout = layout
    }

    /// Runs `body` as a user of networks (a container's creation), or alone (removal).
    public func withLock<T>(_ mode: FileLock.Mode, _ body: () throws -> T) throws -> T {
        try FileSystem.createDirectory(layout.locks)
        return try FileLock(path: layout.networksLock).withLock(mode, body)
    }

    private func directory(of name: String) -> String { "\(layout.networks)/\(name)" }

    /// The network's list of members' names (`NetworkHosts`).
    func hostsList(of networkName: String) -> String { "\(directory(of: networkName))/hosts" }

    /// The network's Linux bridge; nil for `host` and `none`.
    public func bridge(of network: Network) -> BridgeInterface? {
        network.bridgeInterface(directory: directory(of: network.name))
    }

    private func addresses(of name: String) -> String { "\(layout.networks)/\(name)/addresses" }

    /// By name, full id or unique id prefix, as Docker looks networks up; the predefined ones
    /// are made on first sight.
    public func find(_ reference: String) throws -> Network? {
        if Network.predefined.contains(reference) { return try predefined(reference) }
        if NetworkStore.isValidName(reference), let network = try read(reference) { return network }
        guard !reference.isEmpty, reference.allSatisfy(\.isHexDigit) else { return nil }
        let matches = try list().filter { $0.id.hasPrefix(reference) }
        if matches.count > 1 { throw CellError.notFound("network \(reference) is ambiguous (\(matches.count) matches found based on ID prefix)") }
        return matches.first
    }

    /// The record of `networks/<name>`, read only from a directory of the store's own and a
    /// regular file in it: a symlink planted there would lend this store another store's
    /// network, whose bridge `network rm` would then take from it.
    private func read(_ name: String) throws -> Network? {
        var status = stat()
        guard lstat(directory(of: name), &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
        let path = "\(directory(of: name))/network.json"
        let fd: Int32
        do {
            fd = try RegularFile.open(at: AT_FDCWD, path, flags: O_RDONLY, describing: path)
        } catch let error as CellError where error.kind == .notFound {
            return nil
        }
        let handle = FileDescriptorHandle(fd: fd, path: path)
        defer { try? handle.close() }
        return try StoredJSON.decode(Network.self, from: try handle.readToEnd(limit: 64 << 20), what: "network \(name)")
    }

    /// Every network, the predefined ones first (made if missing), then by name.
    public func list() throws -> [Network] {
        let predefined = try Network.predefined.map { try self.predefined($0) }
        let names = ((try? FileSystem.contentsOfDirectory(layout.networks)) ?? [])
            .filter { !$0.hasPrefix(".") && !Network.predefined.contains($0) }.sorted()
        return predefined + names.compactMap { try? read($0) }
    }

    /// Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 128,
              first.properties.isASCIIHexDigit || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
    }

    /// `bridge` (its subnet from `bip`, or the first free pool subnet; its interface made at
    /// once), `host` and `none` (records only).
    private func predefined(_ name: String) throws -> Network {
        if let existing = try read(name) { return existing }
        let network: Network
        switch name {
        case "bridge":
            // Its bridge made with it, as for `network create`, so that its subnet is in the host's
            // routes before another store chooses one.
            let defaults = try NetworkDefaults.current()
            return try HostNetworkLock.withLock {
                if let existing = try read(name) { return existing }
                let wanted = defaults.bridgeGateway.subnet
                let subnet = isTaken(wanted) ? try freeSubnet(defaults) : wanted
                let gateway = subnet == wanted ? defaults.bridgeGateway.address : subnet.host(1)
                return try write(Network(name: name, id: NetworkStore.newID(), created: Timestamp.now().rfc3339Nano, driver: "bridge",
                                         subnet: subnet.description, gateway: gateway.description,
                                         options: ["com.docker.network.bridge.default_bridge": "true"]), bridgeMade: true)
            }
        case "host": network = Network(name: name, id: NetworkStore.newID(), created: Timestamp.now().rfc3339Nano, driver: "host")
        default: network = Network(name: name, id: NetworkStore.newID(), created: Timestamp.now().rfc3339Nano, driver: "null")
        }
        return try write(network, bridgeMade: false)
    }

    /// Whether `subnet` overlaps a route of the host or a network of this store.
    private func isTaken(_ subnet: IPv4Subnet) -> Bool {
        if HostRoutes.routes().contains(where: { $0.subnet.overlaps(subnet) }) { return true }
        let names = ((try? FileSystem.contentsOfDirectory(layout.networks)) ?? []).filter { !$0.hasPrefix(".") }
        return names.contains { name in
            guard let other = try? read(name), let taken = other.subnet.flatMap(IPv4Subnet.init) else { return false }
            return taken.overlaps(subnet)
        }
    }

    private func freeSubnet(_ defaults: NetworkDefaults) throws -> IPv4Subnet {
        guard let subnet = defaults.candidates().first(where: { !isTaken($0) }) else {
            throw CellError.conflict("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
        }
        return subnet
    }

    /// `network create`: a bridge network; its interface, address and rules are made at once,
    /// so that the subnet shows in the host's routes and no other network takes it.
    public func create(_ name: String, subnet requestedSubnet: String?, gateway requestedGateway: String?, isInternal: Bool,
                       labels: [String: String], options: [String: String]) throws -> Network {
        guard NetworkStore.isValidName(name) else {
            throw CellError.invalidInput("invalid network name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        if try Network.predefined.contains(name) || read(name) != nil {
            throw CellError.conflict("network with name \(name) already exists")
        }
        // `--network default` names the default `bridge` and `private` the container's own
        // namespace, never a network of the store: one made under either name could not be
        // joined (Docker refuses `default`).
        if NetworkStore.modeNames.contains(name) {
            throw CellError.conflict("\(name) is a pre-defined network and cannot be created")
        }
        try NetworkDriverOptions.check(options, isInternal: isInternal)
        var subnet: IPv4Subnet?
        if let requestedSubnet {
            guard let parsed = IPv4Subnet(requestedSubnet), parsed.prefix <= 30 else {
                throw CellError.invalidInput("invalid subnet \(requestedSubnet): an IPv4 CIDR with its host bits zero and a prefix of 30 or less, as 10.1.0.0/24")
            }
            if let reserved = NetworkStore.reserved.first(where: { $0.overlaps(parsed) }) {
                throw CellError.invalidInput("invalid subnet \(requestedSubnet): it overlaps \(reserved), which no bridge network can use")
            }
            subnet = parsed
        }
        var gateway: IPv4Address?
        if let requestedGateway {
            guard let parsed = IPv4Address(requestedGateway) else { throw CellError.invalidInput("invalid gateway address \(requestedGateway)") }
            guard let subnet else { throw CellError.invalidInput("every ip-range or gateway must have a corresponding subnet") }
            guard subnet.isHost(parsed) else { throw CellError.invalidInput("no matching subnet for gateway \(requestedGateway)") }
            gateway = parsed
        }
        let defaults = try NetworkDefaults.current()
        return try HostNetworkLock.withLock {
            if let subnet, isTaken(subnet) {
                throw CellError.conflict("invalid pool request: Pool overlaps with other one on this address space")
            }
            let chosen = try subnet ?? freeSubnet(defaults)
            let network = Network(name: name, id: NetworkStore.newID(), created: Timestamp.now().rfc3339Nano, driver: "bridge",
                                  subnet: chosen.description, gateway: (gateway ?? chosen.host(1)).description, isInternal: isInternal,
                                  labels: labels, options: options)
            return try write(network, bridgeMade: true)
        }
    }

    /// Writes the record whole, under a temporary name renamed into place; with `bridgeMade`
    /// the interface is made first (undone if the record cannot be).
    private func write(_ network: Network, bridgeMade: Bool) throws -> Network {
        try FileSystem.createDirectory(layout.networks, mode: 0o700)
        let temporary = "\(layout.networks)/.tmp-\(network.name)-\(FileSystem.randomSuffix())"
        try FileSystem.createDirectory(temporary, mode: 0o700)
        do {
            try FileSystem.createDirectory("\(temporary)/addresses", mode: 0o700)
            try FileSystem.writeNewFile(try StoredJSON.encode(network), to: "\(temporary)/network.json", mode: 0o600, durable: true)
            try FileSystem.syncDirectory(temporary)
            if bridgeMade { try bridge(of: network)?.ensureLocked() }
            if Glibc.rename(temporary, directory(of: network.name)) != 0 {
                let code = errno
                try? FileSystem.removeTree(temporary)
                // A predefined one made meanwhile by another command: that one is it.
                if code == ENOTEMPTY || code == EEXIST, let existing = try read(network.name) {
                    if bridgeMade { try? bridge(of: network)?.remove() }
                    if network.isPredefined { return existing }
                    throw CellError.conflict("network with name \(network.name) already exists")
                }
                throw CellError.system("create network \(network.name): \(Syscall.errorString(code))")
            }
            try FileSystem.syncDirectory(layout.networks)
        } catch {
            try? FileSystem.removeTree(temporary)
            if bridgeMade { try? bridge(of: network)?.remove() }
            throw error
        }
        return network
    }

    /// Deletes the network, its interface and its rules (the caller holds the lock exclusive
    /// and has checked that no container is on it).
    public func remove(_ network: Network) throws {
        try bridge(of: network)?.remove()
        let doomed = "\(layout.networks)/.rm-\(network.name)-\(FileSystem.randomSuffix())"
        try Syscall.retrying("rename network \(network.name)") { Glibc.rename(directory(of: network.name), doomed) }
        try FileSystem.removeTree(doomed)
        for name in (try? FileSystem.contentsOfDirectory(layout.networks)) ?? [] where name.hasPrefix(".tmp-") || name.hasPrefix(".rm-") {
            try? FileSystem.removeTree("\(layout.networks)/\(name)")
        }
    }

    // MARK: Addresses

    /// Takes an address of `network` for `container`: `requested` (`--ip`) or the first free
    /// one after the gateway. The caller holds the lock shared.
    public func claimAddress(in network: Network, for container: String, requested: IPv4Address?) throws -> IPv4Address {
        guard let subnet = network.subnet.flatMap(IPv4Subnet.init), let gateway = network.gateway.flatMap(IPv4Address.init) else {
            throw CellError.invalidInput("network \(network.name) gives no addresses")
        }
        // The network as it is now, under the caller's lock: one removed since the caller read
        // it (or removed and made again) gives nothing, and its directory is not made again.
        guard try find(network.name)?.id == network.id else {
            throw CellError(.setup, "network \(network.name) not found")
        }
        let directory = addresses(of: network.name)
        if let requested {
            guard subnet.isHost(requested), requested != gateway else {
                throw CellError.invalidInput("invalid address \(requested): it does not belong to any of this network's subnets")
            }
            // Taken, perhaps by a killed creation: once swept, it may be free.
            guard try take(requested, in: directory, for: container)
                    || (sweepAbandonedClaims(in: network) > 0 && take(requested, in: directory, for: container)) else {
                throw CellError.conflict("Address already in use")
            }
            return requested
        }
        for pass in 0..<2 {
            let taken = Set(((try? FileSystem.contentsOfDirectory(directory)) ?? []).compactMap(IPv4Address.init))
            var index: UInt32 = 1
            while UInt64(index) <= subnet.hostCount {
                let candidate = subnet.host(index)
                index += 1
                if candidate == gateway || taken.contains(candidate) || !subnet.isHost(candidate) { continue }
                if try take(candidate, in: directory, for: container) { return candidate }
            }
            // Full: addresses left by killed creations may be free again.
            if pass == 0 && sweepAbandonedClaims(in: network) == 0 { break }
        }
        throw CellError.conflict("no available IPv4 addresses on this network's address pools: \(network.name) (\(network.id))")
    }

    /// The file that gives `address` of the network to a container.
    public func claimPath(of address: IPv4Address, in networkName: String) -> String {
        "\(addresses(of: networkName))/\(address)"
    }

    private func take(_ address: IPv4Address, in directory: String, for container: String) throws -> Bool {
        let path = "\(directory)/\(address)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw CellError.system("take address \(address): \(Syscall.errorString(errno))")
        }
        let handle = FileDescriptorHandle(fd: fd, path: path)
        try handle.writeAll(Array(container.utf8))
        try handle.close()
        return true
    }

    /// Gives the address back (a container's removal, or a creation that failed).
    public func releaseAddress(_ address: String, in networkName: String, for container: String) {
        let path = "\(addresses(of: networkName))/\(address)"
        guard IPv4Address(address) != nil, AddressClaim.owner(at: path) == container else { return }
        unlink(path)
    }

    /// Claims of containers that have no directory, a minute after they were made; how many.
    @discardableResult
    public func sweepAbandonedClaims(in network: Network) -> Int {
        let directory = addresses(of: network.name)
        var swept = 0
        let now = Timestamp.now().seconds
        for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] {
            let path = "\(directory)/\(name)"
            // A file that is not a claim cell wrote has no container: it goes the same way.
            let hasContainer = AddressClaim.owner(at: path).map { FileSystem.exists("\(layout.containers)/\($0)") } ?? false
            var status = stat()
            guard !hasContainer, lstat(path, &status) == 0, now - Int64(status.st_mtim.tv_sec) > 60 else { continue }
            if unlink(path) == 0 { swept += 1 }
        }
        return swept
    }

    /// The containers `network` has given addresses to: address → container id.
    public func claims(in network: Network) -> [(address: String, container: String)] {
        let directory = addresses(of: network.name)
        return ((try? FileSystem.contentsOfDirectory(directory)) ?? []).sorted().compactMap { name in
            AddressClaim.owner(at: "\(directory)/\(name)").map { (name, $0) }
        }
    }

    /// Words `--network` takes for a mode before it looks for a network of the store.
    static let modeNames = ["default", "private"]

    /// This host, loopback, link-local, multicast and the rest above: no container can have them.
    static let reserved = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"].compactMap(IPv4Subnet.init)

    static func newID() -> String { ContainerCreator.newID() }
}
