import Foundation
import Testing

/// podman's `--cgroups=enabled|disabled`: a container that gets no cgroup of its own stays in its
/// monitor's, and every command on it still works, or says why it cannot.
@Suite("isolation: --cgroups=disabled")
struct CgroupsModeTests {
    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The parent of `pid` on the host (a container's pid 1 is its monitor's child).
    static func parent(of pid: String) -> String {
        let stat = text("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return "" }
        return String(stat[stat.index(after: close)...].split(separator: " ")[1])
    }

    /// Every cgroup directory the container would have: `<hierarchy>/cell/<id>` (v1 and hybrid),
    /// `/sys/fs/cgroup/cell/<id>` (v2).
    static func cgroupDirectories(of id: String) -> [String] {
        let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        return (["/sys/fs/cgroup"] + hierarchies.map { "/sys/fs/cgroup/\($0)" }).map { "\($0)/cell/\(id)" }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func inspect(_ root: CellRoot, _ format: String, _ name: String) throws -> String {
        try root.cell("inspect", "-f", format, name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aContainerWithoutCgroupsStaysInItsMonitorsCgroupAndStillWorks() throws {
        let root = try CellRoot()
        try root.importBusybox()

        // Inside: the default container is the root of a cgroup namespace of its own; without
        // cgroups, it sees the cgroups it was started in, this test's (as podman's test checks,
        // with --cgroupns=host), and an empty /sys/fs/cgroup.
        let own = CgroupsModeTests.text("/proc/self/cgroup")
        let standard = try root.cell("run", "--rm", "busybox", "cat", "/proc/self/cgroup")
        try standard.expectSuccess()
        #expect(standard.lines.allSatisfy { $0.hasSuffix(":/") }, "\(standard.stdout)")
        let disabled = try root.cell("run", "--rm", "--cgroups=disabled", "busybox", "sh", "-c",
                                     "cat /proc/self/cgroup; ls -A /sys/fs/cgroup | wc -l")
        try disabled.expectSuccess()
        #expect(disabled.stdout == own + "0\n")
        #expect(try root.cell("run", "--rm", "--cgroups", "enabled", "busybox", "true").status == 0)

        // From the host: the default container's pid 1 is in its own cgroup, not its monitor's;
        // without cgroups it is in its monitor's, and no cgroup is made.
        try root.cell("run", "-d", "--name", "with", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "without", "--cgroups=disabled", "busybox", "sh", "-c",
                      "sleep 1000 & sleep 1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "with", "without") }
        let withPid = try CgroupsModeTests.inspect(root, "{{.State.Pid}}", "with")
        let withID = try CgroupsModeTests.inspect(root, "{{.Id}}", "with")
        #expect(CgroupsModeTests.text("/proc/\(withPid)/cgroup").contains("/cell/\(withID)"))
        #expect(CgroupsModeTests.text("/proc/\(withPid)/cgroup") != CgroupsModeTests.text("/proc/\(CgroupsModeTests.parent(of: withPid))/cgroup"))
        #expect(!CgroupsModeTests.cgroupDirectories(of: withID).isEmpty)
        let pid = try CgroupsModeTests.inspect(root, "{{.State.Pid}}", "without")
        let id = try CgroupsModeTests.inspect(root, "{{.Id}}", "without")
        let hostView = CgroupsModeTests.text("/proc/\(pid)/cgroup")
        #expect(!hostView.isEmpty && !hostView.contains("/cell/"), "\(hostView)")
        #expect(hostView == CgroupsModeTests.text("/proc/\(CgroupsModeTests.parent(of: pid))/cgroup"))
        #expect(CgroupsModeTests.cgroupDirectories(of: id).isEmpty)
        #expect(try CgroupsModeTests.inspect(root, "{{.HostConfig.Cgroups}}", "without") == "disabled")
        #expect(try root.cell("inspect", "with").stdout.contains("\"Cgroups\"") == false)

        // exec joins no cgroup (it stays in ours) and works; a detached one lives in the pid namespace.
        let exec = try root.cell("exec", "without", "cat", "/proc/self/cgroup")
        try exec.expectSuccess()
        #expect(exec.stdout == own)
        try root.cell("exec", "-d", "without", "sleep", "999").expectSuccess()

        // top lists the pid namespace, stats what it can count, update refuses.
        #expect(try waitUntil { try root.cell("top", "without").lines.count == 4 }, "header, two sleeps (sh execs the last), the exec'd sleep")
        let pids = try root.cell("top", "without").lines.dropFirst().compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        }
        #expect(pids.count == 3 && pids.contains(pid))
        let stats = try root.cell("stats", "--no-stream", "--format", "{{.CPUPerc}} {{.MemUsage}} {{.BlockIO}} {{.PIDs}}", "without")
        #expect(stats.stdout == "-- -- -- 3\n", "\(stats.stderr)")
        let update = try root.cell("update", "-m", "64m", "without")
        #expect(update.status == 125)
        #expect(update.stderr.contains("Cannot set resource limits when cgroups are disabled"), "\(update.stderr)")
        #expect(try CgroupsModeTests.inspect(root, "{{.HostConfig.Memory}}", "without") == "0")

        // stop reaches everything: pid 1 dies, its pid namespace with it.
        let stop = try root.cell("stop", "-t", "1", "without")
        #expect(stop.stdout == "without\n", "\(stop.stderr)")
        #expect(try CgroupsModeTests.inspect(root, "{{.State.Status}} {{.State.ExitCode}}", "without") == "exited 137")
        for left in pids { #expect(!FileManager.default.fileExists(atPath: "/proc/\(left)"), "pid \(left) outlived its container") }
        try root.cell("start", "without").expectSuccess()
        try root.cell("rm", "-f", "with", "without").expectSuccess()
        #expect(CgroupsModeTests.cgroupDirectories(of: withID).isEmpty)

        // --rm as well.
        #expect(try root.cell("run", "--rm", "--cgroups=disabled", "busybox", "echo", "gone").stdout == "gone\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// No devices cgroup stands behind /dev: /dev is nodev but for the nodes cell makes there,
    /// so a node made with mknod (MKNOD is in Docker's set) opens nothing, while those made for
    /// the container (Docker's and --device's) work.
    @Test func withoutADevicesCgroupAMknodNodeOpensNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // /dev/zero's numbers, which the devices cgroup of a default container would let open:
        // the node still opens nothing, as any other would (here: /dev/mem's).
        let probe = "for n in 5 1; do mknod /dev/made$n c 1 $n && head -c 1 /dev/made$n 2>&1 >/dev/null; done; "
            + "head -c 4 /dev/zero | wc -c; echo > /dev/null && echo null"
        let disabled = try root.cell("run", "--rm", "--cgroups=disabled", "busybox", "sh", "-c", probe)
        #expect(disabled.stdout == "head: /dev/made5: Permission denied\nhead: /dev/made1: Permission denied\n4\nnull\n",
                "\(disabled.stderr)")
        let device = try root.cell("run", "--rm", "--cgroups=disabled", "--device", "/dev/zero:/dev/extra/zero", "busybox",
                                   "sh", "-c", "head -c 3 /dev/extra/zero | wc -c")
        #expect(device.stdout == "3\n", "\(device.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func badModesAndLimitsWithoutCgroupsAreRefusedBeforeAnythingIsMade() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for verb in ["run", "create"] {
            for mode in ["split", "no-conmon", "", "Disabled", "true"] {
                let result = try root.cell([verb, "--cgroups", mode, "busybox", "true"])
                #expect(result.status == 125, "\(verb) --cgroups '\(mode)'")
                #expect(result.stderr == "Error: invalid cgroup mode \"\(mode)\": cell knows enabled and disabled\n", "\(result.stderr)")
            }
            let limits: [[String]] = [
                ["-m", "64m"], ["--memory-swap", "-1", "-m", "64m"], ["--memory-reservation", "64m"], ["--cpus", "1"],
                ["--cpu-shares", "512"], ["--cpu-period", "50000"], ["--cpu-quota", "20000"], ["--cpuset-cpus", "0"],
                ["--pids-limit", "10"], ["--device-cgroup-rule", "c 1:3 rwm"],
            ]
            for flags in limits {
                let result = try root.cell([verb, "--cgroups=disabled"] + flags + ["busybox", "true"])
                #expect(result.status == 125, "\(verb) \(flags)")
                #expect(result.stderr == "Error: Cannot set resource limits when cgroups are disabled\n", "\(flags): \(result.stderr)")
            }
            let narrowed = try root.cell([verb, "--cgroups=disabled", "--device", "/dev/zero:/dev/z:r", "busybox", "true"])
            #expect(narrowed.status == 125 && narrowed.stderr.contains("device permissions need the devices cgroup"), "\(narrowed.stderr)")
        }
        // Docker's "not set": zero limits are none.
        try root.cell("run", "--rm", "--cgroups=disabled", "-m", "0", "--cpu-shares", "0", "busybox", "true").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }
}
