#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing
import CellCgroups

/// A throw-away container on the real kernel: a busybox root file system as the single
/// overlay lower directory, a container directory with upper/work/merged, and the monitor
/// built next to this test binary.
final class BusyboxContainer {
    static let applets = ["sh", "echo", "cat", "ls", "sleep", "id", "hostname", "ps", "mount", "touch", "test",
                          "grep", "pwd", "true", "false", "wc", "readlink", "stat", "tty", "httpd"]

    let temporary: TemporaryDirectory
    let id: String
    var spec: ContainerSpec
    var lower: String { "\(temporary.path)/rootfs" }
    var directory: String { "\(temporary.path)/container" }
    var merged: String { "\(directory)/merged" }
    var upper: String { "\(directory)/upper" }

    init(_ arguments: [String]) throws {
        temporary = try TemporaryDirectory("cell-container-test")
        id = "test" + FileSystem.randomSuffix()
        spec = ContainerSpec(id: id, rootFilesystem: .directory("/"), process: .init(arguments: arguments))
        try makeRootFilesystem()
        for name in ["upper", "work", "merged"] { try FileSystem.createDirectory("\(directory)/\(name)") }
        spec.rootFilesystem = .overlay(.init(lowerDirectories: [lower], upperDirectory: upper,
                                             workDirectory: "\(directory)/work", mergedDirectory: merged))
        // Under a per-test parent, so the test can remove every level it made.
        spec.cgroupParent = "/cell-test-\(id)"
    }

    private func makeRootFilesystem() throws {
        for name in ["bin", "etc", "proc", "sys", "dev", "tmp", "root"] { try FileSystem.createDirectory("\(lower)/\(name)") }
        try FileSystem.writeAtomically(try FileSystem.readFile("/bin/busybox"), to: "\(lower)/bin/busybox", mode: 0o755)
        for applet in BusyboxContainer.applets { symlink("busybox", "\(lower)/bin/\(applet)") }
        try FileSystem.writeAtomically(Array("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n".utf8),
                                       to: "\(lower)/etc/passwd")
        try FileSystem.writeAtomically(Array("root:x:0:\nnogroup:x:65534:\n".utf8), to: "\(lower)/etc/group")
        try FileSystem.writeAtomically(Array("not a program\n".utf8), to: "\(lower)/etc/not-executable", mode: 0o644)
    }

    static var monitorPath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // .../debug/cellPackageTests.xctest → .../debug/cell-monitor
        return FileSystem.dirname(of: executable) + "/cell-monitor"
    }

    var cgroup: Cgroup {
        get throws { try Cgroup(layout: CgroupLayout.detect(), parent: spec.cgroupParent, name: spec.cgroupName) }
    }

    /// Pure v2, or the hybrid layout's v2 hierarchy beside the v1 ones.
    var cgroupLayoutHasUnifiedHierarchy: Bool {
        (try? cgroup.unifiedDirectory) != nil
    }

    /// Writes the spec and starts the monitor; throws the start error.
    func start(attach: Bool = false) throws -> ContainerLauncher.Started {
        try spec.write(toContainerDirectory: directory)
        return try ContainerLauncher.start(containerDirectory: directory, monitorPath: BusyboxContainer.monitorPath, attach: attach)
    }

    /// Starts, waits for the exit, and returns the final state.
    func run() throws -> ContainerState {
        _ = try start()
        return try waitForExit()
    }

    func waitForExit(timeout: Double = 30) throws -> ContainerState {
        let state = try ContainerSignaller.waitForExit(containerDirectory: directory, timeout: timeout)
        guard let state, state.status == .exited else { throw CellError.system("container did not exit: \(String(describing: state))") }
        return state
    }

    func logLines() throws -> [LogLine] { try LogLine.parse(file: "\(directory)/container.log") }

    /// Everything the container wrote to stdout.
    func output() throws -> String { try logLines().filter { $0.stream == "stdout" }.map(\.text).joined() }

    /// Nothing may stay mounted on the host or in the cgroup tree.
    func expectCleanedUp() throws {
        let mountinfo = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        #expect(!mountinfo.contains(merged))
        for directory in try cgroup.directories { #expect(!FileSystem.exists(directory)) }
    }

    func remove() {
        if let state = try? ContainerState.read(fromContainerDirectory: directory), state.status == .running {
            try? cgroup.killAll()
            _ = try? ContainerSignaller.waitForExit(containerDirectory: directory, timeout: 10)
        }
        if let cgroup = try? cgroup {
            try? cgroup.remove(timeout: 1)
            for directory in cgroup.directories { rmdir(FileSystem.dirname(of: directory)) }
        }
        temporary.remove()
    }
}
