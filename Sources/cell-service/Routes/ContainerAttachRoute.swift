import CellContainers
import CellCore

/// `POST /containers/{id}/attach`: the connection hijacked, then the container's output (and the
/// client's input to it), as `cell attach` gets them from its monitor. Docker's clients attach
/// before they start (`docker run`, `start -a`): a container that does not run yet is waited for,
/// and none of its output is missed. `resize` sets a `-t` container's terminal size.
enum ContainerAttachRoute {
    static let routes = [
        Route(.POST, "/containers/{id}/attach", attach),
        Route(.POST, "/containers/{id}/resize", resize),
    ]

    static func attach(_ call: RouteCall) throws -> APIResponse {
        let query = call.query
        let keysText = query["detachKeys"] ?? ""
        let keys: DetachKeys?
        do {
            keys = keysText.isEmpty ? nil : try DetachKeys(parsing: keysText)
        } catch {
            throw APIError.badRequest("Invalid detach keys (\(keysText)) provided")
        }
        let reference = try call.capture("id")
        let store = try call.engine.containers()
        let container = try store.resolve(reference)
        try container.checkAttachable(reference: reference)
        let tty = container.record.config.tty
        let stdin = query.bool("stdin"), stdout = query.bool("stdout"), stderr = query.bool("stderr")
        let logs = query.bool("logs"), stream = query.bool("stream")
        let upgrade = call.request.headers.contains(name: "Upgrade")
        return .hijack(upgrade: upgrade, contentType: streamType(tty: tty, version: call.version)) { connection in
            let peer = HijackedPeer(connection, multiplexed: !tty, stdout: stdout, stderr: stderr)
            if logs && (try? ContainerLog.checkReadable(container)) != nil {
                try? store.copyLogs(of: container, selection: LogSelection(), follow: false, while: { !peer.isGone }) { source, bytes in
                    peer.send(bytes, from: source == .stdout ? .stdout : .stderr)
                }
            }
            guard stream else { return }
            do {
                _ = try container.attach(peer: peer, stdin: stdin, detachKeys: keys)
            } catch {
                // After the upgrade the status is sent: moby writes the error into the stream.
                peer.sendMessage("Error attaching: \(APIError(describing: error).message)")
            }
        }
    }

    /// The stream's media type: raw for a terminal (and for clients before 1.42, which called
    /// both raw), multiplexed otherwise.
    static func streamType(tty: Bool, version: APIVersion) -> String {
        !tty && version >= APIVersion(major: 1, minor: 42)
            ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream"
    }

    static func resize(_ call: RouteCall) throws -> APIResponse {
        let (height, width) = try terminalSize(call.query)
        try call.engine.container(call.capture("id")).resizeTerminal(height: height, width: width)
        return .empty(.ok)
    }

    /// `h` and `w` as moby's Uint32Value reads them (empty is 0), within what a terminal holds.
    static func terminalSize(_ query: QueryParameters) throws -> (UInt16, UInt16) {
        func dimension(_ key: String, _ name: String) throws -> UInt16 {
            let text = (query[key] ?? "").trimmingSpaces
            if text.isEmpty { return 0 }
            guard let value = UInt32(text) else {
                let reason = text.allSatisfy(\.isNumber) ? "value out of range" : "invalid syntax"
                throw APIError.badRequest("invalid resize \(name) \"\(text)\": strconv.ParseUint: parsing \"\(text)\": \(reason)")
            }
            guard value <= UInt32(UInt16.max) else {
                throw APIError.badRequest("invalid resize \(name) \"\(text)\": a terminal has at most \(UInt16.max) \(name == "height" ? "rows" : "columns")")
            }
            return UInt16(value)
        }
        return (try dimension("h", "height"), try dimension("w", "width"))
    }
}
