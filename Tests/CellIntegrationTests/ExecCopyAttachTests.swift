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
        let detachedTerminal = try root.cell("exec", "-d", "-t", "box", "true")
        #expect(detachedTerminal.status != 0 && detachedTerminal.stderr.contains("exec -d -t is not supported"))
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

    @Test func copyThroughATarStreamBothWays() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "box", "busybox", "sh", "-c",
                      "mkdir -p /data/sub; echo one > /data/sub/one; ln -s / /escape; touch /ready; exec sleep 1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        #expect(try waitUntil { try root.cell("exec", "box", "test", "-e", "/ready").status == 0 })

        // Out: a tar on stdout, entries named after the path's last component.
        let tarball = root.file("out.tar")
        let out = try Command.shell("\(Paths.cell) cp box:/data - > \(tarball)", environment: ["CELL_ROOT": root.path])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(Set(try Command.shell("tar -tf \(tarball)").lines) == ["data/", "data/sub/", "data/sub/one"])
        #expect(try Command.shell("tar -xOf \(tarball) data/sub/one").stdout == "one\n")

        // In: a tar on stdin, extracted into an existing directory.
        let input = root.file("in.tar")
        try Command.shell("""
            cd \(root.scratch) && mkdir -p payload/dir && echo hello > payload/dir/hello && tar -C payload -cf \(input) dir
            """).expectSuccess()
        try root.cell(["cp", "-", "box:/tmp"], stdinFile: input).expectSuccess()
        #expect(try root.cell("exec", "box", "cat", "/tmp/dir/hello").stdout == "hello\n")

        // A hostile tar: names climbing out, an absolute name, a link out and a write through it.
        let hostile = root.file("hostile.tar")
        let marker = "cell-cp-escape-\(UUID().uuidString.prefix(8))"
        try Command.run("/usr/bin/python3", ["-c", """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w") as t:
                def add(name, data=b"x", kind=tarfile.REGTYPE, link=""):
                    info = tarfile.TarInfo(name); info.type = kind; info.linkname = link; info.size = len(data) if kind == tarfile.REGTYPE else 0
                    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
                add("../../../../tmp/" + sys.argv[2])
                add("/tmp/" + sys.argv[2] + "-absolute")
                add("out", kind=tarfile.SYMTYPE, link="/tmp")
                add("out/" + sys.argv[2] + "-through-link")
            """, hostile, marker]).expectSuccess()
        _ = try root.cell(["cp", "-", "box:/escape/tmp"], stdinFile: hostile)
        for suffix in ["", "-absolute", "-through-link"] {
            #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)\(suffix)"), "the tar wrote \(marker)\(suffix) on the host")
        }

        let missing = try root.cell(["cp", "-", "box:/no/such/dir"], stdinFile: input)
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: Could not find the file /no/such/dir in container box\n")
        let notDirectory = try root.cell(["cp", "-", "box:/data/sub/one"], stdinFile: input)
        #expect(notDirectory.status == 1)
        #expect(notDirectory.stderr.contains("extraction point is not a directory"))
        try root.cell("rm", "-f", "box").expectSuccess()
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
        try root.signalFile("/stop", in: "talker")
        let result = attach.finish()
        #expect(result.status == 4)
        #expect(result.stdout.hasSuffix("bye\n"))
        let stopped = try root.cell("attach", "talker")
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("You cannot attach to a stopped container"))
        try root.cell("rm", "talker").expectSuccess()

        // run -di: the container's stdin stays open, and what an attach client sends reaches it.
        try root.cell("run", "-d", "-i", "--name", "listener", "busybox", "sh", "-c", "read line; echo got:$line").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "listener") }
        let fed = try root.cell(["attach", "listener"], stdin: Data("hello\n".utf8))
        #expect(fed.status == 0 && fed.stdout == "got:hello\n", "\(fed.stderr)")
        try root.cell("rm", "listener").expectSuccess()
        try expectNothingLeft(root)
    }

    /// `top C OPTIONS` runs the host's ps with them and keeps the container's rows, as Docker does.
    @Test func topPassesPsOptionsThrough() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "busy", "busybox", "sh", "-c", "sleep 321 & exec sleep 654").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "busy") }
        // The commands of the rows after the header, once both sleeps have exec'd (before, the
        // shell's own command line also says "sleep 321").
        func commands(_ listing: CommandResult) -> Set<String> {
            Set(listing.lines.dropFirst().map {
                String($0.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)[1]).trimmingCharacters(in: .whitespaces)
            })
        }
        var custom = try root.cell("top", "busy", "-o", "pid,args")
        #expect(try waitUntil {
            custom = try root.cell("top", "busy", "-o", "pid,args")
            return commands(custom) == ["sleep 321", "sleep 654"]
        }, "only the container's processes: \(custom.stdout)")
        #expect(custom.lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["PID", "COMMAND"], "\(custom.stdout)")
        let noPID = try root.cell("top", "busy", "-o", "comm")
        #expect(noPID.status == 1 && noPID.stderr == "Error response from daemon: Couldn't find PID field in ps output\n")
        try root.cell("rm", "-f", "busy").expectSuccess()
        try expectNothingLeft(root)
    }

    static func holdsSocket(_ pid: pid_t) -> Bool {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { ((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)")) ?? "").hasPrefix("socket:") }
    }
}
