import Testing

@Test func placeholder_CellArchiveTests() { #expect(true) }
