import CellContainers
import CellCore
import CellFormat
import CellPresentation

/// `GET /containers/{id}/stats`: moby's StatsJSON (`EngineContainerStats`) over the same cgroup
/// files `cell stats` reads. `stream` (Docker's default) sends one object a second, each with
/// the one before as its `precpu_stats`, until the client goes; `stream=false` answers one
/// object whose `precpu_stats` was read a second earlier, so that `docker stats --no-stream`
/// has a CPU %; `one-shot` with it skips that second (precpu left zero, as Docker's).
/// A container that does not run gets Docker's zeros, at once or once a second.
enum ContainerStatsRoute {
    static let routes = [Route(.GET, "/containers/{id}/stats", stats)]

    /// Docker's collector reads every container once a second.
    static let interval = 1.0

    static func stats(_ call: RouteCall) throws -> APIResponse {
        let store = try call.engine.containers()
        let container = try store.resolve(call.capture("id"))
        // moby's BoolValueOrDefault: absent or empty is the default (a stream).
        let streaming = call.query["stream"].flatMap { $0.isEmpty ? nil : call.query.bool("stream") } ?? true
        let oneShot = call.query.bool("one-shot")
        if oneShot && streaming {
            throw APIError.badRequest("cannot have stream=true and one-shot=true")
        }
        /// The container as it is now: a stream outlives its start or stop.
        @Sendable func current() -> Container { (try? store.load(id: container.id)) ?? container }
        guard streaming else {
            let first = ContainerResourceSample.take(container)
            guard first != nil, !oneShot else {
                return .json(.ok, EngineContainerStats.json(container, sample: first, previous: nil))
            }
            Deadline.pause(milliseconds: Int(interval * 1000))
            let now = current()
            return .json(.ok, EngineContainerStats.json(now, sample: ContainerResourceSample.take(now), previous: first))
        }
        return .stream(.ok, contentType: "application/json") { stream in
            var previous: ContainerResourceSample?
            while stream.isOpen {
                // A container removed meanwhile ends the stream, as Docker's does.
                guard let now = try? store.load(id: container.id) else { break }
                let sample = ContainerResourceSample.take(now)
                try stream.write(APIResponse.jsonBody(EngineContainerStats.json(now, sample: sample, previous: previous)))
                previous = sample
                // Asked between short sleeps, so a client that leaves frees its thread at once.
                let next = Deadline(after: interval)
                while stream.isOpen && !next.hasPassed { Deadline.pause(milliseconds: 50) }
            }
        }
    }
}
