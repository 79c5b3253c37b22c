import Foundation
import Testing

/// cgroup limits that bind on this machine's kernel (v1 controllers here, v2 where the host has it).
@Suite("isolation: resource limits")
struct LimitTests {
    /// The container's file in the hierarchy that holds `controller`: v1 `<controller>/cell/<id>`,
    /// else the v2 directory.
    static func cgroupFile(_ controller: String, _ v1: String, v2: String, id: String) -> String? {
        for path in ["/sys/fs/cgroup/\(controller)/cell/\(id)/\(v1)", "/sys/fs/cgroup/cell/\(id)/\(v2)"]
        where FileManager.default.fileExists(atPath: path) {
            return path
        }
        return nil
    }

    /// Pure v2 at /sys/fs/cgroup (this development host is a hybrid: v1 controllers).
    static var isUnified: Bool { !FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory") }

    /// Whether the kernel weighs block I/O, as cell and Docker ask it: v2's io controller, or a
    /// v1 blkio hierarchy with CFQ's weight or any of BFQ's files.
    static var weighsBlockIO: Bool {
        if isUnified {
            return read("/sys/fs/cgroup/cgroup.controllers").split(separator: " ").contains("io")
        }
        return ["blkio.weight", "blkio.bfq.weight", "blkio.bfq.io_service_bytes"].contains {
            FileManager.default.fileExists(atPath: "/sys/fs/cgroup/blkio/\($0)")
        }
    }

    static func read(_ path: String?) -> String {
        path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    @Test func aMemoryHogIsKilledAndRecordedAsOOM() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let hog = try root.cell("run", "--name", "hog", "-m", "32m", "--memory-swap", "32m", "busybox", "sh", "-c", "tail /dev/zero")
        #expect(hog.status == 137)
        #expect(try root.cell("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}", "hog").stdout
                    == "true 137 33554432\n")
        try root.cell("rm", "hog").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func processesAreCappedAndAForkBombStaysInside() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let loop = "i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; echo started $i; kill $(jobs -p)"
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", loop).stdout == "started 40\n")
        let capped = try root.cell("run", "--rm", "--pids-limit", "12", "busybox", "sh", "-c", loop)
        #expect(capped.status == 2 && capped.stderr.contains("can't fork"), "\(capped.stdout) \(capped.stderr)")

        let bomb = try root.cell("run", "-d", "--pids-limit", "32", "--name", "bomb", "busybox", "sh", "-c",
                                 "bomb() { bomb | bomb & }; bomb; exec sleep 1000")
        try bomb.expectSuccess()
        let id = bomb.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let current = LimitTests.cgroupFile("pids", "pids.current", v2: "pids.current", id: id)
        // The kernel counts the forks it refused at the cap ("max N"): proof the bomb reached it even
        // if, refused everywhere at once, it then dies out (a busybox shell exits when fork fails).
        let events = LimitTests.cgroupFile("pids", "pids.events", v2: "pids.events", id: id)
        let refusals = {
            LimitTests.read(events).split(separator: "\n").compactMap { line -> Int? in
                let fields = line.split(separator: " ")
                return fields.count == 2 && fields[0] == "max" ? Int(fields[1]) : nil
            }.first ?? 0
        }
        #expect(try waitUntil { refusals() > 0 }, "the bomb reaches the cap: \(events ?? "no pids.events") holds \(LimitTests.read(events))")
        #expect((Int(LimitTests.read(current)) ?? 99) <= 32, "\(current ?? "no pids.current") holds \(LimitTests.read(current))")
        // The host answers meanwhile, and rm -f takes every process of the bomb.
        let started = Date()
        #expect(try root.cell("ps", "-q").lines == [String(id.prefix(12))])
        #expect(Date().timeIntervalSince(started) < 5)
        try root.cell("rm", "-f", "bomb").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func cpuLimitsAreWrittenAsTheKernelExpects() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "-d", "--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0",
                                "--memory-reservation", "16m", "-m", "64m", "busybox", "sleep", "1000")
        try run.expectSuccess()
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? root.cell("rm", "-f", id) }
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpu/cell/\(id)") {
            #expect(LimitTests.read("/sys/fs/cgroup/cpu/cell/\(id)/cpu.cfs_quota_us") == "50000")
            #expect(LimitTests.read("/sys/fs/cgroup/cpu/cell/\(id)/cpu.cfs_period_us") == "100000")
            #expect(LimitTests.read("/sys/fs/cgroup/cpu/cell/\(id)/cpu.shares") == "512")
            #expect(LimitTests.read("/sys/fs/cgroup/cpuset/cell/\(id)/cpuset.cpus") == "0")
            #expect(LimitTests.read("/sys/fs/cgroup/memory/cell/\(id)/memory.limit_in_bytes") == "67108864")
            #expect(LimitTests.read("/sys/fs/cgroup/memory/cell/\(id)/memory.soft_limit_in_bytes") == "16777216")
        } else {
            #expect(LimitTests.read("/sys/fs/cgroup/cell/\(id)/cpu.max") == "50000 100000")
            #expect(LimitTests.read("/sys/fs/cgroup/cell/\(id)/memory.max") == "67108864")
        }
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}}", id).stdout
                    == "500000000 512 0\n")
        try root.cell("rm", "-f", id).expectSuccess()
        try expectNothingLeft(root)
    }

    /// --cpuset-mems, --memory-swappiness, --oom-kill-disable, --blkio-weight where the host
    /// has them (v1 here), and Docker's warning where it has not.
    @Test func memoryNodesSwappinessOOMSwitchAndIOWeight() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "-d", "--cpuset-mems", "0", "--memory-swappiness", "10", "--oom-kill-disable", "-m", "64m",
                                "--blkio-weight", "300", "busybox", "sleep", "1000")
        try run.expectSuccess()
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? root.cell("rm", "-f", id) }
        #expect(LimitTests.read(LimitTests.cgroupFile("cpuset", "cpuset.mems", v2: "cpuset.mems", id: id)) == "0")
        if LimitTests.isUnified {
            #expect(run.stderr.contains("WARNING: Your kernel does not support memory swappiness capabilities"))
            #expect(run.stderr.contains("WARNING: Your kernel does not support OomKillDisable"))
        } else {
            // Not every v1 host weighs I/O (no blkio.weight without CFQ, none of BFQ's files without BFQ).
            #expect(run.stderr == (LimitTests.weighsBlockIO ? ""
                        : "WARNING: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.\n"),
                    "\(run.stderr)")
            #expect(LimitTests.read("/sys/fs/cgroup/memory/cell/\(id)/memory.swappiness") == "10")
            #expect(LimitTests.read("/sys/fs/cgroup/memory/cell/\(id)/memory.oom_control").contains("oom_kill_disable 1"))
            for file in ["blkio.bfq.weight", "blkio.weight"] where FileManager.default.fileExists(atPath: "/sys/fs/cgroup/blkio/cell/\(id)/\(file)") {
                #expect(LimitTests.read("/sys/fs/cgroup/blkio/cell/\(id)/\(file)").hasSuffix("300"))
            }
            #expect(try root.cell("inspect", "-f", "{{.HostConfig.CpusetMems}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.BlkioWeight}}", id).stdout
                        == "0 10 true \(LimitTests.weighsBlockIO ? 300 : 0)\n")
        }
        try root.cell("update", "--blkio-weight", "500", id).expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.BlkioWeight}}", id).stdout.hasSuffix("500\n")
                    || LimitTests.isUnified || !LimitTests.weighsBlockIO)
        let unlimited = try root.cell("run", "--rm", "--oom-kill-disable", "busybox", "true")
        #expect(unlimited.stderr.contains("OOM killer is disabled for the container, but no memory limit is set")
                    || unlimited.stderr.contains("does not support OomKillDisable"))
        // As Docker, a weight the kernel cannot use is discarded before its range is checked.
        let badWeight = LimitTests.weighsBlockIO ? [["--blkio-weight", "5"]] : []
        // A range too big to count is refused in one line, not counted (it took the process down).
        for bad in [["--memory-swappiness", "101"], ["--cpuset-mems", "99"], ["--cpuset-mems", "x"],
                    ["--cpuset-cpus", "0-9223372036854775807"], ["--cpuset-mems", "0-4294967295"]] + badWeight {
            let refused = try root.cell(["run", "--rm"] + bad + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr.split(separator: "\n").count == 1, "\(bad): \(refused.stderr)")
        }
        try root.cell("rm", "-f", id).expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func theContainerSeesItsOwnCgroupAndItsLimitsAtSysFsCgroup() throws {
        // What runtimes like the JVM read to size themselves: the container's own cgroup, as
        // the root of a read-only view (v1: one directory per controller, as Docker lays it out).
        let root = try CellRoot()
        try root.importBusybox()
        let v1 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/tasks")  // a v1 memory hierarchy
        let limits = v1 ? "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us"
                        : "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max"
        let procs = v1 ? "/sys/fs/cgroup/pids/cgroup.procs" : "/sys/fs/cgroup/cgroup.procs"
        let probe = "\(limits); sleep 1000 & wc -l < \(procs); mkdir /sys/fs/cgroup/x 2>/dev/null || echo read-only; "
            + "mkdir \(v1 ? "/sys/fs/cgroup/memory/x" : "/sys/fs/cgroup/x") 2>/dev/null || echo read-only; kill $!"
        func expected(processes: Int) -> String {
            (v1 ? "67108864\n50000\n" : "67108864\n50000 100000\n") + "\(processes)\nread-only\nread-only\n"
        }
        // The shell, its sleep and wc: only the container's processes are in the view.
        let run = try root.cell("run", "--rm", "-m", "64m", "--cpus", "0.5", "busybox", "sh", "-c", probe)
        #expect(run.stdout == expected(processes: 3), "\(run.stderr)")
        try root.cell("run", "-d", "--name", "limited", "-m", "64m", "--cpus", "0.5", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "limited") }
        // The same three and the container's pid 1.
        let exec = try root.cell("exec", "limited", "sh", "-c", probe)
        #expect(exec.stdout == expected(processes: 4), "\(exec.stderr)")
        if v1 {
            let layout = try root.cell("exec", "limited", "sh", "-c", "ls /sys/fs/cgroup | tr '\\n' ' '")
            #expect(layout.stdout.contains("memory ") && layout.stdout.contains("pids ") && !layout.stdout.contains("systemd"),
                    "\(layout.stdout)")
        }
        try root.cell("rm", "-f", "limited").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aPrivilegedContainerMakesCgroupsOfItsOwnAndRemovalTakesThem() throws {
        // As with Docker, --privileged gets a writable view, so systemd or a nested runtime can
        // make cgroups below the container's; top sees their processes and rm -f takes them.
        let root = try CellRoot()
        try root.importBusybox()
        let v1 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/tasks")
        let inner = v1 ? "/sys/fs/cgroup/pids/inner" : "/sys/fs/cgroup/inner"
        let run = try root.cell("run", "-d", "--privileged", "busybox", "sh", "-c",
                                "mkdir \(inner) && { sleep 1000 & echo $! > \(inner)/cgroup.procs; } && touch /tmp/moved; wait")
        try run.expectSuccess()
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? root.cell("rm", "-f", id) }
        #expect(try waitUntil { (try? root.cell("exec", id, "test", "-e", "/tmp/moved").status) == 0 },
                "\((try? root.cell("logs", id).stderr) ?? "")")
        let host = LimitTests.cgroupFile("pids", "inner/cgroup.procs", v2: "inner/cgroup.procs", id: id)
        #expect(LimitTests.read(host).split(separator: "\n").count == 1, "\(host ?? "no inner cgroup on the host")")
        #expect(try root.cell("top", id).stdout.contains("sleep 1000"))
        try root.cell("rm", "-f", id).expectSuccess()
        #expect(LimitTests.cgroupFile("pids", "cgroup.procs", v2: "cgroup.procs", id: id) == nil)
        try expectNothingLeft(root)

        // Without --privileged the view stays read-only.
        let plain = try root.cell("run", "--rm", "busybox", "sh", "-c", "mkdir \(inner) || echo refused")
        #expect(plain.stdout == "refused\n", "\(plain.stderr)")
    }

    @Test func statsShowsUsageAndUpdateChangesLimitsOfARunningContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "busy", "-m", "64m", "busybox", "sh", "-c", "while true; do :; done").expectSuccess()
        try root.cell("run", "-d", "--name", "idle", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "busy", "idle") }
        let table = try root.cell("stats", "--no-stream")
        try table.expectSuccess()
        // The columns' widths follow the values (NET I/O's as the bridge's packets come).
        let header = table.lines.first?.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(header == "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS")
        let busy = try #require(table.lines.first { $0.contains(" busy ") })
        let cpu = Double(busy.split(separator: " ", omittingEmptySubsequences: true)[2].dropLast()) ?? 0
        // A busy loop shows (how much depends on what else the 2 cores run: 26% was seen under a build).
        #expect(cpu > 10, "a busy loop shows: \(busy)")
        #expect(busy.contains(" / 64MiB"))
        #expect(try root.cell("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "idle").stdout == "idle 1\n")

        let update = try root.cell("update", "-m", "128m", "--pids-limit", "50", "--cpus", "0.5", "busy")
        #expect(update.stdout == "busy\n")
        let id = try root.cell("inspect", "-f", "{{.Id}}", "busy").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(LimitTests.read(LimitTests.cgroupFile("pids", "pids.max", v2: "pids.max", id: id)) == "50")
        #expect(LimitTests.read(LimitTests.cgroupFile("memory", "memory.limit_in_bytes", v2: "memory.max", id: id)) == "134217728")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}", "busy").stdout
                    == "134217728 50 500000000\n")
        let refused = try root.cell("update", "-m", "1m", "busy")
        #expect(refused.status == 1 && refused.stderr.contains("Minimum memory limit allowed is 6MB"))
        #expect(try root.cell("update", "--cpus", "1", "nosuch").stderr == "Error response from daemon: No such container: nosuch\n")

        // A stopped container gets the limits when it starts.
        try root.cell("create", "--name", "later", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("update", "--pids-limit", "7", "later").expectSuccess()
        try root.cell("start", "later").expectSuccess()
        let later = try root.cell("inspect", "-f", "{{.Id}}", "later").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(LimitTests.read(LimitTests.cgroupFile("pids", "pids.max", v2: "pids.max", id: later)) == "7")
        try root.cell("rm", "-f", "busy", "idle", "later").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func limitsThatDoNotParseOrCannotBeMetAreRefused() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let cases: [([String], String)] = [
            (["-m", "12q"], "invalid argument \"12q\" for \"-m, --memory\" flag"),
            (["-m", "1m"], "Minimum memory limit allowed is 6MB"),
            (["--cpus", "64"], "Range of CPUs is from 0.01 to"),
            (["--cpuset-cpus", "0-99"], "Requested CPUs are not available"),
            (["-m", "64m", "--memory-swap", "32m"], "Minimum memoryswap limit should be larger than memory limit"),
            (["--memory-swap", "64m"], "You should always set the Memory limit when using Memoryswap limit"),
            (["--memory-reservation", "1m"], "Minimum memory reservation allowed is 6MB"),
            (["--cpus", "1", "--cpu-quota", "50000"], "Conflicting options: Nano CPUs and CPU Quota cannot both be set"),
            (["--cpus", "1", "--cpu-period", "50000"], "Conflicting options: Nano CPUs and CPU Period cannot both be set"),
            (["--cpu-period", "100"], "CPU cfs period can not be less than 1ms"),
            (["--tmpfs", "/t:size"], "invalid tmpfs option \"size\""),
        ]
        for (flags, message) in cases {
            let result = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(result.status == 125, "\(flags)")
            #expect(result.stderr.contains(message), "\(flags): \(result.stderr)")
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }

    /// Docker's meanings: 0 is "not set", -1 (given as its own argument) is "unlimited", --cpus
    /// is NanoCpus beside --cpu-quota, and an update keeps the memory+swap set at creation.
    @Test func zeroUnlimitedAndUpdatesMeanWhatTheyMeanInDocker() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "zero", "-m", "0", "-c", "0", "--cpu-period", "0", "--memory-swap", "0",
                      "busybox", "sleep", "1000").expectSuccess()
        let zero = try root.cell("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}}", "zero")
        #expect(zero.stdout == "0 0 0 0\n", "\(zero.stderr)")
        let zeroID = try root.cell("inspect", "-f", "{{.Id}}", "zero").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(LimitTests.read(LimitTests.cgroupFile("cpu", "cpu.shares", v2: "cpu.weight", id: zeroID)) == (LimitTests.isUnified ? "100" : "1024"))

        try root.cell("run", "-d", "--name", "capped", "-m", "64m", "--memory-swap", "-1", "--pids-limit", "-1", "--cpus", "0.5",
                      "busybox", "sleep", "1000").expectSuccess()
        let capped = try root.cell("inspect", "-f", "{{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}", "capped")
        #expect(capped.stdout == "-1 500000000 0 0\n", "\(capped.stderr)")
        let cappedID = try root.cell("inspect", "-f", "{{.Id}}", "capped").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if !LimitTests.isUnified {
            #expect(LimitTests.read(LimitTests.cgroupFile("cpu", "cpu.cfs_quota_us", v2: "cpu.max", id: cappedID)) == "50000")
        }
        let quota = try root.cell("update", "--cpu-quota", "20000", "capped")
        #expect(quota.status != 0 && quota.stderr.contains("CPU Quota cannot be updated as NanoCPUs has already been set"), "\(quota.stderr)")

        // -m 64m stores 128m of memory+swap; an update of -m alone keeps it, and may not pass it.
        try root.cell("run", "-d", "--name", "mem", "-m", "64m", "busybox", "sleep", "1000").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.MemorySwap}}", "mem").stdout == "134217728\n")
        let above = try root.cell("update", "-m", "200m", "mem")
        #expect(above.status != 0 && above.stderr.contains("Memory limit should be smaller than already set memoryswap limit"), "\(above.stderr)")
        try root.cell("update", "-m", "100m", "mem").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "mem").stdout == "104857600 134217728\n")
        try root.cell("update", "-m", "300m", "--memory-swap", "-1", "mem").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "mem").stdout == "314572800 -1\n")
        try root.cell("rm", "-f", "zero", "capped", "mem").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Without --no-stream, stats redraws about once a second (it once spun: its one-second
    /// pause was refused by nanosleep as 10^9 nanoseconds), and a busy container's CPU % stays
    /// within what the host's CPUs can give.
    @Test func streamingStatsRefreshesOnceASecond() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "busy", "busybox", "sh", "-c", "while :; do :; done").expectSuccess()
        let output = root.file("stats.out")
        _ = try Command.shell("CELL_ROOT='\(root.path)' timeout -s INT 2.5 '\(Paths.cell)' stats busy > '\(output)'")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let frames = text.components(separatedBy: "\u{1B}[2J").count - 1
        #expect((1...4).contains(frames), "\(frames) frames in 2.5 s")
        let percents = text.split(separator: "\n").filter { $0.contains("busy") }.compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).first { $0.hasSuffix("%") }.flatMap { Double($0.dropLast()) }
        }
        #expect(!percents.isEmpty && percents.allSatisfy { $0 <= Double(ProcessInfo.processInfo.activeProcessorCount) * 100 + 5 }, "\(percents)")
        try root.cell("rm", "-f", "busy").expectSuccess()
        try expectNothingLeft(root)
    }
}
