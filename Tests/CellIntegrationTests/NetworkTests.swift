import Foundation
import Testing

/// Bridge networks: Docker's verbs and errors, containers that reach each other by name, NAT to
/// an outside the test makes itself, isolation, and nothing left on the host. Each test takes
/// subnets of its own (10.2xx.*), since tests of other stores run at the same time on this host.
@Suite("networks")
struct NetworkTests {
    /// The Linux bridge of a network (`cell-` and ten digits of its id).
    static func bridge(of id: String) -> String { "cell-" + String(id.prefix(10)) }

    static func hostHas(interface name: String) throws -> Bool {
        try Command.run("/usr/sbin/ip", ["link", "show", "dev", name]).status == 0
    }

    static func firewallMentions(_ text: String) throws -> Bool {
        let filter = try Command.run("/usr/sbin/iptables", ["-S"]).stdout
        let nat = try Command.run("/usr/sbin/iptables", ["-t", "nat", "-S"]).stdout
        return filter.contains(text) || nat.contains(text)
    }

    /// The host ends of the veths on `bridge`.
    static func ports(of bridge: String) throws -> [String] {
        try Command.run("/usr/sbin/ip", ["-o", "link", "show", "master", bridge]).stdout.split(separator: "\n").map(String.init)
    }

    // busybox's wget -T crashes (Debian's busybox-static 1.35): time limits come from `timeout`,
    // under --init, since a signal to a pid 1 that has no handler for it is ignored.

    @Test func theNetworkVerbsAnswerAsDockers() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let created = try root.cell("network", "create", "--subnet", "10.201.0.0/24", "--gateway", "10.201.0.254",
                                    "--label", "tier=front", "front")
        #expect(created.status == 0, "\(created.stderr)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        let bridge = NetworkTests.bridge(of: id)
        #expect(try NetworkTests.hostHas(interface: bridge), "the bridge is made with the network")
        #expect(try Command.run("/usr/sbin/ip", ["-o", "-4", "addr", "show", "dev", bridge]).stdout.contains("10.201.0.254/24"))

