import CellCore
import Testing
@testable import CellImagefile

@Suite struct ParserConformanceTests {
    @Test func conformanceDataIsPresent() {
        #expect(Conformance.parserCases.count >= 30)
        #expect(Conformance.negativeCases.count >= 4)
    }

    @Test(arguments: Conformance.parserCases)
    func dumpMatchesBuildKit(_ name: String) throws {
        let text = Conformance.read("parser/testfiles/\(name)/Dockerfile")
        let expected = Conformance.read("parser/testfiles/\(name)/result")
        let imagefile = try Imagefile(parsing: text, fileName: "Dockerfile")
        #expect(imagefile.dump() == expected)
    }

    @Test(arguments: Conformance.negativeCases)
    func negativeCaseIsRejected(_ name: String) {
        let text = Conformance.read("parser/testfiles-negative/\(name)/Dockerfile")
        do {
            let imagefile = try Imagefile(parsing: text, fileName: "Dockerfile")
            _ = try imagefile.stages()
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.hasPrefix("Dockerfile:"), "\(error.message)")
        }
    }
}
