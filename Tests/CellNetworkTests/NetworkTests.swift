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
    }

    @Test func refusalsAreUsageErrors() {
        for bad in ["", "0", "70000", "a:b", "1:2:3:4", "8000-8002:5000-5001", "999.1.1.1:80:80", "80/sctp", "[::1]:80:80", "5-3"] {
            let error = #expect(throws: CellError.self, "\(bad)") { try PortSpecification.parse(bad) }
            #expect(error?.exitCode == 125 && error?.message.hasPrefix("invalid publish option \"\(bad)\"") == true, "\(bad): \(error?.message ?? "")")
        }
    }
}
