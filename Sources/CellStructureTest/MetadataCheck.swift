/// The metadataTest: the image's (or container's) configuration against the spec.
enum MetadataCheck {
    static func evaluate(_ test: StructureTestSpec.MetadataTest, on target: StructureTestTarget) -> TestResult {
        var result = TestResult(kind: .metadata, name: "Metadata Test")
        let actual = target.metadata
        compare(test.environment, with: actual.environmentValues, what: "env var", into: &result)
        compare(test.labels, with: actual.labels, what: "label", into: &result)

        let ports = Set(actual.exposedPorts.flatMap { port in
            port.hasSuffix("/tcp") ? [port, String(port.dropLast(4))] : [port]
        })
        for port in test.exposedPorts where !ports.contains(port) {
            result.errors.append("Port \(port) not found in config")
        }
        for port in test.unexposedPorts where ports.contains(port) {
            result.errors.append("Port \(port) should not be exposed")
        }
        if let entrypoint = test.entrypoint, entrypoint != actual.entrypoint {
            result.errors.append("Image entrypoint \(actual.entrypoint) does not match expected entrypoint: \(entrypoint)")
        }
        if let cmd = test.cmd, cmd != actual.cmd {
            result.errors.append("Image cmd \(actual.cmd) does not match expected cmd: \(cmd)")
        }
        if let workdir = test.workdir, !workdir.isEmpty, workdir != actual.workdir {
            result.errors.append("Image workdir \(actual.workdir) does not match config workdir: \(workdir)")
        }
        if let user = test.user, !user.isEmpty, user != actual.user {
            result.errors.append("Image user \(actual.user) does not match config user: \(user)")
        }
        for volume in test.volumes where !actual.volumes.contains(volume) {
            result.errors.append("Volume \(volume) not found in config")
        }
        for volume in test.unmountedVolumes where actual.volumes.contains(volume) {
            result.errors.append("Volume \(volume) should not be in config")
        }
        return result
    }

    static func compare(_ expected: [StructureTestSpec.EnvironmentVariable], with actual: [String: String], what: String,
                        into result: inout TestResult) {
        for variable in expected {
            guard let value = actual[variable.key] else {
                result.errors.append("\(what) \(variable.key) not found in config")
                continue
            }
            let matches = variable.pattern?.matches(value) ?? (value == variable.value)
            if !matches {
                result.errors.append("\(what) \(variable.key) value \(value) does not match expected value: \(variable.value)")
            }
        }
    }
}
