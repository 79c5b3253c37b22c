import Testing
@testable import CellFormat

/// The YAML reader, checked against what PyYAML (a reference reader) makes of the same texts.
@Suite("YAML reader")
struct YAMLReaderTests {
    /// JSON-like text of a node with YAML 1.2 core typing, as the expectations were made.
    static func canonical(_ node: YAMLNode) -> String {
        switch node.kind {
        case .null: return "null"
        case .scalar(let text, let quoted):
            if !quoted, let bool = node.bool { return bool ? "true" : "false" }
            if !quoted, let int = node.int { return String(int) }
            return JSONValue.string(text).serialized(indent: nil, escapingHTML: false)
        case .sequence(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        case .mapping(let pairs):
            return "{" + pairs.map { JSONValue.string($0.key).serialized(indent: nil, escapingHTML: false) + ":" + canonical($0.value) }
                .joined(separator: ",") + "}"
        }
    }

    static let cases: [(String, String, String)] = [
        ("nestedBlocks", "a:\n  b: 1\n  c:\n    - x\n    - y: 2\n      z: 3\n    -\n      nested: true\nd: plain text\n",
         "{\"a\":{\"b\":1,\"c\":[\"x\",{\"y\":2,\"z\":3},{\"nested\":true}]},\"d\":\"plain text\"}"),
        ("sequenceAtKeyIndent", "args:\n- /tmp\n- -l\nnext: v\n",
         "{\"args\":[\"/tmp\",\"-l\"],\"next\":\"v\"}"),
        ("flowCollections", "s: [a, \"b, c\", 'd', [1, 2], {k: v, \"q\": [x,\n   y]}]\ne: []\nm: {}\n",
         "{\"s\":[\"a\",\"b, c\",\"d\",[1,2],{\"k\":\"v\",\"q\":[\"x\",\"y\"]}],\"e\":[],\"m\":{}}"),
        ("quotedScalars", "d: \"tab\\there \\u00e9 \\x41 q\\\" bs\\\\\"\ns: 'it''s'\nf: \"folded\n  line\n\n  para\"\n",
         "{\"d\":\"tab\\there é A q\\\" bs\\\\\",\"s\":\"it's\",\"f\":\"folded line\\npara\"}"),
        ("blockScalars", "lit: |\n  one\n   two\n\n  three\nkeep: |+\n  a\n\nstrip: >-\n  folded\n  text\n\n  next\nclip: >\n  x\n  y\nlast: end\n",
         "{\"lit\":\"one\\n two\\n\\nthree\\n\",\"keep\":\"a\\n\\n\",\"strip\":\"folded text\\nnext\",\"clip\":\"x y\\n\",\"last\":\"end\"}"),
        ("commentsAndPlainFolding", "# top\nkey: value # trailing\nurl: http://x/#frag\nlong: this is\n  continued\n  here\nempty:\nnull1: ~\ntilde: '~'\n",
         "{\"key\":\"value\",\"url\":\"http://x/#frag\",\"long\":\"this is continued here\",\"empty\":null,\"null1\":null,\"tilde\":\"~\"}"),
        ("documentMarkers", "%YAML 1.2\n---\nx: 1\n...\n",
         "{\"x\":1}"),
        ("json", "{\"schemaVersion\": \"2.0.0\", \"commandTests\": [{\"name\": \"x\", \"command\": \"echo\", \"args\": [\"a\"]}], \"n\": null}",
         "{\"schemaVersion\":\"2.0.0\",\"commandTests\":[{\"name\":\"x\",\"command\":\"echo\",\"args\":[\"a\"]}],\"n\":null}"),
        ("sequenceOfSequences", "setup: [[\"touch\", \"/tmp/x\"], [\"ls\"]]\nlist:\n  - - a\n    - b\n  - - c\n",
         "{\"setup\":[[\"touch\",\"/tmp/x\"],[\"ls\"]],\"list\":[[\"a\",\"b\"],[\"c\"]]}"),
        ("scalarsTyped", "t: true\nf: False\nn: 42\nh: 0x1f\nq: \"7\"\nneg: -3\n",
         "{\"t\":true,\"f\":false,\"n\":42,\"h\":31,\"q\":\"7\",\"neg\":-3}"),
    ]

    @Test(arguments: cases.map { $0.0 })
    func readsAsTheReferenceDoes(_ name: String) throws {
        let (_, text, expected) = YAMLReaderTests.cases.first { $0.0 == name }!
        #expect(YAMLReaderTests.canonical(try YAMLReader.parse(text)) == expected)
    }

    @Test func nodesKnowTheirLines() throws {
        let root = try YAMLReader.parse("# comment\nfirst: 1\nsecond:\n  - a\n  - name: b\n")
        #expect(root.line == 2)
        #expect(root["second"]?.line == 4)
        #expect(root["second"]?.sequence?[1]["name"]?.string == "b")
        #expect(root["second"]?.sequence?[1].line == 5)
    }

    @Test func mistakesAreErrorsWithTheirLine() {
        func error(_ text: String) -> YAMLError? {
            do {
                _ = try YAMLReader.parse(text)
                return nil
            } catch {
                return error as? YAMLError
            }
        }
        #expect(error("a: 1\nb: 2\na: 3\n") == YAMLError(line: 3, message: "duplicate key \"a\""))
        #expect(error("a:\n\tb: 1\n")?.message == "tabs are not allowed for indentation")
        #expect(error("a: &x 1\nb: *x\n")?.message == "anchors/aliases/tags are not supported")
        #expect(error("a: !!str 1\n")?.message == "anchors/aliases/tags are not supported")
        #expect(error("? complex\n: key\n")?.message == "complex keys (? ) are not supported")
        #expect(error("a: [1, 2\nb: 3\n")?.message.hasPrefix("expected ',' or ']'") == true)
        #expect(error("a: [1, 2\n")?.message == "unterminated flow sequence")
        #expect(error("a: \"open\n")?.message == "unterminated quoted string")
        #expect(error("a: 1\n  b: 2\n") != nil, "bad indentation")
        #expect(error("a: b: c\n")?.message == "mapping values are not allowed here")
        #expect(error("a: 1\n---\nb: 2\n")?.message == "a second document is not supported")
        #expect(error("a: [1] x\n")?.message == "unexpected text after a value")
        #expect(error("- a\nb: 1\n") != nil, "a mapping after a sequence at the top")
        #expect(error("a: \"\\q\"\n")?.message == "bad escape \\q in a quoted string")
    }

    @Test func hostileInputEndsInAnErrorOrAValue() {
        // Truncations of a valid document: never a crash, never a hang.
        let text = "a:\n  - [1, {b: \"c\\u00e9\"}]\n  - |\n    x\n  - 'q''r'\n"
        let scalars = Array(text.unicodeScalars)
        for end in 0...scalars.count {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[..<end])
            _ = try? YAMLReader.parse(String(view))
        }
    }
}
