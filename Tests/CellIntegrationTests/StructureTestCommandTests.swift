import Foundation
import Testing

/// `cell test`: container-structure-test specs against images and running containers.
@Suite("cell test: container-structure-test specs")
struct StructureTestCommandTests {
    static let busyboxSpec = "\(Paths.packageRoot)/examples/structure-tests/busybox.yaml"

    @Test func theExampleSpecPassesOnBusybox() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let result = try root.cell("test", "--image", "busybox", "--config", StructureTestCommandTests.busyboxSpec)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("=== \(StructureTestCommandTests.busyboxSpec)\nPASS  Command Test: echo through the shell ("))
        #expect(result.stdout.contains("PASS  File Existence Test: root's directory ("))
        #expect(result.stdout.contains("PASS  File Content Test: root in passwd ("))
        #expect(result.stdout.contains("PASS  Metadata Test: Metadata Test ("))
        #expect(result.stdout.contains("\n9 passed, 0 failed ("), "\(result.stdout)")
        // Every container it made is gone, and so is every image the setup commands committed.
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        #expect(try root.cell("images", "-q").lines.count == 1)
        try expectNothingLeft(root)
    }

    @Test func failuresAreReportedAndTheStatusIsOne() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let spec = root.file("failing.yaml")
        try """
            schemaVersion: 2.0.0
            commandTests:
              - name: wrong output
                command: echo
                args: [actual]
                expectedOutput: [expected]
              - name: wrong code
                command: "false"
              - name: no such command
                command: /nonexistent
                exitCode: 127
            fileExistenceTests:
              - name: missing
                path: /etc/nothing-here
                shouldExist: true
              - name: wrong mode
                path: /etc/passwd
                shouldExist: true
                permissions: "-rwxrwxrwx"
            metadataTest:
              envVars:
                - key: PATH
                  value: ".*/nowhere.*"
                  isRegex: true
              exposedPorts: ["8080"]
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let text = try root.cell("test", "--image", "busybox", "--config", spec)
        #expect(text.status == 1, "\(text.stderr)")
        #expect(text.stdout.contains("FAIL  Command Test: wrong output ("))
        #expect(text.stdout.contains("      Expected string 'expected' not found in output 'actual\n      '\n"), "reasons indented, line by line")
        #expect(text.stdout.contains("      Test 'wrong code' exited with incorrect error code. Expected: 0, Actual: 1"))
        #expect(text.stdout.contains("PASS  Command Test: no such command ("), "127, as docker run gives")
        #expect(text.stdout.contains("      File /etc/nothing-here should exist but does not"))
        #expect(text.stdout.contains("      /etc/passwd has incorrect permissions. Expected: -rwxrwxrwx, Actual: -rw-r--r--"))
        #expect(text.stdout.contains("      env var PATH not found in config"))
        #expect(text.stdout.contains("      Port 8080 not found in config"))
        #expect(text.stdout.contains("\n1 passed, 5 failed ("), "\(text.stdout)")

        let json = try root.cell("test", "--image", "busybox", "--config", spec, "--output", "json")
        #expect(json.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["Pass"] as? Int == 1 && document?["Fail"] as? Int == 5 && document?["Total"] as? Int == 6)
        let results = document?["Results"] as? [[String: Any]] ?? []
        #expect(results.first?["Name"] as? String == "Command Test: wrong output")
        #expect(results.first?["Stdout"] as? String == "actual\n")

        let report = root.file("report.xml")
        let junit = try root.cell("test", "--image", "busybox", "--config", spec, "--output", "junit", "--test-report", report)
        #expect(junit.status == 1 && junit.stdout == "1 passed, 5 failed\n")
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites failures=\"5\" tests=\"6\""))
        #expect(xml.contains("<testcase name=\"Command Test: wrong output\""))
        #expect(xml.contains("<failure>Expected string 'expected' not found in output 'actual\n'</failure>"))
        #expect(xml.hasSuffix("</testsuite>\n</testsuites>\n"))
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func aRunningContainerIsCheckedAsItIsNow() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "provisioned", "busybox", "sleep", "100000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "provisioned") }
        // "Provisioning": a file and a user the image does not have.
        try root.cell("exec", "provisioned", "sh", "-c", "mkdir -p /srv && echo ready > /srv/state && echo 'app:x:1000:1000::/srv:/bin/sh' >> /etc/passwd")
            .expectSuccess()
        let spec = root.file("provisioned.yaml")
        try """
            schemaVersion: '2.0.0'
            commandTests:
              - name: state
                command: cat
                args: [/srv/state]
                expectedOutput: ["^ready\\n$"]
              - name: the user
                command: id
                args: [app]
                expectedOutput: ["uid=1000"]
            fileContentTests:
              - name: state file
                path: /srv/state
                expectedContents: [ready]
            metadataTest:
              cmd: [sleep, "100000"]
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try root.cell("test", "--container", "provisioned", "--config", spec)
        #expect(result.status == 0 && result.stdout.contains("\n4 passed, 0 failed ("), "\(result.stdout)\(result.stderr)")
        // The image itself has none of it.
        let image = try root.cell("test", "--image", "busybox", "--config", spec)
        #expect(image.status == 1 && image.stdout.contains("\n0 passed, 4 failed ("), "\(image.stdout)")

        let missing = try root.cell("test", "--container", "nosuch", "--config", spec)
        #expect(missing.status == 1 && missing.stderr == "Error: No such container: nosuch\n", "\(missing.stderr)")
        try root.cell("rm", "-f", "provisioned").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aBadSpecIsAnErrorNamingTheFileAndTheKey() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func check(_ name: String, _ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let spec = root.file(name)
            try text.write(toFile: spec, atomically: true, encoding: .utf8)
            let result = try root.cell("test", "--image", "busybox", "--config", spec)
            #expect(result.status == 125, sourceLocation: sourceLocation)
            #expect(result.stderr.hasPrefix("Error: \(spec): \(message)"), "\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "nothing ran", sourceLocation: sourceLocation)
        }
        try check("typo.yaml", "schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n    command: ls\n    expectedOuput: [a]\n",
                  "line 5: commandTests[0].expectedOuput: unknown key \"expectedOuput\"")
        try check("regex.yaml", "schemaVersion: 2.0.0\nfileContentTests:\n  - name: x\n    path: /etc/passwd\n    expectedContents: [\"a(b\"]\n",
                  "line 5: fileContentTests[0].expectedContents[0]: bad regular expression \"a(b\"")
        try check("version.yaml", "schemaVersion: 1.0.0\n", "line 1: schemaVersion: unsupported version \"1.0.0\" (cell reads 2.0.0)")
        try check("yaml.yaml", "schemaVersion: 2.0.0\ncommandTests: [\n", "line ")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }
}
