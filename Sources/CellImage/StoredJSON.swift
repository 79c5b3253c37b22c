#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import CellFormat

/// A document of the store that `StoredJSON.decode` reads without Codable (its Decodable stays
/// for documents that come from elsewhere, and must read alike).
public protocol StoredJSONDocument: Decodable {
    init(fields: JSONFields) throws
}

/// A document of the store that `StoredJSON.encode` writes without Codable (see JSONFields for
/// why): `storedJSONValue` holds what its synthesized Encodable writes, which JSONEncoder's
/// `.sortedKeys` output it then is (U+2028 and U+2029 aside, which come out escaped).
public protocol StoredJSONEncodable: Encodable {
    var storedJSONValue: JSONValue { get }
}

/// The JSON documents cell stores (image configs, manifests, the index, container records), in
/// and out through Codable, or for those every `cell run` reads or writes, field by field
/// (`StoredJSONDocument`, `StoredJSONEncodable`); deterministic (sorted keys) so equal content
/// gives equal digests.
/// Docker-shaped output (inspect, templates) is CellFormat's `JSONValue`, ordered as Docker orders it.
public enum StoredJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// A document `cell run` writes: no JSONEncoder (see StoredJSONEncodable).
    public static func encode<T: StoredJSONEncodable>(_ value: T) throws -> [UInt8] {
        Array(value.storedJSONValue.serialized(indent: nil, escapingHTML: false).utf8)
    }

    /// A document `cell run` reads: parsed into a `JSONValue` and read field by field, with the
    /// Decodable's results and refusals but none of Codable's cold start (see JSONFields).
    public static func decode<T: StoredJSONDocument>(_ type: T.Type, from bytes: [UInt8], what: @autoclosure () -> String) throws -> T {
        do {
            return try T(fields: try JSONFields(try JSONValue(parsing: bytes)))
        } catch let failure as JSONFields.Failure {
            throw CellError.invalidInput("\(what()) is not valid: \(failure.description)")
        } catch let error as CellError where error.message.hasPrefix("invalid JSON") {
            throw CellError.invalidInput("\(what()) is not valid: malformed JSON")
        } catch let error as CellError {
            throw CellError.invalidInput("\(what()) is not valid: \(error.message)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: @autoclosure () -> String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw CellError.invalidInput("\(what()) is not valid: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let error as CellError: return error.message
        default: return "malformed JSON"
        }
    }
}
