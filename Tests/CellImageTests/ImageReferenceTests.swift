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
        for change in ["CMD [\"sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /entry.sh", "ENV A=1 B=\"two words\"",
                       "ENV A 3", "EXPOSE 80 53/udp", "LABEL org.x=y", "USER www-data", "WORKDIR /srv",
                       "VOLUME [\"/data\"]", "STOPSIGNAL SIGINT"] {
            try ConfigChange.apply(change, to: &config)
        }
        #expect(config.cmd == ["sh", "-c", "echo hi"])
        #expect(config.entrypoint == ["/bin/sh", "-c", "/entry.sh"])
        #expect(config.env == ["B=two words", "A=3"])
        #expect(config.exposedPorts.map { Set($0.keys) } == ["80/tcp", "53/udp"])
        #expect(config.labels == ["org.x": "y"])
        #expect(config.user == "www-data")
        #expect(config.workingDir == "/srv")
        #expect(config.volumes.map { Array($0.keys) } == ["/data"])
        #expect(config.stopSignal == "SIGINT")
        #expect(throws: CellError.self) { try ConfigChange.apply("FROBNICATE x", to: &config) }
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
