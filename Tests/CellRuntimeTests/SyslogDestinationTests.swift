import Testing
#if canImport(Glibc)
import Glibc
#endif
import CellCore
@testable import CellRuntime

/// The syslog driver's messages and addresses, as Docker's driver (srslog) writes and reads them.
@Suite struct SyslogDestinationTests {
    init() {
        setenv("TZ", "UTC", 1)
        tzset()
    }

    func destination(_ format: SyslogDestination.Format, facility: Int = 3) -> SyslogDestination {
        SyslogDestination(transport: .udp, target: "127.0.0.1:514", facility: facility, format: format, tag: "web")
    }

    @Test func eachFormatIsDockers() {
        // 2024-05-01T10:20:30.1234567Z, and a day of one digit for time.Stamp's padding.
        let time = Timestamp(seconds: 1_714_558_830, nanoseconds: 123_456_700)
        let early = Timestamp(seconds: 1_714_558_830 - 30 * 86_400)
        func text(_ format: SyslogDestination.Format, _ at: Timestamp = time, error: Bool = false, facility: Int = 3) -> String {
            String(decoding: destination(format, facility: facility).message(Array("hello".utf8)[...], error: error, time: at, hostname: "box", pid: 42), as: UTF8.self)
        }
        #expect(text(.unix) == "<30>May  1 10:20:30 web[42]: hello\n")
        #expect(text(.unix, early) == "<30>Apr  1 10:20:30 web[42]: hello\n")
        #expect(text(.rfc3164, error: true) == "<27>May  1 10:20:30 box web[42]: hello\n")
        #expect(text(.rfc5424, facility: 19) == "<158>1 2024-05-01T10:20:30Z box web 42 web - hello\n")
        #expect(text(.rfc5424micro) == "<30>1 2024-05-01T10:20:30.123456Z box web 42 web - hello\n")
    }

    @Test func addressesAndFacilitiesAreReadAsDockerReadsThem() throws {
        #expect(try SyslogDestination.parseAddress("") == (.unixgram, "/dev/log"))
        #expect(try SyslogDestination.parseAddress("udp://logs.example") == (.udp, "logs.example:514"))
        #expect(try SyslogDestination.parseAddress("tcp://127.0.0.1:6514") == (.tcp, "127.0.0.1:6514"))
        #expect(try SyslogDestination.parseAddress("tcp://[::1]") == (.tcp, "[::1]:514"))
        #expect(try SyslogDestination.parseAddress("unix:///") == (.unix, "/"))
        #expect(try SyslogDestination.parseAddress("tcp+tls://logs.example:6514") == (.tcpTLS, "logs.example:6514"))
        for bad in ["tcp://", "udp://host:0", "udp://host:65536", "tcp://[::1", "unix://relative", "ftp://x", "127.0.0.1:514", "tcp+tls://x:0"] {
            #expect(throws: CellError.self, "\(bad)") { try SyslogDestination.parseAddress(bad) }
        }
        #expect(try SyslogDestination.parseFacility("") == 3)
        #expect(try SyslogDestination.parseFacility("local7") == 23)
        #expect(try SyslogDestination.parseFacility("4") == 4)
        for bad in ["12", "24", "-1", "Local0", "nope"] {
            #expect(throws: CellError.self, "\(bad)") { try SyslogDestination.parseFacility(bad) }
        }
    }
}
