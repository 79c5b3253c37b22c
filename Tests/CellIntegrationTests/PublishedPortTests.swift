import Foundation
import Testing

/// Whether this host can listen on IPv6 at all (Docker's own test: bind `[::1]:0`); without it
/// a port with no host address is published on IPv4 alone.
let hostHasIPv6: Bool = {
    let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    } == 0
}()

/// An HTTP GET from the host's python3, to loopback only: the body, or "" when nothing answered.
private func fetch(_ host: String, _ port: String) -> String {
    let url = host.contains(":") ? "http://[\(host)]:\(port)/index.html" : "http://\(host):\(port)/index.html"
    let script = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())"
    return (try? Command.run("/usr/bin/python3", ["-c", script, url]).stdout) ?? ""
}

@Suite("published ports on IPv6, as Docker 28 listens")
struct PublishedPortTests {
    /// `-p PORT` with no host address listens on 0.0.0.0 and [::] with one port number, and
    /// `port`, `ps` and `inspect` show both; `[::1]` and `0.0.0.0` given listen on that family alone.
    @Test(.enabled(if: hostHasIPv6)) func portsWithNoAddressListenOnIPv6Too() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let site = root.file("site")
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try "served over both families\n".write(toFile: "\(site)/index.html", atomically: true, encoding: .utf8)
        defer { _ = try? root.cell("rm", "-f", "both", "six", "four") }
        let httpd = ["busybox", "httpd", "-f", "-p", "80", "-h", "/www"]
        try root.cell(["run", "-d", "--name", "both", "-p", "80", "--expose", "5000-5001", "-v", "\(site):/www:ro"] + httpd).expectSuccess()
        let port = try root.cell("port", "both")
        let hostPort = try #require(port.lines.first?.split(separator: ":").last.map(String.init))
        #expect(port.stdout == "80/tcp -> 0.0.0.0:\(hostPort)\n80/tcp -> [::]:\(hostPort)\n")
        #expect(try root.cell("port", "both", "80/tcp").stdout == "0.0.0.0:\(hostPort)\n[::]:\(hostPort)\n")
        // The CLI's composition: exposed ports as a range first, ports published on another number last.
        #expect(try root.cell("ps", "--format", "{{.Ports}}").stdout == "5000-5001/tcp, 0.0.0.0:\(hostPort)->80/tcp, [::]:\(hostPort)->80/tcp\n")
        #expect(try root.cell("inspect", "-f", "{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}", "both").stdout
                    == "{\"5000/tcp\":null,\"5001/tcp\":null,\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"\(hostPort)\"},{\"HostIp\":\"::\",\"HostPort\":\"\(hostPort)\"}]} "
                    + "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}\n")
        var body = ""
        #expect(waitUntil { body = fetch("::1", hostPort); return !body.isEmpty })
        #expect(body == "served over both families\n", "reached over ::1")
        #expect(fetch("127.0.0.1", hostPort) == "served over both families\n")

        // An IPv6 address given (brackets, as Docker takes it): that address alone.
        try root.cell(["run", "-d", "--name", "six", "-p", "[::1]::80", "-v", "\(site):/www:ro"] + httpd).expectSuccess()
        let six = try root.cell("port", "six").stdout
        let sixPort = try #require(six.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(six == "80/tcp -> [::1]:\(sixPort)\n")
        #expect(try root.cell("ps", "--filter", "name=six", "--format", "{{.Ports}}").stdout == "[::1]:\(sixPort)->80/tcp\n")
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.PortBindings}}", "six").stdout
                    == "{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"\"}]}\n")
        #expect(waitUntil { fetch("::1", sixPort) == "served over both families\n" })
        // 0.0.0.0 given: IPv4 alone, as Docker 28 keeps it.
        try root.cell(["run", "-d", "--name", "four", "-p", "0.0.0.0::80", "-v", "\(site):/www:ro"] + httpd).expectSuccess()
        #expect(try root.cell("port", "four", "80").lines.count == 1)
        #expect(try root.cell("port", "four", "80").stdout.hasPrefix("0.0.0.0:"))

        try root.cell("rm", "-f", "both", "six", "four").expectSuccess()
        try expectNothingLeft(root)
    }

    /// UDP on [::]: each client, IPv6 or IPv4, gets its own association and its own answers.
    @Test(.enabled(if: hostHasIPv6)) func datagramsComeInOverIPv6() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // busybox has no UDP server: the host's python3, its /usr and /lib bound read-only.
        let server = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 5353))
            print("ready", flush=True)
            while True:
                data, peer = s.recvfrom(2048)
                s.sendto(data.upper(), peer)
            """
        try root.cell("run", "-d", "--name", "udp6", "-p", "5353/udp",
                      "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro",
                      "busybox", "/usr/bin/python3", "-c", server).expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "udp6") }
        #expect(try waitUntil { try root.cell("logs", "udp6").stdout == "ready\n" })
        let port = try root.cell("port", "udp6")
        let hostPort = try #require(port.lines.first?.split(separator: ":").last.map(String.init))
        #expect(port.stdout == "5353/udp -> 0.0.0.0:\(hostPort)\n5353/udp -> [::]:\(hostPort)\n")
        let client = """
            import socket, sys
            port = int(sys.argv[1])
            a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); a.settimeout(5)
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(5)
            a.sendto(b"ping over six", ("::1", port))
            b.sendto(b"ping over four", ("127.0.0.1", port))
            print(a.recv(2048).decode(), b.recv(2048).decode(), sep="|")
            """
        let answer = try Command.run("/usr/bin/python3", ["-c", client, hostPort])
        #expect(answer.stdout == "PING OVER SIX|PING OVER FOUR\n", "\(answer.stderr)")
        try root.cell("rm", "-f", "udp6").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Docker's forms of an IPv6 host address, and its refusals, before anything is created.
    @Test func ipv6AddressesAsDockerReadsThem() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let bad = try root.cell("run", "-p", "[::1:80:80", "busybox", "true")
        #expect(bad.status == 125)
        #expect(bad.stderr.hasPrefix("cell: invalid publish option \"[::1:80:80\": invalid IP address"), "\(bad.stderr)")
        let notAnAddress = try root.cell("create", "-p", "1:2:3:80", "busybox")
        #expect(notAnAddress.status == 125 && notAnAddress.stderr.contains("invalid IP address: 1:2"), "\(notAnAddress.stderr)")
        try root.cell("create", "--name", "bare", "-p", "::1:8080:80", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.PortBindings}}", "bare").stdout
                    == "{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"8080\"}]}\n")
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        try root.cell("rm", "bare").expectSuccess()
        try expectNothingLeft(root)
    }
}
