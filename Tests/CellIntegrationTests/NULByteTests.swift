import Foundation
import Testing

/// A NUL byte cannot be part of an argument, a variable or a path (C ends the string there) nor
/// of cell's records: wherever one enters (a file, an Imagefile, a JSON form's "\u0000", an
/// image archive, an image an older cell stored) the command ends with one line and a non-zero
/// status, stores nothing and leaves nothing mounted, instead of trapping (SIGILL, 132).
@Suite("NUL bytes in input")
struct NULByteTests {
    /// `arguments` fail with one line naming the NUL, and leave the images and containers as they were.
    static func expectRefused(_ root: CellRoot, _ arguments: [String], status: Int32? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let images = try root.cell("images", "-qa").stdout
        let result = try root.cell(arguments)
        #expect(result.status != 0 && result.status < 128, "\(arguments): exit \(result.status)", sourceLocation: sourceLocation)
        if let status { #expect(result.status == status, "\(arguments): exit \(result.status)", sourceLocation: sourceLocation) }
        // One line, besides a build's progress ("[1/2] FROM busybox").
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") }
        #expect(lines.count == 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("NUL byte"), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(try root.cell("images", "-qa").stdout == images, "\(arguments) stored an image", sourceLocation: sourceLocation)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "\(arguments) made a container", sourceLocation: sourceLocation)
        try expectNothingLeft(root, sourceLocation: sourceLocation)
    }

    @Test func environmentFilesAndChanges() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let envFile = root.file("env")
        try Data("A=1\nB=b\0c\n".utf8).write(to: URL(fileURLWithPath: envFile))
        try Self.expectRefused(root, ["run", "--rm", "--env-file", envFile, "busybox", "true"], status: 125)
        try Self.expectRefused(root, ["create", "--env-file", envFile, "busybox", "true"], status: 125)
        // import -c and commit -c: a JSON form's escape is how a NUL gets through a command line.
        let tarball = try Fixtures.busyboxTarball()
        for change in [#"CMD ["sh", "-c", "echo a\u0000b"]"#, #"ENTRYPOINT ["\u0000"]"#, #"VOLUME ["/a\u0000b"]"#] {
            try Self.expectRefused(root, ["import", "-c", change, tarball, "bad:1"], status: 125)
        }
        let id = try root.cell("create", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let images = try root.cell("images", "-qa").stdout
        let commit = try root.cell("commit", "-c", #"CMD ["a\u0000"]"#, id, "bad:2")
        #expect(commit.status == 125 && commit.stderr.split(separator: "\n").count == 1 && commit.stderr.contains("NUL byte"), "\(commit.stderr)")
        #expect(try root.cell("images", "-qa").stdout == images)
        try root.cell("rm", id).expectSuccess()
        // exec reads --env-file too.
        let running = try root.cell("run", "-d", "busybox", "sleep", "60").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let exec = try root.cell("exec", "--env-file", envFile, running, "true")
        #expect(exec.status == 125 && exec.stderr.split(separator: "\n").count == 1 && exec.stderr.contains("NUL byte"), "\(exec.stderr)")
        try root.cell("rm", "-f", running).expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func imagefiles() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        for text in ["FROM busybox\nENV A=b\0c\n", "FROM busybox\nLABEL a=b\0c\n", "FROM busybox\nRUN echo \0\n",
                     "FROM busybox\nWORKDIR /a\0b\n", #"FROM busybox\#nRUN ["sh", "-c", "echo \u0000"]\#n"#,
                     #"FROM busybox\#nCMD ["a\u0000"]\#n"#] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(context)/Imagefile"))
            try Self.expectRefused(root, ["build", "-t", "bad", context])
        }
    }

    /// An image archive (docker's `save` layout or an OCI layout) whose config has a NUL in Env
    /// or Cmd, made here as an attacker would.
    static func makeArchive(at path: String, oci: Bool, env: String, cmd: String) throws {
        try Fixtures.makeTar(at: path, python: """
        import hashlib, json
        def add(name, data):
            info = tarfile.TarInfo(name); info.size = len(data); out.addfile(info, io.BytesIO(data))
        buffer = io.BytesIO(); layer_tar = tarfile.open(fileobj=buffer, mode='w')
        info = tarfile.TarInfo('hello'); info.size = 3; layer_tar.addfile(info, io.BytesIO(b'hi\\n')); layer_tar.close()
        layer = buffer.getvalue(); layer_hex = hashlib.sha256(layer).hexdigest()
        config = json.dumps({'architecture': 'amd64', 'os': 'linux',
            'config': {'Env': [\(env)], 'Cmd': [\(cmd)]},
            'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + layer_hex]}}).encode()
        config_hex = hashlib.sha256(config).hexdigest()
        if \(oci ? "True" : "False"):
            add('oci-layout', b'{"imageLayoutVersion": "1.0.0"}')
            add('blobs/sha256/' + layer_hex, layer); add('blobs/sha256/' + config_hex, config)
            manifest = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': 'sha256:' + config_hex, 'size': len(config)},
                'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': 'sha256:' + layer_hex, 'size': len(layer)}]}).encode()
            manifest_hex = hashlib.sha256(manifest).hexdigest()
            add('blobs/sha256/' + manifest_hex, manifest)
            add('index.json', json.dumps({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'digest': 'sha256:' + manifest_hex, 'size': len(manifest),
                'annotations': {'io.containerd.image.name': 'docker.io/library/bad:1', 'org.opencontainers.image.ref.name': '1'}}]}).encode())
        else:
            add(layer_hex + '/layer.tar', layer); add(config_hex + '.json', config)
            add('manifest.json', json.dumps([{'Config': config_hex + '.json', 'RepoTags': ['bad:1'], 'Layers': [layer_hex + '/layer.tar']}]).encode())
        """)
    }

    @Test func loadedArchives() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let good = root.file("good.tar")
        try Self.makeArchive(at: good, oci: false, env: "'A=b'", cmd: "'sh'")
        try root.cell("load", "-i", good).expectSuccess()  // the archive itself is sound
        try root.cell("rmi", "bad:1").expectSuccess()
        for oci in [false, true] {
            for (env, cmd) in [("'A=b\\x00c'", "'sh'"), ("'A=b'", "'s\\x00h'")] {
                let archive = root.file("bad-\(oci)-\(env.count)-\(cmd.count).tar")
                try Self.makeArchive(at: archive, oci: oci, env: env, cmd: cmd)
                try Self.expectRefused(root, ["load", "-i", archive])
            }
        }
    }

    /// An image an older cell stored with a NUL in its config: run and create say so in one line,
    /// and a build from it stores nothing.
    @Test func storedImagesFromOlderVersions() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // As an older cell stored it: a config blob with the NUL, a manifest naming it, the index
        // naming the manifest, each blob under its own digest.
        try Command.run("/usr/bin/env", ["python3", "-c", """
        import hashlib, json, sys
        root = sys.argv[1]
        def blob(digest): return root + '/blobs/sha256/' + digest.split(':')[1]
        def store(data):
            digest = 'sha256:' + hashlib.sha256(data).hexdigest(); open(blob(digest), 'wb').write(data); return digest
        index = json.load(open(root + '/index.json')); entry = index['manifests'][0]
        manifest = json.load(open(blob(entry['digest'])))
        config = json.load(open(blob(manifest['config']['digest'])))
        config['config']['Env'] = ['PATH=/bin', 'A=b\\x00c']
        data = json.dumps(config).encode(); manifest['config']['digest'] = store(data); manifest['config']['size'] = len(data)
        data = json.dumps(manifest).encode(); entry['digest'] = store(data); entry['size'] = len(data)
        entry['annotations']['dev.cell.image.id'] = manifest['config']['digest']
        open(root + '/index.json', 'w').write(json.dumps(index))
        """, root.path]).expectSuccess()
        try Self.expectRefused(root, ["run", "--rm", "busybox", "true"], status: 125)
        try Self.expectRefused(root, ["create", "busybox", "true"], status: 125)
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nENV B=1\n".utf8).write(to: URL(fileURLWithPath: "\(context)/Imagefile"))
        try Self.expectRefused(root, ["build", "-t", "child", context])
    }
}
