import Testing

@Test func placeholder_runtime() { #expect(true) }
