import CellCore
import Testing
@testable import CellImagefile

private func steps(_ text: String) throws -> [Command] {
    try Imagefile(parsing: text).steps().map(\.command)
}

@Suite struct CommandTests {
    @Test func typedInstructions() throws {
        let commands = try steps("""
            ARG BASE=alpine
            FROM --platform=$TARGETPLATFORM ${BASE}:3.20 AS Builder
            ENV A=1 B="two words"
            ENV LEGACY some value
            LABEL a=b
            ARG V X=1
            WORKDIR /src
            USER app:app
            EXPOSE 8080/tcp 443
            VOLUME ["/data", "/logs"]
            CMD ["serve"]
            ENTRYPOINT exec app
            SHELL ["/bin/bash", "-c"]
            STOPSIGNAL SIGINT
            MAINTAINER someone
            RUN --mount=type=cache,target=/c --network=none make
            ADD --keep-git-dir --checksum=sha256:abc https://x/y.git /src
            HEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD curl -f http://localhost/
            HEALTHCHECK NONE
            """)
        #expect(commands[0] == .arg([ArgDefinition(name: "BASE", defaultValue: "alpine")]))
        #expect(commands[1] == .from(FromCommand(image: "${BASE}:3.20", stageName: "builder", platform: "$TARGETPLATFORM")))
        #expect(commands[2] == .env([KeyValuePair(key: "A", value: "1"), KeyValuePair(key: "B", value: "\"two words\"")]))
        #expect(commands[3] == .env([KeyValuePair(key: "LEGACY", value: "some value", usesEquals: false)]))
        #expect(commands[4] == .label([KeyValuePair(key: "a", value: "b")]))
        #expect(commands[5] == .arg([ArgDefinition(name: "V"), ArgDefinition(name: "X", defaultValue: "1")]))
        #expect(commands[6] == .workdir("/src"))
        #expect(commands[7] == .user("app:app"))
        #expect(commands[8] == .expose(["443", "8080/tcp"]))
        #expect(commands[9] == .volume(["/data", "/logs"]))
        #expect(commands[10] == .cmd(.exec(["serve"])))
        #expect(commands[11] == .entrypoint(.shell("exec app")))
        #expect(commands[12] == .shell(["/bin/bash", "-c"]))
        #expect(commands[13] == .stopSignal("SIGINT"))
        #expect(commands[14] == .maintainer("someone"))
        #expect(commands[15] == .run(RunCommand(command: .shell("make"), mounts: ["type=cache,target=/c"], network: "none")))
        #expect(commands[16] == .add(AddCommand(
            sources: ["https://x/y.git"], destination: "/src", keepGitDir: true, checksum: "sha256:abc")))
        let health = HealthcheckCommand(
            test: .command(.shell("curl -f http://localhost/")), interval: .seconds(30), timeout: .seconds(90), retries: 3)
        #expect(commands[17] == .healthcheck(health))
        #expect(health.testArray == ["CMD-SHELL", "curl -f http://localhost/"])
        #expect(commands[18] == .healthcheck(HealthcheckCommand(test: .none)))
    }

    @Test func stagesAndDependencies() throws {
        let stages = try Imagefile(parsing: """
            ARG GO=1.22
            FROM golang:${GO} AS deps
            RUN go mod download
            FROM deps AS build
            RUN --mount=type=bind,from=assets,target=/a make
            FROM alpine AS assets
            FROM node AS unused
            FROM scratch
            COPY --from=build /out /app
            COPY --from=0 /go /go
            COPY --from=nginx:latest /etc/nginx /etc/nginx
            """).stages()
        #expect(stages.globalArgDefinitions == [ArgDefinition(name: "GO", defaultValue: "1.22")])
        #expect(stages.stages.map(\.name) == ["deps", "build", "assets", "unused", nil])
        #expect(try stages.baseName(of: stages.stages[0]) == "golang:1.22")
        #expect(try stages.baseName(of: stages.stages[0], buildArgs: ["GO": "1.23"]) == "golang:1.23")
        #expect(try stages.dependencies(of: stages.stages[4]) == [0, 1])
        // `assets` is defined after `build`, so `from=assets` there names an image, not the stage.
        #expect(try stages.requiredStages() == [0, 1, 4])
        #expect(try stages.requiredStages(for: "assets") == [2])
        #expect(try stages.requiredStages(for: "BUILD") == [0, 1])
        #expect(try stages.requiredStages(for: "3") == [3])
        #expect(throws: CellError.self) { try stages.requiredStages(for: "nope") }
    }

    @Test func copyFromLaterIndexIsRejected() throws {
        let stages = try Imagefile(parsing: "FROM a\nCOPY --from=1 x y\nFROM b\n").stages()
        #expect(throws: CellError.invalidInput("Imagefile:2: invalid from flag value 1: refers to current or later build stage")) {
            try stages.requiredStages(for: "0")
        }
    }

    @Test func duplicateStageNames() {
        #expect(throws: CellError.invalidInput("Imagefile:2: duplicate stage name \"a\"")) {
            try Imagefile(parsing: "FROM x AS a\nFROM y AS A\n").stages()
        }
    }

    @Test func goDurations() {
        #expect(GoDuration.parse("1h2m3.5s") == .seconds(3723.5))
        #expect(GoDuration.parse("250ms") == .milliseconds(250))
        #expect(GoDuration.parse("0") == .zero)
        #expect(GoDuration.parse("5") == nil)
        #expect(GoDuration.parse("1d") == nil)
    }
}
