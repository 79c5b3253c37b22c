#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import CellImage
import Testing
@testable import CellContainers

/// A network's record read field by field reads as its Decodable reads it.
@Suite struct NetworkRecordReadingTests {
    @Test(arguments: [
        #"{"name":"bridge","id":"abc","created":"2024","driver":"bridge","subnet":"172.17.0.0/16","gateway":"172.17.0.1","isInternal":false,"labels":{},"options":{"a":"b"}}"#,
        #"{"name":"host","id":"h","created":"c","driver":"host","isInternal":true,"labels":{"x":"y","x":"z"},"options":{},"subnet":null}"#,
        #"{"name":"n","id":"i","created":"c","driver":"bridge","isInternal":false,"labels":{}}"#,
        #"{"name":"n","id":"i","created":"c","driver":"bridge","isInternal":0,"labels":{},"options":{}}"#,
        #"{"name":"n","id":"i","created":"c","driver":"bridge","isInternal":false,"labels":null,"options":{}}"#,
        #"{"name":"n","id":"i","created":"c","driver":"bridge","isInternal":false,"labels":{"a":1},"options":{}}"#,
        #"{"name":null,"id":"i","created":"c","driver":"bridge","isInternal":false,"labels":{},"options":{}}"#,
    ])
    func readsAlike(text: String) throws {
        let bytes = Array(text.utf8)
        let fast = Result { try StoredJSON.decode(Network.self, from: bytes, what: "network") }
        let codable = Result { try JSONDecoder().decode(Network.self, from: Data(bytes)) }
        switch (fast, codable) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
        case (.failure, .failure): break
        default: Issue.record("\(text): \(fast) but Codable \(codable)")
        }
    }
}
