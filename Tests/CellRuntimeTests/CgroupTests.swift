import CellCore
@testable import CellRuntime
import Testing

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
        var limits = ResourceLimits()
        limits.memory = 64 << 20
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
        limits.memorySwap = -1
        limits.pidsLimit = -1
        limits.cpuQuota = nil
        limits.cpuPeriod = nil
        try cgroup.apply(limits)
        #expect(try root.read("cell/lim/memory.swap.max") == "max")
        #expect(try root.read("cell/lim/pids.max") == "max")
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
