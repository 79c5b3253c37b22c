#if canImport(Glibc)
import Glibc
#endif
import CNetlink
import CRuntime
import CellCore

/// An rtnetlink connection (libnl-route) in one network namespace: the host's, or a
/// container's, whose socket is opened inside it and then used from here (a netlink socket
/// belongs to the namespace it was created in).
public final class RouteNetlink {
    private let socket: OpaquePointer

    /// The caller's own namespace.
    public init() throws {
        guard let socket = nl_socket_alloc() else { throw CellError.system("netlink: out of memory") }
        let result = nl_connect(socket, NETLINK_ROUTE)
        if result < 0 {
            nl_socket_free(socket)
            throw RouteNetlink.error("netlink connect", result)
        }
        self.socket = socket
    }

    /// The namespace that `namespace` (an fd of /proc/PID/ns/net) names.
    public init(namespace: Int32) throws {
        let fd = cell_socket_in_netns(namespace, AF_NETLINK, Int32(SOCK_RAW.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw CellError.system("netlink socket in the container's namespace: \(Syscall.errorString(-fd))") }
        // Bound before libnl takes it: libnl reads its port id back with getsockname.
        var local = sockaddr_nl()
        local.nl_family = sa_family_t(AF_NETLINK)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        guard bound == 0, let socket = nl_socket_alloc() else {
            let code = errno
            close(fd)
            throw CellError.system("netlink bind: \(Syscall.errorString(code))")
        }
        let result = nl_socket_set_fd(socket, NETLINK_ROUTE, fd)
        if result < 0 {
            nl_socket_free(socket)
            close(fd)
            throw RouteNetlink.error("netlink socket", result)
        }
        self.socket = socket
    }

    deinit {
        nl_socket_free(socket)
    }

    /// The interface's index, or nil when there is none of that name.
    public func index(of name: String) throws -> Int32? {
        var link: OpaquePointer?
        let result = rtnl_link_get_kernel(socket, 0, name, &link)
        if result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV { return nil }
        if result < 0 { throw RouteNetlink.error("look up \(name)", result) }
        defer { rtnl_link_put(link) }
        return rtnl_link_get_ifindex(link)
    }

    /// A bridge of that name, down and without addresses.
    public func addBridge(_ name: String) throws {
        let link = rtnl_link_alloc()
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, name)
        try check("create bridge \(name)", rtnl_link_set_type(link, "bridge"))
        try check("create bridge \(name)", rtnl_link_add(socket, link, NLM_F_CREATE | NLM_F_EXCL))
    }

