#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// `docker save` and `docker load`: `GET /images/get?names=...` (and `/images/{name}/get`) stream
/// the archive `cell save` writes (OCI layout with docker's manifest.json, which the docker CLI and
/// docker-py load back); `POST /images/load` loads the body, spooled to a file as it came, through
/// `cell load`'s `ImageStore.load`, which extracts it as hostile input.
enum ImageArchiveRoutes {
    static let routes: [Route] = [
        Route(.GET, "/images/get", saveNamed),
        Route(.GET, "/images/{name*}/get", saveOne),
        Route(.POST, "/images/load", spoolsBody: true, load),
    ]

    static func saveNamed(_ call: RouteCall) throws -> APIResponse {
        try save(call, names: call.query.all("names"))
    }

    static func saveOne(_ call: RouteCall) throws -> APIResponse {
        try save(call, names: [try call.capture("name")])
    }

    /// Every name is resolved first, so an unknown one is a 404 before the archive begins. The
    /// store writes the archive into a pipe on a thread of its own while this one forwards it: a
    /// client that goes breaks the pipe, and the writer stops.
    private static func save(_ call: RouteCall, names: [String]) throws -> APIResponse {
        guard !names.isEmpty else { throw APIError.badRequest("no image names given (names=...)") }
        let store = try call.engine.images()
        for name in names { _ = try store.resolve(name) }
        return .stream(.ok, contentType: "application/x-tar") { stream in
            // Close-on-exec from its making (pipe2): no monitor another request spawns meanwhile
            // may keep the write end open, or the reader would never see the end.
            let pipe = try PipePair()
            let reading = pipe.takeReadEnd(), writing = pipe.takeWriteEnd()
            let writer: BackgroundWork
            do {
                writer = try BackgroundWork {
                    // save closes its descriptor when it is done: the reader sees the end.
                    try store.save(names, to: writing, outputName: "the archive")
                }
            } catch {
                close(reading)
                close(writing)
                throw error
            }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var failure: (any Error)?
            while true {
                let count = read(reading, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                do {
                    try stream.write(buffer[0..<count])
                } catch {
                    failure = error
                    break
                }
            }
            // The reader's end closed first, so a writer still writing gets EPIPE and ends.
            close(reading)
            let result = writer.wait()
            if let failure { throw failure }
            try result.get()
        }
    }

    /// `{"stream":"Loaded image: busybox:latest\n"}` per name (`Loaded image ID:` for an image
    /// without one), as Docker answers. `quiet` (which the docker CLI sends when its output is
    /// no terminal) hides only Docker's per-layer progress bars, which cell does not draw.
    static func load(_ call: RouteCall) throws -> APIResponse {
        guard let body = call.request.spooledBody else { throw APIError(.internalServerError, "the body was not spooled") }
        let store = try call.engine.images()
        return .messages { stream in
            let loaded = try store.load(from: .descriptor(try body.rewound(), name: "the request body"))
            for image in loaded {
                if image.names.isEmpty { stream.say("Loaded image ID: \(image.id)\n") }
                for name in image.names { stream.say("Loaded image: \(name.familiarName)\n") }
            }
        }
    }
}
