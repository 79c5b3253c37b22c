import Testing
import CellCore
@testable import CellRuntime

/// `fluentd-address` as Docker's driver reads it.
@Suite struct FluentdDestinationTests {
    @Test func addressesTakeDockersForms() throws {
        let cases: [(String, FluentdDestination.Address)] = [
            ("", .tcp(host: "127.0.0.1", port: 24224)),
            ("fluent.example", .tcp(host: "fluent.example", port: 24224)),
            ("localhost:24225", .tcp(host: "localhost", port: 24225)),
            ("tcp://10.0.0.5:5170", .tcp(host: "10.0.0.5", port: 5170)),
            ("tcp://:5170", .tcp(host: "127.0.0.1", port: 5170)),
            ("tcp://fluent", .tcp(host: "fluent", port: 24224)),
            ("tcp://fluent:1/", .tcp(host: "fluent", port: 1)),
            ("[::1]:24224", .tcp(host: "::1", port: 24224)),
            ("tcp://[fe80::1]", .tcp(host: "fe80::1", port: 24224)),
            ("unix:///run/fluent.sock", .unix(path: "/run/fluent.sock")),
        ]
        for (text, expected) in cases {
            #expect(try FluentdDestination.parseAddress(text) == expected, "\(text)")
        }
    }

    @Test func badAddressesSayWhy() {
        let cases: [(String, String)] = [
            ("http://fluent", "logger: invalid fluentd-address (http://fluent): unsupported scheme: 'http'"),
            ("unix://", "logger: invalid fluentd-address (unix://): path is empty"),
            ("unix:///", "logger: invalid fluentd-address (unix:///): path is empty"),
            ("tcp://fluent:24224/logs", "logger: invalid fluentd-address (tcp://fluent:24224/logs): should not contain a path element"),
            ("fluent:99999", "logger: invalid fluentd-address (fluent:99999): invalid port"),
            ("fluent:port", "logger: invalid fluentd-address (fluent:port): invalid port"),
            ("tcp://[::1", "logger: invalid fluentd-address (tcp://[::1): missing ']' in host"),
            ("tls://fluent:24224", "logger: cell's fluentd log driver does not speak tls yet (fluentd-address tls://fluent:24224)"),
        ]
        for (text, message) in cases {
            #expect(throws: CellError(.setup, message), "\(text)") { try FluentdDestination.parseAddress(text) }
        }
    }

    @Test func switchesAreGoBooleans() throws {
        for yes in ["1", "t", "T", "true", "TRUE", "True"] { #expect(try FluentdDestination.parseBool(yes, key: "k")) }
        for no in ["0", "f", "F", "false", "FALSE", "False"] { #expect(try !FluentdDestination.parseBool(no, key: "k")) }
        #expect(throws: CellError.self) { try FluentdDestination.parseBool("yes", key: "fluentd-async") }
    }
}
