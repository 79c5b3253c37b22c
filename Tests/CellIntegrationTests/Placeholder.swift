import Testing

@Test func placeholder_CellIntegrationTests() { #expect(true) }
