import CellCore
import CellFormat

/// Reads a spec file (YAML or JSON) strictly: an unknown key, a value of the wrong type or a
/// regular expression that does not compile is an error naming the file, the line and the key,
/// before any test runs (a misspelt `expectedOuput` would otherwise pass silently).
public enum StructureTestSpecReader {
    public static func read(file: String) throws -> StructureTestSpec {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(file)
        } catch {
            throw CellError(.setup, "\(file): \(error)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: file)
    }

    public static func parse(_ text: String, file: String) throws -> StructureTestSpec {
        let root: YAMLNode
        do {
            root = try YAMLReader.parse(text)
        } catch let error as YAMLError {
            throw CellError(.setup, "\(file): line \(error.line): \(error.message)")
        }
        let reader = NodeReader(file: file)
        return try reader.spec(root)
    }
}

/// Walks the YAML tree with the path of keys for messages.
private struct NodeReader {
    let file: String

    func fail(_ node: YAMLNode, _ path: String, _ message: String) -> CellError {
        CellError(.setup, "\(file): line \(node.line): \(path): \(message)")
    }

    /// The pairs of a mapping whose keys are all in `allowed`.
    func mapping(_ node: YAMLNode, _ path: String, allowed: Set<String>) throws -> [String: YAMLNode] {
        if node.isNull { return [:] }
        guard let pairs = node.mapping else { throw fail(node, path, "expected a mapping") }
        var result: [String: YAMLNode] = [:]
        for (key, value) in pairs {
            guard allowed.contains(key) else {
                throw fail(value, path.isEmpty ? key : "\(path).\(key)", "unknown key \"\(key)\"")
            }
            result[key] = value
        }
        return result
    }

    func string(_ node: YAMLNode?, _ path: String) throws -> String? {
        guard let node, !node.isNull else { return nil }
        guard let text = node.string else { throw fail(node, path, "expected a string") }
        return text
    }

    func required(_ node: YAMLNode?, _ path: String, in parent: YAMLNode) throws -> String {
        guard let text = try string(node, path), !text.isEmpty else { throw fail(parent, path, "is required") }
        return text
    }

    func bool(_ node: YAMLNode?, _ path: String) throws -> Bool? {
        guard let node, !node.isNull else { return nil }
        guard let value = node.bool else { throw fail(node, path, "expected true or false") }
        return value
    }

    func int(_ node: YAMLNode?, _ path: String) throws -> Int? {
        guard let node, !node.isNull else { return nil }
        guard let value = node.int else { throw fail(node, path, "expected an integer") }
        return value
    }

    func items(_ node: YAMLNode?, _ path: String) throws -> [YAMLNode] {
        guard let node, !node.isNull else { return [] }
        guard let items = node.sequence else { throw fail(node, path, "expected a list") }
        return items
    }

    func strings(_ node: YAMLNode?, _ path: String) throws -> [String] {
        try items(node, path).enumerated().map { index, item in
            guard let text = item.string else { throw fail(item, "\(path)[\(index)]", "expected a string") }
            return text
        }
    }

    func patterns(_ node: YAMLNode?, _ path: String) throws -> [TestPattern] {
        try items(node, path).enumerated().map { index, item in
            guard let text = item.string else { throw fail(item, "\(path)[\(index)]", "expected a string") }
            do {
                return try TestPattern(text)
            } catch {
                throw fail(item, "\(path)[\(index)]", "bad regular expression \(GoQuote.quote(text)): \(error)")
            }
        }
    }

    func commands(_ node: YAMLNode?, _ path: String) throws -> [[String]] {
        try items(node, path).enumerated().map { index, item in
            let command = try strings(item, "\(path)[\(index)]")
            if command.isEmpty { throw fail(item, "\(path)[\(index)]", "an empty command") }
            return command
        }
    }

