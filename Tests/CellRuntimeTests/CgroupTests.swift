#if canImport(Glibc)
import Glibc
#endif
import CellCore
@testable import CellRuntime
import Testing
@testable import CellCgroups

/// The v2 logic against a fake /sys/fs/cgroup: plain files stand in for the kernel's.
@Suite struct CgroupUnifiedTests {
    @Test func createEnablesControllersDownThePathAndJoins() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("cpuset cpu io memory hugetlb pids rdma misc\n", to: "cgroup.controllers")
        try root.write("", to: "cgroup.subtree_control")
        let cgroup = try Cgroup(layout: .unified(root: root.path), parent: "/cell", name: "abc")
        #expect(cgroup.directories == ["\(root.path)/cell/abc"])
        try cgroup.create()
        #expect(FileSystem.isDirectory("\(root.path)/cell/abc"))
        #expect(try root.read("cgroup.subtree_control") == "+cpuset +cpu +io +memory +pids")
        #expect(try root.read("cell/cgroup.subtree_control") == "+cpuset +cpu +io +memory +pids")
        #expect(!FileSystem.exists("\(root.path)/cell/abc/cgroup.subtree_control"))

        try root.write("4242\n", to: "cell/abc/cgroup.procs")
        #expect(try cgroup.processes() == [4242])
        // Cgroups a privileged container made below its own count too; files are not cgroups.
        try root.write("4343\n4344\n", to: "cell/abc/init.scope/cgroup.procs")
        try root.write("4545\n", to: "cell/abc/system.slice/sshd.service/cgroup.procs")
        #expect(try cgroup.processes().sorted() == [4242, 4343, 4344, 4545])
        // Children before their parents, the order rmdir needs.
        let tree = try Cgroup.tree(at: "\(root.path)/cell/abc").map { String($0.dropFirst(root.path.count + 9)) }
        #expect(Set(tree) == ["/init.scope", "/system.slice", "/system.slice/sshd.service", ""])
        #expect(tree.last == "" && tree.firstIndex(of: "/system.slice/sshd.service")! < tree.firstIndex(of: "/system.slice")!)
        try FileSystem.removeTree("\(root.path)/cell/abc/init.scope")
        try FileSystem.removeTree("\(root.path)/cell/abc/system.slice")
        #expect(cgroup.legacyDirectories.isEmpty)

