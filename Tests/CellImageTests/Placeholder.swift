import Testing

@Test func placeholder_CellImageTests() { #expect(true) }
