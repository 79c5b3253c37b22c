import CellContainers
import CellFormat
import CellPresentation

/// `/_ping`, `/version`, `/info`: what a client asks first.
enum SystemRoutes {
    static let routes: [Route] = [
        Route(.GET, "/_ping", ping),
        Route(.HEAD, "/_ping", ping),
        Route(.GET, "/version", version),
        Route(.GET, "/info", info),
    ]

    /// `OK`, and in the headers what clients negotiate with: the API version (the docker CLI then
    /// talks `/v1.43/`), the builder (1: the classic `/build`, which cell's builder will serve),
    /// no swarm, nothing cached by a proxy.
    static func ping(_ call: RouteCall) throws -> APIResponse {
        // HEAD says Content-Length 0, as Docker's does.
        .text(.ok, call.request.method == .HEAD ? "" : "OK", headers: [
            ("Builder-Version", "1"), ("Docker-Experimental", "false"), ("Swarm", "inactive"),
            ("Cache-Control", "no-cache, no-store, must-revalidate"), ("Pragma", "no-cache"),
        ])
    }

    /// moby's types.Version: the `Server` half of `cell version`'s document.
    static func version(_ call: RouteCall) throws -> APIResponse {
        let document = VersionInformation.current(minimumAPIVersion: APIVersion.minimum.description).document
        return .json(.ok, document["Server"] ?? .object([]))
    }

    /// moby's system.Info, as `cell info` shows it (without the client's part).
    static func info(_ call: RouteCall) throws -> APIResponse {
        let containers = try call.engine.lifecycle().listReapingAutoRemoved()
        let images = try call.engine.images().images()
        let summary = SystemSummary(root: call.engine.root, containers: containers, images: images)
        return .json(.ok, SystemInformation.document(summary, serverVersion: CellVersion.dockerCompatible))
    }
}
