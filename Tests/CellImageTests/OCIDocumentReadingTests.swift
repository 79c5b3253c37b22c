#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import Testing
@testable import CellImage

/// The store's documents read field by field (`StoredJSONDocument`) read as their Decodable
/// reads them: the same value, or a refusal where it refuses. Hostile and odd documents too.
@Suite struct OCIDocumentReadingTests {
    static let digest = "sha256:" + String(repeating: "a", count: 64)
    static let other = "sha256:" + String(repeating: "b", count: 64)

    /// Both readings of `text` as `T`: equal (compared as their stored encoding), or both refused.
    static func expectAlike<T: StoredJSONDocument & Encodable>(_ type: T.Type, _ text: String,
                                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = Array(text.utf8)
        let fast = Result { try StoredJSON.decode(type, from: bytes, what: "document") }
        let codable = Result { try JSONDecoder().decode(type, from: Data(bytes)) }
        switch (fast, codable) {
        case (.success(let a), .success(let b)):
            #expect(try StoredJSON.encode(a) == StoredJSON.encode(b), "\(text)", sourceLocation: sourceLocation)
        case (.failure(let error), .failure):
            #expect(error is CellError, "\(text): \(error)", sourceLocation: sourceLocation)
        case (.success, .failure(let error)):
            Issue.record("read, but Codable refuses (\(error)): \(text)", sourceLocation: sourceLocation)
        case (.failure(let error), .success):
            Issue.record("refused (\(error)), but Codable reads it: \(text)", sourceLocation: sourceLocation)
        }
    }

    static let descriptor = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":528"#

