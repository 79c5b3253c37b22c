import Foundation
import Testing

/// A build context in the test's scratch directory.
struct Context {
    let path: String

    init(_ root: CellRoot, _ name: String = "context", imagefile: String, files: [String: String] = [:]) throws {
        path = root.file(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try imagefile.write(toFile: "\(path)/Imagefile", atomically: true, encoding: .utf8)
        for (name, content) in files { try write(name, content) }
    }

    func write(_ name: String, _ content: String) throws {
        let file = "\(path)/\(name)"
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: file, atomically: false, encoding: .utf8)
    }
}

/// Nothing of a build stays behind: no build container, no staging directory, no mount.
func expectNoBuildLeftovers(_ root: CellRoot, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for directory in ["build", "tmp"] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/\(directory)")) ?? []
        #expect(entries.isEmpty, "left in \(directory)/: \(entries)", sourceLocation: sourceLocation)
    }
    try expectNothingLeft(root, sourceLocation: sourceLocation)
}

@Suite("build: Imagefiles to images")
struct BuildTests {
    static let webapp = """
        FROM busybox
        ARG GREETING=hello
        ENV GREETING=${GREETING} TARGET=${TARGET:-world}
        WORKDIR /app
        COPY note.txt site/ ./
        RUN echo "$GREETING $TARGET" > made.txt && echo ran the step
        EXPOSE 8000
        LABEL org.example.kind=demo
        CMD ["cat", "/app/made.txt"]
        """

