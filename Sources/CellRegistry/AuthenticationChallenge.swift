/// A registry's `WWW-Authenticate` header: the scheme (Bearer or Basic) and its parameters
/// (`realm`, `service`, `scope`), as RFC 7235 writes them: `Bearer realm="...",service="..."`.
struct AuthenticationChallenge: Equatable, Sendable {
    var scheme: String
    var parameters: [String: String]

    init?(header: String) {
        let text = Substring(header).drop { $0 == " " }
        guard let space = text.firstIndex(of: " ") else {
            guard !text.isEmpty else { return nil }
            scheme = text.lowercased()
            parameters = [:]
            return
        }
        scheme = text[..<space].lowercased()
        parameters = AuthenticationChallenge.parameters(text[text.index(after: space)...])
    }

    var realm: String? { parameters["realm"] }

    /// `name=value` pairs separated by commas, a value quoted (with `\` escapes) or bare.
    private static func parameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { return result }
            let name = rest[..<equals].trimmedWhitespace.lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmedWhitespace
                rest = rest[end...]
            }
            result[name] = value
        }
    }
}
