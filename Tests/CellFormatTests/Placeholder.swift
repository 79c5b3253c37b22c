import Testing

@Test func placeholder_CellFormatTests() { #expect(true) }
