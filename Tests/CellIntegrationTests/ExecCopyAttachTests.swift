import CRuntime
import Foundation
import Testing

@Suite("containers: exec, cp, top, attach")
struct ExecCopyAttachTests {
    @Test func execRunsInTheContainerWithDockersCodes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "box", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }

        let result = try root.cell("exec", "box", "sh", "-c", "echo out; echo err >&2; hostname; exit 3")
        #expect(result.status == 3)
        #expect(result.lines.first == "out")
        #expect(result.stderr == "err\n")
        let id = try root.cell("inspect", "-f", "{{.Id}}", "box").stdout
        #expect(result.lines.last == String(id.prefix(12)), "exec joins the container's uts namespace")

        let piped = try root.cell(["exec", "-i", "box", "sh", "-c", "cat > /tmp/in; wc -c < /tmp/in"], stdin: Data("twelve bytes".utf8))
        #expect(piped.stdout.trimmingCharacters(in: .whitespaces) == "12\n")

        let shaped = try root.cell("exec", "-u", "nobody", "-w", "/tmp", "-e", "GREETING=hi", "box", "sh", "-c", "id -u; pwd; echo $GREETING")
        #expect(shaped.lines == ["65534", "/tmp", "hi"])

        let missing = try root.cell("exec", "box", "no-such-command")
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("executable file not found in $PATH"))
        let unknown = try root.cell("exec", "nobody-here", "true")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error response from daemon: No such container: nobody-here\n")

        let top = try root.cell("top", "box")
        #expect(top.lines.first?.hasPrefix("UID") == true)
        #expect(top.stdout.contains("sleep 1000"))

        try root.cell("stop", "-t", "0", "box").expectSuccess()
        let stopped = try root.cell("exec", "box", "true")
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("is not running"))
        try root.cell("rm", "box").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func copyBothWaysNeverLeavesTheContainersRoot() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "box", "busybox", "sh", "-c",
                      "ln -s / /escape; ln -s /etc/passwd /passwd-link; touch /ready; exec sleep 1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        #expect(try waitUntil { try root.cell("exec", "box", "test", "-e", "/ready").status == 0 })

        let local = root.file("note.txt")
        try "from the host\n".write(toFile: local, atomically: true, encoding: .utf8)
        try root.cell("cp", local, "box:/root/").expectSuccess()
        #expect(try root.cell("exec", "box", "cat", "/root/note.txt").stdout == "from the host\n")

        let back = root.file("passwd")
        try root.cell("cp", "box:/etc/passwd", back).expectSuccess()
        #expect(try String(contentsOfFile: back, encoding: .utf8).hasPrefix("root:x:0:0:"))

        // A link in the container is resolved inside its root: /escape/<scratch> is the
        // container's own path, never the host's.
        let hostTarget = "/tmp/planted-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: hostTarget) }
        try root.cell("cp", local, "box:/escape\(hostTarget)").expectSuccess()
        #expect(!FileManager.default.fileExists(atPath: hostTarget), "cp wrote through a container symlink onto the host")
        #expect(try root.cell("exec", "box", "cat", hostTarget).stdout == "from the host\n")

        // A link copied out stays a link, unless -L.
        let link = root.file("link")
        try root.cell("cp", "box:/passwd-link", link).expectSuccess()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "/etc/passwd")
        let followed = root.file("followed")
        try root.cell("cp", "-L", "box:/passwd-link", followed).expectSuccess()
        #expect(try String(contentsOfFile: followed, encoding: .utf8).hasPrefix("root:x:0:0:"))

        let absent = try root.cell("cp", "box:/no/such/file", root.file("x"))
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("Could not find the file /no/such/file in container box"))
        try root.cell("rm", "-f", "box").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func attachStreamsOutputAndTheExitCode() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "talker", "busybox", "sh", "-c",
                      "while [ ! -e /stop ]; do echo tick; sleep 0.05; done; echo bye; exit 4").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "talker") }
        let attach = try ChildProcess(Paths.cell, ["attach", "--no-stdin", "talker"], environment: ["CELL_ROOT": root.path],
                                      captureOutput: true)
        // Once the client holds a socket it is connected (or about to be): then let the container finish.
        #expect(waitUntil { Self.holdsSocket(attach.pid) })
        try root.cell("exec", "talker", "touch", "/stop").expectSuccess()
        let result = attach.finish()
        #expect(result.status == 4)
        #expect(result.stdout.hasSuffix("bye\n"))
        let stopped = try root.cell("attach", "talker")
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("You cannot attach to a stopped container"))
        try root.cell("rm", "talker").expectSuccess()
        try expectNothingLeft(root)
    }

    static func holdsSocket(_ pid: pid_t) -> Bool {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)")) ?? "").hasPrefix("socket:") }
    }
}
