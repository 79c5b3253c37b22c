import Foundation
import Testing

/// `cell version`: docker version's layout (the Client section as the docker CLI on this machine
/// prints it, label for label and column for column), and its --format document.
@Suite struct VersionTests {
    @Test func matchesDockerVersionsLayoutAndDocument() throws {
        let root = try CellRoot()
        let version = try root.cell("version")
        #expect(version.status == 0 && version.stderr.isEmpty)
        let sections = version.stdout.components(separatedBy: "\n\n")
        #expect(sections.count == 2)
        // Without an engine docker prints its Client section and fails: the labels are what matter.
        if FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") {
            let docker = try Command.run("/usr/local/bin/docker", ["version"], environment: ["DOCKER_HOST": "unix://\(root.file("none.sock"))"])
            let labels = { (text: String) in text.split(separator: "\n").map { String($0.prefix(20)).replacingOccurrences(of: #"\S+$"#, with: "", options: .regularExpression) } }
            let dockerClient = docker.stdout.components(separatedBy: "\n\n")[0]
            #expect(labels(sections[0]) == labels(dockerClient))
        }
        #expect(sections[0].hasPrefix("Client:\n Version:           24.0.7\n API version:       1.43\n"))
        let server = sections[1].split(separator: "\n").map(String.init)
        #expect(server.first?.hasPrefix("Server: cell ") == true)
        #expect(Array(server.dropFirst().prefix(3)) == [" Engine:", "  Version:          24.0.7", "  API version:      1.43 (minimum version 1.12)"])
        #expect(server.contains("  OS/Arch:          linux/\(try root.cell("version", "-f", "{{.Client.Arch}}").stdout.trimmingCharacters(in: .newlines))"))
        #expect(server.contains("  Experimental:     false"))

        #expect(try root.cell("version", "--format", "{{.Client.Version}} {{.Server.ApiVersion}} {{.Server.MinAPIVersion}}").stdout
                    == "24.0.7 1.43 1.12\n")
        let json = try root.cell("version", "-f", "json")
        #expect(try root.cell("version", "-f", "{{json .}}").stdout == json.stdout)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let client = object?["Client"] as? [String: Any]
        #expect(client.map { Set($0.keys) } == ["Version", "ApiVersion", "DefaultAPIVersion", "GitCommit", "GoVersion", "Os", "Arch", "BuildTime", "Context"])
        let components = (object?["Server"] as? [String: Any])?["Components"] as? [[String: Any]]
        #expect(components?.first?["Name"] as? String == "Engine")

        let broken = try root.cell("version", "-f", "{{.Client")
        #expect(broken.status == 64 && broken.stderr.hasPrefix("template parsing error: "))
    }
}
