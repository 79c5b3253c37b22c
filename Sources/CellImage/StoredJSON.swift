#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore

/// The JSON documents cell stores (image configs, manifests, the index, container records), in
/// and out through Codable, deterministic (sorted keys) so equal content gives equal digests.
/// Docker-shaped output (inspect, templates) is CellFormat's `JSONValue`, ordered as Docker orders it.
public enum StoredJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
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
