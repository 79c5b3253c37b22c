import Testing

@Test func placeholder_imagefile() { #expect(true) }
