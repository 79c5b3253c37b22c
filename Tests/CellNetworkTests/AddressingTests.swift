import CellCore
import CellNetwork
import Foundation
import Testing

@Suite struct AddressingTests {
    /// One spelling per address: the address claims are files named by it.
    @Test func addressesHaveOneSpelling() {
        #expect(IPv4Address("10.1.2.3")?.bits == 0x0a01_0203)
        #expect(IPv4Address("255.255.255.255")?.description == "255.255.255.255")
        for bad in ["010.1.2.3", "10.1.2", "10.1.2.3.4", "10.1.2.256", "4294967295", "10.1.2.-3", "10.1.2. 3", "", "::1", "10.1.2.3/24",
                    "١٠.1.2.3"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test func subnetsRefuseHostBitsAndKnowTheirHosts() throws {
        let subnet = try #require(IPv4Subnet("10.212.0.0/30"))
        #expect(subnet.hostCount == 2)
        #expect(subnet.host(1).description == "10.212.0.1" && subnet.broadcast.description == "10.212.0.3")
        #expect(subnet.isHost(IPv4Address("10.212.0.2")!))
        #expect(!subnet.isHost(IPv4Address("10.212.0.0")!) && !subnet.isHost(IPv4Address("10.212.0.3")!))
        #expect(!subnet.isHost(IPv4Address("10.212.0.4")!))
        #expect(IPv4Subnet("10.0.0.1/24") == nil, "host bits set")
        #expect(IPv4Subnet("10.0.0.0/33") == nil && IPv4Subnet("10.0.0.0/-1") == nil && IPv4Subnet("10.0.0.0") == nil)
        #expect(IPv4Subnet("10.0.0.0/8")!.overlaps(IPv4Subnet("10.200.0.0/16")!))
        #expect(IPv4Subnet("10.200.0.0/16")!.overlaps(IPv4Subnet("10.0.0.0/8")!))
        #expect(!IPv4Subnet("10.200.0.0/16")!.overlaps(IPv4Subnet("10.201.0.0/16")!))
        #expect(IPv4Subnet("0.0.0.0/0")!.hostCount == 4_294_967_294)
        #expect(IPv4Interface(parsing: "172.18.0.2/16")?.subnet == IPv4Subnet("172.18.0.0/16"))
        #expect(IPv4Interface(parsing: "172.18.0.2") == nil && IPv4Interface(parsing: "172.18.0.2/99") == nil)
    }

    /// /proc/net/route's words: hex of the network-order word as a native integer.
    @Test func hostRoutesAreReadFromTheKernelsTable() throws {
        let table = FileManager.default.temporaryDirectory.appendingPathComponent("route-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: table) }
        try """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        cni0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0

        """.write(toFile: table, atomically: true, encoding: .utf8)
        let routes = HostRoutes.routes(table: table)
        #expect(routes.map(\.interface) == ["eth0", "cni0"], "the default route says nothing")
        #expect(routes.map(\.subnet.description) == ["192.0.2.0/24", "10.88.0.0/16"])
    }

    @Test func macAddressesAreDockersAndUnicastOnly() {
        #expect(NetworkAttachment.formatMAC(NetworkAttachment.macAddress(for: IPv4Address("172.18.0.2")!)) == "02:42:ac:12:00:02")
        #expect(NetworkAttachment.parseMAC("92:d0:c6:0a:29:33") == [0x92, 0xd0, 0xc6, 0x0a, 0x29, 0x33])
        for bad in ["01:00:5e:00:00:01", "00:00:00:00:00:00", "92:d0:c6:0a:29", "92:d0:c6:0a:29:3", "92-d0-c6-0a-29-33", "zz:d0:c6:0a:29:33"] {
            #expect(NetworkAttachment.parseMAC(bad) == nil, "\(bad)")
        }
    }

    /// The rules of one network, in the order they take at the top of their chains.
    @Test func bridgeFirewallRules() {
        let open = BridgeFirewall(bridge: "cell-0123456789", subnet: IPv4Subnet("10.9.0.0/24")!, isInternal: false)
        #expect(open.rules.map { "\($0.table) \($0.chain) \($0.rule)" } == [
            "filter FORWARD -i cell-0123456789 -o cell-0123456789 -j ACCEPT",
            "filter FORWARD -i cell-0123456789 -o cell-+ -j DROP",
            "filter FORWARD -i cell-0123456789 ! -s 10.9.0.0/24 -j DROP",
            "filter FORWARD -i cell-0123456789 -j ACCEPT",
            "filter FORWARD -o cell-0123456789 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "filter FORWARD -o cell-0123456789 -j DROP",
            "nat POSTROUTING -s 10.9.0.0/24 ! -o cell-0123456789 -j MASQUERADE",
        ])
        let closed = BridgeFirewall(bridge: "cell-0123456789", subnet: IPv4Subnet("10.9.0.0/24")!, isInternal: true)
        #expect(!closed.rules.contains { $0.table == "nat" })
        #expect(closed.rules.contains { $0.chain == "INPUT" && $0.rule == "-i cell-0123456789 -j DROP" })
    }
}
