import Foundation
import Testing

/// Debian's docker-py (python3-docker) against `cell system service`: the high-level client most
/// tools are built on (testcontainers, molecule, Ansible's modules), used as their code uses it.
@Suite(.enabled(if: EngineService.hasDockerPy, "needs Debian's python3-docker"))
struct EngineAPIPythonTests {
    @Test func runListLogsWaitRemoveAndImages() throws {
        let root = try CellRoot()
        let imageID = try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let result = try service.python("""
            import docker, json, sys
            client = docker.DockerClient(base_url=sys.argv[1])
            out = {"ping": client.ping(), "api": client.version()["ApiVersion"]}
            c = client.containers.run("busybox", ["sh", "-c", "echo out; echo err >&2; exit 4"], detach=True,
                                      name="py", environment={"A": "1"}, labels={"made-by": "docker-py"})
            out["wait"] = c.wait()
            c.reload()
            out["status"] = c.status
            out["labels"] = c.labels
            out["logs"] = c.logs().decode()
            out["stdout"] = c.logs(stderr=False).decode()
            out["stderr"] = c.logs(stdout=False).decode()
            out["listed"] = [x.name for x in client.containers.list(all=True)]
            out["running"] = [x.name for x in client.containers.list()]
            out["filtered"] = [x.name for x in client.containers.list(all=True, filters={"label": "made-by=docker-py"})]
            # The blocking form: create, start, wait, logs; removed after.
            out["direct"] = client.containers.run("busybox", "echo direct", remove=True).decode()
            out["images"] = [(i.id, i.tags) for i in client.images.list()]
            try:
                client.containers.get("nope")
            except docker.errors.NotFound as e:
                out["notfound"] = e.explanation
            try:
                client.containers.run("busybox", "true", detach=True, name="py")
            except docker.errors.APIError as e:
                out["conflict"] = [e.status_code, e.explanation]
            c.remove()
            out["after"] = [x.name for x in client.containers.list(all=True)]
            print(json.dumps(out))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(out["ping"] as? Bool == true && out["api"] as? String == "1.43")
        #expect((out["wait"] as? [String: Any])?["StatusCode"] as? Int == 4)
        #expect(out["status"] as? String == "exited")
        #expect(out["labels"] as? [String: String] == ["made-by": "docker-py"])
        #expect(out["logs"] as? String == "out\nerr\n")
        #expect(out["stdout"] as? String == "out\n" && out["stderr"] as? String == "err\n")
        #expect(out["listed"] as? [String] == ["py"] && out["running"] as? [String] == [])
        #expect(out["filtered"] as? [String] == ["py"])
        #expect(out["direct"] as? String == "direct\n")
        let images = out["images"] as? [[Any]]
        #expect(images?.count == 1 && images?.first?.first as? String == imageID && images?.first?.last as? [String] == ["busybox:latest"])
        #expect(out["notfound"] as? String == "No such container: nope")
        let conflict = out["conflict"] as? [Any]
        #expect(conflict?.first as? Int == 409 && (conflict?.last as? String)?.contains("py") == true)
        #expect(out["after"] as? [String] == [])
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }
}
