import CellFormat
import NIOHTTP1

/// What a route answers: a whole body, nothing, or a body it writes as it goes (logs, a wait that
/// sends its header first and its status when the container exits).
enum APIResponse: Sendable {
    case json(HTTPResponseStatus, JSONValue)
    /// A JSON answer serialized already (`jsonBody`), by a route that bounds that work itself.
    case serializedJSON(HTTPResponseStatus, [UInt8])
    case empty(HTTPResponseStatus)
    case text(HTTPResponseStatus, String, headers: [(String, String)] = [])
    /// The head is sent with `contentType` first; `write` then streams the body on the request's
    /// thread through the `ResponseStream` it is given, and the response ends when it returns.
    /// `headers` go with the head (an archive's stat).
    case stream(HTTPResponseStatus, contentType: String, headers: [(String, String)] = [],
                write: @Sendable (ResponseStream) throws -> Void)
    /// The connection is taken over (attach, exec start): the head is written raw, `101 UPGRADED`
    /// when the client asked for the upgrade (`Upgrade: tcp`), else `200 OK` as moby answers
    /// those that do not; then `session` runs on the request's thread with raw bytes both ways,
    /// and the connection ends when it returns.
    /// Docker's JSON progress stream (pull, push, load, build): the head waits for the first
    /// message, so an error before it is a plain error answer; one after it ends the stream as
    /// its last message.
    case messages(write: @Sendable (JSONMessageStream) throws -> Void)
    case hijack(upgrade: Bool, contentType: String, session: @Sendable (HijackedConnection) -> Void)

    /// The body of a JSON answer as Docker's daemon writes it: Go's encoder without HTML escaping,
    /// one line.
    static func jsonBody(_ value: JSONValue) -> [UInt8] {
        var text = value.serialized(indent: nil, escapingHTML: false)
        text += "\n"
        return Array(text.utf8)
    }

    static func error(_ error: APIError) -> APIResponse {
        .json(error.status, .object([("message", .string(error.message))]))
    }
}
