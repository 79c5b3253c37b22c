#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root")) struct CopyTests {
    func stat(_ path: String) -> stat {
        var st = Glibc.stat()
        lstat(path, &st)
        return st
    }

    @Test func filesAndDirectoriesBothWaysInARunningContainer() throws {
        let container = try BusyboxContainer.running("mkdir -p /data/sub; echo inside > /data/sub/file; ln -s sub/file /data/link")
        defer { container.remove() }
        let host = container.temporary
        try host.write("hello\n", to: "in/file.txt", mode: 0o640)
        chown("\(host.path)/in/file.txt", 1234, 1234)
        try host.write("nested\n", to: "in/tree/a/b.txt")

        // A file onto a missing path, onto a directory, and with -a.
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/file.txt", containerDirectory: container.directory, containerPath: "/tmp/copied")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/file.txt", containerDirectory: container.directory, containerPath: "/tmp")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/file.txt", containerDirectory: container.directory, containerPath: "/root/kept",
                                 preserveOwnership: true)
        let listing = try container.exec(["sh", "-c", "cat /tmp/copied /tmp/file.txt; stat -c '%a %u %g' /tmp/copied /root/kept"])
        #expect(listing.output == "hello\nhello\n640 0 0\n640 1234 1234\n")

        // A directory onto a missing path, into an existing one, and only its contents ("/.").
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/tree", containerDirectory: container.directory, containerPath: "/root/app")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/tree", containerDirectory: container.directory, containerPath: "/root/app")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/in/tree/.", containerDirectory: container.directory, containerPath: "/tmp")
        let trees = try container.exec(["sh", "-c", "cat /root/app/a/b.txt /root/app/tree/a/b.txt /tmp/a/b.txt"])
        #expect(trees.output == "nested\nnested\nnested\n")

        // Out: a directory with a symlink kept as a link, and a file.
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/data", hostPath: "\(host.path)/out")
        #expect(try host.read("out/sub/file") == "inside\n")
        #expect(readLink("\(host.path)/out/link") == "sub/file")
        #expect(stat("\(host.path)/out/link").st_mode & S_IFMT == S_IFLNK)
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/data/link", hostPath: "\(host.path)/followed",
                                  followLink: true)
        #expect(try host.read("followed") == "inside\n")
        try FileSystem.createDirectory("\(host.path)/existing")
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/data/sub/file", hostPath: "\(host.path)/existing")
        #expect(try host.read("existing/file") == "inside\n")
    }

    @Test func dockerErrors() throws {
        let container = try BusyboxContainer.running("mkdir /dir")
        defer { container.remove() }
        let host = container.temporary
        try host.write("x", to: "file")
        let missing = #expect(throws: CellError.self) {
            try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/nosuch", hostPath: "\(host.path)/x",
                                      containerName: "web")
        }
        #expect(missing?.message == "Could not find the file /nosuch in container web")
        #expect(missing?.exitCode == 1)
        let missingHost = #expect(throws: CellError.self) {
            try ContainerCopy.copyIn(hostPath: "\(host.path)/nosuch", containerDirectory: container.directory, containerPath: "/tmp")
        }
        #expect(missingHost?.message == "lstat \(host.path)/nosuch: no such file or directory")
        let directoryOntoFile = #expect(throws: CellError.self) {
            try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/dir", hostPath: "\(host.path)/file")
        }
        #expect(directoryOntoFile?.message == "cannot copy directory")
        let noDirectory = #expect(throws: CellError.self) {
            try ContainerCopy.copyIn(hostPath: "\(host.path)/file", containerDirectory: container.directory, containerPath: "/newdir/")
        }
        #expect(noDirectory?.message == "no such directory")
    }

    @Test func symlinksInTheContainerNeverLeadToTheHost() throws {
        let container = try BusyboxContainer.running("ln -s / /escape; ln -s /../../../etc /dotdot")
        defer { container.remove() }
        let host = container.temporary
        // Also an absolute link to a directory that exists on the host only.
        let hostOnly = "\(host.path)/host-only"
        try FileSystem.createDirectory(hostOnly)
        symlink(hostOnly, "\(container.lower)/dangle")
        let marker = "cell-cp-\(container.id)"
        try host.write("payload\n", to: marker)

        try ContainerCopy.copyIn(hostPath: "\(host.path)/\(marker)", containerDirectory: container.directory, containerPath: "/escape/etc/\(marker)")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/\(marker)", containerDirectory: container.directory, containerPath: "/dotdot/x-\(marker)")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/\(marker)", containerDirectory: container.directory, containerPath: "/dangle")
        #expect(!FileSystem.exists("/etc/\(marker)"))
        #expect(!FileSystem.exists("/etc/x-\(marker)"))
        #expect(try FileSystem.contentsOfDirectory(hostOnly).isEmpty)
        let inside = try container.exec(["sh", "-c", "cat /etc/\(marker) /etc/x-\(marker); ls -l /dangle | grep -c payload; cat /dangle"])
        #expect(inside.output.hasPrefix("payload\npayload\n"))
        #expect(try FileSystem.readFile("\(container.upper)/etc/\(marker)") == Array("payload\n".utf8))

        // Reading through the link gets the container's file, not the host's /etc/passwd.
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/escape/etc/passwd", hostPath: "\(host.path)/passwd")
        #expect(try FileSystem.readFile("\(host.path)/passwd") == FileSystem.readFile("\(container.lower)/etc/passwd"))
    }

    @Test func stoppedContainerWithoutMountingAnything() throws {
        let container = try BusyboxContainer(["sh", "-c", "echo made > /made"])
        defer { container.remove() }
        _ = try container.run()
        let mountsBefore = try FileSystem.readFile("/proc/self/mountinfo")
        let host = container.temporary
        try host.write("added\n", to: "added")
        try ContainerCopy.copyIn(hostPath: "\(host.path)/added", containerDirectory: container.directory, containerPath: "/added")
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/made", hostPath: "\(host.path)/made")
        try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: "/etc/passwd", hostPath: "\(host.path)/passwd")
        #expect(try host.read("made") == "made\n")
        #expect(try FileSystem.readFile("\(host.path)/passwd") == FileSystem.readFile("\(container.lower)/etc/passwd"))
        #expect(try FileSystem.readFile("\(container.upper)/added") == Array("added\n".utf8))
        #expect(try FileSystem.readFile("/proc/self/mountinfo") == mountsBefore)
        // The container starts again on the same upper directory and sees the copy.
        container.spec.process.arguments = ["cat", "/added"]
        _ = try container.run()
        #expect(try container.output().hasSuffix("added\n"))
    }
}
