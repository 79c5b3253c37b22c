import CellContainers
import CellCore
import CellFormat
import CellPresentation

/// The exec endpoints (`docker exec`, docker-py's `exec_run`): an instance created in a running
/// container, started once with the connection hijacked (or detached), inspected, its terminal
/// resized; each over `ExecInstances`, which runs the process as `cell exec` does.
enum ExecRoutes {
    static let routes: [Route] = [
        Route(.POST, "/containers/{id}/exec", create),
        Route(.POST, "/exec/{id}/start", start),
        Route(.GET, "/exec/{id}/json", inspect),
        Route(.POST, "/exec/{id}/resize", resize),
    ]

    /// moby's ExecCreateRequest; 201 with the new id.
    static func create(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "ExecConfig")
        var request = ExecInstances.Request(arguments: try body.strings("Cmd") ?? [])
        guard !request.arguments.isEmpty else { throw APIError.badRequest("No exec command specified") }
        request.environment = try body.strings("Env") ?? []
        request.user = try body.string("User") ?? ""
        request.workingDir = try body.string("WorkingDir") ?? ""
        request.tty = try body.bool("Tty") ?? false
        request.privileged = try body.bool("Privileged") ?? false
        request.attachStdin = try body.bool("AttachStdin") ?? false
        request.attachStdout = try body.bool("AttachStdout") ?? false
        request.attachStderr = try body.bool("AttachStderr") ?? false
        request.detachKeys = try body.string("DetachKeys") ?? ""
        // Before 1.42 there was no ConsoleSize.
        let size = try consoleSize(&body)
        if call.version >= APIVersion(major: 1, minor: 42) { request.consoleSize = size }
        // docker-py names the container again in the body; the path has it.
        body.ignore("Detach", "Container")
        try body.refuseUnread()
        let record = try ExecInstances(store: call.engine.containers()).create(in: call.capture("id"), request)
        return .json(.created, .object([("Id", .string(record.id))]))
    }

    /// moby's ExecStartRequest: Detach answers 200 once the process runs; otherwise the connection
    /// is hijacked and carries the process's stdio until it ends. The exit code is in the record
    /// before the stream ends (the docker CLI inspects it at once).
    static func start(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "ExecStartConfig")
        let detach = try body.bool("Detach") ?? false
        let tty = try body.bool("Tty")
        let size = try consoleSize(&body)
        try body.refuseUnread()
        let instances = ExecInstances(store: try call.engine.containers())
        let start = try instances.claim(call.capture("id"))
        let startSize = call.version >= APIVersion(major: 1, minor: 42) ? size : nil
        if detach {
            _ = try start.run(peer: nil, consoleSize: startSize)
            return .empty(.ok)
        }
        let record = start.record
        let terminal = tty ?? record.tty
        let upgrade = call.request.headers.contains(name: "Upgrade")
        return .hijack(upgrade: upgrade, contentType: ContainerAttachRoute.streamType(tty: terminal, version: call.version)) { connection in
            let peer = HijackedPeer(connection, multiplexed: !terminal, stdout: record.attachStdout, stderr: record.attachStderr)
            do {
                _ = try start.run(peer: peer, consoleSize: startSize)
            } catch let error as CellError {
                peer.sendMessage(ExecInstances.failureMessage(error))
            } catch {
                peer.sendMessage("\(error)")
            }
        }
    }

    static func inspect(_ call: RouteCall) throws -> APIResponse {
        let (_, record) = try ExecInstances(store: call.engine.containers()).find(call.capture("id"))
        return .json(.ok, ExecInspection.json(record))
    }

    static func resize(_ call: RouteCall) throws -> APIResponse {
        let (height, width) = try ContainerAttachRoute.terminalSize(call.query)
        try ExecInstances(store: call.engine.containers()).resize(call.capture("id"), height: height, width: width)
        return .empty(.ok)
    }

    /// A JSON body (an empty one is an empty object, as Go's decoder takes io.EOF).
    /// `ConsoleSize`: [height, width], or null.
    private static func consoleSize(_ body: inout JSONFields) throws -> (height: UInt16, width: UInt16)? {
        guard let value = body.value("ConsoleSize"), value != .null else { return nil }
        guard case .array(let items) = value, items.count == 2,
              let height = items[0].integerValue, let width = items[1].integerValue,
              (0...Int64(UInt16.max)).contains(height), (0...Int64(UInt16.max)).contains(width) else {
            throw APIError.badRequest("ConsoleSize: expected [height, width], each from 0 to \(UInt16.max)")
        }
        return (UInt16(height), UInt16(width))
    }
}