    @Test func buildsRunsAndRebuildsFromTheCache() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: BuildTests.webapp,
                                  files: ["note.txt": "a note\n", "site/index.html": "<h1>hi</h1>\n"])
        let first = try root.cell("build", "-t", "demo:1", "--build-arg", "GREETING=hi", context.path)
        try first.expectSuccess()
        #expect(first.stderr.contains("[6/9] RUN echo \"$GREETING $TARGET\" > made.txt && echo ran the step"))
        #expect(first.stdout.contains("ran the step"), "the RUN step's output is shown")
        #expect(try root.cell("run", "--rm", "demo:1").stdout == "hi world\n")
        #expect(try root.cell("run", "--rm", "demo:1", "ls", "/app").lines == ["index.html", "made.txt", "note.txt"])
        let config = try root.cell("image", "inspect", "-f",
                                   "{{.Config.WorkingDir}} {{json .Config.ExposedPorts}} {{index .Config.Labels \"org.example.kind\"}} {{json .Config.Cmd}}",
                                   "demo:1").stdout
        #expect(config == "/app {\"8000/tcp\":{}} demo [\"cat\",\"/app/made.txt\"]\n")
        let id = try root.cell("image", "inspect", "-f", "{{.Id}}", "demo:1").stdout

        // Nothing changed: every step from the cache, the same image, no new layer.
        let layers = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/layers").count
        let again = try root.cell("build", "-t", "demo:2", "--build-arg", "GREETING=hi", context.path)
        try again.expectSuccess()
        #expect(again.stderr.components(separatedBy: " CACHED\n").count - 1 == 7, "every step but FROM and ARG")
        #expect(!again.stdout.contains("ran the step"))
        #expect(try root.cell("image", "inspect", "-f", "{{.Id}}", "demo:2").stdout == id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/layers").count == layers)

        // A touched file is the same content; a changed one reruns from its COPY on.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: "\(context.path)/note.txt")
        #expect(try root.cell("build", "-q", "--build-arg", "GREETING=hi", context.path).stdout == id)
        try context.write("note.txt", "another note\n")
        let changed = try root.cell("build", "-t", "demo:3", "--build-arg", "GREETING=hi", context.path)
        #expect(changed.stderr.contains("[4/9] WORKDIR /app CACHED"))
        #expect(changed.stderr.contains("[5/9] COPY note.txt site/ ./\n"))
        #expect(changed.stdout.contains("ran the step"))
        #expect(try root.cell("image", "inspect", "-f", "{{.Id}}", "demo:3").stdout != id)
        #expect(try root.cell("run", "--rm", "demo:3", "cat", "/app/note.txt").stdout == "another note\n")
        // A build argument is part of the RUN step's key.
        #expect(try root.cell("build", "-q", "--build-arg", "GREETING=hey", context.path).status == 0)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNoBuildLeftovers(root)
    }

    @Test func quietIidfileNoCacheAndReproducibleWithSourceDateEpoch() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: "FROM busybox\nWORKDIR /w\nCOPY a.txt .\nRUN cat a.txt > /made\n", files: ["a.txt": "a\n"])
        let quiet = try root.cell("build", "-q", "--iidfile", root.file("iid"), context.path)
        try quiet.expectSuccess()
        #expect(quiet.stdout.hasPrefix("sha256:") && quiet.lines.count == 1 && quiet.stderr.isEmpty)
        #expect(try String(contentsOfFile: root.file("iid"), encoding: .utf8) + "\n" == quiet.stdout)
        let rebuilt = try root.cell("build", "--no-cache", context.path)
        #expect(!rebuilt.stderr.contains("CACHED"))

        let epoch = ["SOURCE_DATE_EPOCH": "1700000000"]
        let one = try root.cell(["build", "-q", "--no-cache", context.path], environment: epoch).stdout
        let two = try root.cell(["build", "-q", "--no-cache", context.path], environment: epoch).stdout
        #expect(one == two, "the same Imagefile and context with SOURCE_DATE_EPOCH give the same image")
        #expect(try root.cell("image", "inspect", "-f", "{{.Created}}", one.trimmingCharacters(in: .whitespacesAndNewlines)).stdout
                    .hasPrefix("2023-11-14T22:13:20"))
        try expectNoBuildLeftovers(root)
    }

    @Test func errorsNameTheLineAndLeaveNothingBehind() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let unknown = try Context(root, "unknown", imagefile: "FROM busybox\nRUN true\nFROBNICATE now\n")
        let parse = try root.cell("build", unknown.path)
        #expect(parse.status == 1)
        #expect(parse.stderr.contains("Imagefile:3: unknown instruction: FROBNICATE"), "\(parse.stderr)")
        #expect(try root.cell("build", "--check", unknown.path).status == 1)

        let failing = try Context(root, "failing", imagefile: "FROM busybox\nRUN echo first line; echo to stderr >&2; exit 3\nRUN echo never\n")
        let run = try root.cell("build", "-t", "broken", failing.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("Imagefile:2: process \"/bin/sh -c echo first line; echo to stderr >&2; exit 3\" did not complete successfully: exit code: 3"), "\(run.stderr)")
        #expect(run.stderr.contains("   first line\n   to stderr\n"), "the last lines of the output are repeated")
        #expect(!run.stdout.contains("never"))
        #expect(try root.cell("images", "-q", "broken").stdout.isEmpty, "no image is named after a failed build")

        let missing = try Context(root, "missing", imagefile: "FROM busybox\nCOPY nowhere.txt /\n")
        let copy = try root.cell("build", missing.path)
        #expect(copy.status == 1)
        #expect(copy.stderr.contains("Imagefile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat nowhere.txt"), "\(copy.stderr)")

        // A registry on loopback that is not there: tests never reach out further.
        let noBase = try Context(root, "nobase", imagefile: "FROM 127.0.0.1:\(try LocalRegistry.freePort())/nosuch:image\n")
        let base = try root.cell("build", noBase.path)
        #expect(base.status == 1)
        #expect(base.stderr.contains("Imagefile:1: failed to resolve source metadata for 127.0.0.1:"), "\(base.stderr)")
        #expect(try root.cell("build", root.file("no-such-context")).status != 0)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNoBuildLeftovers(root)
    }

    @Test func theContextIsReadWithoutLeavingIt() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: """
            FROM busybox
            COPY . /src/
            RUN ls -A /src | sort | tr '\\n' ' '; readlink /src/shadow
            """, files: [".dockerignore": "*.log\nsecret/\n!secret/keep.txt\n", "keep.txt": "keep\n", "debug.log": "log\n",
                         "secret/key": "k\n", "secret/keep.txt": "kept\n"])
        try FileManager.default.createSymbolicLink(atPath: "\(context.path)/shadow", withDestinationPath: "/etc/shadow")
        let build = try root.cell("build", "-t", "ctx", context.path)
        try build.expectSuccess()
        #expect(build.stdout.contains(".dockerignore Imagefile keep.txt secret shadow"))
        #expect(build.stdout.contains("/etc/shadow\n"), "a link is copied as a link")
        #expect(try root.cell("run", "--rm", "ctx", "find", "/src/secret").lines == ["/src/secret", "/src/secret/keep.txt"])

        // A path through a link that points out of the context resolves inside it.
        try FileManager.default.createSymbolicLink(atPath: "\(context.path)/escape", withDestinationPath: "/")
        try "FROM busybox\nCOPY escape/etc/hostname /stolen\n".write(toFile: "\(context.path)/Imagefile", atomically: true, encoding: .utf8)
        let escape = try root.cell("build", context.path)
        #expect(escape.status == 1)
        #expect(escape.stderr.contains("file not found in build context"))
        try expectNoBuildLeftovers(root)
    }

    @Test func commitTurnsAContainersChangesIntoALayer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--name", "worked", "-e", "MODE=worked", "busybox", "sh", "-c",
                      "echo changed > /changed; rm /etc/group; mkdir -p /opt/tool").expectSuccess()
        let commit = try root.cell("commit", "-m", "by hand", "-a", "Tester", "-c", "CMD [\"cat\", \"/changed\"]", "worked", "worked:1")
        try commit.expectSuccess()
        #expect(commit.stdout.hasPrefix("sha256:"))
        #expect(try root.cell("run", "--rm", "worked:1").stdout == "changed\n")
        #expect(try root.cell("run", "--rm", "worked:1", "sh", "-c", "test -e /etc/group || echo gone; echo $MODE").stdout == "gone\nworked\n")
        #expect(try root.cell("image", "inspect", "-f", "{{.Author}} {{json .Config.Cmd}}", "worked:1").stdout == "Tester [\"cat\",\"/changed\"]\n")
        #expect(try root.cell("history", "--format", "{{.Comment}}", "worked:1").lines.first == "by hand")
        // The layer holds the changes only: no /etc/hosts or /proc the runtime made to mount over.
        try root.cell("save", "--compression", "none", "-o", root.file("worked.tar"), "worked:1").expectSuccess()
        let listing = try Command.run("/usr/bin/python3", ["-c", """
            import json, sys, tarfile
            with tarfile.open(sys.argv[1]) as archive:
                index = json.load(archive.extractfile("index.json"))
                blob = lambda d: archive.extractfile("blobs/sha256/" + d.split(":")[1])
                manifest = json.load(blob(index["manifests"][0]["digest"]))
                with tarfile.open(fileobj=blob(manifest["layers"][-1]["digest"])) as layer:
                    print("\\n".join(sorted(layer.getnames())))
            """, root.file("worked.tar")])
        #expect(listing.lines == ["changed", "etc", "etc/.wh.group", "opt", "opt/tool"], "\(listing.stderr)")
        #expect(try root.cell("commit", "nosuch").status == 1)
        try root.cell("rm", "worked").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func onbuildInlineFilesAndAddArchives() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let base = try Context(root, "base", imagefile: "FROM busybox\nONBUILD COPY marker.txt /from-trigger.txt\nONBUILD RUN echo trigger ran > /trigger\n")
        try root.cell("build", "-q", "-t", "base-with-triggers", base.path).expectSuccess()
        #expect(try root.cell("image", "inspect", "-f", "{{len .Config.OnBuild}}", "base-with-triggers").stdout == "2\n")

        let context = try Context(root, "child", imagefile: """
            FROM base-with-triggers
            COPY <<EOF /etc/motd
            Welcome to the testbed
            EOF
            ADD bundle.tar.gz /opt/
            """, files: ["marker.txt": "marked\n", "payload/inner/file.txt": "inside the archive\n"])
        try Command.shell("tar -C \(context.path)/payload -czf \(context.path)/bundle.tar.gz inner").expectSuccess()
        let build = try root.cell("build", "-t", "child", context.path)
        try build.expectSuccess()
        #expect(build.stderr.contains("ONBUILD"))
        let check = try root.cell("run", "--rm", "child", "cat", "/from-trigger.txt", "/trigger", "/etc/motd", "/opt/inner/file.txt")
        #expect(check.stdout == "marked\ntrigger ran\nWelcome to the testbed\ninside the archive\n", "\(check.stderr)")
        #expect(try root.cell("image", "inspect", "-f", "{{json .Config.OnBuild}}", "child").stdout == "null\n", "triggers are not inherited")

        try "FROM busybox\nADD https://example.com/file.tar /\n".write(toFile: "\(context.path)/Imagefile", atomically: true, encoding: .utf8)
        let remote = try root.cell("build", context.path)
        #expect(remote.status == 1)
        #expect(remote.stderr.contains("cell builds offline"))
        try expectNoBuildLeftovers(root)
    }

    @Test func runMountsCacheBindAndTmpfs() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: """
            FROM busybox
            RUN --mount=type=cache,target=/var/cache/tool --mount=type=bind,source=input,target=/input --mount=type=tmpfs,target=/scratch \\
                echo run >> /var/cache/tool/runs && cat /var/cache/tool/runs | wc -l > /runs && cat /input/value > /copied \\
                && touch /scratch/x && (touch /input/denied 2>/dev/null || echo read-only > /bind-mode)
            """, files: ["input/value": "from the context\n"])
        try root.cell("build", "-q", "-t", "mounted", context.path).expectSuccess()
        try root.cell("build", "-q", "--no-cache", "-t", "mounted", context.path).expectSuccess()
        let check = try root.cell("run", "--rm", "mounted", "sh", "-c",
                                  "cat /runs /copied /bind-mode; ls -d /var/cache/tool /input /scratch 2>&1 | grep -c 'No such file'")
        #expect(check.stdout == "2\nfrom the context\nread-only\n3\n", "the cache persists across builds; no mount target is in the layer")
        try expectNoBuildLeftovers(root)
    }

    @Test func fileNamesIgnoreFilesLabelsAndWhatALayerKeeps() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // No Imagefile: a Dockerfile builds unchanged; .cellignore wins over .dockerignore.
        let context = root.file("plain")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try """
            FROM busybox
            COPY . /ctx/
            RUN rm /etc/group && echo x > /f && chown 1234:5678 /f && chmod 4750 /f && ln /f /hard && ln -s /f /soft
            """.write(toFile: "\(context)/Dockerfile", atomically: true, encoding: .utf8)
        try "cellignored.txt\n".write(toFile: "\(context)/.cellignore", atomically: true, encoding: .utf8)
        try "dockerignored.txt\n".write(toFile: "\(context)/.dockerignore", atomically: true, encoding: .utf8)
        for name in ["cellignored.txt", "dockerignored.txt"] { try "x\n".write(toFile: "\(context)/\(name)", atomically: true, encoding: .utf8) }
        #expect(try root.cell("build", "--check", context).stdout.hasPrefix("Check complete"))
        try root.cell("build", "-q", "-t", "plain", "--label", "stage=test", context).expectSuccess()
        let inside = try root.cell("run", "--rm", "plain", "sh", "-c",
                                   "ls /ctx | tr '\\n' ' '; test -e /etc/group || echo group gone; stat -c '%u:%g %a %h' /f; readlink /soft")
        #expect(inside.stdout == "Dockerfile dockerignored.txt group gone\n1234:5678 4750 2\n/f\n", "\(inside.stderr)")
        #expect(try root.cell("image", "inspect", "-f", "{{.Config.Labels.stage}}", "plain").stdout == "test\n")

        // -f names an Imagefile anywhere; the context stays the directory given.
        try "FROM busybox\nCOPY dockerignored.txt /\n".write(toFile: root.file("Other.imagefile"), atomically: true, encoding: .utf8)
        let other = try root.cell("build", "-q", "-f", root.file("Other.imagefile"), context)
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try root.cell("run", "--rm", other.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "cat", "/dockerignored.txt").stdout == "x\n")
        try "FROM busybox\nCOPY cellignored.txt /\n".write(toFile: root.file("Other.imagefile"), atomically: true, encoding: .utf8)
        let ignored = try root.cell("build", "-q", "-f", root.file("Other.imagefile"), context)
        #expect(ignored.status == 1 && ignored.stderr.contains("excluded by .cellignore"), "\(ignored.stderr)")
        try expectNoBuildLeftovers(root)
    }

    @Test func multiStageBuildsOnlyWhatTheTargetNeeds() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: """
            FROM busybox AS builder
            RUN mkdir -p /out && echo compiled > /out/app && chmod 755 /out/app
            FROM busybox AS unused
            RUN exit 1
            FROM scratch AS final
            COPY --from=builder --chmod=0500 /out/app /app
            COPY --from=builder /bin/busybox /bin/busybox
            ENTRYPOINT ["/bin/busybox"]
            CMD ["cat", "/app"]
            """)
        let build = try root.cell("build", "-t", "multi", context.path)
        try build.expectSuccess()
        #expect(!build.stderr.contains("exit 1"), "the unused stage is not built")
        #expect(try root.cell("run", "--rm", "multi").stdout == "compiled\n")
        #expect(try root.cell("run", "--rm", "multi", "stat", "-c", "%a %u", "/app").stdout == "500 0\n")
        #expect(try root.cell("history", "-q", "multi").lines.count == 4)
        let target = try root.cell("build", "-q", "--target", "builder", context.path)
        try target.expectSuccess()
        #expect(try root.cell("run", "--rm", target.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "cat", "/out/app").stdout == "compiled\n")
        #expect(try root.cell("build", "--target", "nosuch", context.path).status == 1)
        try expectNoBuildLeftovers(root)
    }
}
