import Testing
@testable import CellContainers

@Test func generatedNamesAreValid() {
    for _ in 0..<100 { #expect(NameGenerator.isValid(NameGenerator.generate())) }
}
