import CellCore
import Testing
@testable import CellCgroups

/// The stats API's raw counters against fake cgroup trees: pure v2 (most hosts) and v1 (this
/// machine's hybrid), each in the keys Docker reports for it.
@Suite struct CgroupCountersTests {
    @Test func pureV2FilesInDockersV2Keys() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let cgroup = try Cgroup(layout: .unified(root: root.path), parent: "/cell", name: "abc")
        try root.write("usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 10\nnr_throttled 4\nthrottled_usec 7\n", to: "cell/abc/cpu.stat")
        try root.write("1048576\n", to: "cell/abc/memory.current")
        try root.write("max\n", to: "cell/abc/memory.max")
        try root.write("anon 4096\nfile 8192\ninactive_file 4096\n", to: "cell/abc/memory.stat")
        try root.write("3\n", to: "cell/abc/pids.current")
        try root.write("100\n", to: "cell/abc/pids.max")
        try root.write("8:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n", to: "cell/abc/io.stat")
        let counters = CgroupCounters.read(cgroup, hostMemory: 8 << 30)
        #expect(counters.isUnified)
        #expect(counters.cpuTotal == 2_500_000 && counters.cpuUser == 2_000_000 && counters.cpuKernel == 500_000)
        #expect(counters.cpuPerCPU.isEmpty)
        #expect(counters.throttlePeriods == 10 && counters.throttledPeriods == 4 && counters.throttledNanoseconds == 7000)
        #expect(counters.memoryUsage == 1_048_576)
        // "max": the host's memory, as Docker caps it.
        #expect(counters.memoryLimit == 8 << 30)
        #expect(counters.memoryStat.map(\.0) == ["anon", "file", "inactive_file"])
        #expect(counters.pidsCurrent == 3 && counters.pidsLimit == 100)
        #expect(counters.blockIO == [.init(major: 8, minor: 0, operation: "read", value: 512),
                                     .init(major: 8, minor: 0, operation: "write", value: 1024)])
    }

    @Test func v1FilesInDockersV1Keys() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let hierarchies = ["memory", "pids", "cpu,cpuacct", "blkio"].map { name in
            CgroupLayout.Hierarchy(path: "\(root.path)/\(name)", controllers: name.split(separator: ",").map(String.init))
        }
        let cgroup = try Cgroup(layout: .legacy(hierarchies: hierarchies, unified: nil), parent: "/cell", name: "abc")
        try root.write("3000\n", to: "cpu,cpuacct/cell/abc/cpuacct.usage")
        try root.write("1000 2000 \n", to: "cpu,cpuacct/cell/abc/cpuacct.usage_percpu")
        try root.write("nr_periods 5\nnr_throttled 1\nthrottled_time 900\n", to: "cpu,cpuacct/cell/abc/cpu.stat")
        try root.write("2097152\n", to: "memory/cell/abc/memory.usage_in_bytes")
        try root.write("4194304\n", to: "memory/cell/abc/memory.max_usage_in_bytes")
        try root.write("67108864\n", to: "memory/cell/abc/memory.limit_in_bytes")
        try root.write("cache 8192\nrss 4096\ntotal_inactive_file 8192\n", to: "memory/cell/abc/memory.stat")
        try root.write("1\n", to: "pids/cell/abc/pids.current")
        try root.write("max\n", to: "pids/cell/abc/pids.max")
        try root.write("8:0 Read 4096\n8:0 Write 0\n8:0 Total 4096\nTotal 4096\n", to: "blkio/cell/abc/blkio.throttle.io_service_bytes_recursive")
        let counters = CgroupCounters.read(cgroup, hostMemory: 8 << 30)
        #expect(!counters.isUnified)
        #expect(counters.cpuTotal == 3000 && counters.cpuPerCPU == [1000, 2000])
        #expect(counters.throttlePeriods == 5 && counters.throttledNanoseconds == 900)
        #expect(counters.memoryUsage == 2_097_152 && counters.memoryMaxUsage == 4_194_304 && counters.memoryLimit == 67_108_864)
        #expect(counters.memoryStat.map(\.0) == ["cache", "rss", "total_inactive_file"])
        #expect(counters.pidsCurrent == 1 && counters.pidsLimit == 0)
        #expect(counters.blockIO.map(\.operation) == ["Read", "Write", "Total"])
    }

    @Test func hostCPUTimeAndInterfaces() {
        let time = HostCPUTime.parse("cpu  100 0 50 800 10 5 5 0 0 0\ncpu0 50 0 25 400 5 2 3 0 0 0\ncpu1 50 0 25 400 5 3 2 0 0 0\nintr 1\n",
                                     ticksPerSecond: 100)
        #expect(time.nanoseconds == 970 * 10_000_000 && time.onlineCPUs == 2)
        let interfaces = NetworkInterfaceCounters.parse("""
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
              eth0:    5000      10    1    2    0     0          0         0     3000       8    3    4    0     0       0          0
            """)
        #expect(interfaces.map(\.name) == ["lo", "eth0"])
        #expect(interfaces[1] == NetworkInterfaceCounters(name: "eth0", receivedBytes: 5000, receivedPackets: 10, receiveErrors: 1,
                                                          receiveDropped: 2, sentBytes: 3000, sentPackets: 8, sendErrors: 3, sendDropped: 4))
    }
}
