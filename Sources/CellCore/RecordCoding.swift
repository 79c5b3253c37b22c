#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The on-disk format of the spec and state files, chosen to need no Foundation and to carry
/// any byte but NUL (which no C string, hence no argument, path or variable, can hold):
///
///     record := key NUL count NUL (field NUL){count}
///
/// Lists are repeated records with the same key. Readers skip keys they do not know, so new
/// fields can be added without breaking old monitors. `tr '\0' '\n' < spec` makes it legible.
public struct RecordWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Throws, writing nothing, for a field with a NUL byte (the separator): the input
    /// boundaries refuse those, and a record must not trap the process if one slips through.
    public mutating func append(_ key: String, _ fields: [String]) throws {
        try NULByte.check(fields, as: "\(key) value", kind: .setup)
        field(key)
        field(String(fields.count))
        for value in fields { field(value) }
    }

    public mutating func append(_ key: String, _ value: String) throws { try append(key, [value]) }

    private mutating func field(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        bytes.append(0)
    }
}

/// One decoded record: its key and fields.
public struct Record: Equatable, Sendable {
    public var key: String
    public var fields: [String]

    /// The first field, or "" for a record without fields.
    public var value: String { fields.first ?? "" }
}

/// The records of one document (a spec, a state) whose first record names its kind, with the
/// errors its decoder reports for a field it cannot read.
public struct RecordDocument {
    public let records: [Record]
    let what: String

    /// Throws unless `bytes` decode and start with a `header` record.
    public init(_ bytes: [UInt8], what: String, header: String) throws {
        records = try RecordReader.records(in: bytes, what: what)
        self.what = what
        guard records.first?.key == header else {
            throw CellError.invalidInput("\(what): not a \(String(header.map { $0 == "-" ? " " : $0 }))")
        }
    }

    public func bad(_ record: Record) -> CellError {
        CellError.invalidInput("\(what): bad \(record.key) \"\(record.fields.joined(separator: " "))\"")
    }

    /// The record's value as a number of type T.
    public func number<T: FixedWidthInteger>(_ record: Record) throws -> T {
        guard let value = T(record.value) else { throw bad(record) }
        return value
    }
}

public enum RecordReader {
    /// Splits `bytes` into records; throws `.invalidInput` naming `what` when it is truncated.
    public static func records(in bytes: [UInt8], what: String) throws -> [Record] {
        var strings: [String] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0 {
            strings.append(String(decoding: bytes[start..<index], as: UTF8.self))
            start = index + 1
        }
        guard start == bytes.count else { throw CellError.invalidInput("\(what): truncated record") }
        var records: [Record] = []
        var at = 0
        while at < strings.count {
            guard at + 1 < strings.count, let count = Int(strings[at + 1]), count >= 0,
                  at + 2 + count <= strings.count else {
                throw CellError.invalidInput("\(what): malformed record \"\(strings[at])\"")
            }
            records.append(Record(key: strings[at], fields: Array(strings[(at + 2)..<(at + 2 + count)])))
            at += 2 + count
        }
        return records
    }
}
