import Foundation
import Testing

/// `cell info` and `cell system info`: docker info's layout, and the fields tools read through
/// --format with Docker's names.
@Suite struct InfoTests {
    @Test func countsContainersAndImagesInDockersLayout() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "stopped", "busybox", "true").expectSuccess()
        try root.cell("run", "-d", "--name", "running", "busybox", "sleep", "60").expectSuccess()
        #expect(try waitUntil { try root.cell("info", "-f", "{{.ContainersRunning}}").stdout == "1\n" })

        let info = try root.cell("info")
        #expect(info.status == 0)
        #expect(info.stdout.hasPrefix("Client:\n Version:    "))
        #expect(info.stdout.contains("\n Context:    default\n Debug Mode: false\n\nServer:\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n Server Version: "))
        for line in [" Storage Driver: overlay2", " Logging Driver: json-file", " Cgroup Driver: cgroupfs", " OSType: linux",
                     " CPUs: \(ProcessInfo.processInfo.activeProcessorCount)", " Docker Root Dir: \(root.path)"] {
            #expect(info.stdout.contains("\n\(line)\n"), "\(line)")
        }
        #expect(info.stdout.contains("\n Cgroup Version: 1\n") || info.stdout.contains("\n Cgroup Version: 2\n"))
        #expect(info.stdout.hasSuffix(" Live Restore Enabled: false\n\n"))

        let fields = try root.cell("system", "info", "--format",
                                   "{{.Containers}} {{.ContainersStopped}} {{.Images}} {{.Driver}} {{.OSType}} {{.DockerRootDir}}")
        #expect(fields.status == 0 && fields.stdout == "2 1 1 overlay2 linux \(root.path)\n")
        let json = try root.cell("info", "-f", "json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let serverVersion = try root.cell("version", "-f", "{{.Server.Version}}").stdout.trimmingCharacters(in: .newlines)
        #expect(object?["ServerVersion"] as? String == serverVersion)
        #expect((object?["MemTotal"] as? Int ?? 0) > 0 && object?["NCPU"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
        let kernel = try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(object?["KernelVersion"] as? String == kernel && object?["CgroupDriver"] as? String == "cgroupfs")
        #expect(try root.cell("info", "-f", "{{json .}}").stdout == json.stdout)

        let broken = try root.cell("info", "-f", "{{.Containers")
        #expect(broken.status == 64 && broken.stderr.hasPrefix("template parsing error: "))
        #expect(try root.cell("info", "extra").status == 1)

        try root.cell("rm", "-f", "stopped", "running").expectSuccess()
        try expectNothingLeft(root)
    }
}
