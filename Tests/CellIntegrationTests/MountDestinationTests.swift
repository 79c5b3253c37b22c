import Foundation
import Testing

/// Volume and tmpfs destinations that Docker or runc refuse (/, /proc and inside it) are refused
/// up front with one line and exit 125, whatever their spelling, and nothing is created; those
/// they allow (below /dev and /sys, runc's lxcfs files in /proc) work.
@Suite("mount destinations")
struct MountDestinationTests {
    static func expectRefused(_ root: CellRoot, _ arguments: [String], saying words: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try root.cell(arguments)
        #expect(result.status == 125, "\(arguments): exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "\(arguments) made a container", sourceLocation: sourceLocation)
    }

    @Test func refusedDestinationsCreateNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let volume = root.file("volume")
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        for destination in ["/", "//", "/..", "/tmp/..", "/./"] {
            for verb in ["run", "create"] {
                try Self.expectRefused(root, [verb, "--rm", "-v", "\(volume):\(destination)", "busybox", "true"],
                                       saying: "invalid volume specification: '\(volume):\(destination)': invalid mount config for type \"bind\": invalid specification: destination can't be '/'")
            }
            try Self.expectRefused(root, ["run", "--rm", "--tmpfs", destination, "busybox", "true"], saying: "destination can't be '/'")
        }
        for destination in ["/proc", "/proc/", "/./proc", "//proc", "/x/../proc", "/proc/self", "/proc/sys/kernel", "/proc/1/../self"] {
            try Self.expectRefused(root, ["run", "--rm", "-v", "\(volume):\(destination)", "busybox", "true"], saying: "cannot be mounted because it is")
            try Self.expectRefused(root, ["run", "--rm", "--tmpfs", destination, "busybox", "true"], saying: "cannot be mounted because it is")
        }
        // A missing host directory is not made for a refused volume.
        let missing = root.file("missing")
        try Self.expectRefused(root, ["run", "--rm", "-v", "\(missing):/proc/self", "busybox", "true"], saying: "inside /proc")
        #expect(!FileManager.default.fileExists(atPath: missing))
        // cell's /dev is a tmpfs of its own; an empty one in its place would have no /dev/null.
        try Self.expectRefused(root, ["run", "--rm", "--tmpfs", "/dev", "busybox", "true"], saying: "\"/dev\"")
        // --init's mount point would be made in the volume.
        try Self.expectRefused(root, ["run", "--rm", "--init", "-v", "\(volume):/dev", "busybox", "true"], saying: "--init")
        #expect(try FileManager.default.contentsOfDirectory(atPath: volume).isEmpty)
        try expectNothingLeft(root)
    }

    @Test func allowedDestinationsWork() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let volume = root.file("volume")
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        try Data("from the host\n".utf8).write(to: URL(fileURLWithPath: "\(volume)/marker"))
        // Below /dev and /sys, and /dev and /sys themselves, as Docker allows: the masks keep the
        // container's own /dev/null, and the cgroup view is not made inside the volume.
        for destination in ["/dev", "/dev/snd", "/dev/shm", "/sys", "/sys/fs/cgroup", "/srv/../data/"] {
            let clean = destination == "/srv/../data/" ? "/data" : destination
            let result = try root.cell("run", "--rm", "-v", "\(volume):\(destination)", "busybox", "cat", "\(clean)/marker")
            #expect(result.status == 0 && result.stdout == "from the host\n", "\(destination): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: volume) == ["marker"], "nothing made in the volume")
        let shm = try root.cell("run", "--rm", "--tmpfs", "/dev/shm:size=1m", "busybox", "sh", "-c", "grep ' /dev/shm ' /proc/mounts")
        #expect(shm.status == 0 && shm.stdout.contains("size=1024k"), "\(shm.stderr)")
        // runc's list of /proc files lxcfs emulates, and a procfs at /proc itself.
        let meminfo = root.file("meminfo")
        try Data("MemTotal: 1 kB\n".utf8).write(to: URL(fileURLWithPath: meminfo))
        let covered = try root.cell("run", "--rm", "-v", "\(meminfo):/proc/meminfo:ro", "busybox", "cat", "/proc/meminfo")
        #expect(covered.status == 0 && covered.stdout == "MemTotal: 1 kB\n", "\(covered.stderr)")
        let proc = try root.cell("run", "--rm", "-v", "/proc:/proc", "busybox", "test", "-e", "/proc/self/status")
        #expect(proc.status == 0, "\(proc.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// RUN --mount targets follow the same rules (a relative one is below WORKDIR, as in BuildKit),
    /// checked before a cache directory is made.
    @Test func buildMountTargets() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        for target in ["/x/../proc", "/proc/self", "/"] {
            try Data("FROM busybox\nRUN --mount=type=cache,target=\(target) true\n".utf8)
                .write(to: URL(fileURLWithPath: "\(context)/Imagefile"))
            let result = try root.cell("build", "-t", "refused", context)
            let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") }
            #expect(result.status == 1 && lines.count == 1 && (lines[0].contains("cannot be mounted") || lines[0].contains("destination can't be '/'")), "\(target): \(result.stderr)")
        }
        let cacheMounts = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/build-cache-mounts")) ?? []
        #expect(cacheMounts.isEmpty, "a cache directory was made: \(cacheMounts)")
        try Data("FROM busybox\nWORKDIR /data\nRUN --mount=type=tmpfs,target=t grep -q ' /data/t tmpfs' /proc/mounts\n".utf8)
            .write(to: URL(fileURLWithPath: "\(context)/Imagefile"))
        try root.cell("build", "-t", "relative", context).expectSuccess()
        try expectNothingLeft(root)
    }

    /// A record written before the check (an older cell) that mounts over /proc: its start is
    /// refused with one line, before the child is cloned, instead of a pid 1 that dies of SIGSEGV.
    @Test func oldRecordsWithRefusedDestinationsDoNotStart() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let volume = root.file("volume")
        let id = try root.cell("create", "-v", "\(volume):/procx", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let specPath = "\(root.path)/containers/\(id)/spec"
        var spec = try Data(contentsOf: URL(fileURLWithPath: specPath))
        // Fields end at their NUL (no lengths), so the shorter path needs nothing else.
        let range = try #require(spec.range(of: Data("\0/procx\0".utf8)))
        spec.replaceSubrange(range, with: Data("\0/proc\0".utf8))
        try spec.write(to: URL(fileURLWithPath: specPath))
        let start = try root.cell("start", "-a", id)
        #expect(start.status == 125, "exit \(start.status): \(start.stderr)")
        #expect(start.stderr.split(separator: "\n").count == 1 && start.stderr.contains("cannot be mounted"), "\(start.stderr)")
        try root.cell("rm", "-f", id).expectSuccess()
        try expectNothingLeft(root)
    }
}
