import CellContainers
import CellCore

/// `GET /containers/{id}/logs`: the container's log as `cell logs` reads it, in Docker's stream
/// format: without a terminal each run of lines is one frame of the multiplexed stream (8 bytes:
/// the stream, 1 or 2, three zeros, the length big-endian; then the bytes), with one the raw bytes.
enum ContainerLogsRoute {
    static let routes = [Route(.GET, "/containers/{id}/logs", logs)]

    static func logs(_ call: RouteCall) throws -> APIResponse {
        let query = call.query
        let wantsStdout = query.bool("stdout"), wantsStderr = query.bool("stderr")
        guard wantsStdout || wantsStderr else {
            throw APIError.badRequest("Bad parameters: you must choose at least one stream")
        }
        let since = try unixTime(query["since"], parameter: "since")
        let until = try unixTime(query["until"], parameter: "until")
        // Docker reads a tail that is not a number as all of it.
        let tail = query["tail"].flatMap(Int.init).flatMap { $0 < 0 ? nil : $0 }
        let selection = LogSelection(timestamps: query.bool("timestamps"), since: since, until: until, tail: tail)
        let follow = query.bool("follow")
        let store = try call.engine.containers()
        let container = try store.resolve(call.capture("id"))
        do {
            try ContainerLog.checkReadable(container)
        } catch let error as CellError {
            throw APIError(.notImplemented, error.message)
        }
        let framed = !container.record.config.tty
        // Before 1.42 Docker called both raw; the bytes are the same.
        let contentType = framed && call.version >= APIVersion(major: 1, minor: 42)
            ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream"
        return .stream(.ok, contentType: contentType) { stream in
            try store.copyLogs(of: container, selection: selection, follow: follow, while: { stream.isOpen }) { source, bytes in
                let wanted = source == .stdout ? wantsStdout : wantsStderr
                guard wanted else { return true }
                do {
                    try stream.write(framed ? frame(bytes, stdout: source == .stdout) : Array(bytes))
                    return true
                } catch {
                    return false
                }
            }
        }
    }

    /// One frame of Docker's multiplexed stream.
    static func frame(_ bytes: ArraySlice<UInt8>, stdout: Bool) -> [UInt8] {
        let length = UInt32(bytes.count)
        var framed: [UInt8] = [stdout ? 1 : 2, 0, 0, 0,
                               UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        framed.reserveCapacity(8 + bytes.count)
        framed += bytes
        return framed
    }

    /// moby's timestamp.ParseUnixTimestamp: `SECONDS[.NANOSECONDS]`; empty or 0 is no bound.
    static func unixTime(_ text: String?, parameter: String) throws -> Timestamp? {
        guard let text, !text.isEmpty, text != "0" else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else {
            throw APIError.badRequest("invalid value for \"\(parameter)\": \(text) is not a Unix timestamp")
        }
        var nanoseconds: Int32 = 0
        if parts.count > 1 {
            let digits = parts[1].prefix(9)
            guard !digits.isEmpty, let fraction = Int32(digits), fraction >= 0 else {
                throw APIError.badRequest("invalid value for \"\(parameter)\": \(text) is not a Unix timestamp")
            }
            nanoseconds = fraction * Int32([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000][9 - digits.count])
        }
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
    }
}