    func variables(_ node: YAMLNode?, _ path: String, regex: Bool) throws -> [StructureTestSpec.EnvironmentVariable] {
        try items(node, path).enumerated().map { index, item in
            let at = "\(path)[\(index)]"
            let fields = try mapping(item, at, allowed: regex ? ["key", "value", "isRegex"] : ["key", "value"])
            var variable = StructureTestSpec.EnvironmentVariable(
                key: try required(fields["key"], "\(at).key", in: item), value: try string(fields["value"], "\(at).value") ?? "")
            if try bool(fields["isRegex"], "\(at).isRegex") == true {
                do {
                    variable.pattern = try TestPattern(variable.value)
                } catch {
                    throw fail(item, "\(at).value", "bad regular expression \(GoQuote.quote(variable.value)): \(error)")
                }
            }
            return variable
        }
    }

    func spec(_ root: YAMLNode) throws -> StructureTestSpec {
        let top = try mapping(root, "", allowed: [
            "schemaVersion", "globalEnvVars", "commandTests", "fileExistenceTests", "fileContentTests",
            "metadataTest", "licenseTests", "containerRunOptions",
        ])
        guard let version = try string(top["schemaVersion"], "schemaVersion") else {
            throw fail(root, "schemaVersion", "is required (\"2.0.0\")")
        }
        guard version == "2.0.0" else {
            throw fail(top["schemaVersion"] ?? root, "schemaVersion", "unsupported version \(GoQuote.quote(version)) (cell reads 2.0.0)")
        }
        if let licenses = top["licenseTests"], !(licenses.sequence?.isEmpty ?? licenses.isNull) {
            throw fail(licenses, "licenseTests", "not supported by cell")
        }
        var spec = StructureTestSpec(file: file)
        spec.globalEnvironment = try variables(top["globalEnvVars"], "globalEnvVars", regex: false)
        spec.commandTests = try items(top["commandTests"], "commandTests").enumerated().map { try commandTest($1, "commandTests[\($0)]") }
        spec.fileExistenceTests = try items(top["fileExistenceTests"], "fileExistenceTests").enumerated().map {
            try fileExistenceTest($1, "fileExistenceTests[\($0)]")
        }
        spec.fileContentTests = try items(top["fileContentTests"], "fileContentTests").enumerated().map {
            try fileContentTest($1, "fileContentTests[\($0)]")
        }
        if let node = top["metadataTest"], !node.isNull { spec.metadataTest = try metadataTest(node) }
        if let node = top["containerRunOptions"], !node.isNull { spec.runOptions = try runOptions(node) }
        return spec
    }

    func commandTest(_ node: YAMLNode, _ path: String) throws -> StructureTestSpec.CommandTest {
        let fields = try mapping(node, path, allowed: [
            "name", "setup", "teardown", "envVars", "exitCode", "command", "args",
            "expectedOutput", "excludedOutput", "expectedError", "excludedError",
        ])
        var test = StructureTestSpec.CommandTest(name: try required(fields["name"], "\(path).name", in: node),
                                                 command: try required(fields["command"], "\(path).command", in: node))
        test.setup = try commands(fields["setup"], "\(path).setup")
        test.teardown = try commands(fields["teardown"], "\(path).teardown")
        test.environment = try variables(fields["envVars"], "\(path).envVars", regex: false)
        test.arguments = try strings(fields["args"], "\(path).args")
        if let code = try int(fields["exitCode"], "\(path).exitCode") { test.exitCode = Int32(truncatingIfNeeded: code) }
        test.expectedOutput = try patterns(fields["expectedOutput"], "\(path).expectedOutput")
        test.excludedOutput = try patterns(fields["excludedOutput"], "\(path).excludedOutput")
        test.expectedError = try patterns(fields["expectedError"], "\(path).expectedError")
        test.excludedError = try patterns(fields["excludedError"], "\(path).excludedError")
        return test
    }

