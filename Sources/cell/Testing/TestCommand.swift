#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore
import CellStructureTest

/// `cell test`: container-structure-test specs (schemaVersion 2.0.0) against an image, each
/// command in a fresh container, or against a running container after it was provisioned.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check an image or a running container against container-structure-test specs.",
        discussion: "Exit status: 0 when every test passes, 1 when one fails, 125 when a spec or the target is wrong.")

    @Option(name: [.customShort("i"), .long], help: "The image to test.", completion: NameCompletion.images)
    var image: String?

    @Option(name: .long, help: "A running container to test instead of an image.", completion: NameCompletion.containers(.running))
    var container: String?

    @Option(name: [.customShort("c"), .long], help: "A spec file, YAML or JSON (repeatable).", completion: .file())
    var config: [String] = []

    @Option(name: [.customShort("o"), .long], help: "text, json or junit.")
    var output: TestReport.Format = .text

    @Option(name: .long, help: "Write the report to this file instead of stdout.", completion: .file())
    var testReport: String?

    @Option(name: .long, help: "How many command tests run at once (default: 2 per CPU; 1 with --container).")
    var parallel: Int?

    func validate() throws {
        guard (image == nil) != (container == nil) else { throw ValidationError("give either --image or --container") }
        guard !config.isEmpty else { throw ValidationError("at least one --config spec file is required") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    }

    func run() throws {
        // Every spec is read before anything runs: a mistake in the last file stops the run.
        let specs = try config.map(StructureTestSpecReader.read(file:))
        var results: [SpecResults] = []
        for spec in specs {
            let target: StructureTestTarget
            let width: Int
            if let container {
                target = try ContainerTarget(try GlobalOptions.containerStore().resolve(container), runOptions: spec.runOptions)
                width = parallel ?? 1
            } else {
                target = try ImageTarget(image: image ?? "", images: try GlobalOptions.imageStore(),
                                         containers: try GlobalOptions.containerStore(), monitorPath: GlobalOptions.monitorPath,
                                         initBinary: GlobalOptions.initPath, runOptions: spec.runOptions)
                width = parallel ?? 2 * ProcessorCount.online
            }
            results.append(StructureTestRunner.run(spec, on: target, parallel: width))
        }
        let report = TestReport(specs: results)
        let rendered = report.rendered(output)
        if let testReport {
            try FileSystem.writeAtomically(Array(rendered.utf8), to: testReport)
            if output != .text { Output.line("\(report.passed) passed, \(report.failed) failed") }
        } else {
            print(rendered, terminator: "")
        }
        if report.failed > 0 { throw ExitCode(1) }
    }
}

extension TestReport.Format: ExpressibleByArgument {}
