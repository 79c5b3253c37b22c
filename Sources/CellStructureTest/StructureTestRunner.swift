import CellCore

/// Runs one spec's tests against a target, in container-structure-test's order: the commands,
/// several at a time (each mostly waits on a container of its own; with --container the caller
/// asks for one at a time, as they share it), then the files and the metadata, which only read.
public enum StructureTestRunner {
    public static func run(_ spec: StructureTestSpec, on target: StructureTestTarget, parallel width: Int) -> SpecResults {
        let started = Deadline.monotonicNow()
        var results: [TestResult] = []
        let tests = spec.commandTests
        let global = spec.globalEnvironment
        let slots = SharedSlots<TestResult>(count: tests.count)
        Parallel.forEach(tests.count, width: width) { index in
            slots[index] = timed { CommandTestCheck.evaluate(tests[index], on: target, globalEnvironment: global) }
        }
        results += (0..<tests.count).map { slots[$0] ?? TestResult(kind: .command, name: tests[$0].name) }
        results += spec.fileExistenceTests.map { test in timed { FileTestCheck.evaluate(test, on: target) } }
        results += spec.fileContentTests.map { test in timed { FileTestCheck.evaluate(test, on: target) } }
        if let metadata = spec.metadataTest {
            results.append(timed { MetadataCheck.evaluate(metadata, on: target) })
        }
        return SpecResults(file: spec.file, results: results, duration: Deadline.monotonicNow() - started)
    }

    /// The result with the time `body` took.
    @Sendable static func timed(_ body: () -> TestResult) -> TestResult {
        let start = Deadline.monotonicNow()
        var result = body()
        result.duration = Deadline.monotonicNow() - start
        return result
    }
}