        let listed = try root.cell("network", "ls")
        let lines = listed.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NETWORK", "ID", "NAME", "DRIVER", "SCOPE"])
        #expect(lines.dropFirst().map { [$0[1], $0[2], $0[3]] } == [["bridge", "bridge", "local"], ["host", "host", "local"],
                                                                  ["none", "null", "local"], ["front", "bridge", "local"]])
        #expect(try root.cell("network", "ls", "-q", "--no-trunc", "--filter", "label=tier=front").stdout == "\(id)\n")
        #expect(try root.cell("network", "ls", "--filter", "type=custom", "--format", "{{.Name}} {{.Internal}} {{.Labels}}").stdout
                == "front false tier=front\n")
        #expect(try root.cell("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Driver}} {{.Scope}}",
                              "front").stdout == "10.201.0.0/24 10.201.0.254 bridge local\n")
        #expect(try root.cell("network", "inspect", "-f", "{{.Name}}", String(id.prefix(6))).stdout == "front\n", "found by id prefix")
        let inspected = try JSONSerialization.jsonObject(with: Data(try root.cell("network", "inspect", "front").stdout.utf8)) as! [[String: Any]]
        #expect(inspected[0]["Id"] as? String == id && inspected[0]["Internal"] as? Bool == false)
        #expect((inspected[0]["Labels"] as? [String: String]) == ["tier": "front"])

        // Docker's refusals, each one line and nothing made.
        let again = try root.cell("network", "create", "front")
        #expect(again.status == 1 && again.stderr == "Error response from daemon: network with name front already exists\n")
        let predefined = try root.cell("network", "create", "host")
        #expect(predefined.status == 1 && predefined.stderr == "Error response from daemon: network with name host already exists\n")
        let overlapping = try root.cell("network", "create", "--subnet", "10.201.0.128/25", "other")
        #expect(overlapping.status == 1
                && overlapping.stderr == "Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n")
        let hostRoute = try root.cell("network", "create", "--subnet", "127.0.0.0/8", "loopish")
        #expect(hostRoute.status == 1, "a subnet the host routes is refused: \(hostRoute.stderr)")
        let badSubnet = try root.cell("network", "create", "--subnet", "10.202.0.1/24", "bad1")
        #expect(badSubnet.status == 1 && badSubnet.stderr.hasPrefix("Error response from daemon: invalid subnet 10.202.0.1/24"))
        let badGateway = try root.cell("network", "create", "--subnet", "10.202.0.0/24", "--gateway", "10.203.0.1", "bad2")
        #expect(badGateway.status == 1 && badGateway.stderr == "Error response from daemon: no matching subnet for gateway 10.203.0.1\n")
        let badName = try root.cell("network", "create", "../up")
        #expect(badName.status == 1 && badName.stderr.contains("invalid network name"))
        let missing = try root.cell("network", "inspect", "nothing")
        #expect(missing.status == 1 && missing.stderr == "Error: network nothing not found\n")
        #expect(try root.cell("network", "ls", "-q").stdout.split(separator: "\n").count == 4, "no network half made")

        // In use, it stays; predefined ones never go.
        let holder = try root.cell("create", "--name", "holder", "--network", "front", "busybox").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(holder.count == 64)
        let busy = try root.cell("network", "rm", "front")
        #expect(busy.status == 1 && busy.stderr == "Error response from daemon: error while removing network: network front id \(id) has active endpoints (holder)\n")
        let builtin = try root.cell("network", "rm", "bridge")
        #expect(builtin.status == 1 && builtin.stderr == "Error response from daemon: bridge is a pre-defined network and cannot be removed\n")
        #expect(try root.cell("network", "prune", "-f").stdout.isEmpty, "a network with a container is not pruned")
        try root.cell("rm", "holder").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.204.0.0/24", "spare").expectSuccess()
        #expect(try root.cell("network", "rm", "front").stdout == "front\n")
        #expect(try root.cell("network", "prune", "-f").stdout == "Deleted Networks:\nspare\n")
        #expect(try !NetworkTests.hostHas(interface: bridge), "the bridge goes with its network")
        #expect(try !NetworkTests.firewallMentions(bridge), "and its rules")
        let gone = try root.cell("network", "rm", "front")
        #expect(gone.status == 1 && gone.stderr == "Error response from daemon: network front not found\n")
        #expect(try root.cell("network", "rm", "-f", "front").status == 0)
    }

    /// A web server and its clients on a user-defined network: by name and by alias, and the
    /// name follows the server when it is made again at another address, also for a client
    /// that was running all along.
    @Test func containersOnANetworkReachEachOtherByNameAndAlias() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.205.0.0/24", "app").expectSuccess()
        try root.cell("run", "-d", "--name", "web", "--network", "app", "--network-alias", "www", "busybox",
                      "sh", "-c", "echo first > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let fetched = try root.cell("run", "--rm", "--network", "app", "busybox", "sh", "-c",
                                    "wget -qO- http://web/ && wget -qO- http://www/ && hostname -i")
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.hasPrefix("first\nfirst\n10.205.0."))
        let firstAddress = try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "web").stdout
        #expect(firstAddress == "10.205.0.2\n")
        let webID = try root.cell("inspect", "-f", "{{.Id}}", "web").stdout.prefix(12)
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.IPAddress}}|{{json .NetworkSettings.Networks.app.Aliases}}", "web").stdout
                == "|[\"www\",\"\(webID)\"]\n", "Docker fills the top-level address for the default bridge only")

        try root.cell("run", "-d", "--name", "client", "--network", "app", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("rm", "-f", "web").expectSuccess()
        // Its old address taken by another, the server comes back at a new one.
        try root.cell("create", "--name", "filler", "--network", "app", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "filler").stdout == "10.205.0.2\n")
        try root.cell("run", "-d", "--name", "web", "--network", "app", "--network-alias", "www", "busybox",
                      "sh", "-c", "echo second > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let secondAddress = try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.app.IPAddress}}", "web").stdout
        #expect(secondAddress != firstAddress)
        let again = try root.cell("exec", "client", "sh", "-c", "wget -qO- http://web/ && wget -qO- http://www/")
        #expect(again.stdout == "second\nsecond\n", "\(again.stderr)")
        let hosts = try root.cell("exec", "client", "cat", "/etc/hosts").stdout
        let second = secondAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hosts.contains("\(second)\tweb ") && hosts.contains("\(second)\twww\n"), "its name, then its alias: \(hosts)")
        #expect(!hosts.contains("\(firstAddress.trimmingCharacters(in: .whitespacesAndNewlines))\tweb"), "no line for the removed server")

        // A renamed server is found by its new name.
        try root.cell("rename", "web", "shop").expectSuccess()
        #expect(try root.cell("exec", "client", "wget", "-qO-", "http://shop/").stdout == "second\n")
        #expect(try !root.cell("exec", "client", "cat", "/etc/hosts").stdout.contains("\tweb "))

        // --link: the other container's address under the alias, also on the default bridge.
        try root.cell("run", "-d", "--name", "linked", "--network", "bridge", "busybox",
                      "sh", "-c", "echo legacy > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let viaLink = try root.cell("run", "--rm", "--link", "linked:old", "busybox", "wget", "-qO-", "http://old/")
        #expect(viaLink.stdout == "legacy\n", "\(viaLink.stderr)")
        let elsewhere = try root.cell("run", "--rm", "--network", "app", "--link", "linked", "busybox", "true")
        #expect(elsewhere.status == 125 && elsewhere.stderr.contains("Cannot link to /linked, as it does not belong to the default network"))

        // The default bridge keeps Docker's rule: no names.
        try root.cell("run", "-d", "--name", "plain", "--network", "bridge", "busybox", "sleep", "1000").expectSuccess()
        let unnamed = try root.cell("run", "--rm", "--network", "bridge", "busybox", "grep", "-c", "plain", "/etc/hosts")
        #expect(unnamed.stdout == "0\n")
        let address = try root.cell("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}", "plain").stdout
        #expect(address.hasPrefix("172.") || address.hasPrefix("192.168."), "the default bridge fills the top-level fields: \(address)")
    }

    /// `--network container:NAME`: the other container's interfaces, loopback, hostname and
    /// /etc files, joined at each start; Docker's refusals beside it.
    @Test func aContainerJoinsAnothersNetwork() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.218.0.0/24", "pod").expectSuccess()
        try root.cell("run", "-d", "--name", "main", "--network", "pod", "busybox",
                      "sh", "-c", "echo inner > /tmp/index.html; exec httpd -f -p 127.0.0.1:80 -h /tmp").expectSuccess()
        let mainHostname = try root.cell("inspect", "-f", "{{.Config.Hostname}}", "main").stdout
        let sidecar = try root.cell("run", "--rm", "--network", "container:main", "busybox", "sh", "-c",
                                    "wget -qO- http://127.0.0.1/ && hostname && ip -o -4 addr show eth0 | grep -o '10.218.0.2/24'")
        #expect(sidecar.stdout == "inner\n\(mainHostname)10.218.0.2/24\n", "\(sidecar.stderr)")
        try root.cell("create", "--name", "side", "--network", "container:main", "busybox", "sleep", "1000").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.NetworkMode}} {{json .NetworkSettings.Networks}}", "side").stdout
                == "container:main {}\n")
        try root.cell("stop", "-t", "0", "main").expectSuccess()
        let stopped = try root.cell("start", "side")
        #expect(stopped.status == 1 && stopped.stderr.contains("cannot join network of a non running container"), "\(stopped.stderr)")
        try root.cell("start", "main").expectSuccess()
        try root.cell("start", "side").expectSuccess()
        #expect(try root.cell("exec", "side", "wget", "-qO-", "http://127.0.0.1/").stdout == "inner\n", "joined again at its start")
        #expect(try root.cell("exec", "side", "cat", "/etc/hosts").stdout == (try root.cell("exec", "main", "cat", "/etc/hosts").stdout))

        for (flags, message) in [(["-p", "80"], "conflicting options: port publishing and the container type network mode"),
                                 (["--hostname", "x1"], "conflicting options: hostname and the network mode"),
                                 (["--dns", "10.0.0.1"], "conflicting options: dns and the network mode"),
                                 (["--add-host", "a:10.0.0.1"], "conflicting options: custom host-to-IP mapping and the network mode"),
                                 (["--ip", "10.218.0.9"], "conflicting options: networking options and the container type network mode")] {
            let refused = try root.cell(["create", "--network", "container:main"] + flags + ["busybox"])
            #expect(refused.status == 125 && refused.stderr == "Error: \(message)\n", "\(flags): \(refused.stderr)")
        }
        let missing = try root.cell("create", "--network", "container:nosuch", "busybox")
        #expect(missing.status == 125 && missing.stderr == "Error: No such container: nosuch\n")
    }

    /// `network connect` gives a running container an interface on one more network, at once and
    /// for its next starts; `disconnect` takes it away, and the default route moves on.
    @Test func connectAndDisconnectARunningContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.219.0.0/24", "front").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.220.0.0/24", "back").expectSuccess()
        try root.cell("run", "-d", "--name", "db", "--network", "back", "busybox",
                      "sh", "-c", "echo rows > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        try root.cell("run", "-d", "--name", "app", "--network", "front", "busybox", "sleep", "1000").expectSuccess()
        let apart = try root.cell("exec", "app", "sh", "-c", "grep -cw db /etc/hosts")
        #expect(apart.stdout == "0\n", "not on db's network yet")

        try root.cell("network", "connect", "--alias", "api", "--ip", "10.220.0.40", "back", "app").expectSuccess()
        #expect(try root.cell("exec", "app", "wget", "-qO-", "http://db/").stdout == "rows\n")
        #expect(try root.cell("exec", "db", "cat", "/etc/hosts").stdout.contains("10.220.0.40\tapp ")
                && root.cell("exec", "db", "grep", "api", "/etc/hosts").stdout == "10.220.0.40\tapi\n", "its name, then its alias")
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.back.IPAddress}} {{.NetworkSettings.Networks.front.IPAddress}}",
                              "app").stdout == "10.220.0.40 10.219.0.2\n")
        let route = try root.cell("exec", "app", "ip", "route").stdout
        #expect(route.contains("default via 10.219.0.1 dev eth0"), "the first network keeps the default route: \(route)")
        let again = try root.cell("network", "connect", "back", "app")
        #expect(again.status == 1 && again.stderr == "Error response from daemon: endpoint with name app already exists in network back\n")
        let onHost = try root.cell("run", "-d", "--name", "hosted", "--network", "host", "busybox", "sleep", "1000")
        try onHost.expectSuccess()
        let refused = try root.cell("network", "connect", "back", "hosted")
        #expect(refused.status == 1 && refused.stderr.contains("cannot be connected to any other network"))

        // Kept for the next start.
        try root.cell("restart", "-t", "0", "app").expectSuccess()
        #expect(try root.cell("exec", "app", "wget", "-qO-", "http://db/").stdout == "rows\n")

        try root.cell("network", "disconnect", "front", "app").expectSuccess()
        let moved = try root.cell("exec", "app", "ip", "route").stdout
        #expect(moved.contains("default via 10.220.0.1 dev eth1") && !moved.contains("10.219."), "\(moved)")
        try root.cell("network", "disconnect", "back", "app").expectSuccess()
        #expect(try root.cell("exec", "app", "ls", "/sys/class/net").stdout == "lo\n")
        #expect(try root.cell("exec", "db", "grep", "-c", "api", "/etc/hosts").stdout == "0\n", "gone from its peers' files")
        let notOn = try root.cell("network", "disconnect", "back", "app")
        #expect(notOn.status == 1 && notOn.stderr.contains("is not connected to network back"))
        #expect(try root.cell("network", "disconnect", "-f", "back", "app").status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/front/addresses").isEmpty, "its addresses given back")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/back/addresses") == ["10.220.0.2"])
    }

    /// Containers on different networks cannot reach each other; an internal network cannot
    /// reach the host's published ports (while another network's container can, so the check
    /// means something); `--network none` has the loopback interface only.
    @Test func networksAreIsolatedAndInternalOnesReachNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.206.0.0/24", "left").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.207.0.0/24", "right").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.208.0.0/24", "--internal", "closed").expectSuccess()
        try root.cell("run", "-d", "--name", "server", "--network", "left", "-p", "127.0.0.1::80", "busybox",
                      "sh", "-c", "echo served > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let port = try root.cell("port", "server", "80").stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").last.map(String.init) ?? ""
        #expect(!port.isEmpty)
        #expect(waitUntil { (try? Command.run("/bin/busybox", ["wget", "-qO-", "http://127.0.0.1:\(port)/"]).stdout) == "served\n" },
                "the published port works as before on a bridge network")
        #expect(try root.cell("run", "--rm", "--init", "--network", "left", "busybox", "timeout", "3", "wget", "-qO-", "http://10.206.0.2/").stdout == "served\n")
        let across = try root.cell("run", "--rm", "--init", "--network", "right", "busybox", "timeout", "2", "wget", "-qO-", "http://10.206.0.2/")
        #expect(across.status != 0, "another network's container is out of reach")

        // The host's published port through its address on the container's own network.
        try root.cell("run", "-d", "--name", "hostport", "-p", "0.0.0.0::80", "--network", "bridge", "busybox",
                      "sh", "-c", "echo host > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let hostPort = try root.cell("port", "hostport", "80").stdout.split(separator: "\n").first.map { String($0.split(separator: ":").last ?? "") } ?? ""
        let fromRight = try root.cell("run", "--rm", "--init", "--network", "right", "busybox", "timeout", "3", "wget", "-qO-", "http://10.207.0.1:\(hostPort)/")
        #expect(fromRight.stdout == "host\n", "a container reaches a published port on its gateway: \(fromRight.stderr)")
        let fromClosed = try root.cell("run", "--rm", "--init", "--network", "closed", "busybox", "timeout", "2", "wget", "-qO-", "http://10.208.0.1:\(hostPort)/")
        #expect(fromClosed.status != 0, "an internal network reaches no host port")
        let route = try root.cell("run", "--rm", "--network", "closed", "busybox", "ip", "route").stdout
        #expect(!route.contains("default"), "and has no way out: \(route)")

        let none = try root.cell("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net")
        #expect(none.stdout == "lo\n")
    }

    /// Outbound traffic is masqueraded: the "outside" is a namespace this test makes, with a
    /// route back to the host's end of its link only, so an answer reaches the container only
    /// if its source address was the host's. An internal network gets no way out.
    @Test func outboundTrafficIsMasqueraded() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        let namespace = "cellnat-\(tag)"
        let hostEnd = "cn\(tag)h", outsideEnd = "cn\(tag)o"
        let octet = Int.random(in: 1...250)
        let script = """
        set -e
        ip netns add \(namespace)
        ip link add \(hostEnd) type veth peer name \(outsideEnd)
        ip link set \(outsideEnd) netns \(namespace)
        ip addr add 10.250.\(octet).1/30 dev \(hostEnd)
        ip link set \(hostEnd) up
        ip -n \(namespace) addr add 10.250.\(octet).2/30 dev \(outsideEnd)
        ip -n \(namespace) link set \(outsideEnd) up
        ip -n \(namespace) link set lo up
        mkdir -p \(root.file("www"))
        echo outside > \(root.file("www"))/index.html
        """
        let setUp = try Command.shell(script)
        defer { _ = try? Command.shell("ip netns del \(namespace); ip link del \(hostEnd) 2>/dev/null; true") }
        #expect(setUp.status == 0, "\(setUp.stderr)")
        let server = try ChildProcess("/usr/sbin/ip", ["netns", "exec", namespace, "/bin/busybox", "httpd", "-f", "-p",
                                                       "10.250.\(octet).2:8080", "-h", root.file("www")], captureOutput: false)
        defer { kill(server.pid, SIGKILL); _ = server.waitForExit() }
        try root.cell("network", "create", "--subnet", "10.209.0.0/24", "out").expectSuccess()
        try root.cell("network", "create", "--subnet", "10.210.0.0/24", "--internal", "in").expectSuccess()
        let reached = try root.cell("run", "--rm", "--network", "out", "busybox", "sh", "-c",
                                    "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -qO- http://10.250.\(octet).2:8080/ && exit 0; sleep 0.2; done; exit 1")
        #expect(reached.stdout == "outside\n", "\(reached.stderr)")
        let blocked = try root.cell("run", "--rm", "--init", "--network", "in", "busybox", "timeout", "2", "wget", "-qO-", "http://10.250.\(octet).2:8080/")
        #expect(blocked.status != 0)
    }

    /// Addresses: taken by no two containers made at once, `--ip` and `--mac-address` as given,
    /// given back by `rm` and by a `--rm` container's end, and a claim left by a killed creation
    /// swept once it is a minute old (but not a fresh one, which may be a creation under way).
    @Test func addressesAreNeverSharedAndNeverLost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.211.0.0/24", "many").expectSuccess()
        let results = ParallelResults(count: 50)
        let rootPath = root.path
        DispatchQueue.concurrentPerform(iterations: 50) { index in
            let made = try? Command.run(Paths.cell, ["create", "--network", "many", "busybox"], environment: ["CELL_ROOT": rootPath])
            results.set(index, made?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        }
        let ids = results.values.filter { $0.count == 64 }
        #expect(ids.count == 50)
        let addresses = try ids.map { try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.many.IPAddress}}", $0).stdout }
        #expect(Set(addresses).count == 50, "50 distinct addresses")
        try root.cell(["rm"] + ids).expectSuccess()
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/many/addresses").isEmpty)

        // A /30 has one address besides its gateway.
        try root.cell("network", "create", "--subnet", "10.212.0.0/30", "tiny").expectSuccess()
        try root.cell("create", "--name", "only", "--network", "tiny", "--mac-address", "92:d0:c6:0a:29:33", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.tiny.IPAddress}} {{.NetworkSettings.Networks.tiny.MacAddress}}",
                              "only").stdout == "10.212.0.2 92:d0:c6:0a:29:33\n")
        let full = try root.cell("create", "--network", "tiny", "busybox")
        #expect(full.status == 125 && full.stderr.contains("no available IPv4 addresses"), "\(full.stderr)")
        try root.cell("rm", "only").expectSuccess()
        for _ in 0..<2 {
            let run = try root.cell("run", "--rm", "--network", "tiny", "busybox", "hostname", "-i")
            #expect(run.stdout == "10.212.0.2\n", "a --rm container gives its address back: \(run.stderr)")
        }
        let claim = "\(root.path)/networks/tiny/addresses/10.212.0.2"
        #expect(waitUntil { !FileManager.default.fileExists(atPath: claim) })
        try "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".write(toFile: claim, atomically: false, encoding: .utf8)
        let fresh = try root.cell("create", "--network", "tiny", "--ip", "10.212.0.2", "busybox")
        #expect(fresh.status == 125, "a fresh claim is a creation under way")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: claim)
        try root.cell("create", "--name", "heir", "--network", "tiny", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.tiny.IPAddress}}", "heir").stdout == "10.212.0.2\n")

        try root.cell("network", "create", "--subnet", "10.213.0.0/24", "fixed").expectSuccess()
        try root.cell("create", "--name", "pinned", "--network", "fixed", "--ip", "10.213.0.77", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.fixed.IPAddress}}", "pinned").stdout == "10.213.0.77\n")
        let taken = try root.cell("create", "--network", "fixed", "--ip", "10.213.0.77", "busybox")
        #expect(taken.status == 125 && taken.stderr == "Error: Address already in use\n", "\(taken.stderr)")
        let outside = try root.cell("create", "--network", "fixed", "--ip", "10.99.0.1", "busybox")
        #expect(outside.status == 125 && outside.stderr.contains("does not belong to any of this network's subnets"))
        let onBridge = try root.cell("create", "--network", "bridge", "--ip", "172.17.0.9", "busybox")
        #expect(onBridge.status == 125 && onBridge.stderr.contains("user specified IP address is supported on user defined networks only"))
        let alias = try root.cell("create", "--network-alias", "x", "busybox")
        #expect(alias.status == 125 && alias.stderr.contains("network-scoped alias is supported only for containers in user defined networks"))
        let unknown = try root.cell("run", "--rm", "--network", "nosuch", "busybox", "true")
        #expect(unknown.status == 125 && unknown.stderr.contains("network nosuch not found"))
        let badMAC = try root.cell("create", "--network", "fixed", "--mac-address", "01:00:5e:00:00:01", "busybox")
        #expect(badMAC.status == 125 && badMAC.stderr.contains("is not a valid mac address"))
    }

    /// A container that exits, is killed or removed leaves no veth on the host, and a reset
    /// takes every bridge and rule of the store.
    @Test func nothingIsLeftOnTheHost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let id = try root.cell("network", "create", "--subnet", "10.214.0.0/24", "short").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bridge = NetworkTests.bridge(of: id)
        try root.cell("run", "-d", "--name", "one", "--network", "short", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "two", "--network", "short", "busybox", "sleep", "1000").expectSuccess()
        #expect(try NetworkTests.ports(of: bridge).count == 2)
        try root.cell("kill", "one").expectSuccess()
        #expect(waitUntil { (try? NetworkTests.ports(of: bridge).count) == 1 }, "a killed container's veth goes")
        try root.cell("run", "--rm", "--network", "short", "busybox", "true").expectSuccess()
        try root.cell("rm", "-f", "one", "two").expectSuccess()
        #expect(waitUntil { (try? NetworkTests.ports(of: bridge).isEmpty) == true })
        try root.cell("system", "reset", "--force").expectSuccess()
        #expect(try !NetworkTests.hostHas(interface: bridge))
        #expect(try !NetworkTests.firewallMentions(bridge))
        try expectNothingLeft(root)

        // A store deleted with its networks (a runner killed, `rm -rf`): the next prune, of any
        // store, takes the bridge it left.
        let lost = try CellRoot()
        let lostID = try lost.cell("network", "create", "--subnet", "10.217.0.0/24", "lost").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lostBridge = NetworkTests.bridge(of: lostID)
        try FileManager.default.removeItem(atPath: "\(lost.path)/networks")
        #expect(try NetworkTests.hostHas(interface: lostBridge))
        try root.cell("network", "prune", "-f").expectSuccess()
        #expect(try !NetworkTests.hostHas(interface: lostBridge), "an orphan bridge is pruned")
        #expect(try !NetworkTests.firewallMentions(lostBridge))
    }
}

/// Results written by concurrent iterations, one slot each.
final class ParallelResults: @unchecked Sendable {
    private var slots: [String]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: "", count: count) }

    func set(_ index: Int, _ value: String) { lock.withLock { slots[index] = value } }

    var values: [String] { lock.withLock { slots } }
}
