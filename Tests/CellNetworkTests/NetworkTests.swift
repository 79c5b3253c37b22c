import CellCore
import CellNetwork
import Testing

@Suite struct NetworkModeTests {
    /// One decoder for `--network`: creation and the /etc files' repair once read it apart, and
    /// the repair took `none` for a private namespace.
    @Test func dockersNamesDecodeToTheModesCellHas() {
        #expect(NetworkMode(dockerName: "default") == .private)
        #expect(NetworkMode(dockerName: "bridge") == .private)
        #expect(NetworkMode(dockerName: "private") == .private)
        #expect(NetworkMode(dockerName: "host") == .host)
        #expect(NetworkMode(dockerName: "none") == NetworkMode.none)
        #expect(NetworkMode(dockerName: "mynet") == nil)
        #expect(NetworkMode(dockerName: "") == nil)
    }
}

@Suite struct PortSpecificationTests {
    @Test func dockersPublishForms() throws {
        #expect(try PortSpecification.parse("5000") == [PortBinding(containerPort: 5000)])
        #expect(try PortSpecification.parse("8080:5000") == [PortBinding(containerPort: 5000, hostPort: 8080)])
        #expect(try PortSpecification.parse("127.0.0.1::5000/udp")
                    == [PortBinding(containerPort: 5000, proto: "udp", hostIP: "127.0.0.1")])
        #expect(try PortSpecification.parse("127.0.0.1:8080:5000/TCP")
                    == [PortBinding(containerPort: 5000, hostIP: "127.0.0.1", hostPort: 8080)])
        #expect(try PortSpecification.parse("8000-8001:5000-5001")
                    == [PortBinding(containerPort: 5000, hostPort: 8000), PortBinding(containerPort: 5001, hostPort: 8001)])
        // No host address is none (both families), apart from 0.0.0.0 (IPv4 alone).
        #expect(try PortSpecification.parse("0.0.0.0:8080:5000") == [PortBinding(containerPort: 5000, hostIP: "0.0.0.0", hostPort: 8080)])
        #expect(try PortSpecification.parse("8080:5000")[0].hostIP == "")
    }

    /// IPv6 host addresses as go-connections reads them: in brackets or bare (all fields before
    /// the last two are the address).
    @Test func ipv6HostAddresses() throws {
        #expect(try PortSpecification.parse("[::1]:8080:80") == [PortBinding(containerPort: 80, hostIP: "::1", hostPort: 8080)])
        #expect(try PortSpecification.parse("::1:8080:80") == [PortBinding(containerPort: 80, hostIP: "::1", hostPort: 8080)])
        #expect(try PortSpecification.parse("[::]::80/udp") == [PortBinding(containerPort: 80, proto: "udp", hostIP: "::")])
        #expect(try PortSpecification.parse("[fe80::1]:1-2:3-4")
                    == [PortBinding(containerPort: 3, hostIP: "fe80::1", hostPort: 1), PortBinding(containerPort: 4, hostIP: "fe80::1", hostPort: 2)])
    }

    /// One port number for both families when none was given: the allocator's probe keeps a
    /// port only if every address binds it.
    @Test func aPortWithNoAddressListensOnBothFamiliesWithOneNumber() throws {
        let mappings = try PortAllocator.allocate([PortBinding(containerPort: 80), PortBinding(containerPort: 53, proto: "udp", hostIP: "127.0.0.1")])
        let wildcard = PortAllocator.hostHasIPv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"]
        #expect(mappings.map(\.hostAddress) == wildcard + ["127.0.0.1"])
        #expect(Set(mappings.prefix(wildcard.count).map(\.hostPort)).count == 1 && mappings[0].hostPort != 0)
        #expect(mappings.last?.protocol == .udp && mappings.last?.hostPort != 0)
        #expect(try PortAllocator.allocate([PortBinding(containerPort: 80, hostIP: "0:0::1", hostPort: 8080)]).map(\.hostAddress) == ["::1"])
    }

    /// `--expose`: a range is every port in it, as the Docker CLI expands it.
    @Test func exposedRanges() throws {
        #expect(try PortSpecification.exposedPorts("5000") == ["5000/tcp"])
        #expect(try PortSpecification.exposedPorts("5000-5002/UDP") == ["5000/udp", "5001/udp", "5002/udp"])
        for bad in ["80:80", "x", "5-3", "1-2-3", "70000", "80/"] {
            #expect(throws: CellError.self, "\(bad)") { try PortSpecification.exposedPorts(bad) }
        }
    }

    @Test func refusalsAreUsageErrors() {
        for bad in ["", "0", "70000", "a:b", "1:2:3:4", "8000-8002:5000-5001", "999.1.1.1:80:80", "80/sctp", "[::1:80:80", "::g:80:80", "5-3"] {
            let error = #expect(throws: CellError.self, "\(bad)") { try PortSpecification.parse(bad) }
            #expect(error?.exitCode == 125 && error?.message.hasPrefix("invalid publish option \"\(bad)\"") == true, "\(bad): \(error?.message ?? "")")
        }
    }
}
