import Foundation
import Testing

/// A pull cut short: by the network (resumed with a range request) or by kill -9 (the next pull
/// completes, and nothing the first one left is trusted).
@Suite("registries: interrupted pulls")
struct PullInterruptionTests {
    /// Serves one image from an OCI layout made by `cell save`: the first GET of its layer stops
    /// after `dropAfter` bytes (the connection closed) when asked, and every GET of it is slow
    /// when `slow`; Range requests are honoured. Counts what it serves in `log`.
    static let server = #"""
        import http.server, json, os, sys, time
        layout, port, drop_after, slow, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "slow", sys.argv[5]
        blobs = os.path.join(layout, "blobs", "sha256")
        index = json.load(open(os.path.join(layout, "index.json")))
        manifest_digest = index["manifests"][0]["digest"]
        manifest = open(os.path.join(blobs, manifest_digest.split(":")[1]), "rb").read()
        layer = json.loads(manifest)["layers"][0]["digest"]
        state = {"layer_gets": 0}
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                path = self.path
                if path == "/v2/":
                    body, kind = b"{}", "application/json"
                elif path.startswith("/v2/img/manifests/"):
                    body, kind = manifest, "application/vnd.oci.image.manifest.v1+json"
                elif path.startswith("/v2/img/blobs/sha256:"):
                    body, kind = open(os.path.join(blobs, path.rsplit(":", 1)[1]), "rb").read(), "application/octet-stream"
                else:
                    self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
                start, status = 0, 200
                is_layer = path.endswith(layer)
                if is_layer:
                    state["layer_gets"] += 1
                    rng = self.headers.get("Range")
                    with open(log, "a") as out: out.write("layer %s\n" % (rng or "whole"))
                    if rng and rng.startswith("bytes="):
                        start, status = int(rng[6:].split("-")[0]), 206
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
                self.end_headers()
                data = body[start:]
                if is_layer and state["layer_gets"] == 1 and drop_after > 0:
                    self.wfile.write(data[:drop_after]); self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if is_layer and slow:
                    for offset in range(0, len(data), 4096):
                        self.wfile.write(data[offset:offset + 4096]); self.wfile.flush(); time.sleep(0.01)
                    return
                self.wfile.write(data)
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#

    /// A layout of busybox (gzip layer of about 1 MB), as `cell save` writes it.
    static func layout(_ root: CellRoot) throws -> String {
        try root.importBusybox()
        let archive = root.file("busybox.tar"), layout = root.file("layout")
        try root.cell("save", "-o", archive, "busybox").expectSuccess()
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        try Command.run("/bin/tar", ["-xf", archive, "-C", layout]).expectSuccess()
        return layout
    }

    static func serve(_ layout: String, dropAfter: Int, slow: Bool, log: String) throws -> (ChildProcess, Int) {
        let port = try LocalRegistry.freePort()
        let process = try ChildProcess("/usr/bin/python3", ["-c", server, layout, String(port), String(dropAfter), slow ? "slow" : "fast", log],
                                       captureOutput: false)
        guard waitUntil(timeout: 20, { LocalRegistry.accepts(port: port) }) else { throw HarnessError.failed("server did not start") }
        return (process, port)
    }

    @Test func aDroppedConnectionIsResumedWithARange() throws {
        let source = try CellRoot()
        let layout = try PullInterruptionTests.layout(source)
        let log = source.file("requests.log")
        let (server, port) = try PullInterruptionTests.serve(layout, dropAfter: 300_000, slow: false, log: log)
        defer { kill(server.pid, SIGTERM); _ = server.waitForExit() }
        let root = try CellRoot()
        let pull = try root.cell("pull", "-q", "127.0.0.1:\(port)/img:1")
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "layer whole\nlayer bytes=300000-\n", "the second request asked for the rest only")
        #expect(try root.cell("run", "--rm", "127.0.0.1:\(port)/img:1", "echo", "whole").stdout == "whole\n")
    }

    @Test func aPullKilledMidwayIsCompletedByTheNext() throws {
        let source = try CellRoot()
        let layout = try PullInterruptionTests.layout(source)
        let log = source.file("requests.log")
        let (server, port) = try PullInterruptionTests.serve(layout, dropAfter: 0, slow: true, log: log)
        defer { kill(server.pid, SIGTERM); _ = server.waitForExit() }
        let root = try CellRoot()
        let name = "127.0.0.1:\(port)/img:1"
        let first = try ChildProcess(Paths.cell, ["pull", "-q", name], environment: ["CELL_ROOT": root.path], captureOutput: false)
        // Killed once part of the layer is on disk.
        let partial = waitUntil(timeout: 30) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []
            return files.contains { name in
                name.hasPrefix("pull-") && ((try? FileManager.default.attributesOfItem(atPath: "\(root.path)/tmp/\(name)")[.size] as? Int) ?? 0) > 100_000
            }
        }
        #expect(partial)
        kill(first.pid, SIGKILL)
        _ = first.waitForExit()
        #expect(try root.cell("images", "-aq").stdout.isEmpty, "nothing named from a pull cut short")

        let second = try root.cell("pull", "-q", name)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try root.cell("run", "--rm", name, "echo", "complete").stdout == "complete\n")
        // What the killed pull left in tmp/ goes with the next collection.
        try root.cell("system", "prune", "-f").expectSuccess()
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []
        #expect(left.isEmpty, "left in tmp/: \(left)")
    }
}
