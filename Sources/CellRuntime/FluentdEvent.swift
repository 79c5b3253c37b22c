import CellCore

/// Events in the Forward protocol's Message mode (Forward Protocol Specification v1), as
/// Docker's driver sends each line: `[tag, time, record, option]`, msgpack-encoded.
///
/// - time: whole seconds since the epoch as an int, or with `fluentd-sub-second-precision` an
///   EventTime (ext type 0, 8 bytes: big-endian 32-bit seconds, then 32-bit nanoseconds, UTC).
/// - record: `container_id`, `container_name`, `source` (stdout or stderr) and `log` (the line
///   without its newline), then the `labels`/`env` fields; a piece of a line longer than 16 KiB
///   also carries Docker's `partial_message`, `partial_id`, `partial_ordinal`, `partial_last`.
/// - option: an empty map (no `chunk`: cell asks for no acknowledgements), as Docker's client
///   always sends one.
///
/// What is the same in every event of a container (the tag, its fields' names, its id, name,
/// labels) is encoded once; each line adds its time, source and text.
public struct FluentdEvent {
    /// Where a piece of a long line belongs (Docker's PartialLogMetaData).
    public struct Partial: Equatable {
        public var id: String
        public var ordinal: Int
        public var last: Bool

        public init(id: String, ordinal: Int, last: Bool) {
            self.id = id
            self.ordinal = ordinal
            self.last = last
        }
    }

    public static let eventTimeExtensionType: Int8 = 0

    /// A field of the record: its name, and its value when it is the same in every event.
    private struct Field {
        var key: [UInt8]
        var constant: [UInt8]?
    }

    private let subSecondPrecision: Bool
    /// The array's header and the tag.
    private let head: [UInt8]
    private let fields: [Field]
    private let sourceIndex: Int?
    private let logIndex: Int?
    private static let partialNames = ["partial_message", "partial_id", "partial_ordinal", "partial_last"]
    /// A label or variable that shares a name with a partial field replaces it, as in Docker.
    private let partialOverrides: [String: [UInt8]]

    public init(destination: FluentdDestination) {
        subSecondPrecision = destination.subSecondPrecision
        var writer = MessagePackWriter()
        writer.appendArrayHeader(count: 4)
        writer.append(destination.tag)
        head = writer.bytes
        func encoded(_ text: String) -> [UInt8] {
            var writer = MessagePackWriter()
            writer.append(text)
            return writer.bytes
        }
        var fields = [Field(key: encoded("container_id"), constant: encoded(destination.containerID)),
                      Field(key: encoded("container_name"), constant: encoded(destination.containerName)),
                      Field(key: encoded("source"), constant: nil), Field(key: encoded("log"), constant: nil)]
        let names = ["container_id", "container_name", "source", "log"]
        var overrides: [String: [UInt8]] = [:]
        // Docker copies the extra fields over its own: a label named `log` wins, there too.
        for (key, value) in destination.extraFields.sorted(by: { $0.key < $1.key }) {
            if let index = names.firstIndex(of: key) {
                fields[index].constant = encoded(value)
            } else if FluentdEvent.partialNames.contains(key) {
                overrides[key] = encoded(value)
            } else {
                fields.append(Field(key: encoded(key), constant: encoded(value)))
            }
        }
        self.fields = fields
        sourceIndex = fields[2].constant == nil ? 2 : nil
        logIndex = fields[3].constant == nil ? 3 : nil
        partialOverrides = overrides
    }

    /// One event's bytes, ready for the connection.
    public func encode(_ line: ArraySlice<UInt8>, source: ContainerLogWriter.Stream, time: Timestamp,
                       partial: Partial? = nil) -> [UInt8] {
        var writer = MessagePackWriter(reservingCapacity: head.count + line.count + 200)
        writer.appendRaw(head)
        FluentdEvent.appendTime(time, subSecond: subSecondPrecision, to: &writer)
        writer.appendMapHeader(count: fields.count + (partial == nil ? partialOverrides.count : 4))
        for (index, field) in fields.enumerated() {
            writer.appendRaw(field.key)
            if let constant = field.constant {
                writer.appendRaw(constant)
            } else if index == sourceIndex {
                writer.append(source.rawValue)
            } else if index == logIndex {
                writer.appendString(line)
            }
            // Docker's partial fields come right after its own four.
            if index == 3, let partial {
                let values = ["true", partial.id, String(partial.ordinal), partial.last ? "true" : "false"]
                for (name, value) in zip(FluentdEvent.partialNames, values) {
                    writer.append(name)
                    if let override = partialOverrides[name] { writer.appendRaw(override) } else { writer.append(value) }
                }
            } else if index == 3 {
                for name in FluentdEvent.partialNames {
                    guard let override = partialOverrides[name] else { continue }
                    writer.append(name)
                    writer.appendRaw(override)
                }
            }
        }
        writer.appendMapHeader(count: 0)
        return writer.bytes
    }

    static func appendTime(_ time: Timestamp, subSecond: Bool, to writer: inout MessagePackWriter) {
        guard subSecond else { return writer.append(time.seconds) }
        // The spec's 32 bits of seconds (as Docker's client writes them: they wrap in 2106).
        let seconds = UInt32(truncatingIfNeeded: time.seconds), nanoseconds = UInt32(time.nanoseconds)
        var payload: [UInt8] = []
        for value in [seconds, nanoseconds] {
            payload += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        writer.appendExtension(type: eventTimeExtensionType, payload)
    }
}
