import Testing
import CellCore
import CellRuntime
@testable import CellContainers

/// --ulimit, --sysctl, --shm-size and --oom-score-adj read as Docker's CLI and daemon read them.
@Suite("process settings")
struct ProcessSettingsTests {
    func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as CellError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func ulimitsAsGoUnitsParsesThem() throws {
        #expect(try ProcessSettings.ulimits(["nofile=100:200"]) == [Ulimit(name: "nofile", soft: 100, hard: 200)])
        #expect(try ProcessSettings.ulimits(["cpu=6"]) == [Ulimit(name: "cpu", soft: 6, hard: 6)])
        #expect(try ProcessSettings.ulimits(["memlock=-1"]) == [Ulimit(name: "memlock", soft: -1, hard: -1)])
        #expect(try ProcessSettings.ulimits(["memlock=infinity:unlimited"]) == [Ulimit(name: "memlock", soft: -1, hard: -1)])
        #expect(try ProcessSettings.ulimits(["nofile=1024:-1"]) == [Ulimit(name: "nofile", soft: 1024, hard: -1)])
        #expect(try ProcessSettings.ulimits(["nproc=+5"]) == [Ulimit(name: "nproc", soft: 5, hard: 5)])
        // One per name, the last given; sorted by name as Docker lists them.
        #expect(try ProcessSettings.ulimits(["nofile=1:2", "core=0", "nofile=3:4"])
                    == [Ulimit(name: "core", soft: 0, hard: 0), Ulimit(name: "nofile", soft: 3, hard: 4)])
        #expect(Set(Ulimit.resources.keys) == ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
                                               "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"])
    }

    @Test func badUlimitsGetDockersMessages() {
        let cases: [(String, String)] = [
            ("nofile", "invalid ulimit argument: nofile"),
            ("nofile:1024:1024", "invalid ulimit argument: nofile:1024:1024"),
            ("as=1", "invalid ulimit type: as"),
            ("NOFILE=1", "invalid ulimit type: NOFILE"),
            ("nofile=2:1", "ulimit soft limit must be less than or equal to hard limit: 2 > 1"),
            ("nofile=-1:1024", "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024"),
            ("nofile=1024:1:50", "too many limit value arguments - 1024:1:50, can only have up to two, `soft[:hard]`"),
            ("nofile=", "strconv.ParseInt: parsing \"\": invalid syntax"),
            ("nofile=:1024", "strconv.ParseInt: parsing \"\": invalid syntax"),
            ("nofile=asdf", "strconv.ParseInt: parsing \"asdf\": invalid syntax"),
            ("nofile=1024:asdf", "strconv.ParseInt: parsing \"asdf\": invalid syntax"),
            ("nofile=1_000", "strconv.ParseInt: parsing \"1_000\": invalid syntax"),
            ("nofile=99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"),
        ]
        for (text, expected) in cases {
            #expect(message { try ProcessSettings.ulimits([text]) }
                        == "invalid argument \"\(text)\" for \"--ulimit\" flag: \(expected)", "\(text)")
        }
    }

    @Test func onlyNamespacedSysctlsAreAllowed() throws {
        let allowed = ["kernel.msgmax=1", "kernel.msgmnb=1", "kernel.msgmni=1", "kernel.sem=250 32000 100 128", "kernel.shmall=1",
                       "kernel.shmmax=1", "kernel.shmmni=1", "kernel.shm_rmid_forced=1", "fs.mqueue.msg_max=20",
                       "net.ipv4.ip_forward=1", "net.core.somaxconn=1024"]
        let table = try ProcessSettings.sysctls(allowed, network: .private)
        #expect(table.count == allowed.count)
        #expect(table["kernel.sem"] == "250 32000 100 128")
        #expect(try ProcessSettings.sysctls(["net.ipv4.ip_forward=1", "net.ipv4.ip_forward=0=x"], network: .none)
                    == ["net.ipv4.ip_forward": "0=x"])
        #expect(try ProcessSettings.sysctls(["kernel.shmmax="], network: .private) == ["kernel.shmmax": ""])
        for text in ["kernel.panic=1", "kernel.domainname=x", "kernel.hostname=x", "vm.swappiness=1", "net.ipv4.ip_forward",
                     "=1", "kernel.shmmax", "fs.mqueue=1", "net...x=1"] {
            #expect(message { try ProcessSettings.sysctls([text], network: .private) }
                        == "invalid argument \"\(text)\" for \"--sysctl\" flag: sysctl '\(text)' is not allowed", "\(text)")
        }
        // The IPC ones are the container's own with the host's network too; net.* would be the host's.
        #expect(try ProcessSettings.sysctls(["kernel.shmmax=1"], network: .host) == ["kernel.shmmax": "1"])
        #expect(message { try ProcessSettings.sysctls(["kernel.shmmax=1", "net.ipv4.ip_forward=1"], network: .host) }
                    == "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace")
    }

    @Test func shmSizeIsRAMInBytesWithDockersDefault() throws {
        #expect(try ProcessSettings.shmSize(nil) == 67_108_864)
        #expect(try ProcessSettings.shmSize("0") == 67_108_864)
        #expect(try ProcessSettings.shmSize("128m") == 134_217_728)
        #expect(try ProcessSettings.shmSize("1g") == 1_073_741_824)
        #expect(try ProcessSettings.shmSize("512k") == 524_288)
        #expect(try ProcessSettings.shmSize("4096") == 4096)
        #expect(try ProcessSettings.shmSize("100b") == 100)
        #expect(message { try ProcessSettings.shmSize("abc") } == "invalid argument \"abc\" for \"--shm-size\" flag: invalid size: 'abc'")
        #expect(message { try ProcessSettings.shmSize("-1") } == "invalid argument \"-1\" for \"--shm-size\" flag: invalid size: '-1'")
        #expect(message { try ProcessSettings.shmSize("12q") } == "invalid argument \"12q\" for \"--shm-size\" flag: invalid suffix: 'q'")
    }

    @Test func oomScoreAdjustmentIsAnIntegerInTheKernelsRange() throws {
        #expect(try ProcessSettings.oomScoreAdjustment(nil) == nil)
        #expect(try ProcessSettings.oomScoreAdjustment("0") == 0)
        #expect(try ProcessSettings.oomScoreAdjustment("-1000") == -1000)
        #expect(try ProcessSettings.oomScoreAdjustment("1000") == 1000)
        #expect(message { try ProcessSettings.oomScoreAdjustment("1001") } == "Invalid value 1001, range for oom score adj is [-1000, 1000]")
        #expect(message { try ProcessSettings.oomScoreAdjustment("-1001") } == "Invalid value -1001, range for oom score adj is [-1000, 1000]")
        #expect(message { try ProcessSettings.oomScoreAdjustment("high") }
                    == "invalid argument \"high\" for \"--oom-score-adj\" flag: strconv.ParseInt: parsing \"high\": invalid syntax")
        #expect((try? ProcessSettings.oomScoreAdjustment("5000000000")) == nil)
    }
}
