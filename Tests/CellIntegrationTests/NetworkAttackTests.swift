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
}
