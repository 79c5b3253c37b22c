import Foundation
import Testing

/// --ulimit, --sysctl, --shm-size and --oom-score-adj on the real kernel: what the container's
/// processes (and the ones exec starts) get, what inspect shows, what is refused.
@Suite("process settings: ulimits, sysctls, /dev/shm, OOM score")
struct ProcessSettingsIntegrationTests {
    /// CAP_SYS_RESOURCE in this process's effective set (this development host lacks it: raising
    /// a hard limit, or lowering the OOM score, is then refused).
    static var hasSysResource: Bool {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16) else { return false }
        return mask & (1 << 24) != 0
    }

    static func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func ulimitsBindTheContainerAndEveryExec() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let limits = "ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc"
        let run = try root.cell("run", "--name", "limited", "--ulimit", "nofile=100:200", "--ulimit", "core=0:-1", "busybox", "sh", "-c", limits)
        try run.expectSuccess()
        #expect(run.lines == ["100", "200", "0", "unlimited"])
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.Ulimits}}", "limited").stdout
                    == "[{\"Name\":\"core\",\"Hard\":-1,\"Soft\":0},{\"Name\":\"nofile\",\"Hard\":200,\"Soft\":100}]\n")

        // exec gets the container's limits (as runc gives them), whoever it runs as.
        try root.cell("run", "-d", "--name", "box", "--ulimit", "nofile=100:200", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        #expect(try root.cell("exec", "box", "sh", "-c", "ulimit -n; ulimit -Hn").lines == ["100", "200"])
        #expect(try root.cell("exec", "-u", "nobody", "box", "sh", "-c", "ulimit -n; ulimit -Hn").lines == ["100", "200"])
        // The soft limit binds: a shell cannot open a descriptor at or above it.
        let opened = try root.cell("exec", "box", "sh", "-c", "exec 99>/dev/null && echo low; exec 100>/dev/null && echo high")
        #expect(opened.stdout == "low\n" && opened.status != 0, "\(opened.stdout) \(opened.stderr)")

        // Without --ulimit: the limits cell runs with, and inspect says null.
        var own = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &own)
        try root.cell("run", "--name", "plain", "busybox", "true").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.Ulimits}}", "plain").stdout == "null\n")
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", "ulimit -Hn").stdout == "\(own.rlim_max)\n")

        // Raising a hard limit past ours needs CAP_SYS_RESOURCE: one line, and the start fails.
        if own.rlim_max < 1_048_576 {
            let above = own.rlim_max + 1
            let raised = try root.cell("run", "--rm", "--ulimit", "nofile=\(above):\(above)", "busybox", "sh", "-c", "ulimit -Hn")
            if ProcessSettingsIntegrationTests.hasSysResource {
                #expect(raised.stdout == "\(above)\n", "\(raised.stderr)")
            } else {
                #expect(raised.status == 125)
                #expect(raised.stderr == "Error: error setting rlimit nofile=\(above):\(above): operation not permitted "
                        + "(raising the hard limit above \(own.rlim_max) needs CAP_SYS_RESOURCE)\n", "\(raised.stderr)")
            }
        }
        try root.cell("rm", "-f", "limited", "plain", "box").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func shmSizeSizesDevShm() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let shm = "grep ' /dev/shm ' /proc/mounts"
        let standard = try root.cell("run", "--name", "standard", "busybox", "sh", "-c", shm)
        #expect(standard.stdout.contains("size=65536k"), "\(standard.stdout)")
        let large = try root.cell("run", "--name", "large", "--shm-size", "128m", "busybox", "sh", "-c", shm)
        #expect(large.stdout.contains(" tmpfs rw,nosuid,nodev,noexec,") && large.stdout.contains("size=131072k"), "\(large.stdout)")
        // The size binds: a write past it fails.
        let small = try root.cell("run", "--rm", "--shm-size", "1m", "busybox", "sh", "-c",
                                  "dd if=/dev/zero of=/dev/shm/fill bs=1024 count=2048 2>/dev/null; du -k /dev/shm/fill")
        let kilobytes = Int(small.stdout.split(separator: "\t").first ?? "") ?? 0
        #expect(kilobytes > 0 && kilobytes <= 1024, "\(small.stdout)")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.ShmSize}} {{.Name}}", "standard", "large").lines
                    == ["67108864 /standard", "134217728 /large"])
        try root.cell("rm", "standard", "large").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func namespacedSysctlsAreTheContainersOwn() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let hostForward = ProcessSettingsIntegrationTests.read("/proc/sys/net/ipv4/ip_forward")
        let hostShmmax = ProcessSettingsIntegrationTests.read("/proc/sys/kernel/shmmax")
        // The value the host does not have, so that the container's is surely its own.
        let forward = hostForward == "1" ? "0" : "1"
        try root.cell("run", "-d", "--name", "tuned", "--sysctl", "net.ipv4.ip_forward=\(forward)", "--sysctl", "kernel.shmmax=123456789",
                      "--sysctl", "fs.mqueue.msg_max=20", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "tuned") }
        let inside = "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max"
        #expect(try root.cell("exec", "tuned", "sh", "-c", inside).lines == [forward, "123456789", "20"])
        #expect(ProcessSettingsIntegrationTests.read("/proc/sys/net/ipv4/ip_forward") == hostForward)
        #expect(ProcessSettingsIntegrationTests.read("/proc/sys/kernel/shmmax") == hostShmmax)
        // Still read-only inside: the container cannot change them itself.
        #expect(try root.cell("exec", "tuned", "sh", "-c", "echo 1 > /proc/sys/kernel/shmmax").status != 0)
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.Sysctls}}", "tuned").stdout
                    == "{\"fs.mqueue.msg_max\":\"20\",\"kernel.shmmax\":\"123456789\",\"net.ipv4.ip_forward\":\"\(forward)\"}\n")
        // The IPC ones with the host's network; --network none has a namespace of its own.
        #expect(try root.cell("run", "--rm", "--network", "host", "--sysctl", "kernel.shmmax=4096", "busybox",
                              "cat", "/proc/sys/kernel/shmmax").stdout == "4096\n")
        #expect(try root.cell("run", "--rm", "--network", "none", "--sysctl", "net.ipv4.ip_default_ttl=42", "busybox",
                              "cat", "/proc/sys/net/ipv4/ip_default_ttl").stdout == "42\n")
        #expect(ProcessSettingsIntegrationTests.read("/proc/sys/kernel/shmmax") == hostShmmax)
        try root.cell("run", "--name", "untuned", "busybox", "true").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.Sysctls}}", "untuned").stdout == "null\n")
        // One the kernel does not have fails the start, and names it.
        let missing = try root.cell("run", "--rm", "--sysctl", "net.ipv4.no_such_setting=1", "busybox", "true")
        #expect(missing.status == 125 && missing.stderr.contains("write sysctl net.ipv4.no_such_setting=1: No such file"), "\(missing.stderr)")
        try root.cell("rm", "-f", "tuned", "untuned").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func oomScoreAdjustmentAppliesToTheContainerAndItsExecs() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "expendable", "--oom-score-adj", "300", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "expendable") }
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "expendable").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ProcessSettingsIntegrationTests.read("/proc/\(pid)/oom_score_adj") == "300")
        #expect(try root.cell("exec", "expendable", "cat", "/proc/self/oom_score_adj").stdout == "300\n")
        #expect(try root.cell("exec", "-u", "nobody", "expendable", "cat", "/proc/self/oom_score_adj").stdout == "300\n")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.OomScoreAdj}}", "expendable").stdout == "300\n")

        try root.cell("run", "--name", "plain", "busybox", "true").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.OomScoreAdj}}", "plain").stdout == "0\n")
        // Below what cell runs with needs CAP_SYS_RESOURCE.
        let protected = try root.cell("run", "--rm", "--oom-score-adj", "-500", "busybox", "cat", "/proc/self/oom_score_adj")
        if ProcessSettingsIntegrationTests.hasSysResource {
            #expect(protected.stdout == "-500\n")
        } else {
            #expect(protected.status == 125)
            #expect(protected.stderr == "Error: write -500 to /proc/self/oom_score_adj: permission denied "
                    + "(lowering the OOM score adjustment needs CAP_SYS_RESOURCE)\n", "\(protected.stderr)")
        }
        try root.cell("rm", "-f", "expendable", "plain").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func badSettingsAreRefusedBeforeAnythingIsCreated() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let cases: [([String], String)] = [
            (["--ulimit", "nofile"], "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile\n"),
            (["--ulimit", "as=1"], "invalid argument \"as=1\" for \"--ulimit\" flag: invalid ulimit type: as\n"),
            (["--ulimit", "nofile=200:100"],
             "invalid argument \"nofile=200:100\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 200 > 100\n"),
            (["--ulimit", "nofile=many"],
             "invalid argument \"nofile=many\" for \"--ulimit\" flag: strconv.ParseInt: parsing \"many\": invalid syntax\n"),
            (["--sysctl", "kernel.panic=1"], "invalid argument \"kernel.panic=1\" for \"--sysctl\" flag: sysctl 'kernel.panic=1' is not allowed\n"),
            (["--sysctl", "vm.swappiness=1"], "invalid argument \"vm.swappiness=1\" for \"--sysctl\" flag: sysctl 'vm.swappiness=1' is not allowed\n"),
            (["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"], "Error: sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace\n"),
            (["--shm-size", "lots"], "invalid argument \"lots\" for \"--shm-size\" flag: invalid size: 'lots'\n"),
            (["--shm-size", "-1"], "invalid argument \"-1\" for \"--shm-size\" flag: invalid size: '-1'\n"),
            (["--oom-score-adj", "1001"], "Error: Invalid value 1001, range for oom score adj is [-1000, 1000]\n"),
            (["--oom-score-adj", "-1001"], "Error: Invalid value -1001, range for oom score adj is [-1000, 1000]\n"),
            (["--oom-score-adj", "x"], "invalid argument \"x\" for \"--oom-score-adj\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\n"),
        ]
        for (flags, message) in cases {
            for verb in ["run", "create"] {
                let result = try root.cell([verb] + flags + ["busybox", "true"])
                #expect(result.status == 125, "\(verb) \(flags)")
                #expect(result.stderr.hasPrefix(message), "\(verb) \(flags): \(result.stderr)")
            }
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }
}
