import Foundation
import Testing

/// cell under the name `docker`, as provisioning tools call it.
@Suite("docker compatibility: the alias and version")
struct DockerAliasTests {
    @Test func theAliasRunsCellAndVersionAnswersAsDockerDoes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let bin = root.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let install = try root.cell("system", "install-docker-alias", bin)
        try install.expectSuccess()
        #expect(install.stdout == "\(bin)/docker\n")
        try root.cell("system", "install-docker-alias", bin).expectSuccess()  // again: replaced, not refused
        let docker = "\(bin)/docker"
        let environment = ["CELL_ROOT": root.path]
        #expect(try Command.run(docker, ["version", "--format", "{{.Server.Version}}"], environment: environment).stdout == "24.0.7\n")
        #expect(try Command.run(docker, ["version", "--format", "{{.Client.ApiVersion}}"], environment: environment).stdout == "1.43\n")
        let version = try Command.run(docker, ["version"], environment: environment).stdout
        #expect(version.hasPrefix("Client:\n Version:           24.0.7\n") && version.contains("Server: cell "))
        #expect(try Command.run(docker, ["run", "--rm", "busybox", "echo", "through the alias"], environment: environment).stdout
                    == "through the alias\n")

        // A real docker is never replaced.
        let other = root.file("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(toFile: "\(other)/docker", atomically: true, encoding: .utf8)
        let refused = try root.cell("system", "install-docker-alias", other)
        #expect(refused.status == 1 && refused.stderr.contains("is not a cell alias"))
        try expectNothingLeft(root)
    }
}
