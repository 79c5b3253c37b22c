import Foundation
import Testing

/// Capabilities and no_new_privs as Docker sets them, and what a default container cannot do.
@Suite("isolation: capabilities and privileges")
struct PrivilegeTests {
    /// "CapEff" → its hex value, from /proc/self/status inside a container.
    static func capabilities(_ root: CellRoot, _ arguments: [String]) throws -> [String: String] {
        let result = try root.cell(["run", "--rm"] + arguments + ["busybox", "grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status"])
        try result.expectSuccess()
        var values: [String: String] = [:]
        for line in result.lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return values
    }

    static var hostPermitted: String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("CapPrm:") } ?? ""
        return line.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    @Test func dockersDefaultSetAndTheFlagsThatChangeIt() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let standard = try PrivilegeTests.capabilities(root, [])
        #expect(standard["CapEff"] == "00000000a80425fb")
        #expect(standard["CapPrm"] == "00000000a80425fb")
        #expect(standard["CapBnd"] == "00000000a80425fb")
        #expect(standard["CapInh"] == "0000000000000000")
        #expect(standard["CapAmb"] == "0000000000000000")
        #expect(standard["NoNewPrivs"] == "0", "off by default, so sudo works in testbeds")

        let user = try PrivilegeTests.capabilities(root, ["-u", "1000"])
        #expect(user["CapEff"] == "0000000000000000" && user["CapPrm"] == "0000000000000000")
        #expect(user["CapBnd"] == "00000000a80425fb")

        #expect(try PrivilegeTests.capabilities(root, ["--cap-drop", "ALL"])["CapBnd"] == "0000000000000000")
        #expect(try PrivilegeTests.capabilities(root, ["--cap-add", "SYS_ADMIN"])["CapEff"] == "00000000a82425fb")
        #expect(try PrivilegeTests.capabilities(root, ["--cap-drop", "ALL", "--cap-add", "net_bind_service"])["CapEff"] == "0000000000000400")
        #expect(try PrivilegeTests.capabilities(root, ["--cap-drop", "CAP_CHOWN"])["CapEff"] == "00000000a80425fa")
        #expect(try PrivilegeTests.capabilities(root, ["--privileged"])["CapEff"] == PrivilegeTests.hostPermitted)
        #expect(try PrivilegeTests.capabilities(root, ["--security-opt", "no-new-privileges"])["NoNewPrivs"] == "1")
        #expect(try PrivilegeTests.capabilities(root, ["--security-opt", "no-new-privileges:true"])["NoNewPrivs"] == "1")

        // exec gets the container's set.
        try root.cell("run", "-d", "--name", "held", "--cap-drop", "NET_RAW", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "held") }
        #expect(try root.cell("exec", "held", "grep", "CapEff", "/proc/self/status").stdout == "CapEff:\t00000000a80405fb\n")
        #expect(try root.cell("exec", "-u", "1000", "held", "grep", "CapEff", "/proc/self/status").stdout == "CapEff:\t0000000000000000\n")
        try root.cell("rm", "-f", "held").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func seccompRefusesWhatDockersProfileRefuses() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let probe = "grep '^Seccomp:' /proc/self/status; unshare -U true 2>/dev/null && echo user-namespace || echo refused"
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", probe).stdout == "Seccomp:\t2\nrefused\n")
        #expect(try root.cell("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c", probe).stdout
                    == "Seccomp:\t0\nuser-namespace\n")
        // CAP_SYS_ADMIN opens what it governs, as in Docker's profile.
        #expect(try root.cell("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", probe).stdout == "Seccomp:\t2\nuser-namespace\n")
        #expect(try root.cell("run", "--rm", "--privileged", "busybox", "sh", "-c", probe).stdout == "Seccomp:\t0\nuser-namespace\n")
        try root.cell("run", "-d", "--name", "filtered", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "filtered") }
        #expect(try root.cell("exec", "filtered", "sh", "-c", probe).stdout == "Seccomp:\t2\nrefused\n", "exec is filtered too")
        // A call newer than the profile answers ENOSYS (libc falls back), a refused one EPERM:
        // the host's python3 makes the raw calls (listmount, number 458; unshare).
        let calls = """
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            for number in (458, 999, 272):
                libc.syscall(number, 0, 0, 0, 0)
                print(ctypes.get_errno())
            """
        let errnos = try root.cell("run", "--rm", "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro",
                                   "busybox", "/usr/bin/python3", "-c", calls)
        #expect(errnos.stdout == "38\n38\n1\n", "\(errnos.stderr)")
        try root.cell("rm", "-f", "filtered").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aLeakedDescriptorCannotBeTheWorkingDirectory() throws {
        // CVE-2024-21626: `-w /proc/self/fd/N` naming a descriptor the runtime leaked (a host
        // cgroup directory, a store file) must never leave the process outside its root.
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "target", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "target") }
        for fd in 3...20 {
            let run = try root.cell("run", "--rm", "-w", "/proc/self/fd/\(fd)", "busybox", "sh", "-c", "ls ../../../sys/fs/cgroup 2>/dev/null | head -1")
            #expect(run.status != 0 && run.stdout.isEmpty, "run -w /proc/self/fd/\(fd): \(run.stdout)")
            let exec = try root.cell("exec", "-w", "/proc/self/fd/\(fd)", "target", "sh", "-c", "ls ../../../sys/fs/cgroup 2>/dev/null | head -1")
            #expect(exec.status != 0 && exec.stdout.isEmpty, "exec -w /proc/self/fd/\(fd): \(exec.stdout)")
        }
        // Only 0, 1 and 2 are open when the command starts (3 is ls's own directory).
        #expect(try root.cell("run", "--rm", "busybox", "ls", "/proc/self/fd").lines == ["0", "1", "2", "3"])
        #expect(try root.cell("exec", "target", "ls", "/proc/self/fd").lines == ["0", "1", "2", "3"])
        try root.cell("rm", "-f", "target").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func theHostsBinariesCannotBeWrittenThroughProcExe() throws {
        // CVE-2019-5736: a command that is a `#!/proc/self/exe` script is interpreted by the
        // binary that exec'd it. That must not be a host file the container can open for
        // writing (the attack waits for it to stop running, then overwrites it). Writing with
        // O_TRUNC reports a read-only mount before a busy text file, so EROFS here proves the
        // mount, whether or not the binary is running.
        let root = try CellRoot()
        try root.importBusybox()
        let scripts = root.file("scripts")
        try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true)
        let script = """
            #!/proc/self/exe /bin/sh
            error=$( { echo x > /proc/$PPID/exe; } 2>&1 ) && echo "written" || echo "${error##*: }"

            """
        try root.writeExecutable(script, to: "\(scripts)/attack")
        // A container's first process is a copy of the monitor, which runs from a sealed, read-only
        // copy of itself, and execs the command directly: past pivot_root the kernel finds no
        // interpreter at /proc/self/exe (the script cannot run at all); where it would, the
        // binary it names is the sealed copy.
        let run = try root.cell("run", "--rm", "-v", "\(scripts):/scripts:ro", "busybox", "/scripts/attack")
        #expect(run.stdout == "Read-only file system\n" || (run.status == 127 && run.stdout.isEmpty),
                "run: \(run.status) \(run.stdout) \(run.stderr)")
        #expect(!run.stdout.contains("written"))
        try root.cell("run", "-d", "--name", "target", "-v", "\(scripts):/scripts:ro", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "target") }
        let exec = try root.cell("exec", "target", "/scripts/attack")
        #expect(exec.stdout == "Read-only file system\n", "exec: \(exec.stdout) \(exec.stderr)")
        try root.cell("rm", "-f", "target").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aRemappedRootIsAnUnprivilegedHostUser() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "mapped", "--uidmap", "0:200000:65536", "busybox", "sh", "-c",
                      "touch /made; mkdir /home/app; chown 1000:1000 /home/app; sleep 1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "mapped") }
        try root.cell("exec", "mapped", "sh", "-c", "while [ ! -d /home/app ]; do sleep 0.01; done").expectSuccess()
        #expect(try root.cell("exec", "mapped", "id", "-u").stdout == "0\n")
        #expect(try root.cell("exec", "mapped", "cat", "/proc/self/uid_map").stdout
                    .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") == "0 200000 65536\n")
        // On the host, the container's root is uid 200000...
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "mapped").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(status.contains("\nUid:\t200000\t200000\t200000\t200000\n"))
        // ...while its files are stored with the ids it sees (commit and cp read them as usual).
        let id = try root.cell("inspect", "-f", "{{.Id}}", "mapped").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let upper = "\(root.path)/containers/\(id)/upper"
        let made = try FileManager.default.attributesOfItem(atPath: "\(upper)/made")
        let app = try FileManager.default.attributesOfItem(atPath: "\(upper)/home/app")
        #expect((made[.ownerAccountID] as? NSNumber)?.intValue == 0)
        #expect((app[.ownerAccountID] as? NSNumber)?.intValue == 1000 && (app[.groupOwnerAccountID] as? NSNumber)?.intValue == 1000)

        // Root inside is nobody to the host's files: a root-only file in a volume stays closed.
        let secret = root.file("secret")
        try FileManager.default.createDirectory(atPath: secret, withIntermediateDirectories: true)
        try "s\n".write(toFile: "\(secret)/key", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(secret)/key")
        let read = try root.cell("run", "--rm", "--uidmap", "0:200000:65536", "-v", "\(secret):/secret", "busybox",
                                 "sh", "-c", "cat /secret/key 2>/dev/null || echo refused")
        #expect(read.stdout == "refused\n", "\(read.stderr)")

        // cp into it while it runs is refused by name; stopped, it works.
        try "hello\n".write(toFile: root.file("in"), atomically: true, encoding: .utf8)
        let copy = try root.cell("cp", root.file("in"), "mapped:/in")
        #expect(copy.status == 1 && copy.stderr.contains("user namespace"), "\(copy.stderr)")
        // A tar on stdin too, before a byte of it is read (this one is not even a tar).
        let tarCopy = try root.cell(["cp", "-", "mapped:/"], stdin: Data("not a tar".utf8))
        #expect(tarCopy.status == 1 && tarCopy.stderr.contains("user namespace"), "\(tarCopy.stderr)")
        try root.cell("stop", "-t", "0", "mapped").expectSuccess()
        try root.cell("cp", root.file("in"), "mapped:/in").expectSuccess()
        try root.cell("start", "mapped").expectSuccess()
        #expect(try root.cell("exec", "mapped", "cat", "/in").stdout == "hello\n")

        for (flags, message) in [(["--uidmap", "1:200000:10"], "starting at container id 0"),
                                 (["--uidmap", "0:0:65536"], "no remapping"),
                                 (["--privileged", "--uidmap", "0:200000:65536"], "incompatible"),
                                 (["--userns", "private"], "unsupported --userns mode")] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr.contains(message), "\(flags): \(refused.stderr)")
        }
        try root.cell("rm", "-f", "mapped").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func aSeccompProfileInDockersFormat() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let profile = root.file("no-mkdir.json")
        try """
            {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                          {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO",
                           "args": [{"index": 1, "value": 511, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]}
            """.write(toFile: profile, atomically: true, encoding: .utf8)
        let run = try root.cell("run", "--rm", "--security-opt", "seccomp=\(profile)", "busybox", "sh", "-c",
                                "mkdir /made 2>&1; touch /f; chmod 777 /f 2>/dev/null || echo 777-refused; chmod 700 /f && echo 700-allowed")
        #expect(run.stdout == "mkdir: can't create directory '/made': Permission denied\n777-refused\n700-allowed\n", "\(run.stderr)")

        try "{\"defaultAction\": ".write(toFile: root.file("broken.json"), atomically: true, encoding: .utf8)
        let broken = try root.cell("run", "--rm", "--security-opt", "seccomp=\(root.file("broken.json"))", "busybox", "true")
        #expect(broken.status == 125 && broken.stderr.contains("Decoding seccomp profile failed"))
        try #"{"defaultAction": "SCMP_ACT_NOTIFY"}"#.write(toFile: root.file("notify.json"), atomically: true, encoding: .utf8)
        let notify = try root.cell("run", "--rm", "--security-opt", "seccomp=\(root.file("notify.json"))", "busybox", "true")
        #expect(notify.status == 125 && notify.stderr.contains("unsupported action SCMP_ACT_NOTIFY"))
        let missing = try root.cell("run", "--rm", "--security-opt", "seccomp=/no/such.json", "busybox", "true")
        #expect(missing.status == 125)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }

    @Test func badPrivilegeFlagsAreRefusedBeforeAnythingIsCreated() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let unknown = try root.cell("run", "--cap-add", "FROBNICATE", "busybox", "true")
        #expect(unknown.status == 125)
        #expect(unknown.stderr.contains("unknown capability: \"CAP_FROBNICATE\""))
        let option = try root.cell("run", "--security-opt", "nonsense", "busybox", "true")
        #expect(option.status == 125)
        #expect(option.stderr.contains("invalid --security-opt"))
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ImagefileExampleTests.debianFixture),
                   "the Debian fixture (python3, for raw system calls) is not built on this machine"))
    func theKernelsKeyringsAndTheHostsProcessesAreOutOfReach() throws {
        // Raw system calls from python3 (busybox has no keyctl): the kernel's keyrings are not
        // namespaced, so Docker's profile refuses them; ptrace cannot even name a host process.
        let root = try CellRoot()
        try root.cell(["import", "-c", "CMD [\"bash\"]", ImagefileExampleTests.debianFixture, "debian"]).expectSuccess()
        let probe = """
            import ctypes, errno, platform, sys
            libc = ctypes.CDLL(None, use_errno=True)
            numbers = {"x86_64": (250, 248, 249, 101), "aarch64": (219, 217, 218, 117)}[platform.machine()]
            keyctl, add_key, request_key, ptrace = numbers
            text = lambda value: ctypes.cast(ctypes.c_char_p(value), ctypes.c_void_p).value
            def call(number, *arguments):
                result = libc.syscall(number, *[ctypes.c_long(argument) for argument in arguments])
                return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
            print("keyctl", call(keyctl, 0, -3, 0))  # KEYCTL_GET_KEYRING_ID of the session keyring
            print("add_key", call(add_key, text(b"user"), text(b"cell"), 0, 1, -3))  # EFAULT past seccomp: adds nothing
            print("request_key", call(request_key, text(b"user"), text(b"cell"), 0, 0))
            print("ptrace", call(ptrace, 16, int(sys.argv[1]), 0, 0))  # PTRACE_ATTACH to the host's pid

            """
        try probe.write(toFile: root.file("probe.py"), atomically: true, encoding: .utf8)
        let host = String(getpid())
        let confined = try root.cell("run", "--rm", "-v", "\(root.file("probe.py")):/probe.py:ro", "debian", "python3", "/probe.py", host)
        #expect(confined.stdout == "keyctl EPERM\nadd_key EPERM\nrequest_key EPERM\nptrace ESRCH\n", "\(confined.stderr)")
        // Unconfined, the same calls reach the kernel (which answers for itself), and the host's
        // processes stay out of sight.
        let unconfined = try root.cell("run", "--rm", "--privileged", "-v", "\(root.file("probe.py")):/probe.py:ro",
                                       "debian", "python3", "/probe.py", host)
        #expect(!unconfined.stdout.contains("EPERM") && unconfined.stdout.hasSuffix("ptrace ESRCH\n"), "\(unconfined.stdout)")
        try expectNothingLeft(root)
    }

    @Test func aDefaultContainerCannotReconfigureTheHost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let attempts = """
            mount -t tmpfs none /tmp 2>/dev/null && echo mount
            hostname changed 2>/dev/null && echo hostname
            ip link add dummy0 type dummy 2>/dev/null && echo link
            echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null && echo sysctl
            echo h > /proc/sysrq-trigger 2>/dev/null && echo sysrq
            cat /proc/kcore 2>/dev/null | head -c 1 | wc -c | grep -q 1 && echo kcore
            mknod /tmp/made c 1 3 && (echo x > /tmp/made) 2>/dev/null && echo device-in-root
            mknod /dev/made c 1 11 && (echo x > /dev/made) 2>/dev/null && echo device-in-dev
            grep -v ':/$' /proc/self/cgroup && echo cgroup-path
            ls -R /sys/fs/cgroup 2>/dev/null | grep -q cell && echo host-cgroups
            unshare -m true 2>/dev/null && echo unshare
            head -c 4096 /dev/zero > /tmp/bad.ko; insmod /tmp/bad.ko 2>&1 | grep -qv 'not permitted' && echo module
            [ "$(ls /proc | grep -c '^[0-9]')" -gt 4 ] && echo host-processes
            ls /sys/class/net | grep -qv -e '^lo$' -e '^eth0$' && echo host-interfaces
            reboot -f 2>/dev/null
            echo x > /dev/null && echo done
            """
        let result = try root.cell("run", "--rm", "busybox", "sh", "-c", attempts)
        #expect(result.stdout == "done\n", "escaped: \(result.stdout)")
        // mknod itself is allowed (MKNOD is in Docker's set): the node opens nothing but under
        // --privileged.
        let privileged = try root.cell("run", "--rm", "--privileged", "busybox", "sh", "-c",
                                       "mknod /tmp/made c 1 3 && echo x > /tmp/made && echo device-works")
        #expect(privileged.stdout == "device-works\n", "\(privileged.stderr)")
        try expectNothingLeft(root)
    }

    /// The devices cgroup (v1's controller here, and the eBPF program on the hybrid host's v2
    /// cgroup) decides what a node opens, whatever the container's capabilities: with
    /// SYS_ADMIN it can mount a tmpfs of its own (not nodev) and mknod there, and still
    /// reaches no device beyond Docker's list.
    @Test func theDeviceAllowListHoldsWhateverTheCapabilities() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let attempts = """
            mkdir /m && mount -t tmpfs none /m || echo no-mount
            mknod /m/kmsg c 1 11 && (echo cell-escape > /m/kmsg) 2>/dev/null && echo kmsg
            mknod /m/loop-control c 10 237 && (exec 3</m/loop-control) 2>/dev/null && echo loop-control
            mknod /m/null c 1 3 && echo x > /m/null && echo null-works
            mknod /m/mem b 7 0 && (exec 3</m/mem) 2>/dev/null && echo block
            """
        let confined = try root.cell("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", attempts)
        #expect(confined.stdout == "null-works\n", "escaped: \(confined.stdout) \(confined.stderr)")
        // The same node opens for a privileged container (no devices cgroup), and for one given
        // the device with --device; read-only access refuses a write.
        if FileManager.default.fileExists(atPath: "/dev/loop-control") {
            let privileged = try root.cell("run", "--rm", "--privileged", "busybox", "sh", "-c",
                                           "mknod /tmp/lc c 10 237 && exec 3</tmp/lc && ls /dev/loop-control")
            #expect(privileged.stdout == "/dev/loop-control\n", "\(privileged.stderr)")
            let given = try root.cell("run", "--rm", "--device", "/dev/loop-control", "busybox", "sh", "-c",
                                      "exec 3</dev/loop-control && echo opened")
            #expect(given.stdout == "opened\n", "\(given.stderr)")
            let readOnly = try root.cell("run", "--rm", "--device", "/dev/loop-control:/dev/lc:r", "busybox", "sh", "-c",
                                         "exec 3</dev/lc && echo read; (exec 4>/dev/lc) 2>/dev/null || echo no-write")
            #expect(readOnly.stdout == "read\nno-write\n", "\(readOnly.stderr)")
            let rule = try root.cell("run", "--rm", "--device-cgroup-rule", "c 10:237 r", "busybox", "sh", "-c",
                                     "mknod /dev/lc c 10 237 && exec 3</dev/lc && echo ruled")
            #expect(rule.stdout == "ruled\n", "\(rule.stderr)")
        }
        try expectNothingLeft(root)
    }

    /// /dev's nodes and the masks over /proc files are the container's own: changing them
    /// changes nothing on the host (they were once the host's nodes, bound in).
    @Test func devNodesAndMasksAreTheContainersOwn() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func mode(_ path: String) throws -> String {
            try Command.shell("stat -c '%a %u:%g' \(path)").stdout
        }
        let before = (try mode("/dev/full"), try mode("/dev/null"))
        let result = try root.cell("run", "--rm", "busybox", "sh", "-c", """
            chmod 600 /dev/full && chown 1234:1234 /dev/full && stat -c '%a %u' /dev/full
            for masked in /proc/keys /proc/timer_list; do [ -e $masked ] && chmod 000 $masked; done
            for masked in /proc/keys /proc/timer_list /proc/kcore /proc/sched_debug; do
                [ -e $masked ] && [ -n "$(cat $masked 2>/dev/null | head -c 1)" ] && echo "readable $masked"
            done
            for masked in /proc/acpi /proc/scsi /sys/firmware /proc/asound /sys/devices/virtual/powercap; do
                [ -d $masked ] && [ -n "$(ls -A $masked)" ] && echo "listed $masked"
            done
            ls -l /dev | grep -c '^[cb]'
            """)
        #expect(result.stdout == "600 1234\n6\n", "\(result.stderr)")
        #expect(try mode("/dev/full") == before.0 && mode("/dev/null") == before.1)
        try expectNothingLeft(root)
    }

    /// --tmpfs as Docker mounts it: noexec, nosuid, nodev unless the options say otherwise;
    /// tmpfs's own options reach the kernel; an unknown option is refused before anything exists.
    @Test func tmpfsMountsTakeDockersDefaultsAndOptions() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let script = "grep ' /t ' /proc/mounts | cut -d' ' -f4; cp /bin/busybox /t/true && /t/true && echo ran"
        let plain = try root.cell("run", "--rm", "--tmpfs", "/t", "busybox", "sh", "-c", script)
        #expect(plain.stdout == "rw,nosuid,nodev,noexec,relatime\n", "\(plain.stderr)")
        let options = try root.cell("run", "--rm", "--tmpfs", "/t:exec,size=8m,mode=700", "busybox", "sh", "-c",
                                    script + "; stat -c %a /t")
        #expect(options.stdout == "rw,nosuid,nodev,relatime,size=8192k,mode=700\nran\n700\n", "\(options.stderr)")
        let readOnly = try root.cell("run", "--rm", "--tmpfs", "/t:ro", "busybox", "sh", "-c", "touch /t/x 2>/dev/null || echo refused")
        #expect(readOnly.stdout == "refused\n")
        let bad = try root.cell("run", "--rm", "--tmpfs", "/t:sizes=1m", "busybox", "true")
        #expect(bad.status == 125 && bad.stderr.hasPrefix("cell: invalid tmpfs option \"sizes=1m\"\n"), "\(bad.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// The supplementary groups: the primary group first, then the image's /etc/group, then
    /// --group-add's (a name or a number), as Docker sets them.
    @Test func supplementaryGroupsAsDockerSetsThem() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func groups(_ arguments: String...) throws -> String {
            let result = try root.cell(["run", "--rm"] + arguments + ["busybox", "sh", "-c", "grep ^Groups: /proc/self/status | cut -f2"])
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + result.stderr
        }
        #expect(try groups() == "0 10")
        #expect(try groups("-u", "daemon") == "1")
        #expect(try groups("-u", "1000") == "0")
        #expect(try groups("-u", "daemon:wheel") == "10")
        #expect(try groups("--group-add", "wheel", "--group-add", "4321", "-u", "daemon") == "1 10 4321")
        let unknown = try root.cell("run", "--rm", "--group-add", "nosuch", "busybox", "true")
        #expect(unknown.status == 125 && unknown.stderr.contains("Unable to find group nosuch"), "\(unknown.stderr)")
        try expectNothingLeft(root)
    }

    /// --privileged as Docker has it: /sys writable, exec --privileged with every capability
    /// (under the container's seccomp filter), and inspect showing what was asked for.
    @Test func privilegesShowInInspectAndExec() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let sys = "awk '$5 == \"/sys\" { split($6, options, \",\"); print options[1] }' /proc/self/mountinfo"
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", sys).stdout == "ro\n")
        #expect(try root.cell("run", "--rm", "--privileged", "busybox", "sh", "-c", sys).stdout == "rw\n")

        try root.cell("run", "-d", "--name", "held", "--cap-drop", "ALL", "--group-add", "10", "--device-cgroup-rule", "c 1:11 r",
                      "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "held") }
        #expect(try root.cell("exec", "held", "grep", "CapEff", "/proc/self/status").stdout == "CapEff:\t0000000000000000\n")
        let privileged = try root.cell("exec", "--privileged", "held", "grep", "CapEff", "/proc/self/status").stdout
        #expect(privileged == "CapEff:\t\(PrivilegeTests.hostPermitted)\n")
        let mount = try root.cell("exec", "--privileged", "held", "sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null || echo filtered")
        #expect(mount.stdout == "filtered\n", "the container's seccomp filter has no mount without SYS_ADMIN")

        func inspect(_ name: String, _ field: String) throws -> String {
            try root.cell("inspect", "-f", "{{json .HostConfig.\(field)}}", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try inspect("held", "GroupAdd") == #"["10"]"#)
        #expect(try inspect("held", "DeviceCgroupRules") == #"["c 1:11 r"]"#)
        #expect(try inspect("held", "Devices") == "[]")
        #expect(try inspect("held", "UsernsMode") == #""""#)
        #expect(try inspect("held", "MaskedPaths").contains(#""/proc/kcore""#))
        #expect(try inspect("held", "ReadonlyPaths").contains(#""/proc/sys""#))
        try root.cell("rm", "-f", "held").expectSuccess()
        if FileManager.default.fileExists(atPath: "/dev/loop-control") {
            try root.cell("create", "--name", "given", "--device", "/dev/loop-control:/dev/lc:r", "--privileged", "busybox", "true").expectSuccess()
            #expect(try inspect("given", "Devices") == #"[{"PathOnHost":"/dev/loop-control","PathInContainer":"/dev/lc","CgroupPermissions":"r"}]"#)
            #expect(try inspect("given", "MaskedPaths") == "null")
            try root.cell("rm", "given").expectSuccess()
        }
        try expectNothingLeft(root)
    }

    /// The option spellings Docker users write, meaning what they mean there.
    @Test func securityOptionsMeanWhatTheyMeanInDocker() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // An add wins over a drop of the same capability.
        #expect(try PrivilegeTests.capabilities(root, ["--cap-drop", "CHOWN", "--cap-add", "CHOWN"])["CapEff"] == "00000000a80425fb")
        #expect(try PrivilegeTests.capabilities(root, ["--security-opt", "no-new-privileges=false"])["NoNewPrivs"] == "0")
        #expect(try PrivilegeTests.capabilities(root, ["--security-opt", "no-new-privileges=1"])["NoNewPrivs"] == "1")
        #expect(try PrivilegeTests.capabilities(root, ["--security-opt", "seccomp=builtin", "--security-opt", "apparmor=unconfined"])["CapEff"]
                    == "00000000a80425fb")
        // systempaths=unconfined: /proc/keys unmasked, /proc/sys not a read-only mount of its own.
        let paths = "[ -n \"$(head -c 1 /proc/keys)\" ] && echo keys; grep -c ' /proc/sys ' /proc/self/mountinfo"
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", paths).stdout == "1\n")
        #expect(try root.cell("run", "--rm", "--security-opt", "systempaths=unconfined", "busybox", "sh", "-c", paths).stdout
                    == "keys\n0\n")
        // --read-only covers the /etc files cell writes for the container too.
        let readOnly = try root.cell("run", "--rm", "--read-only", "busybox", "sh", "-c",
                                     "for f in hosts hostname resolv.conf; do (echo x >> /etc/$f) 2>/dev/null && echo $f; done; echo checked")
        #expect(readOnly.stdout == "checked\n", "\(readOnly.stderr)")
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", "echo x >> /etc/hosts && echo writable").stdout == "writable\n")
        try expectNothingLeft(root)
    }
}
