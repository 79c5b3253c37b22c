import CellCore
import Testing
@testable import CellFormat

@Suite struct JSONValueTests {
    @Test func indentedMatchesDockerInspect() {
        let value: JSONValue = .array([.object([
            ("Id", .string("sha256:abc")),
            ("RepoTags", .array([])),
            ("Config", .object([])),
            ("Size", .integer(5)),
            ("Labels", .null),
            ("Env", .strings(["A=1", "B=2"])),
            ("State", .object([("Running", .bool(true)), ("Pid", .int(42))])),
        ])])
        let expected = """
        [
            {
                "Id": "sha256:abc",
                "RepoTags": [],
                "Config": {},
                "Size": 5,
                "Labels": null,
                "Env": [
                    "A=1",
                    "B=2"
                ],
                "State": {
                    "Running": true,
                    "Pid": 42
                }
            }
        ]
        """
        #expect(value.indentedString == expected)
        #expect(JSONValue.array([]).indentedString == "[]")
    }

    @Test func compactKeepsOrder() {
        let value: JSONValue = ["b": 1, "a": [true, nil, "x"], "c": [:]]
        #expect(value.compactString == #"{"b":1,"a":[true,null,"x"],"c":{}}"#)
    }

    @Test func escapesLikeGo() {
        #expect(JSONValue.string("<a&b>").compactString == #""\u003ca\u0026b\u003e""#)
        #expect(JSONValue.string("<a&b>").serialized(indent: nil, escapingHTML: false) == #""<a&b>""#)
        #expect(JSONValue.string("q\"\\\n\r\t\u{01}\u{08}\u{0C}\u{7f}").compactString == #""q\"\\\n\r\t\u0001\b\f\#u{7f}""#)
        #expect(JSONValue.string("\u{2028}\u{2029}é😀").compactString == #""\u2028\u2029é😀""#)
    }

    @Test func floatsLikeEncodingJSON() {
        #expect(JSONValue.double(1.5).compactString == "1.5")
        #expect(JSONValue.double(100).compactString == "100")
        #expect(JSONValue.double(1e20).compactString == "100000000000000000000")
        #expect(JSONValue.double(1e21).compactString == "1e+21")
        #expect(JSONValue.double(0.000001).compactString == "0.000001")
        #expect(JSONValue.double(1e-7).compactString == "1e-7")
        #expect(JSONValue.double(-0.25).compactString == "-0.25")
        #expect(JSONValue.integer(Int64.min).compactString == "-9223372036854775808")
    }

    @Test func parsesAndRoundTrips() throws {
        let text = #"{"z": 1, "a": [1.5, -2, 2.5e-1, true, false, null], "s": "x\u00e9\ud83d\ude00\n\/", "o": {}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.objectValue?.map(\.0) == ["z", "a", "s", "o"])
        #expect(value["z"] == .integer(1))
        #expect(value["a"] == [1.5, -2, 0.25, true, false, nil])
        #expect(value["s"] == .string("xé😀\n/"))
        #expect(value["missing"] == nil)
        #expect(value["a"]?[1] == .integer(-2))
        #expect(try JSONValue(parsing: value.compactString) == value)
        #expect(try JSONValue(parsing: Array("  [ ]\n".utf8)) == .array([]))
        #expect(try JSONValue(parsing: "12345678901234567890") == .double(12_345_678_901_234_567_168))
    }

    @Test func duplicateKeysReadTheLast() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "a": 2}"#)
        #expect(value["a"] == .integer(2))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"a", "\"\u{01}\"", "[1] x", "{'a': 1}", "\"\\x\"", "nul"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: CellError.self) { try JSONValue(parsing: text) }
    }

    @Test func errorNamesTheProblem() {
        do {
            _ = try JSONValue(parsing: "[1, x]")
            Issue.record("expected an error")
        } catch let error as CellError {
            #expect(error.kind == .invalidInput)
            #expect(error.message == "invalid JSON: invalid character 'x' looking for beginning of value at offset 4")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func subscriptSetterKeepsPosition() {
        var value: JSONValue = ["a": 1, "b": 2]
        value["a"] = "one"
        value["c"] = 3
        value["b"] = nil
        #expect(value.compactString == #"{"a":"one","c":3}"#)
    }

    @Test func accessors() {
        #expect(JSONValue.double(5).integerValue == 5)
        #expect(JSONValue.integer(5).doubleValue == 5)
        #expect(JSONValue.string("x").stringValue == "x")
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.null.isNull)
    }
}
