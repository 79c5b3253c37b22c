import CellCore
import CellEvents
import CellFormat

/// `GET /events`: the store's journal as `cell events` reads it, one JSON object a line in
/// Docker's shape (`docker events`, docker-py's `events()`): what is kept since `since`, then
/// each new event until `until`, or for as long as the client stays.
enum EventsRoute {
    static let routes = [Route(.GET, "/events", events)]

    static func events(_ call: RouteCall) throws -> APIResponse {
        let now = Timestamp.now()
        let since = try ContainerLogsRoute.unixTime(call.query["since"], parameter: "since")
        let until = try ContainerLogsRoute.unixTime(call.query["until"], parameter: "until")
        let filter = try EventFilter(FilterParameter.words(call.query["filters"]))
        let root = call.engine.root
        return .stream(.ok, contentType: "application/json") { stream in
            func send(_ event: Event) -> Bool {
                // A `since` still to come holds back what happens before it.
                guard filter.admits(event), event.time >= (since ?? Timestamp(seconds: 0)) else { return true }
                let line = event.json.serialized(indent: nil, escapingHTML: false) + "\n"
                return (try? stream.write(Array(line.utf8))) != nil
            }
            let (past, offset) = EventJournal.read(root: root)
            // Without `since`, only what happens from now on, as Docker; `until` alone looks back.
            if since != nil || until != nil {
                for event in past where event.time >= (since ?? Timestamp(seconds: 0)) && event.time <= (until ?? now) {
                    guard send(event) else { return }
                }
            }
            if let until, until <= now { return }
            try EventJournal.follow(root: root, from: offset, until: until, while: { stream.isOpen }, send)
        }
    }
}
