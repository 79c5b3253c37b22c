import CellCore

/// `network create -o KEY=VALUE` (the API's Options): Docker's bridge driver reads its own
/// `com.docker.network.*` keys and ignores the rest. cell's bridges have Docker's defaults and
/// no knobs, so a Docker key is refused unless it asks for what cell does anyway: kept and
/// ignored, `enable_icc=false` would leave the containers of a network that was meant to keep
/// them apart free to reach each other, and `host_binding_ipv4=127.0.0.1` would publish ports on
/// every address. Other keys are kept for inspect, as Docker keeps them.
enum NetworkDriverOptions {
    static let dockerPrefix = "com.docker.network."

    /// The values cell's bridges have; each asked for is accepted.
    static func honoured(isInternal: Bool) -> [String: String] {
        var values = ["com.docker.network.bridge.enable_icc": "true"]
        if !isInternal { values["com.docker.network.bridge.enable_ip_masquerade"] = "true" }
        return values
    }

    /// What a user needs to know about the keys that matter most.
    static let reasons = [
        "com.docker.network.bridge.enable_icc": "the containers of a network always reach each other",
        "com.docker.network.bridge.enable_ip_masquerade": "a network's traffic out is masqueraded, and an --internal network has none",
        "com.docker.network.bridge.host_binding_ipv4": "published ports listen where -p says, on every address by default",
        "com.docker.network.bridge.name": "cell names each bridge cell- and the network's id",
    ]

    static func check(_ options: [String: String], isInternal: Bool) throws {
        let honoured = honoured(isInternal: isInternal)
        for (key, value) in options.sorted(by: { $0.key < $1.key }) where key.hasPrefix(dockerPrefix) && honoured[key] != value {
            let reason = reasons[key].map { ": \($0)" } ?? ""
            throw CellError.invalidInput("driver option \(GoQuote.quote("\(key)=\(value)")) is not supported by cell's bridge networks\(reason)")
        }
    }
}