    /// A veth pair: `hostName` here, a port of `bridge` (down: `setUp` next); `peerName` with
    /// `peerAddress` made directly in the namespace of `peerProcess`, where it is configured next.
    public func addVethPair(hostName: String, bridge: Int32, peerName: String, peerAddress: [UInt8], peerProcess: pid_t) throws {
        guard let link = rtnl_link_veth_alloc() else { throw CellError.system("netlink: out of memory") }
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, hostName)
        rtnl_link_set_master(link, bridge)
        let peer = rtnl_link_veth_get_peer(link)
        defer { rtnl_link_put(peer) }
        rtnl_link_set_name(peer, peerName)
        try withLinkLayerAddress(peerAddress) { rtnl_link_set_addr(peer, $0) }
        rtnl_link_set_ns_pid(peer, peerProcess)
        try check("create veth \(hostName)", rtnl_link_add(socket, link, NLM_F_CREATE | NLM_F_EXCL))
    }

    /// Brings the interface up; `ipv6` false first sets its IPv6 address generation to none, so
    /// that an IPv4-only network's interfaces neither get link-local addresses nor send router
    /// solicitations (Docker turns IPv6 off on them likewise).
    public func setUp(_ index: Int32, name: String, ipv6: Bool = false) throws {
        var current: OpaquePointer?
        try check("look up \(name)", rtnl_link_get_kernel(socket, index, nil, &current))
        defer { rtnl_link_put(current) }
        if !ipv6 {
            let quiet = rtnl_link_alloc()
            defer { rtnl_link_put(quiet) }
            try check("set \(name)'s IPv6 address generation", rtnl_link_inet6_set_addr_gen_mode(quiet, rtnl_link_inet6_str2addrgenmode("none")))
            // A kernel without IPv6 has nothing to quiet.
            let result = rtnl_link_change(socket, current, quiet, 0)
            if result < 0 && result != -NLE_OPNOTSUPP && result != -NLE_AF_NOSUPPORT && result != -NLE_INVAL {
                try check("set \(name)'s IPv6 address generation", result)
            }
        }
        let change = rtnl_link_alloc()
        defer { rtnl_link_put(change) }
        rtnl_link_set_flags(change, UInt32(IFF_UP))
        try check("bring \(name) up", rtnl_link_change(socket, current, change, 0))
    }

    public func deleteLink(named name: String) throws {
        let link = rtnl_link_alloc()
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, name)
        let result = rtnl_link_delete(socket, link)
        if result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV { return }
        try check("delete \(name)", result)
    }

    /// `address` (dotted quad) with its subnet's `prefix` and `broadcast` on the interface.
    public func addAddress(_ address: String, prefix: Int, broadcast: String, to index: Int32) throws {
        let request = rtnl_addr_alloc()
        defer { rtnl_addr_put(request) }
        rtnl_addr_set_ifindex(request, index)
        try withAddress(address, prefix: prefix) { rtnl_addr_set_local(request, $0) }
        try withAddress(broadcast, prefix: 32) { rtnl_addr_set_broadcast(request, $0) }
        let result = rtnl_addr_add(socket, request, 0)
        if result == -NLE_EXIST { return }
        try check("add \(address)/\(prefix) to interface \(index)", result)
    }

    /// Whether the interface carries `address` (with that prefix).
    public func hasAddress(_ address: String, prefix: Int, on index: Int32) throws -> Bool {
        var cache: OpaquePointer?
        try check("list addresses", rtnl_addr_alloc_cache(socket, &cache))
        defer { nl_cache_free(cache) }
        var local: OpaquePointer?
        try check("parse \(address)", nl_addr_parse("\(address)/\(prefix)", AF_INET, &local))
        defer { nl_addr_put(local) }
        guard let found = rtnl_addr_get(cache, index, local) else { return false }
        rtnl_addr_put(found)
        return true
    }

    /// The default route through `gateway` on the interface.
    public func addDefaultRoute(via gateway: String, interface index: Int32) throws {
        let route = rtnl_route_alloc()
        defer { rtnl_route_put(route) }
        rtnl_route_set_family(route, UInt8(AF_INET))
        try withAddress("0.0.0.0", prefix: 0) { rtnl_route_set_dst(route, $0) }
        let hop = rtnl_route_nh_alloc()
        rtnl_route_nh_set_ifindex(hop, index)
        var gatewayAddress: OpaquePointer?
        try check("parse \(gateway)", nl_addr_parse(gateway, AF_INET, &gatewayAddress))
        rtnl_route_nh_set_gateway(hop, gatewayAddress)
        nl_addr_put(gatewayAddress)
        rtnl_route_add_nexthop(route, hop)  // the route owns the hop from here
        try check("add the default route via \(gateway)", rtnl_route_add(socket, route, NLM_F_CREATE))
    }

    private func withAddress(_ text: String, prefix: Int, _ body: (OpaquePointer?) -> Int32) throws {
        var address: OpaquePointer?
        try check("parse \(text)", nl_addr_parse(text, AF_INET, &address))
        defer { nl_addr_put(address) }
        nl_addr_set_prefixlen(address, Int32(prefix))
        try check("set \(text)/\(prefix)", body(address))
    }

    private func withLinkLayerAddress(_ bytes: [UInt8], _ body: (OpaquePointer?) -> Void) throws {
        let address = bytes.withUnsafeBytes { nl_addr_build(AF_LLC, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        guard let address else { throw CellError.system("netlink: out of memory") }
        defer { nl_addr_put(address) }
        body(address)
    }

    private func check(_ what: String, _ result: Int32) throws {
        if result < 0 { throw RouteNetlink.error(what, result) }
    }

    private static func error(_ what: String, _ code: Int32) -> CellError {
        CellError.system("\(what): \(String(cString: nl_geterror(code)))")
    }
}
