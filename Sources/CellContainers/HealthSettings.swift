import CellCore
import CellImage
import CellRuntime

/// The health check a new container gets: the image's HEALTHCHECK with the `--health-*` flags
/// over it, or none (`--no-healthcheck`, or `NONE`). Docker's defaults (30s, 30s, 0s, 5s, 3)
/// for what neither says, and its words for what it refuses.
enum HealthSettings {
    static func resolve(image: Healthcheck?, _ options: RunOptions) throws -> (Healthcheck?, HealthCheck?) {
        let flagged = options.healthCmd != nil || options.healthTest != nil || options.healthInterval != nil || options.healthTimeout != nil
            || options.healthStartPeriod != nil || options.healthStartInterval != nil || options.healthRetries != nil
        if options.noHealthcheck {
            if flagged { throw CellError.usage("--no-healthcheck conflicts with --health-* options") }
            return (Healthcheck(test: ["NONE"]), nil)
        }
        var recorded = image ?? Healthcheck(test: nil)
        if let command = options.healthCmd { recorded.test = command.isEmpty ? nil : ["CMD-SHELL", command] }
        if let test = options.healthTest { recorded.test = test.isEmpty ? nil : test }
        func nanoseconds(_ text: String?, _ flag: String) throws -> Int64? {
            guard let text else { return nil }
            guard let duration = GoDuration.parse(text) else {
                throw CellError.usage("invalid argument \"\(text)\" for \"\(flag)\" flag: time: invalid duration \"\(text)\"")
            }
            let (seconds, attoseconds) = duration.components
            let value = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            if value < 0 { throw CellError.usage("\(flag) cannot be negative") }
            return value
        }
        if let value = try nanoseconds(options.healthInterval, "--health-interval") { recorded.interval = value }
        if let value = try nanoseconds(options.healthTimeout, "--health-timeout") { recorded.timeout = value }
        if let value = try nanoseconds(options.healthStartPeriod, "--health-start-period") { recorded.startPeriod = value }
        if let value = try nanoseconds(options.healthStartInterval, "--health-start-interval") { recorded.startInterval = value }
        if let retries = options.healthRetries {
            if retries < 0 { throw CellError.usage("--health-retries cannot be negative") }
            recorded.retries = retries
        }
        guard image != nil || flagged else { return (nil, nil) }
        guard let test = recorded.test, let first = test.first, first != "NONE" else { return (recorded, nil) }
        _ = first
        var check = HealthCheck(test: test)
        func seconds(_ value: Int64?, _ fallback: Double) -> Double {
            guard let value, value > 0 else { return fallback }
            return Double(value) / 1_000_000_000
        }
        check.interval = seconds(recorded.interval, 30)
        check.timeout = seconds(recorded.timeout, 30)
        check.startPeriod = seconds(recorded.startPeriod, 0)
        check.startInterval = seconds(recorded.startInterval, 5)
        check.retries = recorded.retries.map { $0 > 0 ? $0 : 3 } ?? 3
        return (recorded, check)
    }
}
