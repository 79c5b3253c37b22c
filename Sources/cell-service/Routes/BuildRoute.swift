import CellBuild
import CellCore
import CellFormat
import CellImage

/// `POST /build`: the classic builder's endpoint, which `docker build` (with `DOCKER_BUILDKIT=0`;
/// cell has no BuildKit) and docker-py's `images.build` call. The body is the context as a tar,
/// spooled to a file as it came and unpacked as hostile input (`ContextArchive`); the build is
/// `cell build`'s `Builder`, its progress the classic builder's JSON stream.
enum BuildRoute {
    static let routes: [Route] = [
        Route(.POST, "/build", spoolsBody: true, build),
    ]

    static func build(_ call: RouteCall) throws -> APIResponse {
        let query = call.query
        if let remote = query["remote"], !remote.isEmpty {
            throw APIError.badRequest("cell builds only a context sent as the request's body, not remote \(remote)")
        }
        // As `cell build --network`: RUN steps use the host's network, and nothing else is pretended.
        if let network = query["networkmode"], !["", "default", "host"].contains(network) {
            throw APIError.badRequest("networkmode \(network): cell's RUN steps use the host's network")
        }
        guard let body = call.request.spooledBody, body.count > 0 else {
            throw APIError.badRequest("the build context is missing: send it as a tar in the request's body")
        }
        let tags = try query.all("t").filter { !$0.isEmpty }.map { name -> ImageReference in
            do {
                return try ImageReference(parsing: name)
            } catch let error as CellError {
                throw APIError.badRequest("invalid tag \(GoQuote.quote(name)): \(error.message)")
            }
        }
        let buildArgs = try stringMap(query["buildargs"], parameter: "buildargs")
        let labels = try stringMap(query["labels"], parameter: "labels")
        let imagefileName = query["dockerfile"].flatMap { $0.isEmpty ? nil : $0 }
        let engine = call.engine
        let images = try engine.images()
        // A write session from the unpacking to the end: no collection (an image prune) empties
        // tmp/, where the context is, under the build.
        let session = try images.openWriteSession()
        // Unpacked before the stream: a context that is no tar, or names no Dockerfile, is a plain 400.
        let context: ContextArchive
        do {
            context = try ContextArchive(unpacking: try body.rewound(), in: images.layout.temporary, imagefileName: imagefileName)
        } catch {
            session.unlock()
            throw error
        }
        var options = BuildOptions(contextDirectory: context.contextDirectory)
        options.imagefile = context.imagefile
        options.tags = tags.map(\.description)
        options.buildArgs = buildArgs
        options.labels = labels
        options.target = query["target"].flatMap { $0.isEmpty ? nil : $0 }
        options.noCache = query.bool("nocache")
        options.pullAlways = query.bool("pull")
        options.quiet = query.bool("q")
        options.registryCredentials = RegistryAuthHeader.credentialsByRegistry(call.request.headers.first(name: RegistryAuthHeader.configurationName))
        // A client that goes (Ctrl-C on docker build) stops the build, as Docker's daemon does.
        let cancellation = BuildCancellation()
        options.cancellation = cancellation
        let settings = options
        return .messages { stream in
            defer {
                context.remove()
                session.unlock()
            }
            stream.whenClosed { cancellation.cancel() }
            let messages = ClassicBuildMessages(stream: stream, quiet: settings.quiet)
            do {
                let id = try Builder(images: images, monitorPath: engine.monitorPath, initPath: engine.initPath, options: settings,
                                     progress: messages.progress).build()
                messages.finish(id: id, tags: tags)
            } catch {
                if !messages.finishFailedCommand() { throw error }
            }
        }
    }

    /// `buildargs` and `labels`: a JSON object of strings. A build argument given as null takes
    /// the Dockerfile's default, as Docker's does.
    static func stringMap(_ text: String?, parameter: String) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch let error as CellError {
            throw APIError.badRequest("invalid \(parameter) parameter: \(error.message)")
        }
        guard let pairs = document.objectValue else { throw APIError.badRequest("invalid \(parameter) parameter: not a JSON object") }
        var map: [String: String] = [:]
        for (key, value) in pairs {
            if value.isNull { continue }
            guard let string = value.stringValue else {
                throw APIError.badRequest("invalid \(parameter) parameter: the value of \(key) is not a string")
            }
            map[key] = string
        }
        return map
    }
}