        try cgroup.setValue("104857600", file: "memory.max", controller: "memory")
        #expect(try root.read("cell/abc/memory.max") == "104857600")
        try root.write("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", to: "cell/abc/memory.events")
        #expect(cgroup.oomKilled())
    }

    @Test func limitsAreWrittenInV2Files() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("cpuset cpu io memory pids\n", to: "cgroup.controllers")
        let cgroup = try Cgroup(layout: .unified(root: root.path), parent: "/cell", name: "lim")
        try cgroup.create()
        // Without swap accounting the kernel has no memory.swap.max: nothing is written there.
        var limits = ResourceLimits()
        limits.memory = 64 << 20
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/memory.max") == "67108864")
        #expect(!FileSystem.exists("\(root.path)/cell/lim/memory.swap.max"))
        try root.write("max\n", to: "cell/lim/memory.swap.max")
        limits = limits.withCreationDefaults()
        limits.memoryReservation = 16 << 20
        limits.cpuQuota = 50_000
        limits.cpuPeriod = 100_000
        limits.cpuShares = 512
        limits.cpusetCpus = "0-1"
        limits.pidsLimit = 64
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/memory.max") == "67108864")
        #expect(try root.read("cell/lim/memory.swap.max") == "67108864", "as much swap as memory, as Docker gives")
        #expect(try root.read("cell/lim/memory.low") == "16777216")
        #expect(try root.read("cell/lim/cpu.max") == "50000 100000")
        #expect(try root.read("cell/lim/cpu.weight") == "20")
        #expect(try root.read("cell/lim/cpuset.cpus") == "0-1")
        #expect(try root.read("cell/lim/pids.max") == "64")
        limits.memorySwap = 96 << 20
        limits.pidsLimit = -1
        limits.cpuQuota = nil
        limits.cpuPeriod = nil
        limits.nanoCpus = 1_500_000_000
        limits.cpuShares = 2
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/memory.swap.max") == "33554432", "swap alone: memory-swap minus memory")
        #expect(try root.read("cell/lim/pids.max") == "max")
        #expect(try root.read("cell/lim/cpu.max") == "150000 100000")
        #expect(try root.read("cell/lim/cpu.weight") == "1")
        limits.memorySwap = -1
        limits.nanoCpus = nil
        limits.cpuQuota = -1
        limits.cpuShares = 262_144
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/memory.swap.max") == "max")
        #expect(try root.read("cell/lim/cpu.max") == "max 100000")
        #expect(try root.read("cell/lim/cpu.weight") == "10000")

        // cpuset.mems; a block I/O weight in BFQ's file when there is one, else io.weight's
        // 1-10000 scale; v2 has no swappiness or OOM switch, so nothing is written for them.
        limits = ResourceLimits()
        limits.cpusetMems = "0"
        limits.blkioWeight = 500
        limits.memorySwappiness = 10
        limits.oomKillDisable = true
        try root.write("default 100\n", to: "cell/lim/io.weight")
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/cpuset.mems") == "0")
        #expect(try root.read("cell/lim/io.weight") == "4950")
        #expect(!FileSystem.exists("\(root.path)/cell/lim/memory.swappiness"))
        #expect(!FileSystem.exists("\(root.path)/cell/lim/memory.oom_control"))
        try root.write("100\n", to: "cell/lim/io.bfq.weight")
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/io.bfq.weight") == "500")
    }

    @Test func limitsTheHostCannotApplyAreDiscardedWithDockersWarnings() throws {
        var limits = ResourceLimits()
        limits.memorySwappiness = 0
        limits.oomKillDisable = true
        limits.blkioWeight = 300
        let none = CgroupSupport(memorySwappiness: false, oomKillDisable: false, blkioWeight: false).admitting(limits)
        #expect(none.limits == ResourceLimits())
        #expect(none.warnings == [
            "Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.",
            "Your kernel does not support OomKillDisable. OomKillDisable discarded.",
            "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.",
        ])
        let all = CgroupSupport(memorySwappiness: true, oomKillDisable: true, blkioWeight: true).admitting(limits)
        #expect(all.limits == limits)
        #expect(all.warnings == ["OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources."])
        limits.memory = 64 << 20
        #expect(CgroupSupport(memorySwappiness: true, oomKillDisable: true, blkioWeight: true).admitting(limits).warnings.isEmpty)

        let v2 = try TemporaryDirectory()
        defer { v2.remove() }
        try v2.write("cpuset cpu io memory pids\n", to: "cgroup.controllers")
        #expect(CgroupSupport.of(.unified(root: v2.path)) == CgroupSupport(memorySwappiness: false, oomKillDisable: false, blkioWeight: true))
    }

    @Test func onlyOfferedControllersAreEnabledAndEnabledOnesAreKept() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("cpu memory pids\n", to: "cgroup.controllers")
        try root.write("memory\n", to: "cgroup.subtree_control")
        try root.write("memory\n", to: "cell/cgroup.controllers")
        let cgroup = try Cgroup(layout: .unified(root: root.path), parent: "cell", name: "x", membership: "0::/\n")
        try cgroup.create()
        #expect(try root.read("cgroup.subtree_control") == "+cpu +pids")
        #expect(try root.read("cell/cgroup.subtree_control") == "+memory")
    }

    @Test func relativeParentsStartAtTheCallersCgroup() throws {
        let membership = "0::/user.slice/session-1.scope\n"
        let unified = try Cgroup(layout: .unified(root: "/fake"), parent: "cell", name: "c1", membership: membership)
        #expect(unified.directories == ["/fake/user.slice/session-1.scope/cell/c1"])
        let legacy = CgroupLayout.legacy(hierarchies: [.init(path: "/fs/memory", controllers: ["memory"]),
                                                       .init(path: "/fs/cpu,cpuacct", controllers: ["cpu", "cpuacct"])],
                                         unified: "/fs/unified")
        let nested = try Cgroup(layout: legacy, parent: "cell", name: "c2",
                                membership: "4:memory:/api/1\n2:cpu,cpuacct:/\n0::/\n")
        #expect(nested.directories == ["/fs/unified/cell/c2", "/fs/cpu,cpuacct/cell/c2", "/fs/memory/api/1/cell/c2"])
        #expect(nested.legacyDirectories == ["/fs/cpu,cpuacct/cell/c2", "/fs/memory/api/1/cell/c2"])
        #expect(nested.directory(forController: "cpuacct") == "/fs/cpu,cpuacct/cell/c2")
        let absolute = try Cgroup(layout: legacy, parent: "/cell", name: "c3", membership: "4:memory:/api/1\n")
        #expect(absolute.directory(forController: "memory") == "/fs/memory/cell/c3")
    }

    @Test func legacyCreateCopiesCpusetAndRemoveDeletesOnlyTheContainer() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("0-3\n", to: "cpuset/cpuset.cpus")
        try root.write("0\n", to: "cpuset/cpuset.mems")
        try FileSystem.createDirectory("\(root.path)/memory")
        let layout = CgroupLayout.legacy(hierarchies: [.init(path: "\(root.path)/cpuset", controllers: ["cpuset"]),
                                                       .init(path: "\(root.path)/memory", controllers: ["memory"])],
                                         unified: nil)
        let cgroup = try Cgroup(layout: layout, parent: "/cell", name: "id")
        try cgroup.create()
        #expect(try root.read("cpuset/cell/cpuset.cpus") == "0-3\n")
        #expect(try root.read("cpuset/cell/id/cpuset.mems") == "0\n")
        #expect(FileSystem.isDirectory("\(root.path)/memory/cell/id"))
        // A fake directory holds files, so remove it the way the kernel would see it emptied.
        for directory in cgroup.directories { try? FileSystem.removeTree(directory); try FileSystem.createDirectory(directory) }
        try cgroup.remove()
        #expect(!FileSystem.exists("\(root.path)/memory/cell/id"))
        #expect(FileSystem.isDirectory("\(root.path)/memory/cell"))
    }

    @Test func hostLayoutIsDetectedFromMagic() throws {
        let layout = try CgroupLayout.detect()
        switch layout {
        case .unified(let root): #expect(root == "/sys/fs/cgroup")
        case .legacy(let hierarchies, _): #expect(hierarchies.contains { $0.controllers.contains("memory") })
        }
        // A directory that is not a cgroup file system is not taken for one.
        let fake = try TemporaryDirectory()
        defer { fake.remove() }
        try FileSystem.createDirectory("\(fake.path)/memory")
        #expect(throws: CellError.self) { try CgroupLayout.detect(root: fake.path) }
    }
}

