import Foundation
import Testing

/// Bridge networks as an attacker meets them: a hostile user of the CLI, a hostile client of the
/// Engine API, a hostile process inside a container. Each test has a store of its own and
/// subnets in 10.230.0.0/16–10.239.0.0/16 (other suites take the rest of 10.2xx at the same time).
@Suite("network attacks")
struct NetworkAttackTests {
    static func post(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: cell\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// `--network-alias` words become words of every peer's /etc/hosts: one with a newline or a
    /// space would add lines there (`6.6.6.6 victim`). Each is refused in one line, with exit
    /// 125 and nothing made; over the API with a 400. And an alias that is another container's
    /// name never answers for it: names come first in the hosts files.
    @Test func aliasesCannotWriteIntoThePeersHostsFiles() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.230.0.0/24", "names").expectSuccess()
        try root.cell("run", "-d", "--name", "db", "--network", "names", "busybox",
                      "sh", "-c", "echo real > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let hostile = ["x\n6.6.6.6 victim", "x 6.6.6.6", "x\tvictim", "x\r", "", "-x", ".hidden", "../x", "x/y", "caf\u{e9}",
                       String(repeating: "a", count: 254)]
        for alias in hostile {
            // `--network-alias=-x`: a word with a dash first would be read as an option.
            let flag = alias.hasPrefix("-") ? ["--network-alias=" + alias] : ["--network-alias", alias]
            let refused = try root.cell(["create", "--network", "names", "--network-alias", "ok"] + flag + ["busybox"])
            #expect(refused.status == 125, "\(alias.debugDescription): exit \(refused.status) \(refused.stdout)")
            #expect(refused.stderr.hasPrefix("Error: invalid network alias \"") && refused.stderr.split(separator: "\n").count == 1,
                    "one line: \(refused.stderr.debugDescription)")
        }
        #expect(try root.cell("ps", "-aq").lines.count == 1, "nothing made")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/names/addresses") == ["10.230.0.2"],
                "no address kept by a refused creation")

        let service = try EngineService(root: root)
        let body = #"{"Image":"busybox","HostConfig":{"NetworkMode":"names"},"NetworkingConfig":{"EndpointsConfig":{"names":{"Aliases":["x\n6.6.6.6 victim"]}}}}"#
        let answer = try service.request(NetworkAttackTests.post("/containers/create", body))
        #expect(answer.status == 400 && answer.message?.hasPrefix("invalid network alias") == true, "\(answer.status) \(answer.body)")
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        #expect(try !root.cell("exec", "db", "cat", "/etc/hosts").stdout.contains("victim"))

        // "aa" sorts before "db": its alias line would come first and win, were names not first.
        try root.cell("run", "-d", "--name", "aa", "--network", "names", "--network-alias", "db", "--network-alias", "cache",
                      "busybox", "sh", "-c", "echo impostor > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let fetched = try root.cell("run", "--rm", "--init", "--network", "names", "busybox", "sh", "-c",
                                    "timeout 5 wget -qO- http://db/ && timeout 5 wget -qO- http://cache/")
        #expect(fetched.stdout == "real\nimpostor\n", "the name is its container's, the alias still works: \(fetched.stderr)")

        // Each container's hosts file is its own: lines one writes into it reach no peer, and
        // the next change of membership writes it whole again.
        try root.cell("exec", "aa", "sh", "-c", "echo '6.6.6.6 db victim' >> /etc/hosts").expectSuccess()
        try root.cell("create", "--name", "later", "--network", "names", "busybox").expectSuccess()
        #expect(try !root.cell("exec", "db", "cat", "/etc/hosts").stdout.contains("6.6.6.6"))
        #expect(try !root.cell("exec", "aa", "cat", "/etc/hosts").stdout.contains("6.6.6.6"))
    }

    /// A counter of an interface's IPv6 statistics (/proc/net/dev_snmp6/NAME); 0 when it has none.
    static func ipv6Counter(_ name: String, of interface: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/net/dev_snmp6/\(interface)", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 2, fields[0] == name { return Int(fields[1]) ?? 0 }
        }
        return 0
    }

    /// What a process with the default capabilities (NET_RAW: raw sockets) sends from inside a
    /// container on `network`: a UDP datagram over IPv6 in an Ethernet frame of its own making,
    /// to the gateway's MAC (learned through ARP) and the host address `target`, port `port`.
    static let rawIPv6Sender = """
    import socket, struct, sys, time
    target, port, gateway = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (gateway, 9))
    mac = None
    for _ in range(200):
        for line in open("/proc/net/arp").read().splitlines()[1:]:
            fields = line.split()
            if fields[0] == gateway and fields[3] != "00:00:00:00:00:00":
                mac = fields[3]
        if mac:
            break
        time.sleep(0.05)
    own = open("/sys/class/net/eth0/address").read().strip()
    source, destination = socket.inet_pton(socket.AF_INET6, "fe80::99"), socket.inet_pton(socket.AF_INET6, target)
    payload = b"from-the-internal-network"
    length = 8 + len(payload)
    def checksum(data):
        data += b"\\0" * (len(data) % 2)
        total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        while total >> 16:
            total = (total & 0xffff) + (total >> 16)
        return (~total & 0xffff) or 0xffff
    udp = struct.pack("!HHHH", 40000, port, length, 0) + payload
    udp = udp[:6] + struct.pack("!H", checksum(source + destination + struct.pack("!I3xB", length, 17) + udp)) + udp[8:]
    header = struct.pack("!IHBB", 6 << 28, length, 17, 64) + source + destination
    frame = bytes.fromhex(mac.replace(":", "")) + bytes.fromhex(own.replace(":", "")) + b"\\x86\\xdd" + header + udp
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(("eth0", 0))
    for _ in range(3):
        raw.send(frame)
    print("sent", mac)
    """

    /// A process in a container on an `--internal` network, with no capability beyond Docker's
    /// defaults, sends the host an IPv6 datagram in a frame it makes itself (raw sockets come
    /// with NET_RAW). The network's rules are IPv4 only, and the bridge, though it has no IPv6
    /// address, took IPv6 in: the datagram reached a host service listening on `[::]` through
    /// any IPv6 address the host has. The bridge now has IPv6 turned off and drops it (also one
    /// an older cell made, once a container joins it).
    @Test(.enabled(if: hostHasIPv6 && FileManager.default.fileExists(atPath: ImagefileExampleTests.debianFixture),
                   "needs IPv6 and the Debian fixture (python3)"))
    func anInternalNetworkSendsTheHostNoIPv6() throws {
        let root = try CellRoot()
        try root.cell(["import", "-c", "CMD [\"bash\"]", ImagefileExampleTests.debianFixture, "debian:raw"]).expectSuccess()
        let created = try root.cell("network", "create", "--subnet", "10.231.0.0/24", "--internal", "sealed")
        try created.expectSuccess()
        let bridge = NetworkTests.bridge(of: created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try String(contentsOfFile: "/proc/sys/net/ipv6/conf/\(bridge)/disable_ipv6", encoding: .utf8) == "1\n")

        // An address of the host's own, on an interface of this test's, and a service on [::].
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        let target = "fd42:\(tag.prefix(4))::1"
        try Command.shell("""
            set -e
            ip link add cv\(tag)a type veth peer name cv\(tag)b
            ip -6 addr add \(target)/128 dev cv\(tag)a nodad
            ip link set cv\(tag)a up
            """).expectSuccess()
        defer { _ = try? Command.shell("ip link del cv\(tag)a") }
        let portFile = root.file("port"), received = root.file("received")
        let listener = try ChildProcess("/usr/bin/python3", ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind(("::", 0))
            open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
            import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
            while True:
                data = s.recv(4096)
                with open(sys.argv[2], "ab") as f: f.write(data + b"\\n")
            """, portFile, received], captureOutput: false)
        defer { kill(listener.pid, SIGKILL); _ = listener.waitForExit() }
        #expect(waitUntil { FileManager.default.fileExists(atPath: portFile) })
        let port = try String(contentsOfFile: portFile, encoding: .utf8)

        let discardedBefore = NetworkAttackTests.ipv6Counter("Ip6InDiscards", of: bridge)
        let sent = try root.cell("run", "--rm", "--network", "sealed", "debian:raw", "python3", "-c", NetworkAttackTests.rawIPv6Sender,
                                 target, port, "10.231.0.1")
        #expect(sent.stdout.hasPrefix("sent "), "the frames went out: \(sent.stdout) \(sent.stderr)")
        // Either the datagrams arrived, or the bridge counted them dropped.
        #expect(waitUntil { FileManager.default.fileExists(atPath: received)
                            || NetworkAttackTests.ipv6Counter("Ip6InDiscards", of: bridge) >= discardedBefore + 3 })
        #expect(!FileManager.default.fileExists(atPath: received), "the host's service heard nothing")

        // A bridge that takes IPv6 (made by an older cell) stops when a container next joins it.
        try Command.run("/bin/sh", ["-c", "echo 0 > /proc/sys/net/ipv6/conf/\(bridge)/disable_ipv6"]).expectSuccess()
        try root.cell("run", "--rm", "--network", "sealed", "debian:raw", "true").expectSuccess()
        #expect(try String(contentsOfFile: "/proc/sys/net/ipv6/conf/\(bridge)/disable_ipv6", encoding: .utf8) == "1\n")
    }

    /// `cell ARGS` that must end within `seconds`: its exit status, or nil (then it is killed)
    /// when it hung.
    static func finishes(within seconds: Double, _ root: CellRoot, _ arguments: [String]) throws -> Int32? {
        let child = try ChildProcess(Paths.cell, arguments, environment: ["CELL_ROOT": root.path], captureOutput: false)
        guard waitUntil(timeout: seconds, { child.exitStatusIfExited() != nil }) else {
            kill(child.pid, SIGKILL)
            _ = child.waitForExit()
            return nil
        }
        return child.waitForExit()
    }

    /// A process in a container takes an flock on its /etc/hosts and keeps it. Its peers'
    /// creations and removals rewrite that file: they used to wait for the same lock, for ever,
    /// holding the store's networks lock meanwhile (so `network rm` and prune hung too). They
    /// now take turns on a lock file the container cannot see, and the file is still rewritten.
    @Test func aContainerHoldingItsHostsFileLockedStallsNoOne() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.232.0.0/24", "crowd").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.232.1.0/24", "spare").expectSuccess()
        try root.cell("run", "-d", "--name", "holder", "--network", "crowd", "busybox", "sleep", "1000").expectSuccess()
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "holder").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // busybox has no flock(1): the lock is taken from the host, on the same open file a
        // process of the container would lock (its /etc/hosts, through its root), and held
        // until this test kills the locker.
        let marker = root.file("locked")
        let script = "import fcntl, sys, time; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], 'w').close(); time.sleep(600)"
        let locker = try ChildProcess("/usr/bin/python3", ["-c", script, "/proc/\(pid)/root/etc/hosts", marker], captureOutput: false)
        defer { kill(locker.pid, SIGKILL); _ = locker.waitForExit() }
        #expect(waitUntil { FileManager.default.fileExists(atPath: marker) }, "the container's hosts file is locked")

        #expect(try NetworkAttackTests.finishes(within: 20, root, ["create", "--name", "newcomer", "--network", "crowd", "busybox"]) == 0,
                "a creation on the network ends")
        #expect(try root.cell("exec", "holder", "cat", "/etc/hosts").stdout.contains("\tnewcomer "), "and the locked file has its peer")
        #expect(try NetworkAttackTests.finishes(within: 20, root, ["rm", "newcomer"]) == 0, "a removal ends")
        #expect(try NetworkAttackTests.finishes(within: 20, root, ["network", "rm", "spare"]) == 0, "network rm ends")
        #expect(try !root.cell("exec", "holder", "cat", "/etc/hosts").stdout.contains("newcomer"))
    }

    /// The ICMP counters of a network namespace (`/proc/net/snmp`'s Icmp lines), by name.
    static func icmpCounters(of namespace: String) throws -> [String: Int] {
        let lines = try Command.run("/usr/sbin/ip", ["netns", "exec", namespace, "cat", "/proc/net/snmp"]).stdout
            .split(separator: "\n").filter { $0.hasPrefix("Icmp:") }.map { $0.split(separator: " ").dropFirst().map(String.init) }
        guard lines.count == 2 else { return [:] }
        return Dictionary(zip(lines[0], lines[1].compactMap { Int($0) }), uniquingKeysWith: { $1 })
    }

    /// A machine on the host's network that routes a network's subnet through the host (a
    /// neighbour, here a namespace the test makes) reached every port of every container on a
    /// bridge network, published or not; and a container that gives itself another source
    /// address (CAP_NET_ADMIN, or raw sockets) sent packets onto the host's network with that
    /// address, un-masqueraded. Both are dropped now, while the container's own traffic out,
    /// answers to it, and the host's own connections to the container go on working.
    @Test func neighboursRouteNothingInAndContainersSpoofNothingOut() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        let namespace = "cellnbr-\(tag)"
        let hostEnd = "cb\(tag)h", outsideEnd = "cb\(tag)o"
        let link = "10.239.\(Int.random(in: 0...127) * 2)"
        let unrouted = "10.239.\(Int.random(in: 0...127) * 2 + 1).3"
        let setUp = try Command.shell("""
        set -e
        ip netns add \(namespace)
        ip link add \(hostEnd) type veth peer name \(outsideEnd)
        ip link set \(outsideEnd) netns \(namespace)
        ip addr add \(link).1/30 dev \(hostEnd)
        ip link set \(hostEnd) up
        ip -n \(namespace) addr add \(link).2/30 dev \(outsideEnd)
        ip -n \(namespace) link set \(outsideEnd) up
        ip -n \(namespace) link set lo up
        ip -n \(namespace) route add 10.233.0.0/24 via \(link).1
        """)
        defer { _ = try? Command.shell("ip netns del \(namespace); ip link del \(hostEnd) 2>/dev/null; true") }
        try setUp.expectSuccess()
        try root.cell("network", "create", "--subnet", "10.233.0.0/24", "lan").expectSuccess()
        try root.cell("run", "-d", "--name", "web", "--network", "lan", "busybox",
                      "sh", "-c", "echo private > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        #expect(waitUntil { (try? Command.run("/bin/busybox", ["wget", "-qO-", "http://10.233.0.2/"]).stdout) == "private\n" },
                "the host reaches the container")
        let neighbour = try Command.run("/usr/sbin/ip", ["netns", "exec", namespace, "timeout", "3", "/bin/busybox", "wget", "-qO-", "http://10.233.0.2/"])
        #expect(neighbour.status != 0 && neighbour.stdout.isEmpty, "a neighbour does not: \(neighbour.stdout)")

        let before = try NetworkAttackTests.icmpCounters(of: namespace)
        let pings = try root.cell("run", "--rm", "--cap-add", "NET_ADMIN", "--network", "lan", "busybox", "sh", "-c", """
            ip addr add \(unrouted)/32 dev eth0 && ping -c 3 -w 2 -I \(unrouted) \(link).2
            ping -c 1 -w 5 \(link).2
            """)
        #expect(pings.stdout.contains("1 packets received"), "the container's own traffic goes out and its answer comes back: \(pings.stdout)")
        let after = try NetworkAttackTests.icmpCounters(of: namespace)
        let received = (after["InEchos"] ?? 0) - (before["InEchos"] ?? 0)
        let answered = (after["OutEchoReps"] ?? 0) - (before["OutEchoReps"] ?? 0)
        #expect(received == 1 && answered == 1, "only the masqueraded ping reached the neighbour: \(received) received, \(answered) answered")
    }

    /// Docker's bridge options that ask for more isolation than cell gives (`enable_icc=false`:
    /// containers of the network kept apart; `host_binding_ipv4`: ports published on one address)
    /// were kept and ignored, so the network looked as asked and was not. Each is refused in one
    /// line and nothing is made; the values cell has anyway, and keys that are not Docker's, are
    /// accepted as before. The same through the API.
    @Test func bridgeOptionsCellWouldIgnoreAreRefused() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for option in ["com.docker.network.bridge.enable_icc=false", "com.docker.network.bridge.host_binding_ipv4=127.0.0.1",
                       "com.docker.network.bridge.enable_ip_masquerade=false", "com.docker.network.bridge.name=br-mine",
                       "com.docker.network.driver.mtu=9000"] {
            let refused = try root.cell("network", "create", "--subnet", "10.234.0.0/24", "-o", option, "kept")
            #expect(refused.status == 1 && refused.lines.isEmpty, "\(option): \(refused.stdout)")
            #expect(refused.stderr.hasPrefix("Error response from daemon: driver option \"\(option)\" is not supported")
                    && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        }
        let internalMasquerade = try root.cell("network", "create", "--internal", "-o", "com.docker.network.bridge.enable_ip_masquerade=true", "kept")
        #expect(internalMasquerade.status == 1, "an internal network has no way out to masquerade")
        #expect(try root.cell("network", "ls", "-q", "--filter", "type=custom").stdout.isEmpty, "no network made")
        #expect(try Command.run("/usr/sbin/ip", ["-o", "-4", "addr", "show", "to", "10.234.0.0/24"]).stdout.isEmpty, "no bridge made")

        try root.cell("network", "create", "--subnet", "10.234.0.0/24", "-o", "com.docker.network.bridge.enable_icc=true",
                      "-o", "com.docker.network.bridge.enable_ip_masquerade=true", "-o", "com.example.team=blue", "kept").expectSuccess()
        #expect(try root.cell("network", "inspect", "-f", "{{index .Options \"com.example.team\"}}", "kept").stdout == "blue\n")

        let service = try EngineService(root: root)
        let body = #"{"Name":"apikept","IPAM":{"Config":[{"Subnet":"10.234.1.0/24"}]},"Options":{"com.docker.network.bridge.enable_icc":"false"}}"#
        let answer = try service.request(NetworkAttackTests.post("/networks/create", body))
        #expect(answer.status == 400 && answer.message?.contains("enable_icc=false") == true, "\(answer.status) \(answer.body)")
        #expect(try root.cell("network", "ls", "-q", "--filter", "name=apikept").stdout.isEmpty)
    }

    /// Whether process `pid` waits for an flock (a `->` line of /proc/locks).
    static func waitsForALock(_ pid: pid_t) -> Bool {
        let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
        return locks.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 5 && fields[1] == "->" && fields[5] == "\(pid)"
        }
    }

    /// A container creation reads its network, then takes the store's networks lock to claim an
    /// address. A `network rm` that got the lock first used to leave it claiming in a directory it
    /// made again: a container on a network that no longer existed, and a name that could not be
    /// made again. Here the test holds the lock while the creation waits, and removes the network
    /// as `network rm` does meanwhile; the creation then finds it gone.
    @Test func aNetworkRemovedWhileAContainerIsMadeOnItStaysRemoved() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.235.0.0/24", "doomed").expectSuccess()
        let marker = root.file("locked")
        let script = "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], 'w').close(); time.sleep(600)"
        let holder = try ChildProcess("/usr/bin/python3", ["-c", script, "\(root.path)/locks/networks.lock", marker], captureOutput: false)
        defer { kill(holder.pid, SIGKILL); _ = holder.waitForExit() }
        #expect(waitUntil { FileManager.default.fileExists(atPath: marker) })
        let creation = try ChildProcess(Paths.cell, ["create", "--name", "late", "--network", "doomed", "busybox"],
                                        environment: ["CELL_ROOT": root.path], captureOutput: true)
        #expect(waitUntil { NetworkAttackTests.waitsForALock(creation.pid) }, "the creation waits for the networks lock")
        // What `network rm` does under the lock, after its bridge is gone: the record renamed away.
        #expect(rename("\(root.path)/networks/doomed", "\(root.path)/networks/.rm-by-test") == 0)
        kill(holder.pid, SIGKILL)
        let result = creation.finish()
        #expect(result.status == 125 && result.stderr == "Error: network doomed not found\n", "exit \(result.status): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root.path)/networks/doomed"), "the network's directory is not made again")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        // Its bridge is an orphan now, which the next prune takes; the name is free again.
        try root.cell("network", "prune", "-f").expectSuccess()
        #expect(try Command.run("/usr/sbin/ip", ["-o", "-4", "addr", "show", "to", "10.235.0.0/24"]).stdout.isEmpty)
        try root.cell("network", "create", "--subnet", "10.235.0.0/24", "doomed").expectSuccess()
    }

    /// A `network create` killed while it makes its bridge (here: while its firewall rules are
    /// being written, an iptables-restore of its running) left a bridge no prune found: it was
    /// recorded for pruning only once complete. And a network deleted behind cell's back and
    /// made again under its name kept the old bridge for ever, its subnet still routed, since
    /// the record it was judged by existed again. Both are pruned now.
    @Test func bridgesOfKilledOrReplacedNetworksArePruned() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // Killed mid-way; it may finish before it is caught, then it is tried again.
        var caught = false
        for attempt in 0..<5 where !caught {
            let name = "killed\(attempt)"
            let creation = try ChildProcess(Paths.cell, ["network", "create", "--subnet", "10.236.0.0/24", name],
                                            environment: ["CELL_ROOT": root.path], captureOutput: false)
            let children = "/proc/\(creation.pid)/task/\(creation.pid)/children"
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && creation.exitStatusIfExited() == nil {
                let running = (try? String(contentsOfFile: children, encoding: .utf8)) ?? ""
                if !running.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    kill(creation.pid, SIGKILL)
                    caught = true
                    break
                }
            }
            _ = creation.waitForExit()
            if !caught { _ = try root.cell("network", "rm", name) }
        }
        #expect(caught, "a network create was killed while it ran iptables-restore")
        try root.cell("network", "prune", "-f").expectSuccess()
        #expect(try Command.run("/usr/sbin/ip", ["-o", "-4", "addr", "show", "to", "10.236.0.0/24"]).stdout.isEmpty,
                "the half-made bridge is pruned")
        try root.cell("network", "create", "--subnet", "10.236.0.0/24", "killed").expectSuccess()

        // Deleted behind cell's back (`rm -rf` of its record), then made again by name.
        let first = try root.cell("network", "create", "--subnet", "10.236.1.0/24", "again").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: "\(root.path)/networks/again")
        let second = try root.cell("network", "create", "--subnet", "10.236.2.0/24", "again").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!first.isEmpty && !second.isEmpty && first != second)
        try root.cell("create", "--network", "again", "busybox").expectSuccess()  // so that prune keeps it
        try root.cell("network", "prune", "-f").expectSuccess()
        #expect(try !NetworkTests.hostHas(interface: NetworkTests.bridge(of: first)), "the replaced network's bridge is pruned")
        #expect(try !NetworkTests.firewallMentions(NetworkTests.bridge(of: first)), "with its rules")
        #expect(try NetworkTests.hostHas(interface: NetworkTests.bridge(of: second)), "the network of that name now keeps its own")
        try root.cell("network", "create", "--subnet", "10.236.1.0/24", "reused").expectSuccess()
    }

    /// Addresses, subnets and MACs with a sign in them (`+10.237.0.5`, `+2:42:...`) were taken,
    /// since Swift's integer parsing allows one; an address is a file name in the store and a
    /// MAC goes to the kernel, so each has one spelling: anything else is refused as Docker
    /// refuses it, and nothing is made. Network names that `--network` reads as a mode are
    /// refused too.
    @Test func namesAddressesAndMACsMeanOneThing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for subnet in ["+10.237.0.0/24", "10.237.+0.0/24"] {
            let refused = try root.cell("network", "create", "--subnet", subnet, "signed")
            #expect(refused.status == 1 && refused.stderr.hasPrefix("Error response from daemon: invalid subnet"), "\(subnet): \(refused.stderr)")
        }
        let gateway = try root.cell("network", "create", "--subnet", "10.237.0.0/24", "--gateway", "10.237.0.+1", "signed")
        #expect(gateway.status == 1 && gateway.stderr.contains("invalid gateway address"), "\(gateway.stderr)")
        // Names `--network` reads as a mode: a network made under one could never be joined.
        for name in ["default", "private"] {
            let refused = try root.cell("network", "create", "--subnet", "10.237.0.0/24", name)
            #expect(refused.status == 1 && refused.stderr == "Error response from daemon: \(name) is a pre-defined network and cannot be created\n",
                    "\(refused.stderr)")
        }
        try root.cell("network", "create", "--subnet", "10.237.0.0/24", "plain").expectSuccess()
        for address in ["+10.237.0.5", "10.237.0.+5", "10.237.0.-0"] {
            let refused = try root.cell("create", "--network", "plain", "--ip", address, "busybox")
            #expect(refused.status == 125 && refused.stderr == "Error: invalid IPv4 address: \(address)\n", "\(address): \(refused.stderr)")
        }
        for mac in ["+2:42:0a:ed:00:05", "02:42:0a:ed:00:+5", "02:42:0a:ed:00:-0"] {
            let refused = try root.cell("create", "--network", "plain", "--mac-address", mac, "busybox")
            #expect(refused.status == 125 && refused.stderr.contains("\(mac) is not a valid mac address"), "\(mac): \(refused.stderr)")
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/plain/addresses").isEmpty)
        try root.cell("create", "--name", "fine", "--network", "plain", "--ip", "10.237.0.5", "--mac-address", "02:42:0A:ed:00:05", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.plain.IPAddress}} {{.NetworkSettings.Networks.plain.MacAddress}}",
                              "fine").stdout == "10.237.0.5 02:42:0a:ed:00:05\n")
    }

    /// What someone with the store's files in reach plants where cell keeps claims and records:
    /// a FIFO, a link to /dev/zero and a directory among a network's address claims (every
    /// creation and removal on the network reads the claims: the FIFO stalled them for ever,
    /// the link would fill memory), and a network directory that is a link to another store's
    /// network (whose bridge `network rm` would have taken). Each is no claim and no network:
    /// creations, removals and lists go on, and the other store keeps its bridge.
    @Test func plantedClaimsAndNetworkLinksAreNotFollowed() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.238.0.0/24", "planted").expectSuccess()
        let claims = "\(root.path)/networks/planted/addresses"
        #expect(mkfifo("\(claims)/10.238.0.2", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(claims)/10.238.0.3", withDestinationPath: "/dev/zero")
        try FileManager.default.createDirectory(atPath: "\(claims)/10.238.0.4/inside", withIntermediateDirectories: true)

        #expect(try NetworkAttackTests.finishes(within: 20, root, ["run", "-d", "--name", "one", "--network", "planted", "busybox", "sleep", "1000"]) == 0)
        #expect(try NetworkAttackTests.finishes(within: 20, root, ["create", "--name", "two", "--network", "planted", "busybox"]) == 0)
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.planted.IPAddress}}", "one", "two").lines == ["10.238.0.5", "10.238.0.6"],
                "the planted addresses are left alone")
        #expect(try root.cell("exec", "one", "cat", "/etc/hosts").stdout.contains("10.238.0.6\ttwo "), "names still reach the peers")
        #expect(try NetworkAttackTests.finishes(within: 20, root, ["create", "--network", "planted", "--ip", "10.238.0.2", "busybox"]) == 125,
                "a planted address is taken (and the sweep that judges it reads nothing)")
        #expect(try NetworkAttackTests.finishes(within: 20, root, ["rm", "-f", "one", "two"]) == 0)

        let other = try CellRoot()
        let otherID = try other.cell("network", "create", "--subnet", "10.238.1.0/24", "real").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createSymbolicLink(atPath: "\(root.path)/networks/borrowed", withDestinationPath: "\(other.path)/networks/real")
        #expect(try !root.cell("network", "ls", "--format", "{{.Name}}").lines.contains("borrowed"))
        let removal = try root.cell("network", "rm", "borrowed")
        #expect(removal.status == 1 && removal.stderr == "Error response from daemon: network borrowed not found\n", "\(removal.stderr)")
        try root.cell("network", "prune", "-f").expectSuccess()
        #expect(try NetworkTests.hostHas(interface: NetworkTests.bridge(of: otherID)), "the other store keeps its bridge")
        #expect(try other.cell("network", "inspect", "-f", "{{.Name}}", "real").stdout == "real\n")
    }

    /// A volume's options become mount(2)'s C strings at each start: one with a NUL byte was
    /// taken by `POST /volumes/create` and failed every container that used the volume. It is
    /// refused where it enters now, with a 400, and no volume is made.
    @Test func volumeOptionsWithANULByteAreRefusedAtCreation() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root)
        for options in [#""type":"tmpfs","device":"tmpfs","o":"size=1m\u0000,mode=777""#,
                        #""type":"none","o":"bind","device":"/tmp\u0000/x""#] {
            let answer = try service.request(NetworkAttackTests.post("/volumes/create", #"{"Name":"nul","DriverOpts":{"# + options + "}}"))
            #expect(answer.status == 400 && answer.message?.contains("contains a NUL byte") == true, "\(options): \(answer.status) \(answer.body)")
        }
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty, "no volume made")
    }

    /// `-p` and `-P` on an `--internal` network: the host's proxy served the container's port,
    /// so anyone who reached the host reached a container whose network promises no way in or
    /// out. Docker sets no port up for it (moby#36174), nor does cell now: `port` shows none,
    /// nothing listens, and the container still serves its network.
    @Test func anInternalContainerPublishesNoPort() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.239.30.0/24", "--internal", "vault").expectSuccess()
        try root.cell("run", "-d", "--name", "secret", "--network", "vault", "-p", "127.0.0.1::80", "--expose", "81", "-P",
                      "busybox", "sh", "-c", "echo secret > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        #expect(try root.cell("port", "secret").stdout.isEmpty, "no port published")
        #expect(try root.cell("inspect", "-f", "{{json .NetworkSettings.Ports}}", "secret").stdout.contains("\"HostPort\"") == false)
        let peer = try root.cell("run", "--rm", "--init", "--network", "vault", "busybox", "timeout", "5", "wget", "-qO-", "http://secret/")
        #expect(peer.stdout == "secret\n", "its network still reaches it: \(peer.stderr)")
    }

    /// `network create` turns IPv4 forwarding on, and forwarding is for every interface of the
    /// host: one that did not route before (a LAN beside a VPN or a DMZ) started routing between
    /// them all, its FORWARD policy ACCEPT. When cell is the one that turns forwarding on, the
    /// policy becomes DROP first, as Docker makes it; a host that routed already keeps its
    /// policy. Each case runs in a network namespace of its own, whose forwarding and rules are
    /// its own, so the host's are left alone.
    @Test func turningForwardingOnDoesNotMakeTheHostARouter() throws {
        let root = try CellRoot()
        func createInOwnNamespace(forwarding: Int, subnet: String, name: String) throws -> CommandResult {
            try Command.run("/usr/bin/unshare", ["-n", "/bin/sh", "-c", """
                echo \(forwarding) > /proc/sys/net/ipv4/ip_forward
                "$1" network create --subnet \(subnet) \(name) >/dev/null || exit 1
                iptables -S FORWARD | head -n 1; cat /proc/sys/net/ipv4/ip_forward
                """, "sh", Paths.cell], environment: ["CELL_ROOT": root.path])
        }
        let notRouting = try createInOwnNamespace(forwarding: 0, subnet: "10.239.40.0/24", name: "first")
        #expect(notRouting.stdout == "-P FORWARD DROP\n1\n", "\(notRouting.stdout)\(notRouting.stderr)")
        let routing = try createInOwnNamespace(forwarding: 1, subnet: "10.239.41.0/24", name: "second")
        #expect(routing.stdout == "-P FORWARD ACCEPT\n1\n", "\(routing.stdout)\(routing.stderr)")
    }

    /// A container with CAP_NET_ADMIN rewrites its own routes and addresses to get at another
    /// network: a route through its gateway, an address of the other subnet on its link, a
    /// source address taken from it; from an `--internal` network, a default route. None gets
    /// through: the host forwards nothing from one bridge to another, whatever the addresses.
    /// (Within its own network it can still spoof, as in Docker.)
    @Test func netAdminInAContainerDoesNotCrossNetworks() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.239.50.0/24", "home").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.239.51.0/24", "away").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.239.52.0/24", "--internal", "shut").expectSuccess()
        for (name, network) in [("homeweb", "home"), ("awayweb", "away")] {
            try root.cell("run", "-d", "--name", name, "--network", network, "busybox",
                          "sh", "-c", "echo \(name) > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        }
        let fromHome = try root.cell("run", "--rm", "--init", "--cap-add", "NET_ADMIN", "--network", "home", "busybox", "sh", "-c", """
            timeout 3 wget -qO- http://10.239.50.2/
            ip route add 10.239.51.0/24 via 10.239.50.1 && timeout 2 wget -qO- http://10.239.51.2/ && echo crossed-by-route
            ip addr add 10.239.51.77/24 dev eth0 && ip route replace 10.239.51.0/24 dev eth0 && timeout 2 wget -qO- http://10.239.51.2/ && echo crossed-on-link
            ip route replace 10.239.51.0/24 via 10.239.50.1 src 10.239.51.77 && timeout 2 wget -qO- http://10.239.51.2/ && echo crossed-by-spoofing
            true
            """)
        #expect(fromHome.stdout == "homeweb\n", "its own network only: \(fromHome.stdout) \(fromHome.stderr)")
        let fromShut = try root.cell("run", "--rm", "--init", "--cap-add", "NET_ADMIN", "--network", "shut", "busybox", "sh", "-c", """
            ip route add default via 10.239.52.1 && timeout 2 wget -qO- http://10.239.50.2/ && echo crossed-from-internal
            ip addr add 10.239.50.77/32 dev eth0 && ip route replace default via 10.239.52.1 src 10.239.50.77 && timeout 2 wget -qO- http://10.239.50.2/ && echo crossed-by-spoofing
            true
            """)
        #expect(fromShut.stdout.isEmpty, "\(fromShut.stdout)")
    }
}
