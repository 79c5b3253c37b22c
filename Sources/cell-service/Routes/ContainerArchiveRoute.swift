import CellContainers
import CellCore
import CellFormat

/// `/containers/{id}/archive`: `docker cp` and docker-py's get_archive / put_archive, over the
/// same `ContainerStore.copy` as `cell cp` (every path resolved inside the container's root; an
/// uploaded tar extracted as a hostile layer is, then copied in through the root).
enum ContainerArchiveRoute {
    static let routes = [
        Route(.HEAD, "/containers/{id}/archive", stat),
        Route(.GET, "/containers/{id}/archive", get),
        Route(.PUT, "/containers/{id}/archive", spoolsBody: true, put),
    ]

    /// The stat header alone: the docker CLI asks this before a copy into the container.
    static func stat(_ call: RouteCall) throws -> APIResponse {
        let (reference, path) = try target(call)
        let stat = try call.engine.containers().statPath(path, container: reference)
        return .text(.ok, "", headers: [statHeader(stat)])
    }

    /// A tar of the path: one entry named after its last component (its contents for `PATH/.`).
    /// The stat comes first, so a missing path is a 404 before the head is sent.
    static func get(_ call: RouteCall) throws -> APIResponse {
        let (reference, path) = try target(call)
        let engine = call.engine
        let store = try engine.containers()
        let stat = try store.statPath(path, container: reference)
        return .stream(.ok, contentType: "application/x-tar", headers: [statHeader(stat)]) { stream in
            let copy = ContainerFileCopy(direction: .outOfContainer, containerPath: path, host: .tarSink { buffer in
                try stream.write(buffer)
            }, preserveOwnership: true)
            try store.copy(copy, container: reference, images: { try engine.images() })
        }
    }

    /// The body's tar (spooled to a file as it came, any size) extracted into the directory PATH, which must exist (404 if not, 400 if it
    /// is not a directory, 403 for a read-only root file system, as moby answers).
    /// A directory is never replaced by a non-directory nor the other way (409), as the docker
    /// CLI's `noOverwriteDirNonDir=true` asks; `cell cp` refuses it whatever the parameter says.
    static func put(_ call: RouteCall) throws -> APIResponse {
        let (reference, path) = try target(call)
        let engine = call.engine
        guard let body = call.request.spooledBody else { throw APIError(.internalServerError, "the body was not spooled") }
        let copy = ContainerFileCopy(direction: .intoContainer, containerPath: path, host: .tarStream(try body.rewound()),
                                     preserveOwnership: true)
        do {
            try engine.containers().copy(copy, container: reference, images: { try engine.images() })
        } catch let error as CellError where error.message == ContainerFileCopy.readOnlyRootMessage {
            throw APIError(.forbidden, error.message)
        }
        return .empty(.ok)
    }

    /// The container as named and the path asked for; moby refuses an empty path.
    private static func target(_ call: RouteCall) throws -> (String, String) {
        let reference = try call.capture("id")
        guard let path = call.query["path"], !path.isEmpty else {
            throw APIError.badRequest("Path cannot be empty")
        }
        return (reference, path)
    }

    /// `X-Docker-Container-Path-Stat`: base64 of moby's `PathStat` JSON.
    static func statHeader(_ stat: ContainerPathStat) -> (String, String) {
        let json = JSONValue.object([
            ("name", .string(stat.name)),
            ("size", .integer(stat.size)),
            ("mode", .integer(Int64(stat.mode))),
            ("mtime", .string(stat.modificationTime.rfc3339Nano)),
            ("linkTarget", .string(stat.linkTarget)),
        ])
        return ("X-Docker-Container-Path-Stat", Base64.encode(Array(json.serialized(indent: nil, escapingHTML: false).utf8)))
    }
}