    func fileExistenceTest(_ node: YAMLNode, _ path: String) throws -> StructureTestSpec.FileExistenceTest {
        let fields = try mapping(node, path, allowed: ["name", "path", "shouldExist", "permissions", "uid", "gid", "isExecutableBy"])
        var test = StructureTestSpec.FileExistenceTest(name: try required(fields["name"], "\(path).name", in: node),
                                                       path: try required(fields["path"], "\(path).path", in: node))
        test.shouldExist = try bool(fields["shouldExist"], "\(path).shouldExist") ?? false
        test.permissions = try string(fields["permissions"], "\(path).permissions")
        test.uid = try int(fields["uid"], "\(path).uid").map { UInt32(truncatingIfNeeded: $0) }
        test.gid = try int(fields["gid"], "\(path).gid").map { UInt32(truncatingIfNeeded: $0) }
        if let who = try string(fields["isExecutableBy"], "\(path).isExecutableBy") {
            guard ["owner", "group", "other", "any"].contains(who) else {
                throw fail(fields["isExecutableBy"] ?? node, "\(path).isExecutableBy", "must be owner, group, other or any")
            }
            test.isExecutableBy = who
        }
        return test
    }

    func fileContentTest(_ node: YAMLNode, _ path: String) throws -> StructureTestSpec.FileContentTest {
        let fields = try mapping(node, path, allowed: ["name", "path", "expectedContents", "excludedContents"])
        var test = StructureTestSpec.FileContentTest(name: try required(fields["name"], "\(path).name", in: node),
                                                     path: try required(fields["path"], "\(path).path", in: node))
        test.expectedContents = try patterns(fields["expectedContents"], "\(path).expectedContents")
        test.excludedContents = try patterns(fields["excludedContents"], "\(path).excludedContents")
        return test
    }

    func metadataTest(_ node: YAMLNode) throws -> StructureTestSpec.MetadataTest {
        let path = "metadataTest"
        let fields = try mapping(node, path, allowed: [
            "envVars", "labels", "exposedPorts", "unexposedPorts", "entrypoint", "cmd", "workdir",
            "volumes", "unmountedVolumes", "user",
        ])
        var test = StructureTestSpec.MetadataTest()
        test.environment = try variables(fields["envVars"], "\(path).envVars", regex: true)
        test.labels = try variables(fields["labels"], "\(path).labels", regex: true)
        test.exposedPorts = try strings(fields["exposedPorts"], "\(path).exposedPorts")
        test.unexposedPorts = try strings(fields["unexposedPorts"], "\(path).unexposedPorts")
        // Present (even empty) means checked; absent means not.
        if let entrypoint = fields["entrypoint"] { test.entrypoint = try strings(entrypoint, "\(path).entrypoint") }
        if let cmd = fields["cmd"] { test.cmd = try strings(cmd, "\(path).cmd") }
        test.workdir = try string(fields["workdir"], "\(path).workdir")
        test.volumes = try strings(fields["volumes"], "\(path).volumes")
        test.unmountedVolumes = try strings(fields["unmountedVolumes"], "\(path).unmountedVolumes")
        test.user = try string(fields["user"], "\(path).user")
        return test
    }

    func runOptions(_ node: YAMLNode) throws -> StructureTestSpec.ContainerRunOptions {
        let path = "containerRunOptions"
        let fields = try mapping(node, path, allowed: ["user", "privileged", "allocateTty", "envVars", "envFile", "capabilities", "bindMounts"])
        var options = StructureTestSpec.ContainerRunOptions()
        options.user = try string(fields["user"], "\(path).user")
        options.privileged = try bool(fields["privileged"], "\(path).privileged") ?? false
        if try bool(fields["allocateTty"], "\(path).allocateTty") == true {
            throw fail(fields["allocateTty"] ?? node, "\(path).allocateTty", "not supported by cell test (output is captured, not a terminal)")
        }
        options.environmentNames = try strings(fields["envVars"], "\(path).envVars")
        options.environmentFile = try string(fields["envFile"], "\(path).envFile")
        options.capabilities = try strings(fields["capabilities"], "\(path).capabilities")
        options.bindMounts = try strings(fields["bindMounts"], "\(path).bindMounts")
        return options
    }
}
