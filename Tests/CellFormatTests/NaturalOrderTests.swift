import Testing
import CellFormat

@Suite struct NaturalOrderTests {
    /// `docker port`'s lines: numbers by value, a digit before any other byte.
    @Test func numbersByValueAndDigitsFirst() {
        let lines = ["443/tcp -> [::]:8443", "80/tcp -> [::]:8080", "443/tcp -> 0.0.0.0:8443", "80/tcp -> 0.0.0.0:8080", "53/udp -> 0.0.0.0:53"]
        #expect(lines.sorted(by: NaturalOrder.isLess) == [
            "53/udp -> 0.0.0.0:53", "80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080", "443/tcp -> 0.0.0.0:8443", "443/tcp -> [::]:8443",
        ])
    }

    @Test func leadingZerosAndPrefixes() {
        #expect(NaturalOrder.isLess("a9", "a10"))
        #expect(NaturalOrder.isLess("a01", "a001"), "the same number: fewer zeros first")
        #expect(!NaturalOrder.isLess("a001", "a01"))
        #expect(NaturalOrder.isLess("a", "a1"))
        #expect(!NaturalOrder.isLess("abc", "abc"))
        #expect(NaturalOrder.isLess("x2y", "x2z"))
    }
}
