import CellCore
import CellFormat
import CellImage
import CellRegistry

/// The endpoints that move images between the store and a registry (or a client's tarball):
/// `docker pull` and `import` (`/images/create`), `docker push`, `docker login` (`/auth`), over
/// the same `ImagePuller`, `ImagePusher`, `RegistryLogin` and `importRootfs` as the CLI's verbs.
/// Credentials are only those the client sends (`X-Registry-Auth`, `/auth`'s body), as with
/// Docker's daemon: the service never lends a client the store owner's logins.
enum ImageTransferRoutes {
    static let routes: [Route] = [
        Route(.POST, "/images/create", spoolsBody: true, create),
        Route(.POST, "/images/{name*}/push", push),
        Route(.POST, "/auth", authenticate),
    ]

    /// `fromImage` pulls; `fromSrc=-` imports the body's rootfs tarball.
    static func create(_ call: RouteCall) throws -> APIResponse {
        if let source = call.query["fromSrc"], !source.isEmpty {
            return try importBody(call, source: source)
        }
        guard let image = call.query["fromImage"], !image.isEmpty else {
            throw APIError.badRequest("fromImage or fromSrc is required")
        }
        return try pull(call, image: image)
    }

    /// The image's name with the `tag` parameter (a tag, or a digest as the docker CLI sends
    /// `busybox@sha256:...`); with neither, every tag of the repository, as Docker pulls them.
    static func pull(_ call: RouteCall, image: String) throws -> APIResponse {
        let tag = call.query["tag"] ?? ""
        let named = tag.isEmpty ? image : tag.hasPrefix("sha256:") ? "\(image)@\(tag)" : "\(image):\(tag)"
        let reference = try ImageReference(parsing: named)
        let allTags = tag.isEmpty && reference.digest == nil && !ImagePuller.namesTag(image)
        var puller = ImagePuller(store: try call.engine.images(),
                                 credentials: RegistryAuthHeader.credentialsIfReadable(call.request.headers.first(name: RegistryAuthHeader.name)))
        if let platform = call.query["platform"], !platform.isEmpty {
            puller.platform = try PlatformSelector(parsing: platform)
        }
        // The tags are asked before the stream: an unknown repository is a plain 404.
        let references = allTags ? try puller.allTags(of: reference) : [reference]
        let chosen = puller
        return .messages { stream in
            do {
                for each in references {
                    _ = try chosen.pull(each) { event in stream.send(RegistryProgressMessages.message(event)) }
                }
            } catch let error as CellError where error.kind == .conflict && error.message.contains("access denied for") {
                throw accessDenied(error)
            }
        }
    }

    /// A registry's refusal as moby answers it: 404 (docker-py's ImageNotFound), naming the
    /// login of this face's clients.
    static func accessDenied(_ error: CellError) -> APIError {
        APIError(.notFound, error.message.replacing("'cell login'", with: "'docker login'"))
    }

    /// `docker import -` and docker-py's `import_image(data)`: the body is a rootfs tarball,
    /// named `repo`:`tag`, changed by each `changes` line; one message with the new id.
    static func importBody(_ call: RouteCall, source: String) throws -> APIResponse {
        guard source == "-" else {
            throw APIError.badRequest("cell imports only the request's body (fromSrc=-), not \(source)")
        }
        guard let body = call.request.spooledBody else { throw APIError(.internalServerError, "the body was not spooled") }
        var names: [ImageReference] = []
        if let repository = call.query["repo"], !repository.isEmpty {
            let tag = call.query["tag"] ?? ""
            names.append(try ImageReference(parsing: tag.isEmpty ? repository : "\(repository):\(tag)"))
        }
        let store = try call.engine.images()
        let changes = call.query.all("changes"), given = names
        let message = call.query["message"].flatMap { $0.isEmpty ? nil : $0 } ?? "Imported from -"
        return .messages { stream in
            let id = try store.importRootfs(from: .descriptor(try body.rewound(), name: "the request body"), names: given, changes: changes,
                                            message: message)
            stream.send(RegistryProgressMessages.status(id.description))
        }
    }

    /// `docker push`: `tag` names the tag of the repository in the path; without one, each tag
    /// of it the store has is pushed, as Docker does. The last message carries the digest.
    static func push(_ call: RouteCall) throws -> APIResponse {
        let name = try call.capture("name")
        let tag = call.query["tag"] ?? ""
        // Unlike a pull, a push with credentials that do not decode is refused, as moby's.
        let credentials = try RegistryAuthHeader.credentials(call.request.headers.first(name: RegistryAuthHeader.name))
        let store = try call.engine.images()
        let pusher = ImagePusher(store: store, credentials: credentials)
        let references: [ImageReference]
        if tag.isEmpty && !ImagePuller.namesTag(name) {
            let repository = try ImageReference(parsing: name).repository
            references = try store.tags(of: repository)
            guard !references.isEmpty else {
                throw APIError.notFound("An image does not exist locally with the tag: \(try ImageReference(parsing: name).familiarRepository)")
            }
        } else {
            references = [try ImageReference(parsing: tag.isEmpty ? name : "\(name):\(tag)")]
        }
        // A missing image is a 404 before the stream, as the docker CLI expects it.
        let named = Set(try store.images().flatMap(\.names))
        for reference in references where !named.contains(reference) {
            throw APIError.notFound("An image does not exist locally with the tag: \(reference.familiarRepository)")
        }
        return .messages { stream in
            for reference in references {
                let result = try pusher.push(reference) { event in stream.send(RegistryProgressMessages.message(event)) }
                stream.send(RegistryProgressMessages.pushResult(tag: reference.tag ?? ImageReference.defaultTag,
                                                                digest: result.digest.description, size: result.size))
            }
        }
    }

    /// `docker login`: the credentials checked against the registry as `cell login` checks them,
    /// and kept nowhere (the client keeps them and sends them with each pull and push).
    static func authenticate(_ call: RouteCall) throws -> APIResponse {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: call.request.body)
        } catch let error as CellError {
            throw APIError.badRequest(error.message)
        }
        guard document.objectValue != nil else { throw APIError.badRequest("the body is not a JSON object of credentials") }
        let username = document["username"]?.stringValue ?? ""
        let password = document["password"]?.stringValue ?? ""
        let server = document["serveraddress"]?.stringValue ?? ""
        let key = RegistryHost.credentialKey(ofServer: server)
        do {
            try RegistryLogin.verify(RegistryCredentials(username: username, password: password), key: key)
        } catch let error as CellError where error.kind == .conflict {
            // moby's errdefs.Unauthorized: what the registry refused.
            throw APIError(.unauthorized, error.message)
        }
        // moby omits an empty IdentityToken (cell has none: no OAuth2 refresh tokens).
        return .json(.ok, .object([("Status", .string("Login Succeeded"))]))
    }
}