    @Test(arguments: [
        #"{"schemaVersion":2,"manifests":[]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(descriptor)}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"annotations":{"org.opencontainers.image.ref.name":"busybox:latest","a":"b"},"platform":{"architecture":"amd64","os":"linux","variant":"v8"}}]}"#,
        // Repeated keys: the first counts, as in JSONDecoder.
        #"{"schemaVersion":2,"schemaVersion":"x","manifests":[],"manifests":7}"#,
        #"{"schemaVersion":2.0,"manifests":[\#(descriptor),"size":1e3}]}"#,
        // Integral doubles up to Int64's limits, which JSONDecoder takes exactly.
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"size":9.2233720368547e18}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"size":-9.223372036854775808e18}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"annotations":null,"platform":null}],"extra":[1,{"x":null}]}"#,
        // Refused by both.
        #"{"manifests":[]}"#,
        #"{"schemaVersion":2}"#,
        #"{"schemaVersion":2,"manifests":null}"#,
        #"{"schemaVersion":2.5,"manifests":[]}"#,
        #"{"schemaVersion":"2","manifests":[]}"#,
        #"{"schemaVersion":2,"manifests":{}}"#,
        #"{"schemaVersion":2,"manifests":[null]}"#,
        #"{"schemaVersion":2,"manifests":[7]}"#,
        #"{"schemaVersion":2,"manifests":[{"mediaType":"m","digest":"sha256:xyz","size":1}]}"#,
        #"{"schemaVersion":2,"manifests":[{"mediaType":"m","digest":"\#(digest)","size":-1.5}]}"#,
        #"{"schemaVersion":2,"manifests":[{"mediaType":"m","digest":"\#(digest)"}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"annotations":{"a":1}}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"platform":{"os":"linux"}}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"size":99999999999999999999}]}"#,
        #"{"schemaVersion":2,"manifests":[\#(descriptor),"size":9.223372036854775808e18}]}"#,
        #"[]"#, #"null"#, #"{"schemaVersion":2,"manifests":[]"#, "{\"schemaVersion\":2,\"manifests\":[],\"\u{0}\":1}",
    ])
    func indexesReadAlike(text: String) throws {
        try OCIDocumentReadingTests.expectAlike(ImageIndex.self, text)
    }

    @Test(arguments: [
        #"{"schemaVersion":2,"config":\#(descriptor)},"layers":[]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(descriptor)},"layers":[\#(descriptor)},\#(descriptor),"size":0}],"annotations":{"k":"v"}}"#,
        #"{"schemaVersion":2,"config":\#(descriptor)}}"#,
        #"{"schemaVersion":2,"layers":[]}"#,
        #"{"schemaVersion":2,"config":null,"layers":[]}"#,
        #"{"schemaVersion":2,"config":[],"layers":[]}"#,
        #"{"schemaVersion":2,"config":\#(descriptor)},"layers":[],"annotations":[]}"#,
    ])
    func manifestsReadAlike(text: String) throws {
        try OCIDocumentReadingTests.expectAlike(Manifest.self, text)
    }

    static let rootfs = #""rootfs":{"type":"layers","diff_ids":["\#(digest)","\#(other)"]}"#

    @Test(arguments: [
        #"{"architecture":"amd64","os":"linux",\#(rootfs)}"#,
        #"{"created":"2024-01-01T00:00:00Z","author":"me","architecture":"arm64","os":"linux","variant":"v8",\#(rootfs),"config":{"User":"1:2","ExposedPorts":{"80/tcp":{},"53/udp":null,"1/tcp":[],"80/tcp":{"x":1}},"Env":["A=1","B"],"Entrypoint":["/bin/sh","-c"],"Cmd":null,"Volumes":{"/data":{}},"WorkingDir":"/w","Labels":{"a":"b","a":"c"},"StopSignal":"SIGKILL","Shell":["/bin/bash"],"OnBuild":["RUN x"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Timeout":2e9,"StartPeriod":0,"StartInterval":5,"Retries":3}},"history":[{"created":"x","created_by":"/bin/sh","author":"a","comment":"c","empty_layer":true},{}]}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":null,"history":null}"#,
        // Refused by both.
        #"{"architecture":"amd64","os":"linux"}"#,
        #"{"architecture":"amd64",\#(rootfs)}"#,
        #"{"architecture":"amd64","os":"linux","rootfs":{"diff_ids":[]}}"#,
        #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["nope"]}}"#,
        #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[null]}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{"Env":"A=1"}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{"Env":["A",1]}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{"ExposedPorts":["80/tcp"]}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{"Healthcheck":{"Retries":1.5}}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"config":{"Healthcheck":{"Interval":"1s"}}}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"history":[{"empty_layer":"yes"}]}"#,
        #"{"architecture":"amd64","os":"linux",\#(rootfs),"history":[null]}"#,
        #"{"architecture":7,"os":"linux",\#(rootfs)}"#,
    ])
    func configsReadAlike(text: String) throws {
        try OCIDocumentReadingTests.expectAlike(ImageConfig.self, text)
    }

    /// A hostile config's hundred thousand ports (and a repeated one) read in linear time: a
    /// list of names searched name by name would take minutes here.
    @Test func manyPortsAreReadInLinearTime() throws {
        let ports = (0..<100_000).map { #""\#($0)/tcp":{}"# }.joined(separator: ",")
        let text = #"{"architecture":"amd64","os":"linux",\#(OCIDocumentReadingTests.rootfs),"config":{"ExposedPorts":{\#(ports),"7/tcp":[]}}}"#
        let config = try StoredJSON.decode(ImageConfig.self, from: Array(text.utf8), what: "image config")
        #expect(config.config?.exposedPorts?.count == 100_000)
    }

    @Test func refusalsNameTheField() {
        #expect(throws: CellError.invalidInput("image config is not valid: missing field \"rootfs\"")) {
            try StoredJSON.decode(ImageConfig.self, from: Array(#"{"architecture":"amd64","os":"linux"}"#.utf8), what: "image config")
        }
        #expect(throws: CellError.invalidInput("image config is not valid: wrong type at config.Env.1")) {
            try StoredJSON.decode(ImageConfig.self, from: Array(#"{"architecture":"amd64","os":"linux",\#(OCIDocumentReadingTests.rootfs),"config":{"Env":["A",1]}}"#.utf8),
                                  what: "image config")
        }
        #expect(throws: CellError.invalidInput("index is not valid: malformed JSON")) {
            try StoredJSON.decode(ImageIndex.self, from: Array("{".utf8), what: "index")
        }
    }
}
