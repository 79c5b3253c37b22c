import CellContainers
import CellCore
import CellFormat

/// `GET /containers/{id}/top?ps_args=`: `docker top`, over the same `Container.processes` as
/// `cell top`. Without ps_args (or with moby's default `-ef`) the rows come from /proc in ps -ef's
/// columns; other arguments run the host's ps with them (no shell), cut to the container's pids.
enum ContainerTopRoute {
    static let routes = [Route(.GET, "/containers/{id}/top", top)]

    static func top(_ call: RouteCall) throws -> APIResponse {
        let container = try call.engine.container(call.capture("id"))
        let arguments = (call.query["ps_args"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        let titles: [String], rows: [[String]]
        if arguments.isEmpty || arguments == ["-ef"] {
            titles = Container.processTitles
            rows = try container.processes().map(\.columns)
        } else {
            (titles, rows) = try container.processes(psArguments: arguments)
        }
        return .json(.ok, .object([
            ("Processes", .array(rows.map { .strings($0) })),
            ("Titles", .strings(titles)),
        ]))
    }
}