/// The v2 device filter on the real kernel: an eBPF program on a cgroup of the host's v2
/// hierarchy (pure v2, or the hybrid's), and a shell that moves itself there.
@Suite struct DeviceFilterTests {
    @Test func theProgramLetsOnlyTheRulesDevicesOpen() throws {
        guard let unified = try CgroupLayout.detect().unifiedRoot else { return }
        let cgroup = try Cgroup(layout: .unified(root: unified), parent: "/cell-test-devices", name: FileSystem.randomSuffix())
        try cgroup.create()
        defer {
            try? cgroup.remove(timeout: 5)
            rmdir("\(unified)/cell-test-devices")
        }
        try cgroup.restrictDevices(to: DeviceRule.dockerDefaults + [DeviceRule(parsing: "c 10:237 r")])
        let directory = try #require(cgroup.unifiedDirectory)
        let script = """
            echo $$ > \(directory)/cgroup.procs
            echo x > /dev/null && echo null
            head -c 1 /dev/zero | wc -c
            (exec 3</dev/loop-control) 2>/dev/null && echo loop-read
            (exec 3>/dev/loop-control) 2>/dev/null && echo loop-write
            (exec 3</dev/kmsg) 2>/dev/null && echo kmsg
            """
        let output = try DeviceFilterTests.shell(script)
        let loop = FileSystem.exists("/dev/loop-control") ? "loop-read\n" : ""
        #expect(output == "null\n1\n" + loop)
    }

    @Test func instructionsAreRuncsShape() {
        // "c 1:3 rwm": type, major and minor tests, then allow; the default denies.
        let program = DeviceFilterProgram.instructions(allowing: [DeviceRule(.character, 1, 3)])
        #expect(program.count == 6 + 5 + 2)
        #expect(program[6] == DeviceFilterProgram.instruction(0x55, destination: 2, offset: 4, immediate: 2))
        #expect(program[9] == DeviceFilterProgram.moveImmediate(0, 1))
        #expect(program.suffix(2) == [DeviceFilterProgram.moveImmediate(0, 0), DeviceFilterProgram.exit])
        #expect(DeviceRule(.block, nil, nil, .mknod).description == "b *:* m")
        #expect(throws: CellError.self) { try DeviceRule(parsing: "x 1:3 rwm") }
        #expect(throws: CellError.self) { try DeviceRule(parsing: "c 1:3 rwx") }
    }

    /// Runs a script with /bin/sh, returns its stdout.
    static func shell(_ script: String) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CellError.system("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", script].map { (text: String) in strdup(text) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { throw CellError.system("spawn: \(spawned)") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: output, as: UTF8.self)
    }
}
