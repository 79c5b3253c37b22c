import CellCore
import Testing
@testable import CellImage

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
        ("training/webapp", "docker.io/training/webapp:latest", "training/webapp:latest"),
        ("localhost/app:v1", "localhost/app:v1", "localhost/app:v1"),
        ("localhost:5000/team/app", "localhost:5000/team/app:latest", "localhost:5000/team/app:latest"),
        ("quay.io/a/b-c__d.e:1.0-rc", "quay.io/a/b-c__d.e:1.0-rc", "quay.io/a/b-c__d.e:1.0-rc"),
        ("docker.io/library/alpine", "docker.io/library/alpine:latest", "alpine:latest"),
    ])
    func normalizes(input: String, full: String, familiar: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.description == full)
        #expect(reference.familiarName == familiar)
    }

    @Test(arguments: ["", "Busybox", "a//b", "-lead", "trail-", "a:b:c", "a@sha256:xyz", "a:" , ":tag", "a b",
                      "host:port/x", String(repeating: "a", count: 256)])
    func rejects(input: String) {
        #expect(throws: CellError.self) { try ImageReference(parsing: input) }
    }

    @Test func uppercaseGetsDockersMessage() {
        #expect(throws: CellError.usage("invalid reference format: repository name (Busybox) must be lowercase")) {
            try ImageReference(parsing: "Busybox")
        }
    }
}

@Suite struct ConfigChangeTests {
    @Test func appliesDockerfileInstructions() throws {
        var config = ContainerConfig()
        try ConfigChange.apply(["CMD [\"sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /entry.sh", "ENV A=1 B=\"two words\"",
                                "ENV A 3", "EXPOSE 80 53/udp", "LABEL org.x=y", "USER www-data", "WORKDIR /srv",
                                "VOLUME [\"/data\"]", "STOPSIGNAL SIGINT"], to: &config)
        #expect(config.cmd == ["sh", "-c", "echo hi"])
        #expect(config.entrypoint == ["/bin/sh", "-c", "/entry.sh"])
        #expect(config.env == ["B=two words", "A=3"])
        #expect(config.exposedPorts.map { Set($0.keys) } == ["80/tcp", "53/udp"])
        #expect(config.labels == ["org.x": "y"])
        #expect(config.user == "www-data")
        #expect(config.workingDir == "/srv")
        #expect(config.volumes.map { Array($0.keys) } == ["/data"])
        #expect(config.stopSignal == "SIGINT")
        let unknown = #expect(throws: CellError.self) { try ConfigChange.apply(["FROBNICATE x"], to: &config) }
        #expect(unknown?.message == "FROBNICATE is not a valid change command" && unknown?.exitCode == 125)
    }

    /// The same meaning as in a build (they once disagreed): ENV replaces a bare name too, words
    /// expand with the config's variables, a relative WORKDIR is below the current one, and an
    /// ENTRYPOINT without a CMD before it clears the inherited CMD, as Docker's commit -c does.
    @Test func meansWhatTheInstructionMeansInABuild() throws {
        var config = ContainerConfig()
        config.env = ["PATH=/bin", "BARE"]
        config.cmd = ["sh"]
        config.workingDir = "/srv"
        try ConfigChange.apply(["ENV BARE=set PATH=$PATH:/extra", "WORKDIR app", "ENTRYPOINT [\"/entry\"]"], to: &config)
        #expect(config.env == ["BARE=set", "PATH=/bin:/extra"])
        #expect(config.workingDir == "/srv/app")
        #expect(config.entrypoint == ["/entry"] && config.cmd == nil)
        let empty = #expect(throws: CellError.self) { try ConfigChange.apply(["ENV"], to: &config) }
        #expect(empty?.exitCode == 125)
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParsesRFC3339() throws {
        let time = Timestamp(seconds: 1_714_558_830, nanoseconds: 123_450_000)
        #expect(time.rfc3339Nano == "2024-05-01T10:20:30.12345Z")
        #expect(time.rfc3339 == "2024-05-01T10:20:30Z")
        #expect(Timestamp(rfc3339: "2024-05-01T10:20:30.12345Z") == time)
        #expect(Timestamp(rfc3339: "2024-05-01T12:20:30.12345+02:00") == time)
        #expect(Timestamp.goZero.rfc3339 == "0001-01-01T00:00:00Z")
        #expect(Timestamp(rfc3339: "yesterday") == nil)
    }
}
