import Foundation
import Testing

/// `GET /events` through `cell system service`, read by the docker CLI and docker-py: the same
/// journal `cell events` reads, in the same words.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIEventsTests {
    static let format = "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"

    @Test func pastEventsAreWhatTheCLIShows() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let since = EventsTests.now()
        try root.cell("run", "--name", "one", "busybox", "true").expectSuccess()
        try service.docker("run", "-d", "--name", "two", "busybox", "true").expectSuccess()
        try root.cell("wait", "two").expectSuccess()
        try root.cell("rm", "one").expectSuccess()
        let until = EventsTests.now()
        let arguments = ["events", "--since", since, "--until", until, "--filter", "type=container", "--format", EngineAPIEventsTests.format]
        let throughAPI = try service.docker(arguments)
        try throughAPI.expectSuccess()
        #expect(throughAPI.stdout == (try root.cell(arguments)).stdout)
        #expect(throughAPI.lines.first == "container create one" && throughAPI.lines.last == "container destroy one", "\(throughAPI.stdout)")
        #expect(throughAPI.lines.contains("container start two"))
        let filtered = try service.docker("events", "--since", since, "--until", until, "--filter", "container=two", "--filter", "event=die",
                                          "--format", "{{.Action}} {{.Actor.Attributes.exitCode}}")
        #expect(filtered.stdout == "die 0\n", "\(filtered.stderr)")
        let refused = try service.docker("events", "--since", since, "--until", until, "--filter", "colour=red")
        #expect(refused.status != 0 && refused.stderr.contains("invalid filter 'colour'"), "\(refused.stderr)")

        // docker-py decodes the same objects.
        if EngineService.hasDockerPy {
            let python = try service.python("""
            import sys, docker
            client = docker.DockerClient(base_url=sys.argv[1])
            for event in client.events(since=\(since), until=\(until), decode=True, filters={"type": "container", "container": "one"}):
                print(event["Action"], event["Actor"]["Attributes"]["name"], event["id"] == event["Actor"]["ID"], event["scope"])
            """)
            #expect(python.lines == ["create one True local", "start one True local", "die one True local", "destroy one True local"],
                    "\(python.stdout) \(python.stderr)")
        }
    }

    @Test func aFollowerSeesEventsAsTheyHappenAndMayLeave() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let output = root.file("followed")
        let follower = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" events --filter type=container --format \"$1\" > \"$2\"",
                                                    EngineService.dockerCLI, EngineAPIEventsTests.format, output],
                                        environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")],
                                        captureOutput: false)
        defer { kill(follower.pid, SIGTERM); _ = follower.waitForExit() }
        // The stream begins when the service has the client's request, which nothing outside
        // shows: containers are run until one is seen, and each seen one shows whole, in order.
        func followed() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
        func seenWhole() -> Bool {
            let text = followed()
            return (1...max(attempt, 1)).contains { n in
                text.contains("container create short\(n)\ncontainer start short\(n)\ncontainer die short\(n)\ncontainer destroy short\(n)\n")
            }
        }
        var attempt = 0
        #expect(waitUntil(timeout: 20) {
            attempt += 1
            _ = try? root.cell("run", "--rm", "--name", "short\(attempt)", "busybox", "true")
            return seenWhole()
        }, "\(followed())")
        kill(follower.pid, SIGTERM)
        _ = follower.waitForExit()
        // The client gone, the service still answers.
        #expect(try service.docker("version", "--format", "{{.Server.APIVersion}}").stdout == "1.43\n")
    }
}
