import Foundation
import Testing

/// Networks and volumes through `cell system service`, driven by the docker CLI and by
/// docker-compose v1: what the clients print and return is the assertion, and the CLI sees the
/// same store.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPINetworkTests {
    @Test func theDockerCLIsNetworkAndVolumeVerbs() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        let created = try service.docker("network", "create", "--subnet", "10.216.0.0/24", "--label", "app=shop", "shop")
        try created.expectSuccess()
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("network", "ls", "-q", "--no-trunc", "--filter", "name=shop").stdout == id + "\n", "one store")
        #expect(try service.docker("network", "ls", "--format", "{{.Name}} {{.Driver}}", "--filter", "label=app=shop").stdout == "shop bridge\n")
        #expect(try service.docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Internal}}", "shop").stdout
                == "10.216.0.0/24 false\n")
        let duplicate = try service.docker("network", "create", "shop")
        #expect(duplicate.status == 1 && duplicate.stderr.contains("network with name shop already exists"))

        try service.docker("run", "-d", "--name", "web", "--network", "shop", "--network-alias", "www", "busybox",
                           "sh", "-c", "echo shop > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let fetched = try service.docker("run", "--rm", "--network", "shop", "busybox", "wget", "-qO-", "http://www/")
        #expect(fetched.stdout == "shop\n", "\(fetched.stderr)")
        #expect(try service.docker("inspect", "-f", "{{.NetworkSettings.Networks.shop.IPAddress}}", "web").stdout == "10.216.0.2\n")
        let pinned = try service.docker("create", "--network", "shop", "--ip", "10.216.0.50", "busybox")
        try pinned.expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.shop.IPAddress}}",
                              pinned.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).stdout == "10.216.0.50\n")
        let busy = try service.docker("network", "rm", "shop")
        #expect(busy.status == 1 && busy.stderr.contains("has active endpoints"), "\(busy.stderr)")
        let builtin = try service.docker("network", "rm", "bridge")
        #expect(builtin.status == 1 && builtin.stderr.contains("bridge is a pre-defined network and cannot be removed"))
        try service.docker("network", "create", "--subnet", "10.216.1.0/24", "admin").expectSuccess()
        try service.docker("network", "connect", "--alias", "shopfront", "admin", "web").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.NetworkSettings.Networks.admin.IPAddress}}", "web").stdout == "10.216.1.2\n")
        let viaAdmin = try service.docker("run", "--rm", "--network", "admin", "busybox", "wget", "-qO-", "http://shopfront/")
        #expect(viaAdmin.stdout == "shop\n", "\(viaAdmin.stderr)")
        try service.docker("network", "disconnect", "admin", "web").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{len .NetworkSettings.Networks}}", "web").stdout == "1\n")
        try service.docker("network", "rm", "admin").expectSuccess()
        EngineService.removeAllContainers(root)
        #expect(try service.docker("network", "rm", "shop").stdout == "shop\n")
        #expect(try root.cell("network", "ls", "-q", "--filter", "type=custom").stdout.isEmpty)

        #expect(try service.docker("volume", "create", "--label", "keep=yes", "stock").stdout == "stock\n")
        #expect(try service.docker("volume", "ls", "--format", "{{.Name}} {{.Driver}}", "--filter", "label=keep").stdout == "stock local\n")
        #expect(try service.docker("volume", "inspect", "-f", "{{.Mountpoint}}", "stock").stdout == "\(root.path)/volumes/stock/_data\n")
        try service.docker("run", "--rm", "-v", "stock:/data", "busybox", "sh", "-c", "echo kept > /data/file").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "stock:/data", "busybox", "cat", "/data/file").stdout == "kept\n")
        let missing = try service.docker("volume", "inspect", "nothing")
        #expect(missing.status == 1 && missing.stderr.contains("no such volume"))
        #expect(try service.docker("volume", "rm", "stock").stdout == "stock\n")
        try service.docker("volume", "create", "spare").expectSuccess()
        let pruned = try service.docker("volume", "prune", "-a", "-f")
        #expect(pruned.stdout.contains("spare"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty)
    }

    /// docker-compose v1 (Debian's): two services on the project's default network, one serving
    /// a file from a named volume, the other reaching it by its service name; then `down -v`
    /// leaves no container, network or volume.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose"), "needs Debian's docker-compose"))
    func dockerComposeUpPsLogsExecDown() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let project = root.file("project")
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try """
        version: "3"
        services:
          web:
            image: busybox
            command: sh -c "echo from-volume > /srv/index.html && echo web ready && exec httpd -f -p 80 -h /srv"
            volumes:
              - site:/srv
          client:
            image: busybox
            command: sleep 1000
            depends_on: [web]
        volumes:
          site: {}
        """.write(toFile: "\(project)/docker-compose.yml", atomically: true, encoding: .utf8)
        let environment = ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")]
        func compose(_ arguments: String...) throws -> CommandResult {
            try Command.run("/usr/bin/docker-compose", ["--project-directory", project, "-f", "\(project)/docker-compose.yml", "-p", "shop"] + arguments,
                            environment: environment)
        }
        let up = try compose("up", "-d")
        #expect(up.status == 0, "\(up.stderr)")
        let ps = try compose("ps")
        #expect(ps.stdout.contains("shop_web_1") && ps.stdout.contains("shop_client_1"))
        #expect(ps.stdout.split(separator: "\n").filter { $0.contains("shop_") && $0.contains(" Up") }.count == 2, "\(ps.stdout)")
        let fetched = try compose("exec", "-T", "client", "wget", "-qO-", "http://web/")
        #expect(fetched.stdout == "from-volume\n", "\(fetched.stderr)")
        #expect(waitUntil { ((try? compose("logs", "web"))?.stdout ?? "").contains("web ready") })
        #expect(try root.cell("network", "ls", "--format", "{{.Name}}", "--filter", "name=shop_default").stdout == "shop_default\n")
        let volumes = try root.cell("volume", "ls", "-q").stdout
        #expect(volumes == "shop_site\n", "\(volumes)")

        let down = try compose("down", "-v")
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        #expect(try root.cell("network", "ls", "-q", "--filter", "type=custom").stdout.isEmpty)
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty)
    }
}
